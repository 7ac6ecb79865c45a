/**
 * The dashboard's jobs: operations run inside the `zkops ui` process, not in a browser tab, so closing the tab
 * or losing the connection neither stops nor repeats them. Each job gets the operation's context (ops take an
 * OpContext): its events are kept with their times and passed to whoever watches, a gate that holds it at the
 * next safe point while paused, and an AbortSignal that stops it at the next safe point. One job per cluster
 * in this process (a second is refused naming the first); across processes the operations' own cluster lock
 * (ops/lock.ts) refuses a terminal while a job rolls, and a job while a terminal does.
 *
 * Every change of a job is appended to a jobs file (one JSON line; the last line of a job wins), so a restarted
 * dashboard lists what ran and how it ended, and a job its dashboard died under as interrupted.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpContext, OpEvent } from '../events.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import {
  applyRequest,
  endState,
  isActive,
  readJobs,
  type Job,
  type JobEvent,
  type JobKind,
  type JobRequest,
} from './job-state.js';

/** A second job on a cluster while one runs there. */
export class JobBusyError extends Error {
  constructor(readonly running: Job) {
    super(
      `Cluster ${running.cluster} is busy: job ${running.id.slice(0, 8)} (${running.kind}) has been running since ` +
        `${new Date(running.created).toISOString()}, started by ${running.user} from ${running.via}. Nothing was ` +
        'started. Wait for it to end, or pause or abort it from its page.',
    );
  }
}

/** What a job's operation is given and returns. */
export type JobRun = (ctx: OpContext) => Promise<unknown>;

/** Called with each new event of a job, and with the job when its state changes. */
export type JobListener = (job: Job, event?: JobEvent) => void;

/** Events kept per job (a long deploy says a lot; the page wants its shape, not every line forever). */
const MAX_EVENTS = 2000;

/** The jobs of one dashboard. */
export class Jobs {
  private readonly jobs: Job[] = [];
  private readonly control = new Map<string, { abort: AbortController; release: (() => void)[] }>();
  private readonly listeners = new Map<string, Set<JobListener>>();

  /**
   * `file`: the jobs file (undefined: nothing kept). Jobs it holds are read now, compacted. `redact`: every line
   * passes it before it is written (the page's redactor: a job's events and errors never keep a secret on disk).
   */
  constructor(
    readonly file?: string,
    private readonly redact: (text: string) => string = (t) => t,
  ) {
    if (!file) return;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No file yet: no jobs ran here.
    }
    this.jobs.push(...readJobs(text));
    try {
      if (text) writeFileAtomicSync(file, this.jobs.map((j) => this.redact(`${JSON.stringify(j)}\n`)).join(''), 0o600);
    } catch {
      // A cache that cannot be written does not stop the dashboard (save() says the same).
    }
  }

  /** Every job, newest first; those of one cluster when named. */
  list(cluster?: string): Job[] {
    return this.jobs.filter((j) => cluster === undefined || j.cluster === cluster).reverse();
  }

  /** One job by id. */
  get(id: string): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /**
   * Starts a job, or returns the one this key already started (a POST the page sent again after losing its
   * connection). Refused with JobBusyError while another job of the cluster is active.
   */
  start(
    spec: { cluster: string; kind: JobKind; params: Job['params']; via: string; key?: string },
    run: JobRun,
  ): { job: Job; created: boolean } {
    // Compared as it is kept (cut to 100 characters): a longer key sent again must find its job.
    const key = spec.key?.slice(0, 100);
    const again = key ? this.jobs.find((j) => j.key === key && j.cluster === spec.cluster) : undefined;
    if (again) return { job: again, created: false };
    const busy = this.jobs.find((j) => j.cluster === spec.cluster && isActive(j));
    if (busy) throw new JobBusyError(busy);
    const job: Job = {
      id: randomUUID(),
      ...(spec.key ? { key: spec.key.slice(0, 100) } : {}),
      cluster: spec.cluster,
      kind: spec.kind,
      params: spec.params,
      via: spec.via,
      user: os.userInfo().username,
      state: 'running',
      created: Date.now(),
      events: [],
    };
    this.jobs.push(job);
    const abort = new AbortController();
    const ctrl = { abort, release: [] as (() => void)[] };
    this.control.set(job.id, ctrl);
    this.save(job);
    const ctx: OpContext = {
      via: spec.via,
      signal: abort.signal,
      events: (e: OpEvent) => this.emit(job, e),
      // Held here while paused: the job shows as paused only once it reached the safe point.
      gate: () => {
        if (!job.pausing) return Promise.resolve();
        job.pausing = false;
        this.setState(job, 'paused', 'held at a safe point: resume to go on, or abort');
        return new Promise<void>((resolve) => ctrl.release.push(resolve));
      },
    };
    // Started on the next turn, so the caller has the job (and its id) before the first event.
    setImmediate(() => {
      run(ctx).then(
        (outcome) => this.finish(job, undefined, outcome),
        (err: unknown) => this.finish(job, err),
      );
    });
    return { job, created: true };
  }

  /** Pause (at the next safe point), resume, or abort (at the next safe point). */
  request(id: string, request: JobRequest): { ok: true; job: Job } | { ok: false; reason: string } {
    const job = this.get(id);
    const ctrl = this.control.get(id);
    if (!job) return { ok: false, reason: `no job ${id}` };
    const verdict = applyRequest(job, request);
    if (!verdict.ok) return verdict;
    job.pausing = verdict.pausing || undefined;
    job.aborting = verdict.aborting || undefined;
    const note = { pause: 'pause asked: it holds at the next safe point', resume: 'resumed', abort: 'abort asked' };
    if (request === 'abort') ctrl?.abort.abort();
    if (request !== 'pause' && job.state === 'paused') {
      // The operation's checkpoint goes on (or, aborted, stops there).
      for (const r of ctrl?.release.splice(0) ?? []) r();
      this.setState(job, 'running', request === 'abort' ? 'abort asked: it stops at this safe point' : 'resumed');
    } else this.push(job, { type: 'note', message: note[request] });
    return { ok: true, job };
  }

  /** Watches a job: every event and change of state, until the returned function is called. */
  watch(id: string, listener: JobListener): () => void {
    const set = this.listeners.get(id) ?? new Set<JobListener>();
    set.add(listener);
    this.listeners.set(id, set);
    return () => set.delete(listener);
  }

  /** The active jobs, written as they are (the dashboard is going away: read back, they show as interrupted). */
  flush(): void {
    for (const j of this.jobs) if (isActive(j)) this.save(j);
  }

  private emit(job: Job, e: OpEvent): void {
    this.push(job, e);
    // Kept as it goes at each node and step: a dashboard that dies mid-job still shows how far it got.
    if (e.type === 'node' || e.type === 'step-end') this.save(job);
  }

  private push(job: Job, body: JobEvent['event']): void {
    const event: JobEvent = { at: Date.now(), event: body };
    // Past the cap, state changes still go in: a page must always see how the job ended.
    if (job.events.length < MAX_EVENTS || body.type === 'state') job.events.push(event);
    for (const l of this.listeners.get(job.id) ?? []) l(job, event);
  }

  private setState(job: Job, state: Job['state'], message?: string): void {
    job.state = state;
    this.push(job, { type: 'state', state, ...(message ? { message } : {}) });
    this.save(job);
  }

  private finish(job: Job, err: unknown, outcome?: unknown): void {
    const end = endState(err);
    job.ended = Date.now();
    job.pausing = undefined;
    job.aborting = undefined;
    if (end.error) job.error = end.error;
    if (outcome !== undefined) job.outcome = outcome;
    this.control.delete(job.id);
    this.setState(job, end.state, end.error);
  }

  /** Appends the job's line (a failed write does not stop the job: it is still shown while this process runs). */
  private save(job: Job): void {
    if (!this.file) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      appendFileSync(this.file, this.redact(`${JSON.stringify(job)}\n`), { mode: 0o600 });
    } catch {
      // See above.
    }
  }
}
