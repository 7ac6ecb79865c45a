import { problemLines } from '../../src/health/log.js';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metricsFromMntr, parseMntr, parseSrvr } from '../../src/health/probe.js';
import { judgeCluster, type NodeReport } from '../../src/health/cluster.js';
import { parseJavaMajor } from '../../src/distribution/java.js';
import { keyType, knownHostsName, matchHostKey } from '../../src/executors/known-hosts.js';
import type { NodeSpec } from '../../src/inventory/spec.js';
import { parseHostProbe } from '../../src/hosts/host-probe.js';

const SRVR_FOLLOWER = `Zookeeper version: 3.8.0-debian--1, built on 2024-06-16 12:00 UTC
Latency min/avg/max: 0/0.5/3
Received: 12
Sent: 11
Connections: 1
Outstanding: 0
Zxid: 0x100000002
Mode: follower
Node count: 6
`;

describe('srvr / mntr parsing', () => {
  it('reads mode, zxid, version and connections', () => {
    expect(parseSrvr(SRVR_FOLLOWER)).toEqual({
      mode: 'follower',
      zxid: '0x100000002',
      version: '3.8.0',
      connections: 1,
      outstanding: 0,
      nodeCount: 6,
      latency: '0/0.5/3',
    });
  });
  it('treats a node outside the quorum as not serving, whatever ruok would say', () => {
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n').mode).toBe('not-serving');
    expect(parseSrvr('srvr is not executed because it is not in the whitelist.\n')).toMatchObject({
      mode: 'not-serving',
      error: expect.stringContaining('whitelist'),
    });
  });
  it('reads mntr key/values and the figures operators watch', () => {
    const m = parseMntr(
      'zk_version\t3.8.0\nzk_server_state\tleader\nzk_znode_count\t6\nzk_watch_count\t0\nzk_synced_followers\t2\n',
    );
    expect(m).toMatchObject({ zk_version: '3.8.0', zk_server_state: 'leader' });
    expect(metricsFromMntr(m)).toMatchObject({ znodes: 6, watches: 0, syncedFollowers: 2 });
    expect(metricsFromMntr(parseMntr('mntr is not executed because it is not in the whitelist.\n'))).toBeUndefined();
  });
});

describe('cluster verdict', () => {
  const node = (id: number) => ({ id, host: { address: '127.0.0.1' }, clientPort: 2180 + id }) as unknown as NodeSpec;
  const r = (id: number, mode: string): NodeReport => ({ node: node(id), health: { mode: mode as never } });
  it('is healthy with exactly one leader and followers', () => {
    expect(judgeCluster([r(1, 'follower'), r(2, 'leader'), r(3, 'follower')])).toEqual({
      status: 'healthy',
      leader: 2,
    });
  });
  it('is degraded when a node is down but a leader has quorum', () => {
    expect(judgeCluster([r(1, 'down'), r(2, 'leader'), r(3, 'follower')])).toMatchObject({
      status: 'degraded',
      leader: 2,
    });
  });
  it('has no quorum without a leader, or with two', () => {
    expect(judgeCluster([r(1, 'not-serving'), r(2, 'down'), r(3, 'down')]).status).toBe('no-quorum');
    expect(judgeCluster([r(1, 'leader'), r(2, 'leader'), r(3, 'follower')]).status).toBe('no-quorum');
  });
  it('accepts a single standalone node', () => {
    expect(judgeCluster([r(1, 'standalone')]).status).toBe('healthy');
  });
});

describe('java -version parsing', () => {
  it('handles modern and 1.x version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('bash: java: not found')).toBeUndefined();
  });
});

describe('known_hosts matching', () => {
  const blob = () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const type = Buffer.from('ssh-ed25519');
    const b = Buffer.alloc(4 + type.length + 4 + raw.length);
    b.writeUInt32BE(type.length, 0);
    type.copy(b, 4);
    b.writeUInt32BE(raw.length, 4 + type.length);
    raw.copy(b, 8 + type.length);
    return b;
  };
  const key = blob();
  const other = blob();
  const line = (host: string, k: Buffer) => `${host} ${keyType(k)} ${k.toString('base64')}`;

  it('finds plain, hashed and [host]:port entries', () => {
    expect(keyType(key)).toBe('ssh-ed25519');
    expect(matchHostKey(line('10.0.0.1,zk1', key), '10.0.0.1', key)).toBe('known');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(matchHostKey(line('[10.0.0.1]:2222', key), '[10.0.0.1]:2222', key)).toBe('known');
    expect(matchHostKey(line('10.0.0.1', key), '[10.0.0.1]:2222', key)).toBe('unknown');
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('10.0.0.9').digest('base64')}`;
    expect(matchHostKey(line(hashed, key), '10.0.0.9', key)).toBe('known');
  });

  it('says changed when the host has another key of the same type', () => {
    expect(matchHostKey(line('10.0.0.1', other), '10.0.0.1', key)).toBe('changed');
    expect(matchHostKey(`# comment\n${line('10.0.0.2', other)}`, '10.0.0.1', key)).toBe('unknown');
  });
});

describe('problemLines (why a server is not healthy, from its log)', () => {
  const log = [
    '2026-11-23 10:00:00,000 - INFO  [main:QuorumPeerConfig@177] - Reading configuration from: /old/zoo.cfg',
    '2026-11-23 10:00:01,000 - ERROR [main:QuorumPeer@1] - an error of the previous run',
    '2026-11-23 10:05:00,000 - INFO  [main:QuorumPeerConfig@177] - Reading configuration from: /conf/zoo.cfg',
    '2026-11-23 10:05:01,000 - INFO  [NIOWorkerThread-1:FourLetterCommands@1] - Processing srvr command from ' +
      '/127.0.0.1:4242',
    '2026-11-23 10:05:02,000 - WARN  [main:QuorumCnxManager@401] - Cannot open channel to 2',
    'java.net.ConnectException: Connection refused',
    '\tat java.base/sun.nio.ch.Net.connect0(Native Method)',
    '2026-11-23 10:05:03,000 - INFO  [main:QuorumPeer@2] - LOOKING',
  ].join('\n');

  it("keeps the current run's warnings and errors, without stack frames or zkops's probes", () => {
    expect(problemLines(log).split('\n')).toEqual([
      '2026-11-23 10:05:02,000 - WARN  [main:QuorumCnxManager@401] - Cannot open channel to 2',
      'java.net.ConnectException: Connection refused',
    ]);
  });

  it("falls back to the current run's last lines when nothing went wrong", () => {
    expect(problemLines('Reading configuration from: /c\nINFO one\nINFO two')).toBe(
      'Reading configuration from: /c\nINFO one\nINFO two',
    );
  });
});

describe('host probe answer (read by key, not by position)', () => {
  const answer = [
    'javaHome=/usr/lib/jvm/java-17',
    'zookeeperHome=',
    'pathJavaHome=/usr/lib/jvm/java-17',
    'system=Linux x86_64',
    'freeMiB=20480',
    'installParent=/opt',
    'writable=no',
    'address=remote',
    'id=uid=1000(ops) gid=1000(ops) groups=1000(ops)',
    'systemd=yes',
    'units=zookeeper-prod-1.service zookeeper-prod-2.service ',
    'setpriv=yes',
    'account=create',
    'closedDirs=/home/ops ',
    'packageManager=apt-get',
    'packageJavaHomes=/usr/lib/jvm/default-java>/usr/lib/jvm/java-17-openjdk-amd64 ',
    '@@zkops-processes',
    '@@zkops-listeners',
    '@@zkops-nodes',
    '1\t1\tdata\tyes\tno',
    '1\tserver.1=a:2888:3888',
    '2\t\tnone\tno\tno',
    '',
  ].join('\n');

  it('reads each value by its key', () => {
    const env = parseHostProbe(answer, { checkPorts: false });
    expect(env).toMatchObject({
      javaHome: '/usr/lib/jvm/java-17',
      zookeeperHome: undefined,
      system: 'Linux x86_64',
      freeMiB: 20480,
      installParent: '/opt',
      writable: false,
      addressIsLocal: false,
      uid: 1000,
      login: 'ops',
      systemd: true,
      units: ['zookeeper-prod-1.service', 'zookeeper-prod-2.service'],
      setpriv: true,
      account: 'create',
      closedDirs: ['/home/ops'],
      packageManager: 'apt-get',
    });
    expect(env.nodes.get(1)).toEqual({
      myid: '1',
      hasData: true,
      snapshots: true,
      txnLogs: false,
      servers: 'server.1=a:2888:3888\n',
    });
    expect(env.nodes.get(2)?.hasData).toBe(false);
    // java.install: package: the package's Java home already there, with its real path.
    expect([...env.packageJavaHomes]).toEqual([['/usr/lib/jvm/default-java', '/usr/lib/jvm/java-17-openjdk-amd64']]);
    expect(parseHostProbe('system=Linux x86_64\n', { checkPorts: false }).packageJavaHomes.size).toBe(0);
  });

  it('does not shift values when a line is missing or the order changes', () => {
    const lines = answer.split('\n');
    const reordered = [
      ...lines
        .slice(0, 15)
        .filter((l) => !l.startsWith('freeMiB='))
        .reverse(),
      ...lines.slice(15),
    ];
    const env = parseHostProbe(reordered.join('\n'), { checkPorts: false });
    expect(env.freeMiB).toBeUndefined();
    expect(env.system).toBe('Linux x86_64');
    expect(env.installParent).toBe('/opt');
    expect(env.login).toBe('ops');
    expect(env.packageManager).toBe('apt-get');
  });
});
