/**
 * What keeps `zkops ui` safe to leave running: a random token (in the first URL, then in an HttpOnly cookie)
 * checked on every request and event stream; the Host header checked against the addresses the server was
 * started for (a DNS-rebinding page reaches us under its own name); Origin checked on anything but GET/HEAD
 * (a cross-site form or fetch cannot act); a strict Content-Security-Policy (no inline script, nothing from
 * elsewhere), so injected text can never run.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie that carries the token after the first visit. */
export const COOKIE = 'zkops_ui';

/** Headers every answer carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A fresh token: 24 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** What a request may do. */
export type Verdict = { ok: true; setCookie: boolean } | { ok: false; status: 400 | 401 | 403; reason: string };

/** The rules of the module comment, for one request; `hosts` are the `host:port` names the page may use. */
export function checkRequest(req: IncomingMessage, token: string, hosts: Set<string>): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host))
    return { ok: false, status: 403, reason: `Host "${host}" is not one this server answers to (DNS rebinding?)` };
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    const origin = req.headers.origin;
    // A browser always sends Origin on a cross-site non-GET; a same-origin one names us.
    if (!origin || !hosts.has(origin.replace(/^https?:\/\//, '').toLowerCase()))
      return { ok: false, status: 403, reason: `Origin "${origin ?? ''}" may not send ${method} here` };
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const query = url.searchParams.get('token');
  if (query !== null && same(query, token)) return { ok: true, setCookie: true };
  if (same(cookieOf(req.headers.cookie) ?? '', token)) return { ok: true, setCookie: false };
  return { ok: false, status: 401, reason: 'a valid token is needed: open the address zkops ui printed' };
}

/** The Set-Cookie value that keeps the token (this site only, never sent cross-site, unreadable by script). */
export function tokenCookie(token: string): string {
  return `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The `host:port` names a server bound to `address:port` answers to. */
export function allowedHosts(address: string, port: number, extra: string[] = []): Set<string> {
  const names = new Set<string>();
  const add = (h: string) => names.add(`${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`.toLowerCase());
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  if (['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(address)) loopback.forEach(add);
  if (!['0.0.0.0', '::'].includes(address)) add(address);
  extra.forEach(add);
  return names;
}

function cookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/** Compares in constant time, so the answer's timing tells nothing about the token. */
function same(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
