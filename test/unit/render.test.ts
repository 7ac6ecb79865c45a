import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { renderNodeFiles, renderProfileScripts, renderSystemdUnit, type HostFacts } from '../../src/render/node.js';
import { systemdArg } from '../../src/shell.js';

const FACTS: HostFacts = {
  javaHome: '/usr/lib/jvm/java-17-openjdk-amd64',
  zookeeperHome: '/usr/share/zookeeper',
  classpath: '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar',
  zookeeperVersion: '3.8.0',
  bindAll: false,
};

/**
 * Compares with test/golden/<name>. A missing golden file fails the test: run
 * with UPDATE_GOLDEN=1 to write (or rewrite) it, then review the diff.
 */
function golden(name: string, actual: string): void {
  const file = path.join('test/golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npm run test:unit and review it`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const pseudo = parseInventory(readFileSync('inventories/pseudo-3.yaml', 'utf8'), 'pseudo-3.yaml', '/home/op').spec;
const vms = parseInventory(readFileSync('inventories/vms-3.yaml', 'utf8'), 'vms-3.yaml').spec;

describe('rendering (golden files)', () => {
  it('renders every file of pseudo-cluster node 2', () => {
    const files = renderNodeFiles(pseudo, pseudo.nodes[1]!, FACTS);
    expect(files.map((f) => path.relative('/home/op/.zkops/pseudo-3/node-2', f.path))).toEqual([
      'data/myid',
      'conf/zoo.cfg',
      'conf/java.env',
      'conf/log4j.properties',
      'conf/logback.xml',
      'bin/zk-run.sh',
    ]);
    expect(files[0]!.content).toBe('2\n');
    expect(files.find((f) => f.path.endsWith('zk-run.sh'))!.mode).toBe(0o755);
    for (const f of files.slice(1)) golden(`pseudo-3/node-2/${path.basename(f.path)}`, f.content);
  });

  it('renders the systemd unit, which runs the same run script as the service account', () => {
    const files = renderNodeFiles(vms, vms.nodes[0]!, { ...FACTS, systemd: true, user: 'zookeeper' });
    const unit = files.find((f) => f.path === '/etc/systemd/system/zookeeper-vms-3-1.service')!;
    expect(unit.mode).toBe(0o644);
    expect(unit.content).toContain('ExecStart=/bin/sh "/opt/zookeeper/node-1/bin/zk-run.sh"\n');
    expect(unit.content).toContain('User=zookeeper\n');
    golden('vms-3/zookeeper-vms-3-1.service', unit.content);
    golden('vms-3/zk-run.sh', files.find((f) => f.path.endsWith('zk-run.sh'))!.content);
    expect(renderSystemdUnit(vms, vms.nodes[0]!, {})).not.toContain('User=');
    // Without systemd there is no unit to write.
    expect(renderNodeFiles(vms, vms.nodes[0]!, FACTS).some((f) => f.path.endsWith('.service'))).toBe(false);
    expect(systemdArg('/opt/zk dir/50%/$HOME/"q"')).toBe('"/opt/zk dir/50%%/$$HOME/\\"q\\""');
  });

  it('drops root rights to the service account in the run script, keeping the pid', () => {
    const run = renderNodeFiles(vms, vms.nodes[0]!, { ...FACTS, user: 'zookeeper' }).find((f) =>
      f.path.endsWith('zk-run.sh'),
    )!.content;
    expect(run).toContain(
      'exec setpriv --reuid=zookeeper --regid="$(id -g zookeeper)" --init-groups /bin/sh "$0" "$@"',
    );
    expect(run).toContain('echo $$ > /opt/zookeeper/node-1/data/zookeeper_server.pid');
    const asCaller = renderNodeFiles(pseudo, pseudo.nodes[0]!, FACTS).find((f) =>
      f.path.endsWith('zk-run.sh'),
    )!.content;
    expect(asCaller).not.toContain('setpriv');
  });

  it('renders the profile scripts', () => {
    const p = renderProfileScripts(FACTS, '/opt/zookeeper/node-1/conf');
    golden('profile/java.sh', p.javaSh);
    golden('profile/zk.sh', p.zkSh);
  });

  it('gives each node its own ports and loopback AdminServer, and lists every server', () => {
    const cfgs = pseudo.nodes.map((n) => renderNodeFiles(pseudo, n, FACTS)[1]!.content);
    cfgs.forEach((cfg, i) => {
      expect(cfg).toContain(`clientPort=${2181 + i}\n`);
      expect(cfg).toContain(`admin.serverPort=${8080 + i}\n`);
      expect(cfg).toContain('admin.serverAddress=127.0.0.1\n');
      expect(cfg).toContain('4lw.commands.whitelist=srvr,ruok,mntr,conf\n');
      expect(cfg).toMatch(
        /server\.1=127\.0\.0\.1:2888:3888\nserver\.2=127\.0\.0\.1:2889:3889\nserver\.3=127\.0\.0\.1:2890:3890\n$/,
      );
    });
  });
});

describe('production settings (golden files)', () => {
  const prod = parseInventory(readFileSync('inventories/production-5.yaml', 'utf8'), 'production-5.yaml').spec;
  it(
    'renders an observer with JVM flags, GC log, log rotation, client address, ' +
      'under systemd as the service account',
    () => {
      const facts: HostFacts = {
        ...FACTS,
        systemd: true,
        user: 'zookeeper',
        clientAddress: '10.0.2.14',
        javaMajor: 17,
      };
      const files = renderNodeFiles(prod, prod.nodes[3]!, facts);
      for (const f of files.slice(1)) golden(`production-5/node-4/${path.basename(f.path)}`, f.content);
    },
  );

  it('renders the Java 8 GC flags', () => {
    const files = renderNodeFiles(prod, prod.nodes[0]!, { ...FACTS, javaMajor: 8 });
    golden('production-5/node-1-java8/zk-run.sh', files.find((f) => f.path.endsWith('zk-run.sh'))!.content);
  });
});

describe('the cloud-NAT bind rule', () => {
  const node3 = vms.nodes[2]!;
  it('uses quorumListenOnAllIPs on 3.5.8+ and keeps the server list identical', () => {
    const natCfg = renderNodeFiles(vms, node3, { ...FACTS, bindAll: true })[1]!.content;
    const peerCfg = renderNodeFiles(vms, vms.nodes[0]!, FACTS)[1]!.content;
    expect(natCfg).toContain('quorumListenOnAllIPs=true\n');
    expect(peerCfg).not.toContain('quorumListenOnAllIPs');
    const servers = (c: string) => c.split('\n').filter((l) => l.startsWith('server.'));
    expect(servers(natCfg)).toEqual(servers(peerCfg));
    expect(servers(natCfg)).toContain('server.3=10.0.0.13:2888:3888');
  });

  it('puts 0.0.0.0 in the own server entry before 3.5.8 (ZOOKEEPER-2164)', () => {
    const cfg = renderNodeFiles(vms, node3, { ...FACTS, bindAll: true, zookeeperVersion: '3.4.14' })[1]!.content;
    expect(cfg).not.toContain('quorumListenOnAllIPs');
    expect(cfg).toContain('server.3=0.0.0.0:2888:3888\n');
    expect(cfg).toContain('server.1=10.0.0.11:2888:3888\n');
  });
});

describe('one zoo.cfg per version line (golden files)', () => {
  // A NAT'd node with metrics on: the keys that differ between lines all show.
  const withMetrics = parseInventory(
    readFileSync('inventories/vms-3.yaml', 'utf8') + 'monitoring: { provider: true }\n',
    'vms-3.yaml',
  ).spec;
  const lines: [string, string][] = [
    ['3.4.13', 'no AdminServer or metrics keys; 0.0.0.0 in its own server entry'],
    ['3.5.7', 'AdminServer keys; still 0.0.0.0 in its own entry (ZOOKEEPER-2164 before 3.5.8)'],
    ['3.5.8', 'AdminServer keys; quorumListenOnAllIPs, server list identical on every node'],
    ['3.8.0', 'as 3.5.8, plus the Prometheus metrics provider (3.6+)'],
  ];
  for (const [version, why] of lines) {
    it(`renders ${version}: ${why}`, () => {
      const cfg = renderNodeFiles(withMetrics, withMetrics.nodes[2]!, {
        ...FACTS,
        zookeeperVersion: version,
        bindAll: true,
      })[1]!.content;
      golden(`versions/${version}/zoo.cfg`, cfg);
    });
  }

  it('keeps the trust-empty-snapshot line to the upgrade start only', () => {
    const node = withMetrics.nodes[0]!;
    const during = renderNodeFiles(withMetrics, node, FACTS, { trustEmptySnapshot: true })[1]!.content;
    const after = renderNodeFiles(withMetrics, node, FACTS)[1]!.content;
    expect(during).toContain('\nsnapshot.trust.empty=true\n');
    expect(after).not.toContain('snapshot.trust.empty');
  });
});

describe('shell quoting of inventory values', () => {
  it('keeps paths with spaces and metacharacters intact when a real shell sources java.env', () => {
    const evil = `/opt/zk dir/$(touch pwned);'quote'"dq"\`id\`&|*`;
    const text =
      `name: q\nexecutor: ssh\ndir: "${evil.replace(/["\\]/g, '\\$&')}"\nhosts: [{name: h, address: ` +
      `10.0.0.1}]\n` +
      `nodes: [{id: 1, host: h}, ` +
      `{id: 2, host: h, clientPort: 2182, quorumPort: 2889, electionPort: 3889, adminPort: 8081}]\n`;
    const { spec } = parseInventory(text, 'q.yaml');
    const javaHome = `/usr/lib/jvm/it's here $(touch pwned)`;
    const files = renderNodeFiles(spec, spec.nodes[0]!, { ...FACTS, javaHome });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'zkops-quote-'));
    const envFile = path.join(tmp, 'java.env');
    writeFileSync(envFile, files.find((f) => f.path.endsWith('java.env'))!.content);
    const out = execFileSync(
      'sh',
      ['-c', '. "$1"; printf "%s\\n%s\\n%s" "$JAVA_HOME" "$ZOO_LOG_DIR" "$SERVER_JVMFLAGS"', 'sh', envFile],
      { cwd: tmp, encoding: 'utf8' },
    );
    expect(out.split('\n')).toEqual([
      javaHome,
      `${evil}/node-1/logs`,
      '-Xms256m -Xmx256m -XX:+HeapDumpOnOutOfMemoryError -XX:+ExitOnOutOfMemoryError',
    ]);
    expect(existsSync(path.join(tmp, 'pwned'))).toBe(false);
    // The run script parses as shell.
    writeFileSync(path.join(tmp, 'run.sh'), files.find((f) => f.path.endsWith('zk-run.sh'))!.content);
    execFileSync('sh', ['-n', path.join(tmp, 'run.sh')]);
  });
});
