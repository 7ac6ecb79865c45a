/**
 * One change at a time per cluster. Operations that change an ensemble
 * (deploy, upgrade, restart, start, stop, restore, destroy, doctor --fix)
 * hold a lock for it on this machine, so that two of them — a terminal and
 * the dashboard, or two terminals — never roll the same ensemble at once. The
 * second is refused, before it changes anything, with who holds the lock.
 *
 * The lock is a file created exclusively (O_EXCL) in the user's cache,
 * named by the cluster's name and its nodes' client addresses (the same
 * ensemble whether reached through ./.zkops or -i FILE). A holder that died
 * (kill -9, a crash) leaves its file behind: a lock whose process is gone, or
 * is another process by now (its start time differs), is taken over.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AbortedError, ExitCode, ZkopsError } from '../errors.js';
import type { OpContext } from '../events.js';
import { appendAudit } from '../support/audit.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { userCacheDir } from '../user-cache.js';

/** Who holds a cluster's lock. */
export interface LockHolder {
  pid: number;
  /** The process's start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart. */
  started: number;
  user: string;
  /** The operation, e.g. "restart". */
  operation: string;
  /** The command line that runs it. */
  command: string;
  /** When it took the lock (ISO time). */
  since: string;
}

/** Another run holds the cluster: nothing was changed. */
export class ClusterBusyError extends ZkopsError {
  constructor(
    readonly cluster: string,
    readonly holder: LockHolder,
  ) {
    const secs = Math.max(0, Math.round((Date.now() - Date.parse(holder.since)) / 1000));
    super(
      `Cluster ${cluster} is busy: ${holder.operation} has been changing it for ${secs} s (pid ${holder.pid} as ` +
        `${holder.user} on this machine: ${holder.command}). Nothing was changed. Wait for it to finish and run ` +
        'this again; a lock whose process is gone is taken over by the next run.',
      ExitCode.preflight,
    );
  }
}

/** The lock file of a cluster. */
export function lockPath(spec: Pick<ClusterSpec, 'name' | 'nodes'>): string {
  const nodes = spec.nodes.map((n) => `${n.host.address}:${n.clientPort}`).sort();
  const id = createHash('sha256').update(nodes.join(',')).digest('hex').slice(0, 12);
  return userCacheDir('locks', `${spec.name}-${id}.lock`);
}

/** Runs `fn` holding the cluster's lock; refuses (ClusterBusyError) while another live process holds it. */
export async function withClusterLock<T>(
  spec: Pick<ClusterSpec, 'name' | 'nodes'>,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  const file = lockPath(spec);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockHolder = {
    pid: process.pid,
    started: startTime(process.pid) ?? 0,
    user: os.userInfo().username,
    operation,
    command: process.argv.slice(1).join(' ').slice(0, 200),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw err;
      const holder = await readHolder(file);
      // A half-written lock (its holder between create and write) is someone's: only a dead holder's is taken.
      if (holder && alive(holder)) throw new ClusterBusyError(spec.name, holder);
      if (!holder && attempt < 3) {
        await new Promise((r) => setTimeout(r, 50));
        if (await readHolder(file)) continue;
      }
      await rm(file, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    // Only our own lock is removed (never one a later run took over after judging ours dead).
    const now = await readHolder(file);
    if (now?.pid === me.pid && now.started === me.started) await rm(file, { force: true });
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the holder still runs: its pid exists, is not a zombie, and started when the lock says. */
function alive(h: LockHolder): boolean {
  const started = startTime(h.pid);
  return started !== undefined && (h.started === 0 || started === h.started);
}

/** A live process's start time from /proc (undefined: gone or a zombie). */
function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/**
 * A change to a cluster: run under its lock (refused while another run holds it) and written to its audit log with
 * how it ended — done, failed, aborted at a safe point, or refused.
 */
export async function withChange<T>(
  spec: Pick<ClusterSpec, 'name' | 'nodes' | 'security'>,
  operation: string,
  ctx: Pick<OpContext, 'via'>,
  detail: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = Date.now();
  const record = (outcome: 'done' | 'failed' | 'aborted' | 'refused', err?: unknown) =>
    appendAudit(spec, {
      via: ctx.via ?? 'api',
      operation,
      ...(detail ? { detail } : {}),
      outcome,
      ms: Date.now() - t0,
      ...(err instanceof Error ? { error: err.message.split('\n')[0]!.slice(0, 300) } : {}),
    }).catch(() => undefined);
  try {
    const result = await withClusterLock(spec, operation, fn);
    await record('done');
    return result;
  } catch (err) {
    await record(err instanceof ClusterBusyError ? 'refused' : err instanceof AbortedError ? 'aborted' : 'failed', err);
    throw err;
  }
}
