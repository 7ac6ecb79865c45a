/**
 * The exporter's HTTP front: node:http, no framework. `/metrics` serves the collector's text, `/` a pointer
 * to it, `/-/healthy` a liveness answer for service managers. Bound to loopback unless told otherwise; with
 * `basicAuth`, every path but `/-/healthy` asks for it, as Prometheus's own exporters do.
 */
import http from 'node:http';
import https from 'node:https';
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { AddressInfo } from 'node:net';

/** Where to listen: `host:port`, `[v6]:port` or `:port` (all addresses). */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `--listen`; throws an Error whose message states the rule. */
export function parseListen(value: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(
      `expected ADDRESS:PORT (e.g. 127.0.0.1:9141, [::1]:9141 or :9141 for every address), got "${value}"`,
    );
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** What the server serves. */
export interface ExporterHandlers {
  /** The exposition text. */
  metrics: () => Promise<string>;
  /** `user:password` every request but /-/healthy must present. */
  basicAuth?: string;
  /** Users and their bcrypt hashes (--web-config-file's basic_auth_users), each of whom may scrape. */
  users?: Map<string, string>;
  /** Serve HTTPS with this PEM certificate chain and key. */
  tls?: { cert: string; key: string };
}

/** A running exporter. */
export interface RunningExporter {
  /** `http://host:port` as bound (the port the system chose for port 0). */
  url: string;
  close: () => Promise<void>;
}

/** Starts serving; resolves once the socket listens. */
export async function startExporterServer(listen: ListenAddress, h: ExporterHandlers): Promise<RunningExporter> {
  const verified = new Set<string>();
  const handler: http.RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/-/healthy') return send(res, 200, 'text/plain', 'OK\n');
    if ((h.basicAuth || h.users) && !authorised(req.headers.authorization, h, verified)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="zkops exporter"');
      return send(res, 401, 'text/plain', 'Unauthorized\n');
    }
    if (path === '/metrics')
      return void h.metrics().then(
        (text) => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text),
        (err: Error) => send(res, 500, 'text/plain', `scrape failed: ${err.message}\n`),
      );
    if (path === '/')
      return send(
        res,
        200,
        'text/html',
        '<html><body><h1>zkops exporter</h1><a href="/metrics">/metrics</a></body></html>\n',
      );
    send(res, 404, 'text/plain', 'Not found: see /metrics\n');
  };
  const server = h.tls ? https.createServer({ cert: h.tls.cert, key: h.tls.key }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `${h.tls ? 'https' : 'http'}://${host}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Checks the credentials in constant time, so the answer's timing tells nothing about the password. A bcrypt
 * check costs tens of milliseconds by design: one that passed is remembered (by a digest of the header, as
 * exporter-toolkit caches them), so a scrape every few seconds does not pay it again.
 */
function authorised(header: string | undefined, h: ExporterHandlers, verified: Set<string>): boolean {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  if (h.basicAuth) {
    const a = Buffer.from(given);
    const b = Buffer.from(h.basicAuth);
    if (a.length === b.length && timingSafeEqual(a, b)) return true;
  }
  const colon = given.indexOf(':');
  const hash = colon > 0 ? h.users?.get(given.slice(0, colon)) : undefined;
  if (!hash) return false;
  const key = createHash('sha256').update(`${hash}\0${given}`).digest('hex');
  if (verified.has(key)) return true;
  // bcryptjs: the $2a$/$2b$/$2y$ hashes htpasswd and Prometheus's tools make; a malformed one is no match.
  let ok = false;
  try {
    ok = bcrypt.compareSync(given.slice(colon + 1), hash);
  } catch {
    ok = false;
  }
  if (!ok) return false;
  if (verified.size > 1000) verified.clear();
  verified.add(key);
  return true;
}
