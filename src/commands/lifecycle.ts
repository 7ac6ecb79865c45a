/**
 * `zkops start|stop|restart [node...]`: day-to-day lifecycle of existing
 * nodes, on every runtime. Stop waits until each server is really gone; start
 * of a running node does nothing; restart is rolling (followers first, leader
 * last). Each ends with the status table, real pids included.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeCluster } from '../health/cluster.js';
import { waitForQuorum } from '../health/wait.js';
import { printJson, Progress, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import type { Runtime, StopOutcome } from '../runtime/types.js';
import { rollingRestart } from '../steps/rolling.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { clusterStatus, formatStatus, type ClusterStatus } from './report.js';

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

const plural = (ids: number[]) => `node${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;

/** The status after a lifecycle command: probes and the runtime's processes, together. */
async function statusNow(rt: Runtime): Promise<ClusterStatus> {
  const [reports, processes] = await Promise.all([probeCluster(rt.spec), rt.processes()]);
  return clusterStatus(rt.spec, reports, processes);
}

export async function stopCommand(flags: ClusterFlags, ids: string[], out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const progress = new Progress(out.progress);
  return withRuntime(spec, {}, async (rt) => {
    const results = await Promise.all(
      nodes.map(async (node) => {
        const outcome = await progress.step(`stop ${node.id}`, () => rt.stop(node), describeStop);
        return { id: node.id, ...outcome };
      }),
    );
    if (out.json) printJson({ cluster: spec.name, nodes: results });
    else for (const r of results) process.stdout.write(`node ${r.id}: ${describeStop(r)}\n`);
    return ExitCode.ok;
  });
}

function describeStop(o: StopOutcome): string {
  return o.status === 'stopped'
    ? `stopped (pid ${o.pid}${o.forced ? ', killed after TERM timed out' : ''})`
    : 'was not running';
}

export async function startCommand(
  flags: ClusterFlags,
  ids: string[],
  out: OutputOptions,
  timeoutSeconds: number,
): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const progress = new Progress(out.progress);
  return withRuntime(spec, {}, async (rt) => {
    const procs = await rt.processes();
    const toStart = nodes.filter((n) => !procs.get(n.id));
    if (toStart.length) {
      await rt.checkStartable(toStart);
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
  flags: ClusterFlags,
  ids: string[],
  out: OutputOptions,
  timeoutSeconds: number,
): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const progress = new Progress(out.progress);
  return withRuntime(spec, {}, async (rt) => {
    const restarted = nodes.map((n) => n.id);
    await progress.step(
      'restart',
      () => rollingRestart(rt, nodes, timeoutSeconds * 1000),
      () => `${plural(restarted)}, one at a time`,
    );
    const status = await statusNow(rt);
    if (out.json) printJson({ ...status, restarted });
    else process.stdout.write(`${formatStatus(status)}Restarted ${plural(restarted)}, one at a time.\n`);
    return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  });
}
