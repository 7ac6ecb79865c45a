/**
 * Operations from the dashboard as jobs (`zkops ui --allow-operations`), end to end: a real 3-node
 * pseudo-cluster, the dashboard as its own process, Debian's Chromium driven by playwright-core. One cluster
 * for the whole file; the tests run in order and build on each other (the jobs list at the end is theirs).
 * - a rolling restart from the page under an independent writing client: no acknowledged write lost, events
 *   in order per node, followers first and the leader last;
 * - pause after the first node (held at the safe point; the tab closed and opened again shows it), a second
 *   job refused with who runs the first, a terminal `zkops restart` refused by the cluster lock, resume, done;
 * - abort after the first node: the quorum kept; the next run (a POST sent twice with one key: one job) done;
 * - a read-only dashboard shows no operation controls and its API refuses operations (403);
 * - `zkops ui` killed with a job held and started again: the earlier jobs listed with their outcomes, the held
 *   one as interrupted;
 * - the audit log holds the test's actions (dashboard and terminal) and nothing secret;
 * - a deploy after its dry run per node, and a backup, from the page;
 * - a node killed while a restart is held: resumed, the job stops at the next safe point, failed with the
 *   quorum guard's reason; a stop that would lose the quorum refused, force offered only then (a second
 *   confirmation, not sent here); the node started again from the page.
 * Screenshots of the tab go to docs/images/ for the README.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkops } from '../helpers/cli.js';
import { startUi, type UiProcess } from '../helpers/ui.js';
import { sleep } from '../helpers/poll.js';
import { missingWrites, Writer } from '../helpers/writer.mjs';

const BASE = 21581;
const NAME = 'uij';
const servers = [0, 1, 2].map((i) => `127.0.0.1:${BASE + i}`);
let cwd = '';
/** The cluster's private state (its audit log) in this run's own data directory, for every process. */
let env: Record<string, string> = {};
let ui: UiProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** The API as the page uses it: the token's cookie, and our own Origin on a POST. */
async function api(u: UiProcess, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${u.origin}${p}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Cookie: `zkops_ui=${u.token}`,
      ...(body === undefined ? {} : { Origin: u.origin, 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The cluster's newest job, whole. */
async function lastJob(): Promise<any> {
  const list = await api(ui, `/api/jobs?cluster=${NAME}`);
  return (await api(ui, `/api/jobs/${list.json[0].id}`)).json;
}

const nodeEvents = (job: any): { node: number; phase: string; at: number }[] =>
  job.events.flatMap((e: any) => (e.event.type === 'node' ? [{ ...e.event, at: e.at }] : []));

/** The Operations tab of the cluster, in a fresh tab of the same browser (the cookie is the context's). */
async function openOperations(): Promise<void> {
  await page?.close();
  page = await context.newPage();
  await page.goto(`${ui.origin}/#/c/${NAME}/jobs`);
  await page.waitForSelector('#jobs');
}

/** Confirms a rolling restart on the page; resolves once the page follows the new job. */
async function clickRestart(): Promise<void> {
  await page.click('#op-restart');
  await confirm();
}

/** Confirms the operation the page asks about; resolves once the page follows the new job (not the last one). */
async function confirm(): Promise<void> {
  const before = (await api(ui, `/api/jobs?cluster=${NAME}`)).json[0]?.id;
  await page.click('#op-go');
  for (let i = 0; ; i++) {
    const now = (await api(ui, `/api/jobs?cluster=${NAME}`)).json[0]?.id;
    if (now !== before && (await page.locator(`#job[data-job="${now}"]`).count())) return;
    if (i > 50) throw new Error(`the page started no job: ${await page.textContent('#op-error')}\n${ui.stderr()}`);
    await sleep(100);
  }
}

/** Every node serving, one leader, as the dashboard's overview reads it (polled up to 20 s). */
async function healthy(): Promise<any> {
  for (let i = 0; ; i++) {
    const view = (await api(ui, '/api/clusters')).json[0];
    if (view.verdict === 'healthy') return view;
    if (i > 40) throw new Error(`not healthy: ${JSON.stringify(view)}`);
    await sleep(500);
  }
}

beforeAll(async () => {
  cwd = workdir('ui-jobs');
  env = { XDG_DATA_HOME: path.join(cwd, 'data'), XDG_CACHE_HOME: path.join(cwd, 'cache') };
  writeFileSync(
    path.join(cwd, 'ui.yaml'),
    `name: ${NAME}\npseudo: { count: 3, basePort: ${BASE} }\njava: { heap: 128m }\n`,
  );
  const init = await zkops(cwd, ['init', '-i', 'ui.yaml'], env);
  expect(init.code, init.stderr).toBe(0);
  ui = await startUi(cwd, ['--allow-operations'], env);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(ui.url); // the token becomes the context's cookie
  await openOperations();
});
afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  await zkops(cwd, ['destroy', '--yes', '-i', 'ui.yaml'], env);
  await killServersUnder(cwd);
});

describe('operations from zkops ui as jobs', () => {
  it('a rolling restart from the page under a writing client: no acknowledged write lost, followers first, leader last', async () => {
    const leader = (await healthy()).leader;
    const writer = new Writer(servers.join(','));
    await writer.start();
    await sleep(500);
    await clickRestart();
    await page.waitForSelector('#job[data-state="done"]', { timeout: 150_000 });
    const report = await writer.stop();
    const job = await lastJob();
    expect(job).toMatchObject({
      kind: 'restart',
      state: 'done',
      via: expect.stringMatching(/^dashboard 127\.0\.0\.1:\d+$/),
    });
    const nodes = nodeEvents(job);
    const order = nodes.filter((e) => e.phase === 'stopping').map((e) => e.node);
    expect(order).toHaveLength(3);
    expect(order[2], 'the leader last').toBe(leader);
    // Each node whole before the next: stopping, started, rejoined, caught-up; times never go back.
    expect(nodes.map((e) => `${e.node}:${e.phase}`)).toEqual(
      order.flatMap((id) => ['stopping', 'started', 'rejoined', 'caught-up'].map((p) => `${id}:${p}`)),
    );
    expect(job.events.every((e: any, i: number) => i === 0 || e.at >= job.events[i - 1].at)).toBe(true);
    expect(job.events.some((e: any) => e.event.type === 'wait' && e.event.for === 'quorum')).toBe(true);
    // The page shows the same events.
    expect(await page.locator('#job-events li[data-type="node"]').count()).toBe(12);
    await page.screenshot({ path: path.resolve('docs/images/ui-jobs.png'), fullPage: true });
    expect(report.acknowledged.length).toBeGreaterThan(20);
    expect(await missingWrites(servers, report.acknowledged), 'acknowledged writes missing').toEqual({});
    console.log(
      `restart from the page: ${((job.ended - job.created) / 1000).toFixed(1)} s, ${report.acknowledged.length} writes acknowledged, ${report.failed} failed, longest gap ${report.longestGapMs} ms`,
    );
  });

  it('pause after the first node; a closed tab shows it again; a second job and a terminal restart are refused; resume finishes', async () => {
    await clickRestart();
    await page.waitForSelector('#job-events li[data-type="node"]');
    await page.click('#job-pause');
    await page.waitForSelector('#job[data-state="paused"]', { timeout: 60_000 });
    const held = await lastJob();
    expect(nodeEvents(held).filter((e) => e.phase === 'stopping')).toHaveLength(1);
    expect(nodeEvents(held).at(-1)!.phase).toBe('caught-up');
    // The tab closed and opened again: the job is found and shown, its events with it.
    await openOperations();
    await page.waitForSelector('#job[data-state="paused"]');
    expect(await page.locator('#job-events li[data-type="node"]').count()).toBe(4);
    await page.screenshot({ path: path.resolve('docs/images/ui-job-paused.png') });
    // A second job from the page: refused, naming the first.
    await page.click('#op-restart');
    await page.click('#op-go');
    await page.waitForSelector('#op-error:has-text("busy")');
    expect(await page.textContent('#op-error')).toMatch(/job \w+ \(restart\).*from dashboard 127\.0\.0\.1/);
    // A terminal restart: refused by the cluster's lock, which the job holds.
    const t = await zkops(cwd, ['restart'], env);
    expect(t.code).not.toBe(0);
    expect(t.stderr).toMatch(/Cluster uij is busy: restart .*zkops\.js ui/s);
    await sleep(500);
    expect(
      nodeEvents(await lastJob()).filter((e) => e.phase === 'stopping'),
      'still held',
    ).toHaveLength(1);
    await page.click('#job-resume');
    await page.waitForSelector('#job[data-state="done"]', { timeout: 150_000 });
    expect(nodeEvents(await lastJob()).filter((e) => e.phase === 'stopping')).toHaveLength(3);
    await healthy();
  });

  it('abort after the first node keeps the quorum; the next run (one POST sent twice) completes', async () => {
    await clickRestart();
    await page.waitForSelector('#job-events li[data-type="node"]');
    await page.click('#job-pause');
    await page.waitForSelector('#job[data-state="paused"]', { timeout: 60_000 });
    await page.click('#job-abort');
    await page.waitForSelector('#job[data-state="aborted"]', { timeout: 30_000 });
    const aborted = await lastJob();
    expect(aborted.error).toMatch(/at a safe point/);
    expect(nodeEvents(aborted).filter((e) => e.phase === 'stopping')).toHaveLength(1);
    const view = await healthy();
    expect(view.nodes.filter((n: any) => ['leader', 'follower'].includes(n.mode))).toHaveLength(3);
    // The page lost its connection after sending: the same key again gets the same job, not a second run.
    const first = await api(ui, `/api/c/${NAME}/jobs`, { kind: 'restart', key: 'k-abort-next' });
    const again = await api(ui, `/api/c/${NAME}/jobs`, { kind: 'restart', key: 'k-abort-next' });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 200, json: { id: first.json.id } });
    await openOperations();
    await page.waitForSelector('#job[data-state="done"]', { timeout: 150_000 });
    expect(nodeEvents(await lastJob()).filter((e) => e.phase === 'stopping')).toHaveLength(3);
  });

  it('read-only (no --allow-operations): no operation controls on the page, operations refused by the API', async () => {
    const ro = await startUi(cwd, [], env);
    try {
      expect((await api(ro, '/api/mode')).json).toEqual({ operations: false, writes: false });
      const post = await api(ro, `/api/c/${NAME}/jobs`, { kind: 'restart' });
      expect(post.status).toBe(403);
      expect(post.json.error).toMatch(/read-only.*--allow-operations.*Nothing was changed/);
      expect((await api(ro, `/api/c/${NAME}/plan`)).status).toBe(403);
      const jobs = (await api(ro, `/api/jobs?cluster=${NAME}`)).json;
      expect((await api(ro, `/api/jobs/${jobs[0].id}/abort`, {})).status).toBe(403);
      // A context of its own: the token's cookie is per host, not per port, and would replace the other's.
      const roContext = await browser.newContext();
      const p = await roContext.newPage();
      await p.goto(ro.url);
      await p.goto(`${ro.origin}/#/c/${NAME}/jobs`);
      await p.waitForSelector('#read-only');
      expect(await p.textContent('#mode')).toBe('read-only');
      expect(await p.locator('#ops, #op-restart, #job-pause').count()).toBe(0);
      // The jobs that ran (kept in this directory's jobs file) are listed all the same.
      await p.waitForSelector('#jobs-rows tr');
      await roContext.close();
    } finally {
      await ro.stop();
    }
  });

  it('zkops ui killed with a job held and started again: earlier jobs with their outcomes, the held one interrupted', async () => {
    await clickRestart();
    await page.waitForSelector('#job-events li[data-type="node"]');
    await page.click('#job-pause');
    await page.waitForSelector('#job[data-state="paused"]', { timeout: 60_000 });
    ui.proc.kill('SIGKILL');
    await new Promise((r) => ui.proc.once('exit', r));
    ui = await startUi(cwd, ['--allow-operations'], env);
    const jobs = (await api(ui, `/api/jobs?cluster=${NAME}`)).json;
    expect(jobs.map((j: any) => j.state)).toEqual(['interrupted', 'done', 'aborted', 'done', 'done']);
    expect(jobs[0].error).toMatch(/stopped while this job ran/);
    expect(jobs[1].events).toBeGreaterThan(12);
    await page.goto(ui.url);
    await openOperations();
    await page.waitForSelector('#jobs-rows tr[data-state="interrupted"]');
    expect(await page.locator('#jobs-rows tr').count()).toBe(5);
    // The dead dashboard's lock is taken over: the cluster is free for the next change.
    const t = await zkops(cwd, ['restart', '2'], env);
    expect(t.code, t.stderr).toBe(0);
  });

  it('the audit log holds the dashboard and terminal actions, and nothing secret', async () => {
    const audit = (await api(ui, `/api/c/${NAME}/audit`)).json as any[];
    const mine = audit.map((a) => `${a.operation} ${a.outcome} ${a.via.replace(/:\d+$/, '')}`).reverse();
    expect(mine).toEqual(
      expect.arrayContaining([
        'restart done dashboard 127.0.0.1',
        'restart refused terminal',
        'restart aborted dashboard 127.0.0.1',
        'restart done terminal',
      ]),
    );
    expect(mine.filter((m) => m === 'restart done dashboard 127.0.0.1')).toHaveLength(3);
    for (const a of audit) {
      expect(
        Object.keys(a).every((k) =>
          ['time', 'cluster', 'user', 'via', 'operation', 'detail', 'outcome', 'ms', 'error'].includes(k),
        ),
      ).toBe(true);
      expect(a.user).toBe(os.userInfo().username);
    }
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY|password|secret/i);
    await openOperations();
    await page.waitForSelector('#audit-rows tr');
    expect(await page.locator('#audit-rows tr').count()).toBe(audit.length);
  });
  it('deploy from the page after its dry run per node; a backup as a job', async () => {
    await page.click('#op-deploy');
    await page.waitForSelector('#plan .plan-node', { timeout: 60_000 });
    expect(await page.locator('#plan .plan-node').count()).toBe(3);
    expect(await page.textContent('#plan')).toMatch(/node 1 on .*no file would change/);
    await confirm();
    await page.waitForSelector('#job[data-state="done"]', { timeout: 120_000 });
    expect((await lastJob()).outcome).toMatchObject({ kind: 'done', changed: false, healthy: true });
    await page.click('#op-backup');
    await confirm();
    await page.waitForSelector('#job[data-state="done"]', { timeout: 60_000 });
    const backup = await lastJob();
    expect(backup.kind).toBe('backup');
    expect(readdirSync(backup.params.directory).length).toBeGreaterThan(0);
  });

  it('a node killed mid-job: the job stops at the next safe point, failed with the reason; the node started from the page', async () => {
    const leader = (await healthy()).leader;
    await clickRestart();
    await page.waitForSelector('#job-events li[data-type="node"]');
    await page.click('#job-pause');
    await page.waitForSelector('#job[data-state="paused"]', { timeout: 60_000 });
    const st = (await api(ui, `/api/c/${NAME}/status`)).json;
    process.kill(st.nodes.find((n: any) => n.id === leader).pid, 'SIGKILL');
    // Resumed once the two others elected a new leader: the quorum guard then sees two serving nodes of three.
    for (let i = 0; ; i++) {
      const view = (await api(ui, '/api/clusters')).json[0];
      if (view.nodes[leader - 1].mode === 'down' && view.leader !== undefined && view.leader !== leader) break;
      if (i > 150) throw new Error(`no new leader after kill -9 of node ${leader}: ${JSON.stringify(view)}`);
      await sleep(100);
    }
    await page.click('#job-resume');
    await page.waitForSelector('#job[data-state="failed"], #job[data-state="done"]', { timeout: 90_000 });
    const failed = await lastJob();
    expect(failed.state, JSON.stringify(failed.events.slice(-8))).toBe('failed');
    expect(failed.error).toMatch(/quorum/i);
    expect(await page.textContent('#job-error')).toBe(failed.error);
    expect(
      nodeEvents(failed).filter((e) => e.phase === 'stopping'),
      'no second node touched',
    ).toHaveLength(1);
    // Stopping another node now would lose the quorum: refused, and force offered only then, confirmed again.
    const other = [1, 2, 3].find((id) => id !== leader)!;
    await page.selectOption('#op-node', String(other));
    await page.click('#op-stop');
    await confirm();
    await page.waitForSelector('#op-force', { timeout: 60_000 });
    expect((await lastJob()).error).toMatch(/quorum/i);
    await page.click('#op-force');
    expect(await page.textContent('#op-confirm')).toMatch(/anyway \(force\).*lose its quorum/);
    await page.click('#op-cancel');
    await page.selectOption('#op-node', String(leader));
    await page.click('#op-start');
    await confirm();
    await page.waitForSelector('#job[data-state="done"]', { timeout: 90_000 });
    expect((await lastJob()).params).toEqual({ node: String(leader) });
    await healthy();
  });
});
