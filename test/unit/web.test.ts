/**
 * The dashboard's pure parts: the page's formatting and decoding (web/format.js, the same file the browser
 * runs), the request rules (token, Host, Origin), reading `cons` for a session's client, the secrets a spec
 * must never send, and the assets' size (≤ 250 KB gzipped, the issue's budget).
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import * as f from '../../web/format.js';
import { allowedHosts, checkRequest } from '../../src/web/security.js';
import { findSession } from '../../src/web/znodes.js';
import { secretsOf } from '../../src/web/clusters.js';
import { gzippedSize, loadAssets } from '../../src/web/static.js';
import type { ClusterSpec } from '../../src/inventory/spec.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe("the page's formatting and decoding", () => {
  it('shows JSON pretty, text as text, binary as hex, all binary-safe', () => {
    const json = f.dataViews(b64('{"a":[1,2],"b":"x"}'));
    expect(json.best).toBe('json');
    expect(json.views.json).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}');
    const text = f.dataViews(b64('server.1=127.0.0.1:2888:3888'));
    expect(text.best).toBe('text');
    expect(text.views.json).toBeUndefined();
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x41]);
    const v = f.dataViews(b64(bin));
    expect(v.best).toBe('hex');
    expect(v.views.text).toBeUndefined();
    expect(v.views.hex).toBe(`00000000  00 01 02 ff fe 41${' '.repeat(30)}  .....A`);
    expect(v.views.base64).toBe(b64(bin));
    expect(f.fromBase64(b64(bin))).toEqual(new Uint8Array(bin));
    // Invalid UTF-8 and control characters are not text; a number alone is JSON.
    expect(f.asText(new Uint8Array([0xc3, 0x28]))).toBeUndefined();
    expect(f.asText(new Uint8Array([0x61, 0x07]))).toBeUndefined();
    expect(f.asText(new TextEncoder().encode('héllo\n\t'))).toBe('héllo\n\t');
    expect(f.prettyJson('42')).toBe('42');
    expect(f.prettyJson('{oops')).toBeUndefined();
  });

  it('dumps long data 16 bytes a line, and says what it left out', () => {
    const dump = f.hexDump(new Uint8Array(40).fill(0x61), 32);
    expect(dump.split('\n')).toHaveLength(3);
    expect(dump.split('\n')[1]).toMatch(/^00000010 {2}(61 ){15}61 {2}a{16}$/);
    expect(dump).toMatch(/… 8 more bytes$/);
  });

  it('formats figures, verdicts, zxids, log levels, paths and NDJSON', () => {
    expect(f.num(undefined)).toBe('–');
    expect(f.num(12345.678)).toBe('12,345.7');
    expect(f.bytes(2048)).toBe('2.0 KiB');
    expect(f.verdictLabel('no-quorum')).toBe('no quorum');
    expect(f.zxidParts('0x200000005')).toBe('0x200000005 (epoch 2, counter 5)');
    expect(f.logLevel('2026-12-06 12:52:45,612 [myid:3] - ERROR [LearnerHandler')).toBe('ERROR');
    expect(f.logLevel('	at java.base/java.io.DataInputStream')).toBeUndefined();
    expect(f.pathParts('/dubbo/x')).toEqual([
      { name: '/', path: '/' },
      { name: 'dubbo', path: '/dubbo' },
      { name: 'x', path: '/dubbo/x' },
    ]);
    expect(f.ndjson('{"a":1}\n{"b":2}\n{"c"')).toEqual({ lines: [{ a: 1 }, { b: 2 }], rest: '{"c"' });
  });
});

describe('request rules', () => {
  const hosts = allowedHosts('127.0.0.1', 7181);
  const req = (o: { url?: string; host?: string; method?: string; origin?: string; cookie?: string }) =>
    ({
      url: o.url ?? '/',
      method: o.method ?? 'GET',
      headers: { host: o.host ?? '127.0.0.1:7181', origin: o.origin, cookie: o.cookie },
    }) as unknown as IncomingMessage;
  it('wants the token, in the address (then a cookie is set) or the cookie', () => {
    expect(checkRequest(req({}), 'T0K', hosts)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest(req({ url: '/?token=T0K' }), 'T0K', hosts)).toEqual({ ok: true, setCookie: true });
    expect(checkRequest(req({ cookie: 'a=b; zkops_ui=T0K' }), 'T0K', hosts)).toEqual({ ok: true, setCookie: false });
    expect(checkRequest(req({ cookie: 'zkops_ui=T0' }), 'T0K', hosts)).toMatchObject({ ok: false, status: 401 });
  });
  it('refuses another Host, and a non-GET from another Origin or none', () => {
    const cookie = 'zkops_ui=T0K';
    expect(checkRequest(req({ cookie, host: 'rebind.example:7181' }), 'T0K', hosts)).toMatchObject({ status: 403 });
    expect(checkRequest(req({ cookie, host: 'localhost:7181' }), 'T0K', hosts)).toMatchObject({ ok: true });
    expect(checkRequest(req({ cookie, method: 'POST' }), 'T0K', hosts)).toMatchObject({ status: 403 });
    expect(checkRequest(req({ cookie, method: 'POST', origin: 'http://evil.example' }), 'T0K', hosts)).toMatchObject({
      status: 403,
    });
    expect(checkRequest(req({ cookie, method: 'POST', origin: 'http://127.0.0.1:7181' }), 'T0K', hosts)).toMatchObject({
      ok: true,
    });
  });
});

describe('who holds an ephemeral', () => {
  it("finds a session's client address in cons", () => {
    const cons =
      ' /127.0.0.1:40012[1](queued=0,recved=5,sent=5,sid=0x100011e2c7f0000,lop=PING,est=1,to=30000)\n' +
      ' /[0:0:0:0:0:0:0:1]:5555[1](queued=0,recved=1,sent=1,sid=0x200000000000001,lop=SESS)\n' +
      ' /127.0.0.1:40020[0](queued=0,recved=1,sent=0)\n';
    expect(findSession(cons, '0x100011e2c7f0000')).toBe('127.0.0.1:40012');
    expect(findSession(cons, '0x0200000000000001')).toBe('[0:0:0:0:0:0:0:1]:5555');
    expect(findSession(cons, '0x1')).toBeUndefined();
    expect(findSession('cons is not executed because it is not in the whitelist.\n', '0x1')).toBeUndefined();
  });
});

describe('secrets and assets', () => {
  it('lists every private key, password and the super digest of a spec, and nothing without secrets', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(64)}\n${'B'.repeat(64)}\n-----END PRIVATE KEY-----\n`;
    const spec = {
      secrets: {
        dir: '/x',
        ca: { cert: 'CERT' },
        nodes: { 1: { key, cert: 'C1' } },
        client: { key: key.replace(/A/g, 'C'), cert: 'C2' },
        quorumPassword: 'qpw',
        superPassword: 'spw',
      },
    } as unknown as ClusterSpec;
    const s = secretsOf(spec);
    expect(s).toEqual(expect.arrayContaining([key, 'A'.repeat(64), 'C'.repeat(64), 'qpw', 'spw']));
    expect(s.some((x) => x.startsWith('super:'))).toBe(true);
    expect(s).not.toContain('CERT');
    expect(secretsOf({} as ClusterSpec)).toEqual([]);
  });

  it('serves the page, its scripts and uPlot within 250 KB gzipped', () => {
    const assets = loadAssets();
    for (const p of ['/index.html', '/assets/app.js', '/assets/format.js', '/assets/style.css', '/vendor/uPlot.js'])
      expect(assets.has(p), p).toBe(true);
    expect([...assets.keys()].some((k) => k.endsWith('.d.ts') || k.endsWith('tsconfig.json'))).toBe(false);
    const size = gzippedSize(assets);
    console.log(`figure: the app's assets ${(size / 1024).toFixed(1)} KB gzipped`);
    expect(size).toBeLessThan(250 * 1024);
  });
});
