/**
 * The dashboard's JSON API, over the operations layer: `/api/clusters`, and per cluster
 * `/api/c/NAME/{history,status,children,znode,search,logs}` (GET) and `/api/c/NAME/doctor` (POST: runs the
 * doctor; its findings stream back as NDJSON, one line per check as it ends). Nothing here changes a cluster;
 * znode edits (with --allow-writes) are znode-edits.ts's.
 */
import type http from 'node:http';
import type { Finding } from '../doctor/check.js';
import { doctor } from '../ops/doctor.js';
import { followLogs } from '../ops/logs.js';
import { status } from '../ops/status.js';
import type { WatchedCluster } from './clusters.js';
import { decodedName, openStream, sendJson, type Redact } from './respond.js';
import { children, search, znode } from './znodes.js';
import { EDIT_ENDPOINTS, editRoute } from './znode-edits.js';

/** What the handlers share with the server. */
export interface ApiContext {
  clusters: WatchedCluster[];
  redact: Redact;
  streams: Set<http.ServerResponse>;
  /** `--allow-writes`: znode edits are served (znode-edits.ts); else refused. */
  allowWrites?: boolean;
}

/** Answers one API request (a rejected promise becomes a 500 with the error's message). */
export async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, ctx: ApiContext) {
  const json = (value: unknown, code = 200) => sendJson(res, code, value, ctx.redact);
  if (url.pathname === '/api/clusters') return json(ctx.clusters.map((c) => c.latest));
  const m = /^\/api\/c\/([^/]+)\/([a-z]+)$/.exec(url.pathname);
  const c = m && ctx.clusters.find((x) => x.name === decodedName(m[1]!));
  if (!m || !c) return json({ error: 'no such cluster or endpoint' }, 404);
  const what = m[2]!;
  const path = url.searchParams.get('path') ?? '/';
  if (req.method === 'POST' && what === 'doctor') return runDoctor(res, c, ctx.redact);
  if (EDIT_ENDPOINTS.has(what))
    return editRoute(req, res, c, what, url, { allowWrites: Boolean(ctx.allowWrites), redact: ctx.redact });
  if (req.method !== 'GET') return json({ error: `${req.method} is not allowed here` }, 405);
  try {
    switch (what) {
      case 'history':
        return json(c.history);
      case 'status':
        return json(await status({ spec: c.spec }));
      case 'children':
        return json(await children(c, path));
      case 'znode':
        return json(await znode(c, path));
      case 'search':
        return json(await search(c, path, url.searchParams.get('q') ?? ''));
      case 'logs':
        return logs(req, res, c, url, ctx);
    }
  } catch (err) {
    // Mistakes the operator can fix (no such znode, a bad path) are said as such.
    const e = err as Error & { code?: number; exitCode?: number };
    const missing = e.code === -101 || /No znode/.test(e.message);
    return json(
      { error: missing ? `No znode ${path} (it may just have been deleted).` : e.message },
      missing ? 404 : 500,
    );
  }
  return json({ error: `no endpoint ${what}` }, 404);
}

/** The doctor's findings as each check ends, then the whole list: one JSON object per line. */
async function runDoctor(res: http.ServerResponse, c: WatchedCluster, redact: Redact): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
  const line = (v: unknown) => res.write(`${redact(JSON.stringify(v))}\n`);
  line({ type: 'start', at: Date.now() });
  try {
    const [report] = await doctor({
      ...c.ref,
      onFindings: (findings: Finding[]) => line({ type: 'findings', findings }),
    });
    line({ type: 'done', findings: report?.findings ?? [] });
  } catch (err) {
    line({ type: 'error', message: (err as Error).message });
  }
  res.end();
}

/** The merged logs: the last lines at once, then what is new each second, until the page goes away. */
function logs(req: http.IncomingMessage, res: http.ServerResponse, c: WatchedCluster, url: URL, ctx: ApiContext) {
  const lines = Math.min(Math.max(Number(url.searchParams.get('lines')) || 200, 1), 5000);
  const abort = new AbortController();
  openStream(req, res, ctx.streams);
  req.on('close', () => abort.abort());
  const event = (name: string, data: unknown) =>
    res.write(`event: ${name}\ndata: ${ctx.redact(JSON.stringify(data))}\n\n`);
  const follow = url.searchParams.get('follow') !== '0';
  return followLogs(
    { spec: c.spec },
    { lines },
    (entries) => {
      event('entries', entries);
      if (!follow) abort.abort();
    },
    {
      signal: abort.signal,
      events: (e) => (e.type === 'warning' ? event('warning', e.message) : undefined),
    },
  )
    .catch((err: Error) => event('warning', err.message))
    .finally(() => {
      if (!follow) res.end();
    });
}
