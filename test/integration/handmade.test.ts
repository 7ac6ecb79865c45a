/**
 * The doctor on an ensemble zkops did not build: three copies of a release in
 * /opt/zookeeper1..3 of an SSH test host, started with each one's own
 * `zkServer.sh start` from a login shell, JAVA_HOME in /etc/profile.d/java.sh.
 * Each classic fault is put there for real, the doctor must name it with its
 * evidence and exit code, and where --fix applies, the fix must work and the
 * next look be clean. Then `zkops adopt` writes an inventory that `deploy`
 * accepts without changing a zoo.cfg setting.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { hostFlags, useLab } from '../helpers/lab.js';
import { onHost } from '../helpers/hosts.mjs';
import { handPorts, handZooCfg, installHandMade, writeProfile, zkServer } from '../helpers/handmade.mjs';

const ctx = useLab('h', 1);
const host = () => ctx.lab.hosts[0]!;
const JAVA = '/usr/lib/jvm/java-17-openjdk-amd64';
/** The doctor (or adopt) pointed at the test host, as an operator would point it at a VM. */
const at = () => hostFlags(ctx.lab, host());
const doctor = (...args: string[]) => zkops(ctx.cwd, ['doctor', ...at(), ...args]);
const file = (rel: string) => path.join(host().root, 'opt', rel);

async function waitServing(i: number, want = true) {
  for (let k = 0; k < 100; k++) {
    const r = await onHost(
      host(),
      `echo srvr | timeout 1 bash -c ` +
        `'exec 3<>/dev/tcp/${host().ip}/${handPorts(i).client}; cat >&3; cat <&3' 2>/dev/null || true`,
    );
    if (/Mode: (leader|follower)/.test(r) === want) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`node ${i} did not ${want ? 'serve' : 'stop serving'}`);
}

beforeAll(async () => {
  await installHandMade(host(), JAVA);
  for (const i of [1, 2, 3]) expect((await zkServer(host(), i, 'start')).out).toContain('STARTED');
  for (const i of [1, 2, 3]) await waitServing(i);
}, 240_000);

afterAll(async () => {
  for (const i of [1, 2, 3]) await zkServer(host(), i, 'stop');
});

describe('doctor on a hand-made ensemble', () => {
  it('finds the three servers and reports nothing wrong on the healthy ensemble', async () => {
    const r = await doctor();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Said first: which ensemble this is. Started by zkServer.sh, and said so (not "zkops").
    expect(r.stdout.split('\n')[0]).toBe(`Found an ensemble of 3 servers on ${host().ip} (all running):`);
    expect(r.stdout).toMatch(
      /node 2: \/opt\/zookeeper2\/conf\/zoo\.cfg, client port 28182, running as pid \d+ \(root\), started by zkServer\.sh/,
    );
    expect(r.stdout).toMatch(/ok\s+process: node 1: runs as pid \d+ as root \(zkServer\.sh\) and serves/);
    expect(r.stdout).toMatch(/ok\s+java: node 2: Java 17/);
    expect(r.stdout).toContain('No problems found.');
  });

  it('names the profile script whose JAVA_HOME does not run, and --fix repairs it', async () => {
    await zkServer(host(), 3, 'stop');
    writeProfile(host(), '/usr/lib/jvm/gone');
    const failed = await zkServer(host(), 3, 'start');
    expect(failed.out).not.toContain('STARTED');
    const r = await doctor();
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(
      new RegExp(
        'FAIL\\s+java: node 3: \\/etc\\/profile\\.d\\/java\\.sh sets JAVA_HOME=\\/usr\\/lib\\/jvm\\/gone, ' +
          'which has no working bin\\/java',
      ),
    );
    expect(r.stdout).toContain('evidence: /etc/profile.d/java.sh:2 sets JAVA_HOME=/usr/lib/jvm/gone');
    const fixed = await doctor('--fix');
    expect(fixed.stdout).toMatch(/fixed java: node 3/);
    expect(readFileSync(path.join(host().root, 'profile.d/java.sh'), 'utf8')).toContain(`JAVA_HOME=${JAVA}`);
    expect(readFileSync(path.join(host().root, 'profile.d/java.sh.zkops-bak'), 'utf8')).toContain('/usr/lib/jvm/gone');
    expect((await zkServer(host(), 3, 'start')).out).toContain('STARTED');
    await waitServing(3);
    expect((await doctor()).code).toBe(0);
  });

  it(
    'finds a QuorumPeerMain left running after zkServer.sh stop lost its pid file, ' +
      'and --fix gives the pid file back',
    async () => {
      await onHost(host(), 'rm /opt/zookeeper2/data/zookeeper_server.pid');
      expect((await zkServer(host(), 2, 'stop')).out).toContain('no zookeeper to stop');
      const r = await zkopsJson(ctx.cwd, ['doctor', ...at()]);
      expect(r.code).toBe(1);
      const finding = r.json.findings.find(
        (f: any) => f.check === 'process' && f.node === 2 && f.severity === 'warning',
      );
      expect(finding.message).toMatch(
        /runs as pid \d+ as root, but its pid file \/opt\/zookeeper2\/data\/zookeeper_server\.pid is gone/,
      );
      expect(finding.evidence[0]).toMatch(
        /^process \d+: .*java .*QuorumPeerMain .*zookeeper2\/bin\/\.\.\/conf\/zoo\.cfg$/,
      );
      const fixed = await doctor('--fix');
      expect(fixed.stdout).toMatch(/fixed process: node 2/);
      expect(fixed.code).toBe(0);
      expect((await zkServer(host(), 2, 'stop')).out).toContain('STOPPED');
      await waitServing(2, false);
      expect((await zkServer(host(), 2, 'start')).out).toContain('STARTED');
      await waitServing(2);
    },
  );

  it('finds two nodes given the same clientPort, and why the second does not serve', async () => {
    await zkServer(host(), 2, 'stop');
    writeFileSync(file('zookeeper2/conf/zoo.cfg'), handZooCfg(host(), 2, { clientPort: handPorts(1).client }));
    try {
      await zkServer(host(), 2, 'start');
      await new Promise((r) => setTimeout(r, 2000));
      const r = await zkopsJson(ctx.cwd, ['doctor', ...at()]);
      expect(r.code).toBe(5);
      const clash = r.json.findings.find(
        (f: any) => f.check === 'ports' && f.severity === 'error' && /wanted by/.test(f.message),
      );
      expect(clash.message).toBe(
        `port ${handPorts(1).client} on ${host().ip} is wanted by node 1 client and node 2 client: ` +
          `only one of them can listen there`,
      );
      const node2 = r.json.findings
        .filter((f: any) => f.node === 2 && f.severity === 'error')
        .map((f: any) => `${f.check}: ${f.message}`);
      expect(node2.join('\n'), JSON.stringify(r.json.findings, null, 1)).toMatch(
        /Address already in use|does not serve|not running/,
      );
    } finally {
      writeFileSync(file('zookeeper2/conf/zoo.cfg'), handZooCfg(host(), 2));
      await zkServer(host(), 2, 'stop');
      await onHost(host(), "pkill -f 'zookeeper[2]/bin/../conf/zoo.cfg' || true");
    }
    expect((await zkServer(host(), 2, 'start')).out).toContain('STARTED');
    await waitServing(2);
  });

  it('names a foreign listener on 8080, the AdminServer port node 1 keeps by default', async () => {
    const web: ResultPromise = execa(
      'ip',
      ['netns', 'exec', host().netns, 'python3', '-m', 'http.server', '8080', '--bind', '0.0.0.0'],
      { reject: false },
    );
    try {
      for (let k = 0; k < 50; k++) {
        if ((await onHost(host(), "ss -Hltn 'sport = :8080'")).trim()) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await doctor();
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(
          `warn\\s+ports: node 1: node 1 admin port 8080 on ${host().ip.replace(/\./g, '\\.')} ` +
            `is taken by pid ${web.pid} \\(\\S*python3 -m http\\.server 8080`,
        ),
      );
    } finally {
      web.kill();
    }
  });

  it('finds a myid with a byte-order mark, the reason the node does not start', async () => {
    await zkServer(host(), 3, 'stop');
    writeFileSync(file('zookeeper3/data/myid'), Buffer.from([0xef, 0xbb, 0xbf, 0x33, 0x0a]));
    await zkServer(host(), 3, 'start');
    await new Promise((r) => setTimeout(r, 2000));
    const r = await zkopsJson(ctx.cwd, ['doctor', ...at()]);
    expect(r.code).toBe(5);
    const myid = r.json.findings.find((f: any) => f.check === 'config' && f.node === 3);
    expect(myid.message).toContain('/opt/zookeeper3/data/myid starts with a UTF-8 byte-order mark');
    expect(myid.evidence).toEqual(['/opt/zookeeper3/data/myid: bytes ef bb bf 33 0a']);
    const crash = r.json.findings.find((f: any) => f.check === 'process' && f.node === 3);
    expect(crash.severity).toBe('error');
    writeFileSync(file('zookeeper3/data/myid'), '3\n');
    await zkServer(host(), 3, 'stop');
    expect((await zkServer(host(), 3, 'start')).out).toContain('STARTED');
    await waitServing(3);
  });
});

describe('adopt', () => {
  it('writes an inventory that validates and that deploy would apply without changing a zoo.cfg setting', async () => {
    const inventory = path.join(ctx.cwd, 'adopted.yaml');
    const r = await zkops(ctx.cwd, ['adopt', ...at(), '-o', inventory]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(inventory, 'utf8');
    expect(r.stdout).toMatch(/^Found an ensemble of 3 servers on .* \(all running\):\n  node 1: /);
    expect(text).toMatch(/^# {3}node 3: \/opt\/zookeeper3\/conf\/zoo\.cfg, client port 28183, running as pid \d+/m);
    expect(text).toContain(`address: ${host().ip}`);
    expect(text).toContain('dataDir: /opt/zookeeper2/data');
    const dry = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const settingLines = dry.stdout.split('\n').filter((l) => /^ {6}\S/.test(l));
    // Every zoo.cfg: its settings stay; zkops only adds keys it manages.
    expect(dry.stdout.match(/no setting changes/g)).toHaveLength(3);
    expect(settingLines.filter((l) => !/no setting changes|\(added by zkops\)/.test(l))).toEqual([]);
  });
});
