/**
 * What a dashboard job is, as data, and the rules of its life: which state follows which request, and how the
 * jobs file (one JSON line per change of a job, the last line of a job wins) is read back. Pure, so the rules
 * are tested without a cluster; jobs.ts runs jobs by them.
 */
import { AbortedError } from '../errors.js';
import type { OpEvent } from '../events.js';

/** What the dashboard can run. */
export const JOB_KINDS = ['restart', 'start', 'stop', 'deploy', 'upgrade', 'certs-rotate', 'backup'] as const;
/** The kinds whose operations hold and stop between nodes (rolling restarts): the others cannot pause or abort. */
const WITH_SAFE_POINTS: readonly string[] = ['restart', 'deploy', 'upgrade', 'certs-rotate'];
/** One of JOB_KINDS. */
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * running → paused (held at a safe point) → running …; then done, failed or aborted. `interrupted`: it was
 * running when the zkops ui that ran it died (read back from the jobs file).
 */
export type JobState = 'running' | 'paused' | 'done' | 'failed' | 'aborted' | 'interrupted';

/** What the operator asks of a job. */
export type JobRequest = 'pause' | 'resume' | 'abort';

/** What happened to a job: an operation's event, or a change of its own state. */
export type JobEventBody = OpEvent | { type: 'state'; state: JobState; message?: string };

/** One event, with when it happened (ms since the epoch). */
export interface JobEvent {
  at: number;
  event: JobEventBody;
}

/** A job as the page and the jobs file see it. */
export interface Job {
  id: string;
  /** The page's idempotency key: a POST sent again with it gets the same job, never a second run. */
  key?: string;
  cluster: string;
  kind: JobKind;
  params: Record<string, string | boolean | undefined>;
  /** Who asked: "dashboard 127.0.0.1:53122". */
  via: string;
  /** The OS account the dashboard runs as. */
  user: string;
  state: JobState;
  /** Asked to pause: it will hold at the next safe point. */
  pausing?: boolean;
  /** Asked to stop: it will stop at the next safe point. */
  aborting?: boolean;
  created: number;
  ended?: number;
  /** The error's message, for a job that did not finish. */
  error?: string;
  /** The operation's result (a short summary the page shows). */
  outcome?: unknown;
  events: JobEvent[];
}

/** The states a job ends in. */
export const FINAL: readonly JobState[] = ['done', 'failed', 'aborted', 'interrupted'];

/** Whether a job still runs (or is held): the cluster is taken by it. */
export function isActive(job: Pick<Job, 'state'>): boolean {
  return !FINAL.includes(job.state);
}

/**
 * What a request does to a job in a given state: the flags it sets, or why it cannot be done (an ended job
 * cannot be paused; a job being stopped is not paused or resumed again).
 */
export function applyRequest(
  job: Pick<Job, 'state' | 'pausing' | 'aborting'> & { kind?: JobKind },
  request: JobRequest,
): { ok: true; pausing: boolean; aborting: boolean } | { ok: false; reason: string } {
  if (!isActive(job)) return { ok: false, reason: `the job has ended (${job.state}); there is nothing to ${request}` };
  // One node's start or stop and a backup have no point between nodes to hold or stop at: saying "at the next
  // safe point" for them would promise what cannot happen.
  if (request !== 'resume' && job.kind && !WITH_SAFE_POINTS.includes(job.kind))
    return { ok: false, reason: `a ${job.kind} job has no safe point to ${request} at: it runs to its end` };
  if (job.aborting) return { ok: false, reason: 'the job is already stopping at its next safe point' };
  switch (request) {
    case 'pause':
      return { ok: true, pausing: true, aborting: false };
    case 'resume':
      if (job.state !== 'paused' && !job.pausing) return { ok: false, reason: 'the job is not paused' };
      return { ok: true, pausing: false, aborting: false };
    case 'abort':
      return { ok: true, pausing: false, aborting: true };
  }
}

/** The state a job ends in, from how its operation ended. */
export function endState(err: unknown): { state: 'done' | 'failed' | 'aborted'; error?: string } {
  if (err === undefined) return { state: 'done' };
  const message = err instanceof Error ? err.message : String(err);
  return { state: err instanceof AbortedError ? 'aborted' : 'failed', error: message };
}

/**
 * The jobs in a jobs file's text, the last line of each job winning, oldest first, at most `keep`; a job that
 * was still running (or held) when its dashboard died is `interrupted`. Broken lines (a torn last write) are
 * skipped.
 */
export function readJobs(text: string, keep = 200): Job[] {
  const byId = new Map<string, Job>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const job = JSON.parse(line) as Job;
      if (typeof job.id !== 'string' || !Array.isArray(job.events)) continue;
      byId.delete(job.id);
      byId.set(job.id, job);
    } catch {
      // A line cut short by a crash: the job's earlier line stands.
    }
  }
  return [...byId.values()].slice(-keep).map((job) =>
    isActive(job)
      ? {
          ...job,
          state: 'interrupted',
          pausing: undefined,
          aborting: undefined,
          error: 'zkops ui stopped while this job ran; it did not finish. Check the cluster and run it again.',
        }
      : job,
  );
}

/** A job without its events: the list's row. */
export function summary(job: Job): Omit<Job, 'events'> & { events: number } {
  return { ...job, events: job.events.length };
}
