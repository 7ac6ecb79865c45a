import { describe, expect, it } from 'vitest';
import { parseZooCfg } from '../../src/zookeeper/zoo-cfg.js';
import { readMyid } from '../../src/discovery/scan.js';
import { causeIn } from '../../src/doctor/log-causes.js';
import { settingsDiff } from '../../src/ops/settings-diff.js';
import { problemLines } from '../../src/health/log.js';

describe('zoo.cfg as ZooKeeper reads it', () => {
  it('reads keys with their lines, every form of server entry, and names a server line it cannot read', () => {
    const cfg = parseZooCfg(
      [
        '# comment',
        'tickTime = 2000',
        'dataDir=/var/zk ',
        'server.1=zk1:2888:3888',
        'server.2=10.0.0.2:2888:3888:participant;2181',
        'server.3=[::1]:2889:3889:observer;127.0.0.1:2182',
        'this is read as a key',
        'server.4=nonsense',
      ].join('\n'),
      'zoo.cfg',
    );
    expect(cfg.entries.get('tickTime')).toEqual({ value: '2000', line: 2 });
    expect(cfg.entries.get('dataDir')!.value).toBe('/var/zk');
    expect(cfg.servers).toEqual([
      { id: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant', line: 4 },
      { id: 2, host: '10.0.0.2', quorumPort: 2888, electionPort: 3888, role: 'participant', clientPort: 2181, line: 5 },
      {
        id: 3,
        host: '::1',
        quorumPort: 2889,
        electionPort: 3889,
        role: 'observer',
        clientAddress: '127.0.0.1',
        clientPort: 2182,
        line: 6,
      },
    ]);
    // As java.util.Properties: a space separates a key from its value too.
    expect(cfg.entries.get('this')!.value).toBe('is read as a key');
    expect(cfg.junk.map((j) => j.line)).toEqual([8]);
  });
});

describe('myid as ZooKeeper reads it', () => {
  const hex = (s: string | number[]) => Buffer.from(s as never).toString('hex');
  it('accepts a plain number with or without a newline', () => {
    expect(readMyid(hex('3\n'))).toMatchObject({ id: 3 });
    expect(readMyid(hex('12'))).toMatchObject({ id: 12 });
  });
  it('refuses what Long.parseLong refuses: a byte-order mark, spaces, words, nothing', () => {
    expect(readMyid(hex([0xef, 0xbb, 0xbf, 0x31, 0x0a])).problem).toContain('byte-order mark');
    expect(readMyid(hex('1 \n')).problem).toContain('has spaces around the number');
    expect(readMyid(hex('one\n')).problem).toContain('is not a number');
    expect(readMyid(hex('\n1\n')).problem).toBe('has an empty first line');
    expect(readMyid(undefined).problem).toBe('is missing');
  });
});

describe('log lines mapped to their causes', () => {
  it('knows the classic fatal lines', () => {
    expect(causeIn('2026 ERROR [main] - Unable to load database on disk\n')!.cause).toContain(
      'data directory cannot be loaded',
    );
    expect(
      causeIn('x\njava.io.IOException: No snapshot found, but there are log entries. Something is broken!')!.cause,
    ).toContain('3.4');
    expect(causeIn('java.net.BindException: Cannot assign requested address')!.fix).toContain(
      'quorumListenOnAllIPs=true',
    );
    expect(
      causeIn("nohup: failed to run command '/usr/lib/jvm/gone/bin/java': No such file or directory")!.cause,
    ).toContain('JAVA_HOME');
    expect(causeIn('all is well')).toBeUndefined();
  });
  it('leaves out the warnings every Debian 3.8 server prints', () => {
    const log =
      'Reading configuration from: x\n' +
      '2026 WARN  [main:AdminServerFactory@58] - Unable to load jetty, not starting JettyAdminServer\n' +
      '2026 ERROR [main] - real trouble\n';
    expect(problemLines(log)).toBe('2026 ERROR [main] - real trouble');
  });
});

describe('zoo.cfg setting changes in a dry run', () => {
  it('tells changed, removed and added settings, comments and order aside', () => {
    const d = settingsDiff(
      '# a\ntickTime=2000\ninitLimit=10\nfoo=1\n',
      'initLimit=10\ntickTime=3000\n# b\nmaxClientCnxns=60\n',
    );
    expect(d).toEqual({
      changed: [{ key: 'tickTime', from: '2000', to: '3000' }],
      removed: [{ key: 'foo', value: '1' }],
      added: [{ key: 'maxClientCnxns', value: '60' }],
    });
  });
});

describe('who started a server, from its command line', () => {
  it('tells zkops, zkServer.sh and a java command typed by hand apart', async () => {
    const { parseZkProcesses } = await import('../../src/hosts/processes.js');
    const main = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
    const line = (pid: number, unit: string, ...args: string[]) => `${pid}\troot\t${unit}\t${args.join('\x1f')}`;
    // zk-run.sh's flags; Apache's zkServer.sh start (3.5+); the same under zkops's systemd unit; a bare java.
    const out = [
      line(
        1,
        '',
        '/usr/bin/java',
        '-Dzookeeper.log.dir=/opt/zk/logs',
        '-Dzookeeper.log.file=zookeeper.log',
        '-Dnetworkaddress.cache.negative.ttl=0',
        '-cp',
        'x',
        main,
        '/opt/zk/node-1/conf/zoo.cfg',
      ),
      line(
        2,
        '',
        'java',
        '-Dzookeeper.log.dir=/opt/zookeeper1/bin/../logs',
        '-Dzookeeper.log.file=zookeeper-root-server-h1.log',
        '-cp',
        'x',
        main,
        '/opt/zookeeper1/bin/../conf/zoo.cfg',
      ),
      line(
        3,
        'zookeeper-prod-3.service',
        '/usr/bin/java',
        '-Dzookeeper.log.file=zookeeper.log',
        '-Dnetworkaddress.cache.negative.ttl=0',
        main,
        '/opt/zk/node-3/conf/zoo.cfg',
      ),
      line(4, '', 'java', '-cp', '/usr/share/java/zookeeper.jar', main, 'zoo.cfg'),
    ].join('\n');
    expect(parseZkProcesses(out).map((p) => [p.pid, p.by])).toEqual([
      [1, 'zkops'],
      [2, 'zkServer.sh'],
      [3, 'systemd'],
      [4, 'by hand'],
    ]);
  });
});
