/**
 * Znode edits from `zkops ui --allow-writes`, against one real 3-node pseudo-cluster shared by every test, two
 * dashboards run as their own processes (one with --allow-writes, one without), and an independent client
 * (node-zookeeper-client, not zkops) making the concurrent changes and checking what is really stored:
 * - a set based on a stale version is refused with both values (in a real browser, and at the HTTP level), as
 *   are a stale delete, a stale ACL edit and a create of an existing znode; nothing is overwritten;
 * - create, set, delete; invalid JSON refused with a clear message;
 * - a recursive delete of a 1,001-znode subtree: the count shown in the browser, all gone after confirming;
 *   a subtree changed after the count is refused;
 * - export → import into another path is byte-identical (binary data, ACLs); the dry run writes nothing; an
 *   import whose plan changed since the dry run is refused;
 * - ACLs for digest (the password hashed), ip and world;
 * - without --allow-writes: no edit controls, edits refused with 403;
 * - the terminal's zkops export and zkops import (dry run, --apply) round-trip the same file;
 * - the audit log holds every edit (who, from where, path, versions) and no data, digest password or hash.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkops } from '../helpers/cli.js';
import { startUi, type UiProcess } from '../helpers/ui.js';

const BASE = 21181;
const SECRET_DATA = 'top-secret-value-7f3a';
const PASSWORD = 'alice-pw-91c2';
let cwd = '';
let env: Record<string, string> = {};
let rw: UiProcess;
let ro: UiProcess;
let browser: Browser;
let page: Page;
let client: zookeeper.Client;

/** The independent client's calls as promises. */
const zk = <T = unknown>(fn: (cb: (err: Error | null, v?: T, stat?: any) => void) => void) =>
  new Promise<{ v: T | undefined; stat: any }>((resolve, reject) =>
    fn((err, v, stat) => (err ? reject(err) : resolve({ v, stat }))),
  );
const create = (p: string, data = '', mode = zookeeper.CreateMode.PERSISTENT) =>
  zk((cb) => client.create(p, Buffer.from(data), mode, cb as any));
const getData = async (p: string) => (await zk<Buffer>((cb) => client.getData(p, undefined, cb))).v!.toString();
const exists = async (p: string) => Boolean((await zk((cb) => client.exists(p, undefined, cb as any))).v);
const setData = (p: string, data: string) => zk((cb) => client.setData(p, Buffer.from(data), -1, cb as any));

/** A POST to an edit endpoint of the writable dashboard (or `ui`), with the cookie and a same-origin Origin. */
async function post(what: string, body: unknown, ui = rw): Promise<{ status: number; json: any }> {
  const res = await fetch(`${ui.origin}/api/c/uie/${what}`, {
    method: 'POST',
    headers: { Cookie: `zkops_ui=${ui.token}`, Origin: ui.origin, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
async function get(p: string, ui = rw): Promise<{ status: number; json: any }> {
  const res = await fetch(`${ui.origin}${p}`, { headers: { Cookie: `zkops_ui=${ui.token}` } });
  return { status: res.status, json: await res.json() };
}
const znode = async (p: string) => (await get(`/api/c/uie/znode?path=${encodeURIComponent(p)}`)).json;

beforeAll(async () => {
  cwd = workdir('ui-edits');
  env = { XDG_DATA_HOME: path.join(cwd, 'share'), XDG_CACHE_HOME: path.join(cwd, 'cache') };
  writeFileSync(path.join(cwd, 'e.yaml'), `name: uie\npseudo: { count: 3, basePort: ${BASE} }\njava: { heap: 128m }\n`);
  const init = await zkops(cwd, ['init', '-i', 'e.yaml'], env);
  expect(init.code, init.stderr).toBe(0);
  [rw, ro] = await Promise.all([startUi(cwd, ['--allow-writes'], env), startUi(cwd, [], env)]);
  client = zookeeper.createClient(`127.0.0.1:${BASE}`, { sessionTimeout: 30_000 });
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await page.goto(rw.url);
});
afterAll(async () => {
  client?.close();
  await browser?.close();
  await Promise.all([rw?.stop(), ro?.stop()]);
  await zkops(cwd, ['destroy', '--yes', '-i', 'e.yaml'], env);
  await killServersUnder(cwd);
});

describe('znode edits from the dashboard', () => {
  it('without --allow-writes: no edit controls on the page, and every edit refused with 403', async () => {
    await create('/ro', 'keep');
    expect((await get('/api/c/uie/edits', ro)).json).toEqual({ allowWrites: false });
    for (const [what, body] of [
      ['set', { path: '/ro', version: 0, format: 'text', value: 'x' }],
      ['create', { path: '/ro2', format: 'text', value: '' }],
      ['delete', { path: '/ro', version: 0 }],
      ['acl', { path: '/ro', aversion: 0, acl: [{ scheme: 'world', id: 'anyone', perms: 'r' }] }],
      ['import', { path: '/ro', document: {}, dryRun: true }],
    ] as const) {
      const r = await post(what, body, ro);
      expect(r.status, what).toBe(403);
      expect(r.json.error).toMatch(/read-only: znode edits are off\. Start it with zkops ui --allow-writes/);
    }
    expect(await getData('/ro')).toBe('keep');
    expect(await exists('/ro2')).toBe(false);
    const tab = await browser.newPage();
    await tab.goto(ro.url);
    await tab.goto(`${ro.origin}/#/c/uie/znodes?path=%2Fro`);
    await tab.waitForSelector('#zk-export');
    expect(await tab.locator('#zk-edit, #zk-save, #zk-delete, #zk-create, #zk-acl-save').count()).toBe(0);
    expect(await tab.locator('#mode').textContent()).toBe('read-only');
    await tab.close();
  });

  it('a set from a stale page is refused in the browser with both values, and nothing is overwritten', async () => {
    await create('/stale', 'first');
    await page.goto(`${rw.origin}/#/c/uie/znodes?path=%2Fstale`);
    await page.waitForSelector('#zk-save');
    expect(await page.locator('#mode').textContent()).toBe('znode edits allowed');
    expect(await page.locator('#zk-edit-value').inputValue()).toBe('first');
    await setData('/stale', 'changed elsewhere');
    await page.fill('#zk-edit-value', 'mine');
    await page.click('#zk-save');
    await page.waitForSelector('#zk-conflict');
    const text = await page.locator('#zk-conflict').textContent();
    expect(text).toContain('/stale changed since the page read it');
    expect(text).toContain('The page had version 0');
    expect(text).toContain('Now: version 1');
    expect(await page.locator('#zk-conflict pre[data-side="page"]').textContent()).toBe('first');
    expect(await page.locator('#zk-conflict pre[data-side="current"]').textContent()).toBe('changed elsewhere');
    expect(await getData('/stale')).toBe('changed elsewhere');
    await page.screenshot({ path: path.resolve('docs/images/ui-znode-conflict.png'), fullPage: true });
    // Reloaded, the page edits the current version.
    await page.click('#zk-reload');
    await expect.poll(() => page.locator('#zk-save').textContent()).toBe('Save (expects version 1)');
    await page.fill('#zk-edit-value', 'mine');
    await page.click('#zk-save');
    await expect.poll(() => getData('/stale')).toBe('mine');
  });

  it('create, set and delete at the HTTP level, each conditional on the version; invalid JSON refused', async () => {
    let r = await post('create', { path: '/e', format: 'json', value: '{"a": [1, 2]}' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(await getData('/e')).toBe('{"a": [1, 2]}');
    r = await post('create', { path: '/e', format: 'text', value: 'again' });
    expect(r.status).toBe(409);
    expect(r.json.message).toMatch(/^\/e already exists, so creating it was refused and nothing was written/);
    expect(Buffer.from(r.json.current.base64, 'base64').toString()).toBe('{"a": [1, 2]}');
    r = await post('create', { path: '/nope/child', format: 'text', value: '' });
    expect(r.json.message).toMatch(/parent of \/nope\/child does not exist/);

    r = await post('set', { path: '/e', version: 0, format: 'json', value: '{"a": [1, 2' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^The data is not valid JSON \(.+\); fix it, or save it as text\.$/);
    r = await post('set', { path: '/e', version: 0, format: 'base64', value: '%%%' });
    expect(r.json.error).toMatch(/not valid base64/);
    r = await post('set', { path: '/e', version: 0, format: 'text', value: SECRET_DATA });
    expect(r.status).toBe(200);
    expect(r.json.stat.version).toBe(1);
    r = await post('set', { path: '/e', version: 0, format: 'text', value: 'stale' });
    expect(r.status).toBe(409);
    expect(r.json.current.version).toBe(1);
    expect(await getData('/e')).toBe(SECRET_DATA);
    r = await post('set', {
      path: '/e',
      version: 1,
      format: 'base64',
      value: Buffer.from([0, 1, 255]).toString('base64'),
    });
    expect((await znode('/e')).base64).toBe('AAH/');

    r = await post('delete', { path: '/e', version: 1 });
    expect(r.status).toBe(409);
    expect(r.json.current.version).toBe(2);
    expect(await exists('/e')).toBe(true);
    r = await post('delete', { path: '/e', version: 2 });
    expect(r.json).toMatchObject({ outcome: 'done', removed: 1 });
    expect(await exists('/e')).toBe(false);
    r = await post('delete', { path: '/e', version: 2 });
    expect(r.json.message).toMatch(/\/e no longer exists/);
    expect(r.json.current).toBeNull();
  });

  it('ACLs: digest (password hashed, never stored), ip and world, with the ACL version checked', async () => {
    await create('/acl', 'x');
    const acl = [
      { scheme: 'digest', id: 'alice', password: PASSWORD, perms: 'cdrwa' },
      { scheme: 'ip', id: '127.0.0.1', perms: 'cdrwa' },
      { scheme: 'world', id: 'anyone', perms: 'r' },
    ];
    let r = await post('acl', { path: '/acl', aversion: 0, acl });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const stored = (await zk<any[]>((cb) => client.getACL('/acl', cb as any))).v!;
    const hash = (await import('../../src/security/secrets.js')).digest('alice', PASSWORD);
    expect(stored.map((a) => `${a.id.scheme}:${a.id.id}:${a.permission}`).sort()).toEqual(
      [`digest:${hash}:31`, 'ip:127.0.0.1:31', 'world:anyone:1'].sort(),
    );
    expect((await znode('/acl')).acl).toContainEqual({ scheme: 'digest', id: hash, perms: 'cdrwa' });
    r = await post('acl', { path: '/acl', aversion: 0, acl: [{ scheme: 'world', id: 'anyone', perms: 'cdrwa' }] });
    expect(r.status).toBe(409);
    expect(r.json.current.aversion).toBe(1);
    r = await post('acl', { path: '/acl', aversion: 1, acl: [{ scheme: 'ip', id: 'not-an-ip', perms: 'r' }] });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/"not-an-ip" is not an IP address/);
    // An ACL that shuts the dashboard out: refused by ZooKeeper, said as such, and the session goes on serving.
    r = await post('create', {
      path: '/readonly-acl',
      format: 'text',
      value: 'r',
      acl: [{ scheme: 'world', id: 'anyone', perms: 'r' }],
    });
    expect(r.status).toBe(200);
    r = await post('set', { path: '/readonly-acl', version: 0, format: 'text', value: 'w' });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/^ZooKeeper refused: the ACL of \/readonly-acl .* Nothing was written\.$/);
    expect((await znode('/readonly-acl')).base64).toBe(Buffer.from('r').toString('base64'));
  });

  it('recursive delete of 1,001 znodes: the count shown in the browser, all gone; a changed subtree refused', async () => {
    await create('/big');
    for (let g = 0; g < 10; g++) {
      await create(`/big/g${g}`);
      await Promise.all(Array.from({ length: 99 }, (_, i) => create(`/big/g${g}/n${i}`, `v${i}`)));
    }
    await page.goto(`${rw.origin}/#/c/uie/znodes?path=%2Fbig`);
    await page.waitForSelector('#zk-delete');
    const t0 = Date.now();
    await page.click('#zk-delete');
    await page.waitForSelector('#zk-delete-count');
    expect(await page.locator('#zk-delete-count').textContent()).toBe('1001');
    expect(await page.locator('#zk-delete-confirm').textContent()).toBe('Delete 1001 znodes');
    const counted = Date.now() - t0;
    const t1 = Date.now();
    await page.click('#zk-delete-confirm');
    const ok = await page.waitForSelector('#zk-edit-result .ok');
    console.log(
      `figure: 1,001 znodes counted in ${counted} ms, deleted in ${Date.now() - t1} ms (browser round trips)`,
    );
    expect(await ok.textContent()).toBe('Deleted 1001 znode(s).');
    expect(await exists('/big')).toBe(false);

    await create('/small');
    await create('/small/a');
    const t = (await post('subtree', { path: '/small' })).json;
    expect(t.count).toBe(2);
    await create('/small/b');
    let r = await post('delete', { path: '/small', recursive: true, count: 2, fingerprint: t.fingerprint });
    expect(r.status).toBe(409);
    expect(r.json.message).toMatch(
      /changed since the page counted it \(2 znodes then, 3 now\), so nothing was deleted/,
    );
    expect(await exists('/small/a')).toBe(true);
    const again = (await post('subtree', { path: '/small' })).json;
    await setData('/small/a', 'moved on');
    r = await post('delete', { path: '/small', recursive: true, count: 3, fingerprint: again.fingerprint });
    expect(r.status).toBe(409);
    expect(await exists('/small/b')).toBe(true);
  });

  it('export → import into another path is byte-identical; the dry run writes nothing; a changed plan is refused', async () => {
    await create('/src', '{"root": true}');
    await create('/src/bin', '');
    await zk((cb) => client.setData('/src/bin', Buffer.from([0, 159, 146, 150, 255, 10]), -1, cb as any));
    await create('/src/bin/deep', 'text\nwith lines');
    await create('/src/eph', 'session', zookeeper.CreateMode.EPHEMERAL);
    await post('create', {
      path: '/src/locked',
      format: 'text',
      value: 'guarded',
      acl: [
        { scheme: 'digest', id: 'alice', password: PASSWORD, perms: 'cdrwa' },
        { scheme: 'ip', id: '127.0.0.1', perms: 'cdrwa' },
      ],
    });
    const exported = await fetch(`${rw.origin}/api/c/uie/export?path=%2Fsrc`, {
      headers: { Cookie: `zkops_ui=${rw.token}` },
    });
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="uie_src.znodes.json"');
    const doc = await exported.json();
    expect(doc.znodes.map((z: { path: string }) => z.path)).toEqual(['', '/bin', '/bin/deep', '/locked']);
    expect(doc.skippedEphemerals).toEqual(['/src/eph']);

    const dry = await post('import', { path: '/dst', document: doc, dryRun: true });
    expect(dry.status, JSON.stringify(dry.json)).toBe(200);
    expect(dry.json.counts).toEqual({ create: 4, change: 0, unchanged: 0 });
    expect(await exists('/dst')).toBe(false);
    const applied = await post('import', { path: '/dst', document: doc, fingerprint: dry.json.fingerprint });
    expect(applied.json.outcome).toBe('done');
    const back = (await get('/api/c/uie/export?path=%2Fdst')).json;
    expect(back.znodes).toEqual(doc.znodes);
    expect(Buffer.from(back.znodes[1].data, 'base64')).toEqual(Buffer.from([0, 159, 146, 150, 255, 10]));

    // Import again after a change: the dry run lists it; a change after the dry run makes the plan stale.
    await setData('/dst/bin/deep', 'edited');
    const dry2 = (await post('import', { path: '/dst', document: doc, dryRun: true })).json;
    expect(dry2.counts).toEqual({ create: 0, change: 1, unchanged: 3 });
    expect(dry2.items.find((i: { action: string }) => i.action === 'change')).toMatchObject({
      path: '/dst/bin/deep',
      data: true,
    });
    await setData('/dst/bin/deep', 'edited twice');
    const stale = await post('import', { path: '/dst', document: doc, fingerprint: dry2.fingerprint });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toMatch(/changed since the dry run, so nothing was imported/);
    expect(await getData('/dst/bin/deep')).toBe('edited twice');
    const dry3 = (await post('import', { path: '/dst', document: doc, dryRun: true })).json;
    expect((await post('import', { path: '/dst', document: doc, fingerprint: dry3.fingerprint })).json.outcome).toBe(
      'done',
    );
    expect(await getData('/dst/bin/deep')).toBe('text\nwith lines');
    expect((await get('/api/c/uie/export?path=%2Fno-such')).status).toBe(404);
    expect((await post('delete', { path: '/zookeeper/config', version: 0 })).json.error).toMatch(/ZooKeeper's own/);
    const bad = await post('import', { path: '/dst', document: { format: 'nope' }, dryRun: true });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/not a zkops znode export/);
  });

  it('the terminal counterpart: zkops export, zkops import (a dry run, then --apply), byte-identical', async () => {
    const file = path.join(cwd, 'src.json');
    const ex = await zkops(cwd, ['export', '/src', '-o', file], env);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toBe(`Exported 4 znode(s) under /src to ${file} (1 ephemeral left out).`);
    const dry = await zkops(cwd, ['import', file, '--into', '/cli-copy'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: 4 to create, 0 to change, 0 unchanged under /cli-copy. Nothing was written');
    expect(await exists('/cli-copy')).toBe(false);
    const applied = await zkops(cwd, ['import', file, '--into', '/cli-copy', '--apply', '--json'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true, counts: { create: 4, change: 0, unchanged: 0 } });
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect((await get('/api/c/uie/export?path=%2Fcli-copy')).json.znodes).toEqual(doc.znodes);
    const bad = await zkops(cwd, ['import', path.join(cwd, 'e.yaml'), '--into', '/x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/The file is not JSON/);
  });

  it('the audit log holds every edit, who and from where, and no data, password or digest', async () => {
    const file = path.join(cwd, 'share', 'zkops', 'uie', 'audit.jsonl');
    const text = readFileSync(file, 'utf8');
    const entries = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const edits = entries.filter((e) => e.operation.startsWith('znode '));
    const user = (await import('node:os')).userInfo().username;
    expect(edits.filter((e) => e.via === 'terminal').map((e) => `${e.operation} ${e.outcome} ${e.detail}`)).toEqual([
      'znode import done path=/cli-copy from=uie:/src create=4 change=0 unchanged=0',
    ]);
    for (const e of edits.filter((x) => x.via !== 'terminal')) {
      expect(e.user).toBe(user);
      expect(e.via).toMatch(/^dashboard (::ffff:)?127\.0\.0\.1$/);
      expect(e.detail).toMatch(/^path=\//);
    }
    const ops = edits.map((e) => `${e.operation} ${e.outcome}`);
    for (const want of [
      'znode set done',
      'znode set refused',
      'znode set failed',
      'znode create done',
      'znode create refused',
      'znode delete done',
      'znode delete refused',
      'znode acl done',
      'znode acl refused',
      'znode import done',
      'znode import refused',
    ])
      expect(ops, want).toContain(want);
    expect(edits.find((e) => e.operation === 'znode acl' && e.outcome === 'done').detail).toBe(
      'path=/acl aversion=0 acl=[digest:alice cdrwa, ip:127.0.0.1 cdrwa, world:anyone r]',
    );
    expect(edits.some((e) => /recursive count=1001/.test(e.detail) && e.outcome === 'done')).toBe(true);
    // Nothing read-only is logged, and nothing from the dashboard without --allow-writes reached the cluster.
    expect(edits.filter((e) => e.operation === 'znode subtree')).toEqual([]);
    const hash = (await import('../../src/security/secrets.js')).digest('alice', PASSWORD).split(':')[1]!;
    for (const secret of [SECRET_DATA, PASSWORD, hash, 'guarded', 'changed elsewhere'])
      expect(text, secret).not.toContain(secret);
  });
});
