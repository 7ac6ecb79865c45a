/**
 * The operations layer called directly, as the exporter, a dashboard or a
 * user's script would (no CLI process), with a recording event sink, against
 * a real 3-node pseudo-cluster:
 * - init reports its named steps in order and returns the status as data;
 * - a rolling restart reports every node going down, coming back and
 *   catching up, followers first and the leader last;
 * - a deploy aborted after its first node stops at that safe point
 *   (AbortedError, exit code 6) with the quorum kept, and the next deploy
 *   restarts only the nodes left, so every server runs the new setting.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  ClusterBusyError,
  lockPath,
  ExitCode,
  deploy,
  destroy,
  init,
  readAudit,
  recordingSink,
  resolveCluster,
  restart,
  status,
  type OpEvent,
} from '../../src/index.js';
import { killServersUnder, workdir, zkops } from '../helpers/cli.js';
import { runningSetting } from '../helpers/four-letters.js';

const BASE = 25581;
const servers = [0, 1, 2].map((i) => `127.0.0.1:${BASE + i}`);
let cwd = '';
let inventory = '';
let home = '';
const dataHome = process.env.XDG_DATA_HOME;
const write = (extra = '') =>
  writeFileSync(
    inventory,
    `name: ops\nexecutor: local\npseudo: { count: 3, basePort: ${BASE} }\njava: { heap: 128m }\n${extra}`,
  );

/** The node events of a run, as `id:phase`. */
const nodeEvents = (events: OpEvent[]) => events.flatMap((e) => (e.type === 'node' ? [`${e.node}:${e.phase}`] : []));

beforeAll(() => {
  home = process.cwd();
  cwd = workdir('ops');
  inventory = path.join(cwd, 'ops.yaml');
  write();
  // The operations keep their state (.zkops) in the working directory, as the CLI does; the cluster's private
  // state (its audit log) goes to a data directory of this run's own (the CLI runs inherit it).
  process.chdir(cwd);
  process.env.XDG_DATA_HOME = path.join(cwd, 'data');
});
afterAll(async () => {
  await destroy({ inventory }, { confirm: async () => true }).catch(() => undefined);
  process.chdir(home);
  if (dataHome === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = dataHome;
  await killServersUnder(cwd);
});

describe('operations called directly, with a recording event sink', () => {
  it('init reports its steps in order and returns the healthy status as data', async () => {
    const sink = recordingSink();
    const outcome = await init({ inventory, timeoutMs: 60_000 }, { events: sink });
    expect(outcome.kind).toBe('done');
    if (outcome.kind !== 'done') return;
    expect(outcome.status.healthy).toBe(true);
    expect(outcome.status.nodes.map((n) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    const ended = sink.events.flatMap((e) => (e.type === 'step-end' ? [e.step] : []));
    expect(ended).toEqual(['connect', 'preflight', 'check data', 'render', 'start', 'quorum']);
    // Every step that started also ended, and succeeded.
    expect(sink.events.filter((e) => e.type === 'step-start').length).toBe(ended.length);
    expect(sink.events.every((e) => e.type !== 'step-end' || e.ok)).toBe(true);
  });

  it('a rolling restart reports each node down, back and caught up: followers first, the leader last', async () => {
    const before = await status({ inventory });
    const leader = before.nodes.find((n) => n.mode === 'leader')!.id;
    const sink = recordingSink();
    const after = await restart({ inventory }, { timeoutMs: 60_000 }, { events: sink });
    expect(after.healthy).toBe(true);
    const seen = nodeEvents(sink.events);
    const order = seen.filter((e) => e.endsWith(':stopping')).map((e) => Number(e.split(':')[0]));
    expect(order).toHaveLength(3);
    expect(order[2], `the leader (node ${leader}) goes last`).toBe(leader);
    // Per node, in this order, and one node finished before the next begins.
    expect(seen).toEqual(
      order.flatMap((id) => ['stopping', 'started', 'rejoined', 'caught-up'].map((p) => `${id}:${p}`)),
    );
    const stopping = sink.events.find((e) => e.type === 'node' && e.node === leader && e.phase === 'stopping');
    expect(stopping).toMatchObject({ mode: 'leader' });
    // The quorum waited for after each node names the nodes it waits for.
    expect(sink.events.filter((e) => e.type === 'wait' && e.for === 'quorum')).toHaveLength(3);
  });

  it('an abort after the first node stops at that safe point with the quorum kept; the next run restarts the rest', async () => {
    write('settings: { maxClientCnxns: 61 }\n');
    const stop = new AbortController();
    const sink = recordingSink();
    const events = (e: OpEvent) => {
      sink(e);
      // Asked to stop as soon as the first node has caught up: the roll must not touch a second one.
      if (e.type === 'node' && e.phase === 'caught-up') stop.abort();
    };
    const err = await deploy({ inventory, timeoutMs: 60_000 }, { events, signal: stop.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).exitCode).toBe(ExitCode.aborted);
    expect((err as AbortedError).message).toMatch(/not restarted yet/);
    const first = nodeEvents(sink.events).filter((e) => e.endsWith(':stopping'));
    expect(first, 'one node restarted before the abort').toHaveLength(1);
    const done = Number(first[0]!.split(':')[0]);

    const mid = await status({ inventory });
    expect(mid.healthy, 'three nodes serving after the abort').toBe(true);
    const running = await Promise.all(servers.map((s) => runningSetting(s, 'maxClientCnxns')));
    expect(
      running.filter((v) => v === '61'),
      `servers running the new setting: ${running.join(', ')}`,
    ).toHaveLength(1);
    expect(running[done - 1]).toBe('61');

    const next = recordingSink();
    const outcome = await deploy({ inventory, timeoutMs: 60_000 }, { events: next });
    expect(outcome.kind).toBe('done');
    if (outcome.kind !== 'done') return;
    expect(outcome.status.healthy).toBe(true);
    const restarted = nodeEvents(next.events)
      .filter((e) => e.endsWith(':stopping'))
      .map((e) => Number(e.split(':')[0]));
    expect(restarted.sort()).toEqual([1, 2, 3].filter((id) => id !== done));
    expect(outcome.nodes.find((n) => n.id === done)?.action).toBe('unchanged');
    expect(await Promise.all(servers.map((s) => runningSetting(s, 'maxClientCnxns')))).toEqual(['61', '61', '61']);
  });

  it('pauses between nodes while the caller holds it, then goes on where it was', async () => {
    let release!: () => void;
    let paused = 0;
    const gate = () => {
      paused++;
      return new Promise<void>((r) => (release = r));
    };
    const sink = recordingSink();
    const run = restart({ inventory }, { nodes: ['1', '2'], timeoutMs: 60_000 }, { events: sink, gate });
    while (paused === 0) await new Promise((r) => setTimeout(r, 20));
    // Held at the safe point after the first node: nothing more happens until it is let go.
    await new Promise((r) => setTimeout(r, 1500));
    const held = nodeEvents(sink.events);
    expect(held.filter((e) => e.endsWith(':stopping'))).toHaveLength(1);
    expect(held[held.length - 1]).toMatch(/:caught-up$/);
    expect((await status({ inventory })).healthy, 'healthy while paused').toBe(true);
    release();
    const after = await run;
    expect(after.healthy).toBe(true);
    expect(nodeEvents(sink.events).filter((e) => e.endsWith(':stopping'))).toHaveLength(2);
    expect(paused).toBe(1);
  });

  it('one change at a time: while a restart rolls, another restart (terminal or call) is refused with who holds it', async () => {
    const sink = recordingSink();
    let rolling = false;
    const first = restart(
      { inventory },
      { timeoutMs: 60_000 },
      {
        events: (e) => {
          sink(e);
          if (e.type === 'node' && e.phase === 'stopping') rolling = true;
        },
      },
    );
    while (!rolling) await new Promise((r) => setTimeout(r, 20));
    const cli = await zkops(cwd, ['restart', '-i', inventory]);
    expect(cli.code, cli.stderr).toBe(4);
    expect(cli.stderr).toMatch(/Cluster ops is busy: restart has been changing it .*pid \d+/);
    const call = await deploy({ inventory, timeoutMs: 60_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(call).toBeInstanceOf(ClusterBusyError);
    expect((call as ClusterBusyError).holder.operation).toBe('restart');
    expect((await first).healthy).toBe(true);
    // Released at the end: the next change goes through.
    expect(existsSync(lockPath(await specOf()))).toBe(false);
  });

  it('a lock left by a run that died (kill -9) is taken over by the next run', async () => {
    const file = lockPath(await specOf());
    const dead = spawnSync('true').pid!;
    writeFileSync(
      file,
      JSON.stringify({
        pid: dead,
        started: 1,
        user: 'root',
        operation: 'deploy',
        command: 'zkops deploy',
        since: new Date().toISOString(),
      }),
    );
    const r = await zkops(cwd, ['restart', '1', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('the audit log holds every change of this file, in order, with who asked and how it ended', async () => {
    const log = (await readAudit(await specOf())).map((e) => `${e.operation} ${e.via} ${e.outcome}`);
    expect(log).toEqual([
      'deploy api done', // init
      'restart api done',
      'deploy api aborted',
      'deploy api done',
      'restart api done', // paused, then resumed
      'restart terminal refused',
      'deploy api refused',
      'restart api done',
      'restart terminal done', // after the dead holder's lock
    ]);
    const entries = await readAudit(await specOf());
    expect(entries.every((e) => e.user && e.cluster === 'ops' && Date.parse(e.time) > 0)).toBe(true);
    expect(entries.find((e) => e.outcome === 'refused')?.error).toMatch(/is busy/);
  });
});

/** The cluster's spec as the operations resolve it (for its lock file's path). */
async function specOf() {
  return (await resolveCluster({ inventory })).spec;
}
