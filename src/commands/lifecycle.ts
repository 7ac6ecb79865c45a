/**
 * `zkops start|stop|restart [node...]`: day-to-day lifecycle of existing nodes.
 * Stop waits until each process is really gone; start of a running node does
 * nothing; restart is rolling (followers first, leader last).
 */
import { ExitCode, PreflightError, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeCluster } from '../health/cluster.js';
import { waitForQuorum, type WaitHooks } from '../health/wait.js';
import { printJson, Progress, type OutputOptions } from '../output.js';
import { findNodeProcesses, type StopOutcome, type ZkProcess } from '../steps/processes.js';
import { startNode, stopNode } from '../steps/service.js';
import { assertPortsFree } from '../steps/ports.js';
import { closeTargets, openTargets, targetOf } from '../steps/targets.js';
import { rollingRestart, waitHooks } from '../steps/up.js';
import { sh } from '../render/node.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { clusterStatus, formatStatus } from './report.js';

/** Picks nodes by id from the arguments (all when none given). */
export function selectNodes(spec: ClusterSpec, ids: string[]): NodeSpec[] {
  if (ids.length === 0) return spec.nodes;
  return ids.map((raw) => {
    const node = spec.nodes.find((n) => String(n.id) === raw.replace(/^node-?/, ''));
    if (!node) throw new ZkopsError(`No node "${raw}" in cluster ${spec.name}; its nodes are ${spec.nodes.map((n) => n.id).join(', ')}.`, ExitCode.usage);
    return node;
  });
}

/** The Docker engine and the container steps, for executor docker (loaded only then). */
async function dockerSteps() {
  const [{ DockerEngine }, steps] = await Promise.all([import('../executors/docker.js'), import('../steps/docker.js')]);
  return { engine: await DockerEngine.connect(), ...steps };
}

function printStopped(spec: ClusterSpec, results: ({ id: number } & StopOutcome)[], out: OutputOptions): number {
  if (out.json) printJson({ cluster: spec.name, nodes: results });
  else for (const r of results) process.stdout.write(`node ${r.id}: ${r.status === 'stopped' ? `stopped (pid ${r.pid}${r.forced ? ', killed' : ''})` : 'was not running'}\n`);
  return ExitCode.ok;
}

export async function stopCommand(flags: ClusterFlags, ids: string[], out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const progress = new Progress(out.progress);
  if (spec.executor === 'docker') {
    const d = await dockerSteps();
    return printStopped(spec, await progress.step('stop', () => d.stopContainers(d.engine, spec, nodes)), out);
  }
  const targets = await openTargets(spec);
  try {
    const results = await Promise.all(
      nodes.map(async (node) => {
        const ex = targetOf(targets, node).ex;
        const proc = (await findNodeProcesses(ex, [node])).get(node.id);
        const outcome = await progress.step(`stop ${node.id}`, () => stopNode(ex, spec, node, proc), (o) => (o.status === 'stopped' ? `pid ${o.pid}${o.forced ? ' (killed after TERM timed out)' : ''}` : 'was not running'));
        await ex.exec(`rm -f ${sh(node.pidFile)}`);
        return { id: node.id, ...outcome };
      }),
    );
    return printStopped(spec, results, out);
  } finally {
    await closeTargets(targets);
  }
}

export async function startCommand(flags: ClusterFlags, ids: string[], out: OutputOptions, timeoutSeconds: number): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const progress = new Progress(out.progress);
  if (spec.executor === 'docker') {
    const d = await dockerSteps();
    const before = await d.containerProcesses(d.engine, spec);
    const started = await progress.step('start', () => d.startContainers(d.engine, spec, nodes));
    const running = spec.nodes.filter((n) => before.get(n.id) || started.includes(n.id));
    const reports = await settle(spec, running, progress, timeoutSeconds, d.dockerWaitHooks(d.engine, spec));
    return printStarted(spec, clusterStatus(spec, reports, await d.containerProcesses(d.engine, spec)), started, nodes, out);
  }
  const targets = await openTargets(spec);
  try {
    const procs = new Map<number, ZkProcess | undefined>();
    for (const t of targets) for (const [id, p] of await findNodeProcesses(t.ex, t.nodes)) procs.set(id, p);
    const toStart = nodes.filter((n) => !procs.get(n.id));
    const ownPids = new Set([...procs.values()].flatMap((p) => (p ? [p.pid] : [])));
    for (const t of targets) {
      await assertPortsFree(t.ex, spec, toStart.filter((n) => t.nodes.includes(n)), ownPids, t.host.address).catch((e: Error) => {
        throw new PreflightError(`Nothing was started: ${e.message}`);
      });
    }
    for (const node of toStart) {
      const t = targetOf(targets, node);
      if (!(await t.ex.readFile(node.runScript))) throw new ZkopsError(`Node ${node.id} has never been set up (${node.runScript} is missing). Run zkops init (or deploy) first.`, ExitCode.usage);
    }
    if (toStart.length) await progress.step('start', () => Promise.all(toStart.map((n) => startNode(targetOf(targets, n).ex, spec, n))), () => `node${toStart.length > 1 ? 's' : ''} ${toStart.map((n) => n.id).join(', ')}`);
    const running = spec.nodes.filter((n) => procs.get(n.id) || toStart.includes(n));
    const reports = await settle(spec, running, progress, timeoutSeconds, waitHooks(spec, targets));
    return printStarted(spec, clusterStatus(spec, reports), toStart.map((n) => n.id), nodes, out);
  } finally {
    await closeTargets(targets);
  }
}

/**
 * After a start: waits for the quorum of the nodes that should now run (nodes
 * left stopped on purpose do not count) when they can form one, else just looks.
 */
async function settle(spec: ClusterSpec, running: NodeSpec[], progress: Progress, timeoutSeconds: number, hooks: WaitHooks) {
  if (running.length * 2 <= spec.nodes.length) return probeCluster(spec);
  return (await progress.step('quorum', () => waitForQuorum(spec, timeoutSeconds * 1000, hooks, running))).reports;
}

function printStarted(spec: ClusterSpec, status: ReturnType<typeof clusterStatus>, startedIds: number[], asked: NodeSpec[], out: OutputOptions): number {
  if (out.json) printJson({ ...status, started: startedIds, alreadyRunning: asked.filter((n) => !startedIds.includes(n.id)).map((n) => n.id) });
  else {
    process.stdout.write(formatStatus(status));
    process.stdout.write(startedIds.length ? `Started node${startedIds.length > 1 ? 's' : ''} ${startedIds.join(', ')}.\n` : 'Nothing to start: the nodes were already running.\n');
  }
  return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
}

export async function restartCommand(flags: ClusterFlags, ids: string[], out: OutputOptions, timeoutSeconds: number): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const progress = new Progress(out.progress);
  if (spec.executor === 'docker') {
    const d = await dockerSteps();
    await progress.step('restart', () => d.restartContainers(d.engine, spec, nodes, timeoutSeconds * 1000), () => `node${nodes.length > 1 ? 's' : ''} ${nodes.map((n) => n.id).join(', ')}, one at a time`);
    const status = clusterStatus(spec, await probeCluster(spec), await d.containerProcesses(d.engine, spec));
    if (out.json) printJson({ ...status, restarted: nodes.map((n) => n.id) });
    else process.stdout.write(formatStatus(status));
    return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  }
  const targets = await openTargets(spec);
  try {
    await progress.step('restart', () => rollingRestart(spec, targets, nodes, timeoutSeconds * 1000), () => `node${nodes.length > 1 ? 's' : ''} ${nodes.map((n) => n.id).join(', ')}, one at a time`);
    const status = clusterStatus(spec, await probeCluster(spec));
    if (out.json) printJson({ ...status, restarted: nodes.map((n) => n.id) });
    else process.stdout.write(formatStatus(status));
    return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  } finally {
    await closeTargets(targets);
  }
}
