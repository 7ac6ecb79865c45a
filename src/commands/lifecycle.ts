/**
 * `zkops start|stop|restart [node...]`: day-to-day lifecycle of existing
 * nodes, on every runtime. Stop waits until each server is really gone; start
 * of a running node does nothing; restart is rolling (followers first, leader
 * last). Stopping or restarting some nodes never takes the quorum down by
 * accident (--force to mean it). Nodes on a host that cannot be reached are
 * left out with a warning, unless named. Each ends with the status table.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeCluster } from '../health/cluster.js';
import { waitForQuorum } from '../health/wait.js';
import { printJson, Progress, warn, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import type { Runtime, StopOutcome } from '../runtime/types.js';
import { rollingRestart } from '../steps/rolling.js';
import { guardQuorum } from '../steps/quorum-guard.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { clusterStatus, formatStatus, type ClusterStatus } from './report.js';

/** Flags of the lifecycle commands. */
export interface LifecycleFlags extends ClusterFlags {
  force?: boolean;
}

/** Picks nodes by id from the arguments (all when none given). */
export function selectNodes(spec: ClusterSpec, ids: string[]): NodeSpec[] {
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

/** The nodes a command acts on: all of them, less those on hosts out of reach (said once); or the ones named. */
function reachableSelection(rt: Runtime, ids: string[]): NodeSpec[] {
  const nodes = selectNodes(rt.spec, ids);
  if (ids.length > 0) return nodes;
  for (const u of rt.unreachable)
    warn(
      `${u.place} cannot be reached (${u.reason}); node${u.nodes.length > 1 ? 's' : ''} ${u.nodes.join(', ')} left ` +
        `out.`,
    );
  return nodes.filter((n) => !rt.unreachable.some((u) => u.nodes.includes(n.id)));
}

const plural = (ids: number[]) => `node${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;

/** The status after a lifecycle command: probes and the runtime's processes, together. */
async function statusNow(rt: Runtime): Promise<ClusterStatus> {
  const [reports, processes] = await Promise.all([probeCluster(rt.spec), rt.processes()]);
  return clusterStatus(rt.spec, reports, processes, rt.unreachable);
}

export async function stopCommand(flags: LifecycleFlags, ids: string[], out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const progress = new Progress(out.progress);
  return withRuntime(spec, { partial: true }, async (rt) => {
    const nodes = reachableSelection(rt, ids);
    if (ids.length === 0) warn('stopping every node: the ensemble is unavailable until zkops start.');
    else {
      const warning = await guardQuorum(spec, nodes, 'stopping', { force: flags.force });
      if (warning) warn(warning);
    }
    const settled = await Promise.allSettled(
      nodes.map((node) => progress.step(`stop ${node.id}`, () => rt.stop(node), describeStop)),
    );
    const results = settled.map((r, i) =>
      r.status === 'fulfilled'
        ? { id: nodes[i]!.id, ...r.value }
        : { id: nodes[i]!.id, status: 'failed' as const, error: (r.reason as Error).message },
    );
    if (out.json) printJson({ cluster: spec.name, nodes: results });
    else
      for (const r of results)
        process.stdout.write(`node ${r.id}: ${'error' in r ? `not stopped: ${r.error}` : describeStop(r)}\n`);
    return results.some((r) => r.status === 'failed') ? ExitCode.failure : ExitCode.ok;
  });
}

function describeStop(o: StopOutcome): string {
  return o.status === 'stopped'
    ? `stopped (pid ${o.pid}${o.forced ? ', killed after TERM timed out' : ''})`
    : 'was not running';
}

export async function startCommand(
  flags: LifecycleFlags,
  ids: string[],
  out: OutputOptions,
  timeoutSeconds: number,
): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const progress = new Progress(out.progress);
  return withRuntime(spec, { partial: true }, async (rt) => {
    const nodes = reachableSelection(rt, ids);
    const procs = await rt.processes();
    const toStart = nodes.filter((n) => !procs.get(n.id));
    if (toStart.length) {
      await rt.checkStartable(toStart, procs);
      await progress.step(
        'start',
        () => rt.start(toStart),
        () => plural(toStart.map((n) => n.id)),
      );
    }
    // Waits for the quorum of the nodes that should now run (nodes left stopped on purpose do not
    // count) when they can form one, else just looks.
    const running = spec.nodes.filter((n) => procs.get(n.id) || toStart.includes(n));
    if (running.length * 2 > spec.nodes.length) {
      await progress.step('quorum', () => waitForQuorum(spec, timeoutSeconds * 1000, rt.waitHooks(), running));
    }
    const status = await statusNow(rt);
    const started = toStart.map((n) => n.id);
    if (out.json)
      printJson({ ...status, started, alreadyRunning: nodes.filter((n) => !started.includes(n.id)).map((n) => n.id) });
    else {
      process.stdout.write(formatStatus(status));
      process.stdout.write(
        started.length ? `Started ${plural(started)}.\n` : 'Nothing to start: the nodes were already running.\n',
      );
    }
    return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  });
}

export async function restartCommand(
  flags: LifecycleFlags,
  ids: string[],
  out: OutputOptions,
  timeoutSeconds: number,
): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const progress = new Progress(out.progress);
  return withRuntime(spec, { partial: true }, async (rt) => {
    const nodes = reachableSelection(rt, ids);
    const restarted = nodes.map((n) => n.id);
    await progress.step(
      'restart',
      () => rollingRestart(rt, nodes, timeoutSeconds * 1000, { force: flags.force, warn }),
      () => `${plural(restarted)}, one at a time`,
    );
    const status = await statusNow(rt);
    if (out.json) printJson({ ...status, restarted });
    else process.stdout.write(`${formatStatus(status)}Restarted ${plural(restarted)}, one at a time.\n`);
    return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  });
}
