/**
 * The dashboard's jobs over HTTP. Read by anyone holding the token: `/api/mode`, `/api/jobs[?cluster=NAME]`,
 * `/api/jobs/ID`, `/api/jobs/ID/events` (server-sent events: the job as it is, then each new event; a page
 * that reconnects reads it whole again, so it never misses or doubles one) and `/api/c/NAME/audit`. Only with
 * `zkops ui --allow-operations`: `POST /api/c/NAME/jobs` ({kind, params, key}: the key makes a POST sent again
 * return the job it started instead of starting another), `POST /api/jobs/ID/{pause,resume,abort}` and
 * `/api/c/NAME/plan` (a deploy's or an upgrade's dry run). POSTs pass the server's Origin, Host and token
 * checks like every request, and must be JSON (which a cross-site form cannot send).
 */
import type http from 'node:http';
import { ExitCode, ZkopsError } from '../errors.js';
import { readAudit } from '../support/audit.js';
import type { WatchedCluster } from './clusters.js';
import { plan, prepareJob } from './job-ops.js';
import { summary } from './job-state.js';
import { JobBusyError, type Jobs } from './jobs.js';
import { decodedName, openStream, sendJson, type Redact } from './respond.js';

/** What the job handlers share with the server. */
export interface JobContext {
  jobs: Jobs;
  clusters: WatchedCluster[];
  /** `--allow-operations`: without it the dashboard only reads. */
  allowOperations: boolean;
  /** `--allow-writes` (znode edits, src/web/znode-edits.ts): only said in /api/mode, for the page's header. */
  allowWrites: boolean;
  redact: Redact;
  /** Open event streams, ended when the server closes. */
  streams: Set<http.ServerResponse>;
}

/** Why an operation is refused on a read-only dashboard. */
export const READ_ONLY =
  'This dashboard is read-only: zkops ui was started without --allow-operations, so it runs no operation. ' +
  'Nothing was changed. Restart it as zkops ui --allow-operations to run restarts, deploys and the like from ' +
  'the page, or use the terminal.';

const MAX_BODY = 16 * 1024;

/** Answers a job request; undefined when the path is not one of them. */
export function jobRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: JobContext,
): Promise<void> | undefined {
  const json = (value: unknown, code = 200) => sendJson(res, code, value, ctx.redact);
  const p = url.pathname;
  const post = req.method === 'POST';
  if (p === '/api/mode') return Promise.resolve(json({ operations: ctx.allowOperations, writes: ctx.allowWrites }));
  if (p === '/api/jobs') {
    const cluster = url.searchParams.get('cluster') ?? undefined;
    return Promise.resolve(json(ctx.jobs.list(cluster).slice(0, 100).map(summary)));
  }
  const j = /^\/api\/jobs\/([\w-]+)(?:\/(events|pause|resume|abort))?$/.exec(p);
  if (j) {
    const job = ctx.jobs.get(j[1]!);
    const action = j[2];
    if (!job) return Promise.resolve(json({ error: `No job ${j[1]} (jobs are kept per dashboard).` }, 404));
    if (!action) return Promise.resolve(json(job));
    if (action === 'events') return Promise.resolve(follow(req, res, job.id, ctx));
    if (!post) return Promise.resolve(json({ error: `${action} is a POST` }, 405));
    if (!ctx.allowOperations) return Promise.resolve(json({ error: READ_ONLY }, 403));
    const r = ctx.jobs.request(job.id, action as 'pause' | 'resume' | 'abort');
    return Promise.resolve(r.ok ? json(summary(r.job)) : json({ error: `Cannot ${action}: ${r.reason}.` }, 409));
  }
  const m = /^\/api\/c\/([^/]+)\/(jobs|audit|plan)$/.exec(p);
  if (!m) return undefined;
  const c = ctx.clusters.find((x) => x.name === decodedName(m[1]!));
  if (!c) return Promise.resolve(json({ error: `No cluster ${decodedName(m[1]!)} on this dashboard.` }, 404));
  const what = m[2]!;
  if (what === 'audit')
    // The audit log holds operations and outcomes only; the redactor still stands guard.
    return readAudit(c.spec, Number(url.searchParams.get('limit')) || 200).then((lines) => json(lines.reverse()));
  if (what === 'jobs' && !post) return Promise.resolve(json(ctx.jobs.list(c.name).slice(0, 100).map(summary)));
  if (!ctx.allowOperations) return Promise.resolve(json({ error: READ_ONLY }, 403));
  if (what === 'plan')
    return plan(c, url.searchParams.get('version') ?? undefined).then(json, (err: Error) => json(...failure(err)));
  if (!post) return Promise.resolve(json({ error: `${req.method} is not allowed here` }, 405));
  return readBody(req)
    .then(
      (body) => {
        const prepared = prepareJob(c, body.kind, (body.params ?? {}) as Record<string, unknown>);
        const via = `dashboard ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
        const key = typeof body.key === 'string' ? body.key : undefined;
        const { job, created } = ctx.jobs.start({ cluster: c.name, ...prepared, via, key }, prepared.run);
        json(summary(job), created ? 201 : 200);
      },
      (err: Error) => json(...failure(err)),
    )
    .catch((err: Error) => json(...failure(err)));
}

/** An error as the page shows it: one paragraph, with the status that says whose it is. */
function failure(err: Error): [{ error: string }, number] {
  if (err instanceof JobBusyError) return [{ error: err.message }, 409];
  if (err instanceof ZkopsError && err.exitCode === ExitCode.usage) return [{ error: err.message }, 400];
  return [{ error: err.message }, 500];
}

/** A job's events: the job whole first (on every connection), then each event as it comes. */
function follow(req: http.IncomingMessage, res: http.ServerResponse, id: string, ctx: JobContext): void {
  const job = ctx.jobs.get(id)!;
  openStream(req, res, ctx.streams, () => `event: job\ndata: ${ctx.redact(JSON.stringify(job))}\n\n`);
  const stop = ctx.jobs.watch(id, (j, event) => {
    const data = { state: j.state, pausing: j.pausing, aborting: j.aborting, error: j.error, outcome: j.outcome };
    res.write(`event: event\ndata: ${ctx.redact(JSON.stringify({ ...data, event }))}\n\n`);
  });
  req.on('close', stop);
}

/** The request's JSON body (small; anything else is refused). */
async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(String(req.headers['content-type'] ?? '')))
    throw new ZkopsError('Send the job as JSON (Content-Type: application/json).', ExitCode.usage);
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ZkopsError(`The request is over ${MAX_BODY} bytes; a job is a few.`, ExitCode.usage);
    chunks.push(chunk as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // Said below.
  }
  throw new ZkopsError('The request body is not a JSON object like {"kind":"restart"}.', ExitCode.usage);
}
