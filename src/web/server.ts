/**
 * `zkops ui`'s HTTP front, on node:http as the exporter's (no framework): the page and its files, a JSON API,
 * and server-sent events (the overview and node tables, live; the logs, followed; the doctor's findings as
 * each check ends). Every request passes security.ts first; every JSON answer passes the redactor, which
 * replaces any secret of any cluster (keys, passwords, the super digest) should one ever slip into data.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest, SECURITY_HEADERS, tokenCookie } from './security.js';
import { loadAssets, type Asset } from './static.js';
import { secretsOf, tick, type WatchedCluster } from './clusters.js';
import { closeSession } from './znodes.js';
import { route } from './api.js';
import { jobRoute } from './job-routes.js';
import { Jobs } from './jobs.js';
import { openStream, send, sendJson, type Redact } from './respond.js';

/** What the server is started with. */
export interface UiOptions {
  host: string;
  port: number;
  token: string;
  /** `host:port` names the page may be reached by (Host and Origin checks). */
  hosts: (port: number) => Set<string>;
  clusters: WatchedCluster[];
  /** `--allow-writes`: znode edits from the page (off: refused with 403). */
  allowWrites?: boolean;
  /** Poll interval, ms (default 1000). */
  intervalMs?: number;
  /** `--allow-operations`: run jobs (restart, deploy, ...) from the page; without it the page only reads. */
  allowOperations?: boolean;
  /** Where the jobs are kept across restarts (jobs.ts); none: in memory only. */
  jobsFile?: string;
}

/** A running dashboard. */
export interface RunningUi {
  port: number;
  /** Open SSE connections (the tests count them). */
  streams: () => number;
  close: () => Promise<void>;
}

/** Starts serving; resolves once the socket listens and the first poll is in. */
export async function startUi(o: UiOptions): Promise<RunningUi> {
  const assets = loadAssets();
  // Read from the clusters as they are: a job that may have rotated keys or made passwords gives its cluster a
  // new spec (job-ops.ts), so the secrets are worked out once per spec, not at every answer.
  const known = new WeakMap<WatchedCluster['spec'], string[]>();
  const secretsOfCluster = (spec: WatchedCluster['spec']) => {
    let s = known.get(spec);
    if (!s) known.set(spec, (s = secretsOf(spec)));
    return s;
  };
  const secrets = () => o.clusters.flatMap((c) => secretsOfCluster(c.spec)).sort((a, b) => b.length - a.length);
  const redact: Redact = (text) => secrets().reduce((t, s) => t.split(s).join('[secret]'), text);
  // The overview's streams (every tick goes to each), and the others (logs), ended on close.
  const streams = new Set<http.ServerResponse>();
  const others = new Set<http.ServerResponse>();
  let hosts = new Set<string>();
  const jobs = new Jobs(o.jobsFile, (text) => redact(text));
  const jobCtx = {
    jobs,
    clusters: o.clusters,
    allowOperations: Boolean(o.allowOperations),
    allowWrites: Boolean(o.allowWrites),
    redact,
    streams: others,
  };

  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const verdict = checkRequest(req, o.token, hosts);
    if (!verdict.ok) return send(res, verdict.status, 'text/plain; charset=utf-8', `${verdict.reason}\n`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (verdict.setCookie) {
      // The token leaves the address bar (and the history) at once; the cookie carries it from here.
      res.setHeader('Set-Cookie', tokenCookie(o.token));
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + (url.search || '') });
      return void res.end();
    }
    const asset = assets.get(url.pathname === '/' ? '/index.html' : url.pathname);
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) return sendAsset(req, res, asset);
    if (url.pathname === '/api/events') return openStream(req, res, streams, () => overview());
    let job: Promise<void> | undefined;
    try {
      job = jobRoute(req, res, url, jobCtx);
    } catch (err) {
      // Nothing a request holds may take the process (and the jobs it runs) down.
      return sendJson(res, 500, { error: (err as Error).message }, redact);
    }
    if (job)
      return void job.catch((err: Error) =>
        res.headersSent ? res.end() : sendJson(res, 500, { error: err.message }, redact),
      );
    if (url.pathname.startsWith('/api/'))
      return void route(req, res, url, {
        clusters: o.clusters,
        redact,
        streams: others,
        allowWrites: o.allowWrites,
      }).catch((err: Error) => {
        if (!res.headersSent) sendJson(res, 500, { error: err.message }, redact);
        else res.end();
      });
    send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
  });

  const overview = () => `event: clusters\ndata: ${redact(JSON.stringify(o.clusters.map((c) => c.latest)))}\n\n`;
  let busy = false;
  const pollAll = async () => {
    if (busy) return;
    busy = true;
    try {
      await Promise.all(o.clusters.map((c) => tick(c).catch(() => undefined)));
      const text = overview();
      for (const s of streams) s.write(text);
    } finally {
      busy = false;
    }
  };
  await pollAll();
  const timer = setInterval(() => void pollAll(), o.intervalMs ?? 1000);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = o.hosts(port);
  return {
    port,
    streams: () => streams.size,
    close: async () => {
      clearInterval(timer);
      jobs.flush();
      for (const s of [...streams, ...others]) s.end();
      await Promise.all(o.clusters.map(closeSession));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function sendAsset(req: http.IncomingMessage, res: http.ServerResponse, a: Asset): void {
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gz ? a.gzip : a.body;
  res.writeHead(200, {
    'Content-Type': a.type,
    'Content-Length': body.length,
    ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
    Vary: 'Accept-Encoding',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
