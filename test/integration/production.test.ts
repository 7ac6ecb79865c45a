/**
 * Production settings on real servers (a pseudo-cluster): observers, JVM
 * flags checked before anything starts, GC logs, the console log rotated on
 * start, client ports on loopback only, and the warnings for fragile shapes.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, serversUnder, workdir, zkops, zkopsJson } from '../helpers/cli.js';
import { Writer, writesOn } from '../helpers/writer.mjs';

let cwd = '';
beforeAll(() => {
  cwd = workdir('production');
});
afterAll(async () => {
  for (const name of ['obs', 'flags', 'two']) await zkops(cwd, ['destroy', '--yes', '--cluster', name]);
  await killServersUnder(cwd);
});

/** Listening TCP sockets of the given pids: "address:port". */
async function listeners(pids: number[]): Promise<string[]> {
  const out = String((await execa('ss', ['-Hltnp'])).stdout);
  return out
    .split('\n')
    .filter((l) => pids.some((p) => l.includes(`pid=${p},`)))
    .map((l) => l.trim().split(/\s+/)[3]!);
}

describe('3 participants and 2 observers', () => {
  const inventory = () => path.join(cwd, 'obs.yaml');
  beforeAll(() => {
    writeFileSync(
      inventory(),
      'name: obs\npseudo: { count: 5, basePort: 27381, observers: 2 }\njava: { heap: 128m }\n',
    );
  });

  it('forms one leader, two followers and two observers', async () => {
    const r = await zkopsJson(cwd, ['init', '-i', inventory()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(
      r.json.nodes
        .slice(0, 3)
        .map((n: any) => n.mode)
        .sort(),
    ).toEqual(['follower', 'follower', 'leader']);
    expect(r.json.nodes.slice(3).map((n: any) => n.mode)).toEqual(['observer', 'observer']);
    // 3 voters: no shape warning.
    expect(r.json.warnings).toEqual([]);
  });

  it('serves a write through an observer, read through a participant', async () => {
    const writer = new Writer('127.0.0.1:27384');
    await writer.start();
    await new Promise((r) => setTimeout(r, 300));
    const report = await writer.stop();
    expect(report.acknowledged.length).toBeGreaterThan(3);
    const seen = new Set(await writesOn('127.0.0.1:27381', report.acknowledged));
    expect(report.acknowledged.filter((w) => !seen.has(w))).toEqual([]);
  });

  it('keeps a healthy quorum with both observers stopped; the guard counts only voters', async () => {
    const stop = await zkopsJson(cwd, ['stop', '4', '5', '-i', inventory()]);
    expect(stop.code, stop.stderr).toBe(0);
    const status = await zkopsJson(cwd, ['status', '-i', inventory()]);
    expect(status.json.verdict.status).toBe('degraded');
    expect(status.json.verdict.leader).toBeGreaterThan(0);
    expect((await zkops(cwd, ['start', '-i', inventory()])).code).toBe(0);
  });

  it('restarts the observers first in a rolling restart', async () => {
    const before = (await zkopsJson(cwd, ['status', '-i', inventory()])).json.nodes.map((n: any) => n.pid);
    const r = await zkopsJson(cwd, ['restart', '-i', inventory()]);
    expect(r.code, r.stderr).toBe(0);
    // The observers' new JVMs are the oldest of the new ones: they went first.
    const started = (pid: number) => statSync(`/proc/${pid}`).mtimeMs;
    const after = r.json.nodes.map((n: any) => n.pid);
    after.forEach((pid: number, i: number) => expect(pid).not.toBe(before[i]));
    const order = [...after].sort((a, b) => started(a) - started(b));
    expect(order.slice(0, 2).sort()).toEqual([after[3], after[4]].sort());
    expect((await zkops(cwd, ['destroy', '--yes', '-i', inventory()])).code).toBe(0);
  });
});

describe('JVM flags, GC log, console log, listening addresses', () => {
  const inventory = () => path.join(cwd, 'flags.yaml');
  const write = (flags: string, logging = '') =>
    writeFileSync(
      inventory(),
      `name: flags\npseudo: { count: 3, basePort: 27481 }\njava: { heap: 128m, flags: [${flags}] }\n${logging}`,
    );

  it('refuses a flag Java rejects, naming it, before anything is written or started', async () => {
    write('-XX:+UseG1GC, -XX:+NoSuchOptionZkops');
    const r = await zkops(cwd, ['init', '-i', inventory()]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("refuses the servers' JVM flags");
    expect(r.stderr).toContain("Unrecognized VM option 'NoSuchOptionZkops'");
    expect(existsSync(path.join(cwd, '.zkops/flags'))).toBe(false);
    expect(await serversUnder(path.join(cwd, '.zkops/flags'))).toEqual([]);
  });

  it('runs every server with the flags, a GC log in its log directory, and client ports on loopback only', async () => {
    write('-XX:+UseSerialGC', 'logging: { maxFileSize: 1MB, maxFiles: 2 }\n');
    const r = await zkopsJson(cwd, ['init', '-i', inventory()]);
    expect(r.code, r.stderr).toBe(0);
    for (const n of r.json.nodes) {
      const cmd = readFileSync(`/proc/${n.pid}/cmdline`, 'utf8').split('\0');
      expect(cmd).toEqual(expect.arrayContaining(['-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Xmx128m']));
      expect(existsSync(path.join(cwd, `.zkops/flags/node-${n.id}/logs/gc.log`))).toBe(true);
    }
    // Nothing listens on an address other than loopback.
    const socks = await listeners(r.json.nodes.map((n: any) => n.pid));
    expect(socks.length).toBeGreaterThanOrEqual(3);
    for (const s of socks) expect(s).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):\d+$/);
    expect(socks.filter((s) => /:2748[1-3]$/.test(s))).toHaveLength(3);
  });

  it('rotates a console log past its size when the node starts again', async () => {
    const out = path.join(cwd, '.zkops/flags/node-2/logs/zookeeper.out');
    expect((await zkops(cwd, ['stop', '2', '-i', inventory()])).code).toBe(0);
    writeFileSync(out, 'old line\n'.repeat(200_000));
    expect((await zkops(cwd, ['start', '2', '-i', inventory()])).code).toBe(0);
    expect(readFileSync(`${out}.1`, 'utf8').startsWith('old line\n')).toBe(true);
    expect(statSync(out).size).toBeLessThan(1024 * 1024);
    expect((await zkops(cwd, ['destroy', '--yes', '-i', inventory()])).code).toBe(0);
  });
});

describe('fragile shapes and honest help', () => {
  it('warns that two nodes survive no failure, and goes on', async () => {
    const r = await zkops(cwd, ['init', '--nodes', '2', '--base-port', '27581', '--name', 'two']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: 2 voters survive no failure');
    expect(r.stdout).toContain('healthy, 2 nodes');
    expect((await zkops(cwd, ['destroy', '--yes', '--cluster', 'two'])).code).toBe(0);
  });

  it('says in --help what deploy and destroy really do', async () => {
    // Commander wraps long descriptions: compare with whitespace folded.
    const help = (await zkops(cwd, ['--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(
      /deploy .*install and run the ensemble an inventory describes \(SSH hosts, this machine or Docker\)/,
    );
    expect(help).toMatch(/destroy .*cluster on this machine \(processes or containers\)/);
  });
});

describe('the doctor on a full disk', () => {
  it("names a node whose data directory's disk is full", async () => {
    const inventory = path.join(cwd, 'disk.yaml');
    writeFileSync(inventory, 'name: disk\npseudo: { count: 3, basePort: 27681 }\njava: { heap: 128m }\n');
    expect((await zkops(cwd, ['init', '-i', inventory])).code).toBe(0);
    const data = path.join(cwd, '.zkops/disk/node-2/data');
    const spare = path.join(cwd, 'disk-copy');
    try {
      // Node 2's data moves onto a small file system, which then fills up.
      expect((await zkops(cwd, ['stop', '2', '-i', inventory])).code).toBe(0);
      await execa('cp', ['-a', data, spare]);
      await execa('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', data]);
      await execa('cp', ['-a', `${spare}/.`, data]);
      await execa('sh', ['-c', `dd if=/dev/zero of=${data}/filler bs=1M count=64 2>/dev/null || true`]);
      const r = await zkopsJson(cwd, ['doctor', '-i', inventory]);
      expect(r.code).toBe(5);
      const full = r.json.findings.find((f: any) => f.check === 'storage' && f.node === 2);
      expect(full.severity).toBe('error');
      expect(full.message).toBe(`only 0 MiB free on the disk of ${data}`);
    } finally {
      await execa('umount', ['-l', data], { reject: false });
      await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    }
  });
});

describe('the doctor on servers it finds', () => {
  it(
    'with no cluster here, finds what runs on this machine; with --zoo-cfg, those configs; ' +
      'and names differing server lists',
    async () => {
      const inventory = path.join(cwd, 'found.yaml');
      writeFileSync(inventory, 'name: found\npseudo: { count: 3, basePort: 27781 }\njava: { heap: 128m }\n');
      expect((await zkops(cwd, ['init', '-i', inventory])).code).toBe(0);
      const elsewhere = path.join(cwd, 'elsewhere');
      mkdirSync(elsewhere, { recursive: true });
      try {
        const found = await zkopsJson(elsewhere, ['doctor']);
        const ours = found.json.ensembles
          ? found.json.ensembles.find((e: any) => e.cluster.includes('/.zkops/found/'))
          : found.json;
        expect(ours.cluster).toContain(path.join(cwd, '.zkops/found/node-1/conf/zoo.cfg'));
        expect(ours.findings.filter((f: any) => f.check === 'process' && f.severity === 'ok')).toHaveLength(3);
        // A copied config that kept an old member: the lists disagree.
        const cfg3 = path.join(cwd, '.zkops/found/node-3/conf/zoo.cfg');
        writeFileSync(cfg3, `${readFileSync(cfg3, 'utf8')}server.4=127.0.0.1:27999:28999\n`);
        const cfgs = [1, 2, 3].map((i) => path.join(cwd, `.zkops/found/node-${i}/conf/zoo.cfg`));
        const r = await zkopsJson(elsewhere, ['doctor', '--zoo-cfg', ...cfgs]);
        expect(r.code).toBe(5);
        const lists = (r.json.ensembles ?? [r.json])
          .flatMap((e: any) => e.findings)
          .find((f: any) => f.check === 'config' && /server lists differ/.test(f.message));
        expect(lists.severity).toBe('error');
        expect(lists.evidence.some((e: string) => e.includes('server.4=127.0.0.1:27999:28999'))).toBe(true);
      } finally {
        await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
      }
    },
  );
});
