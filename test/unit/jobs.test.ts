/**
 * The dashboard's job registry (src/web/jobs.ts, job-state.ts) with operations stood in by small functions
 * that use the same OpContext the real ones do (Reporter checkpoints): the state machine (running, paused at a
 * safe point, resumed, aborted, failed with the operation's message), one job per cluster, the idempotency
 * key, and the jobs file read back by a new registry (a job that was running shows as interrupted).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reporter, type OpContext } from '../../src/events.js';
import { applyRequest, endState, readJobs } from '../../src/web/job-state.js';
import { JobBusyError, Jobs, type JobRun } from '../../src/web/jobs.js';
import { withVersion } from '../../src/web/job-ops.js';
import { AbortedError } from '../../src/errors.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
};

/** A rolling change of `n` nodes with a safe point after each, as lifecycle's restart has. */
const rolling =
  (n: number, hold?: Promise<void>): JobRun =>
  async (ctx: OpContext) => {
    const report = new Reporter(ctx);
    for (let i = 1; i <= n; i++) {
      report.node(i, 'stopping');
      if (i === 1 && hold) await hold;
      report.node(i, 'caught-up', { ms: 10 });
      if (i < n) await report.checkpoint(`${i} done`, `${n - i} left`);
    }
    return { restarted: n };
  };

const spec = (cluster = 'a', key?: string) => ({
  cluster,
  kind: 'restart' as const,
  params: {},
  via: 'dashboard t',
  key,
});
const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'zkops-jobs-')), 'jobs.jsonl');
const nodes = (events: { event: { type: string } }[]) =>
  events.flatMap((e) => (e.event.type === 'node' ? [`${(e.event as any).node}:${(e.event as any).phase}`] : []));

describe('job state rules', () => {
  it('pause, resume and abort apply only where they mean something', () => {
    expect(applyRequest({ state: 'running' }, 'pause')).toEqual({ ok: true, pausing: true, aborting: false });
    expect(applyRequest({ state: 'running' }, 'resume')).toMatchObject({ ok: false });
    expect(applyRequest({ state: 'paused' }, 'resume')).toEqual({ ok: true, pausing: false, aborting: false });
    expect(applyRequest({ state: 'running', pausing: true }, 'resume')).toMatchObject({ ok: true });
    expect(applyRequest({ state: 'paused' }, 'abort')).toEqual({ ok: true, pausing: false, aborting: true });
    expect(applyRequest({ state: 'running', aborting: true }, 'pause')).toMatchObject({ ok: false });
    for (const s of ['done', 'failed', 'aborted', 'interrupted'] as const)
      expect(applyRequest({ state: s }, 'abort')).toMatchObject({ ok: false, reason: expect.stringContaining(s) });
    // Jobs without a point between nodes cannot promise to hold or stop there.
    for (const kind of ['start', 'stop', 'backup'] as const)
      for (const r of ['pause', 'abort'] as const)
        expect(applyRequest({ state: 'running', kind }, r)).toMatchObject({ ok: false, reason: /no safe point/ });
    expect(applyRequest({ state: 'running', kind: 'restart' }, 'abort')).toMatchObject({ ok: true });
  });

  it('how an operation ended gives the state', () => {
    expect(endState(undefined)).toEqual({ state: 'done' });
    expect(endState(new AbortedError('1 done', '2 left')).state).toBe('aborted');
    expect(endState(new Error('node 2 did not rejoin'))).toEqual({ state: 'failed', error: 'node 2 did not rejoin' });
  });

  it('the jobs file: the last line of a job wins, a torn line is skipped, a running job reads as interrupted', () => {
    const base = { cluster: 'a', kind: 'restart', params: {}, via: 'v', user: 'u', created: 1, events: [] };
    const text = [
      JSON.stringify({ ...base, id: 'x', state: 'running' }),
      JSON.stringify({ ...base, id: 'y', state: 'running' }),
      JSON.stringify({ ...base, id: 'x', state: 'done', ended: 2 }),
      '{"id":"z","sta',
    ].join('\n');
    const jobs = readJobs(text);
    expect(jobs.map((j) => [j.id, j.state])).toEqual([
      ['y', 'interrupted'],
      ['x', 'done'],
    ]);
    expect(jobs[0]!.error).toMatch(/stopped while this job ran/);
  });
});

describe('the job registry', () => {
  it('runs a job to done with its events in order and timestamps', async () => {
    const jobs = new Jobs();
    const seen: string[] = [];
    const { job } = jobs.start(spec(), rolling(3));
    jobs.watch(job.id, (_j, e) => e && seen.push(e.event.type));
    await until(() => job.state === 'done');
    expect(nodes(job.events)).toEqual([
      '1:stopping',
      '1:caught-up',
      '2:stopping',
      '2:caught-up',
      '3:stopping',
      '3:caught-up',
    ]);
    expect(job.events.every((e, i) => i === 0 || e.at >= job.events[i - 1]!.at)).toBe(true);
    expect(seen[seen.length - 1]).toBe('state');
    expect(job.outcome).toEqual({ restarted: 3 });
  });

  it('pause holds at the next safe point, resume goes on; abort stops at a safe point', async () => {
    const jobs = new Jobs();
    let release!: () => void;
    const { job } = jobs.start(spec(), rolling(3, new Promise<void>((r) => (release = r))));
    await until(() => nodes(job.events).length === 1);
    expect(jobs.request(job.id, 'pause')).toMatchObject({ ok: true });
    expect(job.state).toBe('running');
    release();
    await until(() => job.state === 'paused');
    await tick(30);
    expect(nodes(job.events)).toEqual(['1:stopping', '1:caught-up']);
    expect(jobs.request(job.id, 'resume')).toMatchObject({ ok: true });
    await until(() => job.state === 'done');
    expect(nodes(job.events)).toHaveLength(6);

    const second = jobs.start(spec(), rolling(3)).job;
    jobs.request(second.id, 'pause');
    await until(() => second.state === 'paused');
    jobs.request(second.id, 'abort');
    await until(() => second.state === 'aborted');
    expect(nodes(second.events)).toEqual(['1:stopping', '1:caught-up']);
    expect(second.error).toMatch(/safe point/);
  });

  it('one job per cluster: a second is refused naming the first; a key sent again gets the same job', async () => {
    const jobs = new Jobs();
    let release!: () => void;
    const first = jobs.start(spec('a', 'k1'), rolling(2, new Promise<void>((r) => (release = r))));
    expect(first.created).toBe(true);
    expect(jobs.start(spec('a', 'k1'), rolling(2))).toEqual({ job: first.job, created: false });
    expect(() => jobs.start(spec('a', 'k2'), rolling(2))).toThrow(JobBusyError);
    expect(() => jobs.start(spec('a', 'k2'), rolling(2))).toThrow(/busy: job .* \(restart\).* from dashboard t/);
    const other = jobs.start(spec('b'), rolling(1));
    expect(other.created).toBe(true);
    release();
    await until(() => first.job.state === 'done' && other.job.state === 'done');
    expect(jobs.start(spec('a', 'k3'), rolling(1)).created).toBe(true);
  });

  it("a failing operation ends the job failed with the operation's message", async () => {
    const jobs = new Jobs();
    const { job } = jobs.start(spec(), async (ctx) => {
      new Reporter(ctx).node(1, 'stopping');
      throw new Error('Node 2 did not rejoin the quorum within 60 s.');
    });
    await until(() => job.state === 'failed');
    expect(job.error).toBe('Node 2 did not rejoin the quorum within 60 s.');
  });

  it('the jobs file: a new registry lists the jobs that ended with their outcome, and a running one as interrupted', async () => {
    const f = file();
    const jobs = new Jobs(f);
    const done = jobs.start(spec('a'), rolling(2)).job;
    await until(() => done.state === 'done');
    const held = jobs.start(spec('b'), rolling(2, new Promise<void>(() => undefined))).job;
    await until(() => nodes(held.events).length === 1);
    jobs.flush();
    const again = new Jobs(f);
    expect(again.list().map((j) => [j.cluster, j.state])).toEqual([
      ['b', 'interrupted'],
      ['a', 'done'],
    ]);
    expect(again.get(done.id)!.outcome).toEqual({ restarted: 2 });
    expect(nodes(again.get(held.id)!.events)).toEqual(['1:stopping']);
    // Compacted on reading: one line per job.
    expect(readFileSync(f, 'utf8').trim().split('\n')).toHaveLength(2);
    // And an interrupted job frees its cluster.
    expect(again.start(spec('b'), rolling(1)).created).toBe(true);
  });

  it('a file with a torn last line still reads', () => {
    const f = file();
    writeFileSync(f, '{"id":"q","cluster":"a","state":"do');
    expect(new Jobs(f).list()).toEqual([]);
  });
});

describe('upgrade: the inventory with another version', () => {
  it('sets zookeeper.version and drops the old release; a Docker cluster gets the image tag', () => {
    const text = '# mine\nname: a\nzookeeper:\n  home: /opt/zk\n  sha512: abc\npseudo: { count: 3 }\n';
    const out = withVersion(text, '3.9.2');
    expect(out).toContain('# mine');
    expect(out).toMatch(/zookeeper:\n {2}version: 3\.9\.2/);
    expect(out).not.toMatch(/home|sha512/);
    expect(withVersion('name: d\nexecutor: docker\ndocker:\n  image: reg:5000/zookeeper:3.8\n', '3.9.2')).toContain(
      'image: reg:5000/zookeeper:3.9.2',
    );
  });
});
