/**
 * `zkops ui` at the HTTP level, against a real 3-node pseudo-cluster with TLS, quorum SASL and a super user
 * (so there are keys and secrets to leak), the dashboard run as its own process:
 * - no token → 401 (page, API, event stream); the token in the address → a cookie, and the token gone from
 *   the address; a wrong Host → refused (DNS rebinding); a cross-origin POST, or one without Origin → refused;
 *   every answer carries the strict Content-Security-Policy;
 * - the TLS cluster is read through zkops's client certificate (overview healthy, the tree opens, also in
 *   a real browser: Debian's Chromium through playwright-core);
 * - the doctor streams its findings, one NDJSON line per check, then the whole list;
 * - nothing any endpoint sends (page, assets, API, event streams, doctor, logs) contains a private key, the
 *   quorum password, the super password or its digest.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkops } from '../helpers/cli.js';
import { startUi, type UiProcess } from '../helpers/ui.js';

const BASE = 20681;
let cwd = '';
let env: Record<string, string> = {};
let ui: UiProcess;
let secrets: string[] = [];

/** GET or POST with the cookie (unless told otherwise); the body read whole, or the first `max` bytes of a stream. */
async function req(
  p: string,
  o: { method?: string; cookie?: boolean; headers?: Record<string, string>; max?: number } = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const ctl = new AbortController();
  const res = await fetch(`${ui.origin}${p}`, {
    method: o.method ?? 'GET',
    redirect: 'manual',
    signal: ctl.signal,
    headers: { ...(o.cookie === false ? {} : { Cookie: `zkops_ui=${ui.token}` }), ...o.headers },
  });
  let body = '';
  const reader = res.body?.getReader();
  const dec = new TextDecoder();
  for (;;) {
    const r = await reader?.read();
    if (!r || r.done) break;
    body += dec.decode(r.value, { stream: true });
    if (o.max && body.length >= o.max) {
      ctl.abort();
      break;
    }
  }
  return { status: res.status, headers: res.headers, body };
}

/** Every file under a directory. */
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? files(f) : [f];
  });

beforeAll(async () => {
  cwd = workdir('ui-http');
  env = { XDG_DATA_HOME: path.join(cwd, 'share') };
  writeFileSync(
    path.join(cwd, 'tls.yaml'),
    `name: uitls\npseudo: { count: 3, basePort: ${BASE} }\njava: { heap: 128m }\n` +
      'security: { tls: true, quorumAuth: true, superUser: true }\n',
  );
  const init = await zkops(cwd, ['init', '-i', 'tls.yaml'], env);
  expect(init.code, init.stderr).toBe(0);
  // What must never be sent: every private key (whole, and each line of its body), and the passwords.
  for (const f of files(path.join(cwd, 'share', 'zkops', 'uitls'))) {
    const text = readFileSync(f, 'utf8');
    if (/PRIVATE KEY/.test(text))
      secrets.push(text.trim(), ...text.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----')));
    if (/password/.test(path.basename(f))) secrets.push(text.trim());
    if (/super\.password/.test(path.basename(f)))
      secrets.push(createHash('sha1').update(`super:${text.trim()}`).digest('base64'));
  }
  secrets = secrets.filter(Boolean);
  expect(secrets.length).toBeGreaterThan(5);
  ui = await startUi(cwd, [], env);
});
afterAll(async () => {
  await ui?.stop();
  await zkops(cwd, ['destroy', '--yes', '-i', 'tls.yaml'], env);
  await killServersUnder(cwd);
});

describe('zkops ui over HTTP', () => {
  it('prints its address with a token first, and refuses requests without the token', async () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    for (const p of ['/', '/index.html', '/assets/app.js', '/api/clusters', '/api/events', '/api/c/uitls/children'])
      expect((await req(p, { cookie: false })).status, p).toBe(401);
    expect((await req('/?token=wrong', { cookie: false })).status).toBe(401);
    expect((await req('/', { cookie: false, headers: { Cookie: 'zkops_ui=wrong' } })).status).toBe(401);
  });

  it('turns the token in the address into a cookie, and takes it out of the address', async () => {
    const r = await req(`/?token=${ui.token}`, { cookie: false });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
    expect(r.headers.get('set-cookie')).toMatch(new RegExp(`^zkops_ui=${ui.token}; HttpOnly; SameSite=Strict`));
    const page = await req('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/assets/app.js">');
    // No inline script anywhere, and a policy that would refuse one.
    expect(page.body).not.toMatch(/<script>(?!<\/script>)|<script[^>]*>[^<]+<\/script>/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self';/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses a Host it was not started for (DNS rebinding), even with the token', async () => {
    // fetch() will not send another Host: node:http will.
    const withHost = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const r = http.get(
          {
            host: '127.0.0.1',
            port: ui.port,
            path: '/api/clusters',
            headers: { Host: host, Cookie: `zkops_ui=${ui.token}` },
          },
          (res) => {
            let body = '';
            res.on('data', (d) => (body += String(d)));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        r.on('error', reject);
      });
    for (const host of [`evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`, 'evil.example']) {
      const r = await withHost(host);
      expect(r.status, host).toBe(403);
      expect(r.body).toMatch(/not one this server answers to/);
    }
    expect((await withHost(`localhost:${ui.port}`)).status).toBe(200);
  });

  it('refuses a cross-origin POST, and one without Origin', async () => {
    const evil = await req('/api/c/uitls/doctor', { method: 'POST', headers: { Origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect((await req('/api/c/uitls/doctor', { method: 'POST' })).status).toBe(403);
  });

  it('reads the TLS cluster through the client certificate: healthy, one leader, its tree opens', async () => {
    const [c] = JSON.parse((await req('/api/clusters')).body);
    expect(c).toMatchObject({ name: 'uitls', tls: true, verdict: 'healthy', target: 'processes' });
    expect(c.nodes.filter((n: { mode: string }) => n.mode === 'leader')).toHaveLength(1);
    const kids = JSON.parse((await req('/api/c/uitls/children?path=/')).body);
    expect(kids.children.map((k: { name: string }) => k.name)).toContain('zookeeper');
    const z = JSON.parse((await req('/api/c/uitls/znode?path=/zookeeper/config')).body);
    expect(Buffer.from(z.base64, 'base64').toString()).toMatch(/^server\.1=/m);
  });

  it("opens the TLS cluster's tree in a real browser", async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(ui.url);
      await page.waitForSelector('#overview-rows tr[data-cluster="uitls"]');
      await page.goto(`${ui.origin}/#/c/uitls/znodes?path=%2F`);
      const item = page.locator('#zk-tree a.zname[data-path="/zookeeper"]');
      await item.waitFor();
      await page
        .locator('#zk-tree li')
        .filter({ has: page.locator('a.zname[data-path="/zookeeper"]') })
        .locator('.toggle')
        .first()
        .click();
      await page.locator('#zk-tree a.zname[data-path="/zookeeper/config"]').click();
      await expect.poll(() => page.locator('#zk-data').textContent()).toMatch(/^server\.1=/);
    } finally {
      await browser.close();
    }
  });

  it('streams the doctor: one line per check as it ends, then the whole list', async () => {
    const r = await req('/api/c/uitls/doctor', { method: 'POST', headers: { Origin: ui.origin } });
    expect(r.status).toBe(200);
    const lines = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('start');
    expect(lines.filter((l) => l.type === 'findings').length).toBeGreaterThanOrEqual(8);
    const done = lines[lines.length - 1];
    expect(done.type).toBe('done');
    expect(done.findings.find((f: { check: string }) => f.check === 'tls')).toBeDefined();
  });

  it('sends no private key, password or digest in any answer', async () => {
    const answers = await Promise.all([
      req('/'),
      req('/assets/app.js'),
      req('/api/clusters'),
      req('/api/events', { max: 2000 }),
      req('/api/c/uitls/history'),
      req('/api/c/uitls/status'),
      req('/api/c/uitls/children?path=/zookeeper'),
      req('/api/c/uitls/znode?path=/zookeeper/config'),
      req('/api/c/uitls/znode?path=/zookeeper/quota'),
      req('/api/c/uitls/search?path=/&q=o'),
      req('/api/c/uitls/logs?lines=2000&follow=0'),
      req('/api/c/uitls/doctor', { method: 'POST', headers: { Origin: ui.origin } }),
    ]);
    const all = answers.map((a) => a.body).join('\n');
    expect(all.length).toBeGreaterThan(20_000);
    for (const s of secrets) expect(all.includes(s), `a secret (${s.slice(0, 12)}…) was sent`).toBe(false);
    for (const a of answers) expect(a.headers.get('content-security-policy')).toBeTruthy();
  });
});
