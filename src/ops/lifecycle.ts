/**
 * start, stop and restart of existing nodes, on every runtime. Stop waits
 * until each server is really gone; start of a running node does nothing;
 * restart is rolling (followers first, leader last) and stops between two
 * nodes when the caller aborts. Stopping or restarting some nodes never takes
 * the quorum down by accident (force to mean it). Nodes on a host that
 * cannot be reached are left out with a warning, unless named.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { Reporter, quietContext, type OpContext } from '../events.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeCluster } from '../health/cluster.js';
import { clusterStatus, type ClusterStatus } from '../health/status.js';
import { waitForQuorum } from '../health/wait.js';
import { withRuntime } from '../runtime/index.js';
import type { Runtime, StopOutcome } from '../runtime/types.js';
import { rollingRestart } from '../steps/rolling.js';
import { guardQuorum } from '../steps/quorum-guard.js';
import { specOf, type ClusterRef } from './cluster.js';
import { withChange } from './lock.js';

/** Which nodes, and how hard. */
export interface LifecycleInput {
  /** Node ids ("2", "node-2"); none: every node. */
  nodes?: string[];
  /** Go on where the quorum would be lost. */
  force?: boolean;
  /** How long to wait for the quorum (start, restart). */
  timeoutMs?: number;
}

/** One node's stop. */
export type NodeStop = ({ id: number } & StopOutcome) | { id: number; status: 'failed'; error: string };

/** Picks nodes by id from the arguments (all when none given). */
export function selectNodes(spec: ClusterSpec, ids: string[] = []): NodeSpec[] {
  if (ids.length === 0) return spec.nodes;
  return ids.map((raw) => {
    const node = spec.nodes.find((n) => String(n.id) === raw.replace(/^node-?/, ''));
    if (!node)
      throw new ZkopsError(
        `No node "${raw}" in cluster ${spec.name}; its nodes are ${spec.nodes.map((n) => n.id).join(', ')}.`,
        ExitCode.usage,
      );
    return node;
  });
}

/** The nodes an operation acts on: all of them, less those on hosts out of reach (said once); or the ones named. */
function reachableSelection(rt: Runtime, ids: string[] = [], report: Reporter): NodeSpec[] {
  const nodes = selectNodes(rt.spec, ids);
  if (ids.length > 0) return nodes;
  for (const u of rt.unreachable)
    report.warn(
      `${u.place} cannot be reached (${u.reason}); node${u.nodes.length > 1 ? 's' : ''} ${u.nodes.join(', ')} left ` +
        `out.`,
    );
  return nodes.filter((n) => !rt.unreachable.some((u) => u.nodes.includes(n.id)));
}

export const plural = (ids: number[]) => `node${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;

/** Runs `fn` on the cluster's runtime (hosts out of reach left out) while holding its lock. */
function locked<T>(
  spec: ClusterSpec,
  operation: string,
  ctx: OpContext,
  input: LifecycleInput,
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const detail = [...(input.nodes ?? []), ...(input.force ? ['--force'] : [])].join(' ') || undefined;
  return withChange(spec, operation, ctx, detail, () => withRuntime(spec, { partial: true }, fn));
}

/** The status after a lifecycle operation: probes and the runtime's processes, together. */
async function statusNow(rt: Runtime): Promise<ClusterStatus> {
  const [reports, processes] = await Promise.all([probeCluster(rt.spec), rt.processes()]);
  return clusterStatus(rt.spec, reports, processes, rt.unreachable);
}

/** Stops nodes (every one when none are named: the ensemble is then unavailable until started). */
export async function stop(
  ref: ClusterRef,
  input: LifecycleInput = {},
  ctx: OpContext = quietContext,
): Promise<{ cluster: string; nodes: NodeStop[] }> {
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  return locked(spec, 'stop', ctx, input, async (rt) => {
    const nodes = reachableSelection(rt, input.nodes, report);
    if (!input.nodes?.length) report.warn('stopping every node: the ensemble is unavailable until zkops start.');
    else {
      const warning = await guardQuorum(spec, nodes, 'stopping', { force: input.force });
      if (warning) report.warn(warning);
    }
    const settled = await Promise.allSettled(
      nodes.map((node) => report.step(`stop ${node.id}`, () => rt.stop(node), describeStop)),
    );
    const results = settled.map((r, i): NodeStop =>
      r.status === 'fulfilled'
        ? { id: nodes[i]!.id, ...r.value }
        : { id: nodes[i]!.id, status: 'failed', error: (r.reason as Error).message },
    );
    return { cluster: spec.name, nodes: results };
  });
}

/** `stopped (pid 123)`, `was not running`. */
export function describeStop(o: StopOutcome): string {
  return o.status === 'stopped'
    ? `stopped (pid ${o.pid}${o.forced ? ', killed after TERM timed out' : ''})`
    : 'was not running';
}

/** Starts the stopped nodes among those named (all by default) and waits for their quorum. */
export async function start(
  ref: ClusterRef,
  input: LifecycleInput = {},
  ctx: OpContext = quietContext,
): Promise<ClusterStatus & { started: number[]; alreadyRunning: number[] }> {
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  return locked(spec, 'start', ctx, input, async (rt) => {
    const nodes = reachableSelection(rt, input.nodes, report);
    const procs = await rt.processes();
    const toStart = nodes.filter((n) => !procs.get(n.id));
    if (toStart.length) {
      await rt.checkStartable(toStart, procs);
      await report.step(
        'start',
        () => rt.start(toStart),
        () => plural(toStart.map((n) => n.id)),
      );
    }
    // Waits for the quorum of the nodes that should now run (nodes left stopped on purpose do not
    // count) when they can form one, else just looks.
    const running = spec.nodes.filter((n) => procs.get(n.id) || toStart.includes(n));
    if (running.length * 2 > spec.nodes.length) {
      report.waiting(
        'quorum',
        running.map((n) => n.id),
      );
      await report.step('quorum', () => waitForQuorum(spec, input.timeoutMs ?? 60_000, rt.waitHooks(), running));
    }
    const started = toStart.map((n) => n.id);
    return {
      ...(await statusNow(rt)),
      started,
      alreadyRunning: nodes.filter((n) => !started.includes(n.id)).map((n) => n.id),
    };
  });
}

/**
 * Rolling restart of the nodes named (all by default): followers first, the leader last, each back in the quorum
 * and caught up before the next. Aborted, it stops between two nodes (AbortedError says which are left).
 */
export async function restart(
  ref: ClusterRef,
  input: LifecycleInput = {},
  ctx: OpContext = quietContext,
): Promise<ClusterStatus & { restarted: number[] }> {
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  return locked(spec, 'restart', ctx, input, async (rt) => {
    const nodes = reachableSelection(rt, input.nodes, report);
    const restarted = nodes.map((n) => n.id);
    await report.step(
      'restart',
      () => rollingRestart(rt, nodes, input.timeoutMs ?? 60_000, { force: input.force, report }),
      () => `${plural(restarted)}, one at a time`,
    );
    return { ...(await statusNow(rt)), restarted };
  });
}
