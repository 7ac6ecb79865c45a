/**
 * The client commands against a real pseudo-cluster: what they show is
 * written by ZooKeeper's own zkCli.sh (an independent client), and what they
 * change is checked with it too. `smoke` on a healthy ensemble is in the
 * runtime conformance suite (every target); here, the ensemble without its
 * majority, looking inside (ls, get, Dubbo's encoded names) and watch.
 */
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkCli, zkops, zkopsJson } from '../helpers/cli.js';

const BASE = 28381;
const server = `127.0.0.1:${BASE}`;
const PROVIDER =
  'dubbo%3A%2F%2F10.0.0.5%3A20880%2Fcom.example.Greeter%3Fanyhost%3Dtrue%26application%3Dgreeter%26' +
  'methods%3Dhello%2Cbye%26version%3D1.0.0';
let cwd = '';
let inventory = '';

beforeAll(async () => {
  cwd = workdir('client');
  inventory = path.join(cwd, 'client.yaml');
  // A secret in the configuration, that a support bundle must leave out.
  writeFileSync(
    inventory,
    `name: client\npseudo: { count: 3, basePort: ${BASE} }\njava: { heap: 128m }\n` +
      'settings: { extra: { ssl.trustStore.password: "s3cret-value" } }\n',
  );
  const up = await zkops(cwd, ['init', '-i', inventory]);
  expect(up.code, up.stderr).toBe(0);
  // What a Dubbo application registers, written by ZooKeeper's own client.
  for (const p of ['/dubbo', '/dubbo/com.example.Greeter', '/dubbo/com.example.Greeter/providers'])
    await zkCli(server, 'create', p, '');
  await zkCli(server, 'create', `/dubbo/com.example.Greeter/providers/${PROVIDER}`, '10.0.0.5');
  await zkCli(server, 'create', '/config', 'max.conns=100');
}, 120_000);
afterAll(async () => {
  await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
  await killServersUnder(cwd);
});

describe('looking inside', () => {
  it('lists the whole tree, Dubbo providers decoded', async () => {
    const r = await zkops(cwd, ['ls', '/', '-R', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`/dubbo/com.example.Greeter/providers/${PROVIDER}\n`);
    expect(r.stdout).toContain(
      '→ dubbo://10.0.0.5:20880/com.example.Greeter?anyhost=true&application=greeter&methods=hello,bye&version=1.0.0',
    );
    const json = await zkopsJson(cwd, ['ls', '/dubbo', '-R', '-i', inventory]);
    expect(json.json.znodes.map((z: any) => z.path)).toEqual([
      '/dubbo/com.example.Greeter',
      '/dubbo/com.example.Greeter/providers',
      `/dubbo/com.example.Greeter/providers/${PROVIDER}`,
    ]);
  });

  it('gets data, stat and ACL, as zkCli sees them', async () => {
    const r = await zkopsJson(cwd, ['get', '/config', '--server', `127.0.0.1:${BASE + 2}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data).toBe('max.conns=100');
    expect(r.json.acl).toEqual([{ scheme: 'world', id: 'anyone', perms: 'cdrwa' }]);
    const stat = await zkCli(server, 'stat', '/config');
    expect(stat).toContain(`mZxid = ${r.json.stat.mzxid}`);
    expect(r.json.stat).toMatchObject({ version: 0, dataLength: 13, numChildren: 0 });
  });

  it('says so when a znode is not there, or the path is not one', async () => {
    const missing = await zkops(cwd, ['get', '/no/such', '-i', inventory]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No znode /no/such in this ensemble.');
    const bad = await zkops(cwd, ['ls', 'dubbo', '-i', inventory]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"dubbo" is not a znode path');
    const badServer = await zkops(cwd, ['ls', '/', '--server', 'localhost']);
    expect(badServer.code).toBe(2);
    expect(badServer.stderr).toContain('expected host:port');
  });
});

describe('watch', () => {
  it('prints a child created, data changed and the znode deleted, as they happen', async () => {
    await zkCli(server, 'create', '/apps', '');
    const watch = execa('node', [path.resolve('bin/zkops.js'), 'watch', '/apps', '--json', '-i', inventory], {
      cwd,
      reject: false,
    });
    const lines: any[] = [];
    const seen = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (lines.length >= n ? resolve() : setTimeout(check, 50));
        check();
      });
    watch.stdout!.on('data', (d: Buffer) =>
      lines.push(
        ...d
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ),
    );
    // The watch is set once the command has connected: give it a moment, then change things one at a time.
    await new Promise((r) => setTimeout(r, 1500));
    await zkCli(server, 'create', '/apps/web-1', 'v1');
    await seen(1);
    await zkCli(server, 'set', '/apps', 'owner=ops');
    await seen(2);
    await zkCli(server, 'delete', '/apps/web-1');
    await seen(3);
    await zkCli(server, 'delete', '/apps');
    await seen(4);
    watch.kill('SIGINT');
    const done = await watch;
    expect(done.exitCode).toBe(0);
    expect(lines.map((l) => [l.event, l.path])).toEqual([
      ['created', '/apps/web-1'],
      ['changed', '/apps'],
      ['deleted', '/apps/web-1'],
      ['deleted', '/apps'],
    ]);
  }, 60_000);
});

describe('logs', () => {
  it('follows the logs: a node restarted meanwhile shows its new start', async () => {
    const follow = execa('node', [path.resolve('bin/zkops.js'), 'logs', '-f', '--json', '-n', '5', '-i', inventory], {
      cwd,
      reject: false,
    });
    let out = '';
    follow.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    const printedBefore = out.length;
    expect((await zkops(cwd, ['restart', '1', '-i', inventory])).code).toBe(0);
    for (let i = 0; i < 40 && !/Reading configuration from/.test(out.slice(printedBefore)); i++)
      await new Promise((r) => setTimeout(r, 250));
    follow.kill('SIGINT');
    expect((await follow).exitCode).toBe(0);
    const fresh = out
      .slice(printedBefore)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(fresh.some((e) => e.node === 1 && /Reading configuration from/.test(e.text))).toBe(true);
  }, 60_000);
});

describe('bundle', () => {
  it("writes one archive with every node's files, answers and log, and no secret", async () => {
    const file = path.join(cwd, 'support.tar.gz');
    const r = await zkops(cwd, ['bundle', '-o', file, '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    const names = String((await execa('tar', ['-tzf', file])).stdout).split('\n');
    for (const id of [1, 2, 3])
      for (const f of ['zoo.cfg', 'java.env', 'myid', 'srvr.txt', 'conf.txt', 'mntr.txt', 'server.log'])
        expect(
          names.some((n) => n.endsWith(`/node-${id}/${f}`)),
          `node-${id}/${f}`,
        ).toBe(true);
    for (const f of ['status.json', 'doctor.json', 'cluster.json', 'README.txt'])
      expect(
        names.some((n) => n.endsWith(`/${f}`)),
        f,
      ).toBe(true);
    const all = String((await execa('tar', ['-xzOf', file])).stdout);
    expect(all).toContain('ssl.trustStore.password=<redacted>');
    expect(all).not.toContain('s3cret-value');
    const srvr = String((await execa('tar', ['-xzOf', file, '--wildcards', '*/node-2/srvr.txt'])).stdout);
    expect(srvr).toMatch(/Mode: (leader|follower)/);
    const status = JSON.parse(String((await execa('tar', ['-xzOf', file, '--wildcards', '*/status.json'])).stdout));
    expect(status.healthy).toBe(true);
  });
});

describe('smoke', () => {
  it('fails, saying why, on an ensemble that has lost its majority', async () => {
    expect((await zkops(cwd, ['stop', '2', '3', '--force', '-i', inventory])).code).toBe(0);
    const r = await zkops(cwd, ['smoke', '--timeout', '3', '-i', inventory]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('no server there serves clients (down, or without a quorum)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await zkops(cwd, ['start', '-i', inventory])).code).toBe(0);
    const again = await zkopsJson(cwd, ['smoke', '-i', inventory]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.ok).toBe(true);
  });
});

describe('backup and restore', () => {
  it('backs up, destroys, re-creates, restores: every znode is back, with its data', async () => {
    const dir = path.join(cwd, 'backup-full');
    const tree = async () =>
      (await zkopsJson(cwd, ['ls', '/', '-R', '-i', inventory])).json.znodes.map((z: any) => z.path);
    const before = await tree();
    expect(before).toContain(`/dubbo/com.example.Greeter/providers/${PROVIDER}`);
    const b = await zkopsJson(cwd, ['backup', '-o', dir, '-i', inventory]);
    expect(b.code, b.stderr).toBe(0);
    expect((await zkops(cwd, ['destroy', '--yes', '-i', inventory])).code).toBe(0);
    expect((await zkops(cwd, ['init', '-i', inventory])).code).toBe(0);
    expect(await tree()).not.toContain('/config');
    expect((await zkops(cwd, ['stop', '-i', inventory])).code).toBe(0);
    const r = await zkops(cwd, ['restore', dir, '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect((await zkops(cwd, ['start', '-i', inventory])).code).toBe(0);
    expect(await tree()).toEqual(before);
    expect((await zkopsJson(cwd, ['get', '/config', '-i', inventory])).json.data).toBe('max.conns=100');
    // A damaged backup is refused before anything is touched.
    const snap = b.json.files.find((f: any) => f.dir === 'data' && f.name.startsWith('snapshot.'));
    writeFileSync(path.join(dir, 'data', snap.name), 'not a snapshot');
    expect((await zkops(cwd, ['stop', '-i', inventory])).code).toBe(0);
    const damaged = await zkops(cwd, ['restore', dir, '--force', '-i', inventory]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('is damaged');
    expect((await zkops(cwd, ['start', '-i', inventory])).code).toBe(0);
    expect(await tree()).toEqual(before);
  });
});
