/**
 * The runtime for nodes on hosts reached by a shell: this machine (a
 * pseudo-cluster) or VMs over SSH. Each host gets one executor; everything
 * here is built on the Executor interface, so this machine and an SSH host
 * behave the same. What changes nodes (render, start, stop, checks) is loaded
 * when first used: `status` and `logs` need only the connections and the
 * process listing (loading the rest took about 10 ms of a local status's 240).
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { sh } from '../shell.js';
import type { Executor } from '../executors/types.js';
import type { WaitHooks } from '../health/wait.js';
import { findNodeProcesses, type ZkProcess } from '../hosts/processes.js';
import {
  closeHostPlaces,
  openHostPlaces,
  hostPlaceOf,
  type Connect,
  type HostPlace,
  type UnreachableHost,
} from '../hosts/places.js';
import type { Surveyed } from './host-deploy.js';
import { logLines, logTail } from './host-logs.js';
import type {
  Applied,
  NodePlace,
  NodePlan,
  PlanOptions,
  RunState,
  Runtime,
  RuntimeCapabilities,
  RuntimeFinding,
  RuntimeOptions,
  StopOutcome,
  Survey,
  Unreachable,
} from './types.js';

/** The runtime for nodes on hosts reached by a shell (see the top of this file). */
export class HostRuntime implements Runtime {
  readonly summary: string;
  readonly capabilities: RuntimeCapabilities;
  readonly dataDescription?: string;
  readonly unreachable: Unreachable[];
  /** What the last survey found (survey, plan and apply run in that order). */
  private surveyed: Surveyed = { hostStates: [] };
  /** The deploying half (runtime/host-deploy.ts), loaded by the survey that plan and apply follow. */
  private deploying?: typeof import('./host-deploy.js');

  private constructor(
    readonly spec: ClusterSpec,
    /** Each host with its executor and nodes. */
    private readonly hostPlaces: HostPlace[],
    private readonly options: RuntimeOptions,
    private readonly down: UnreachableHost[] = [],
  ) {
    this.summary = `${hostPlaces.length} host${hostPlaces.length === 1 ? '' : 's'}`;
    this.unreachable = down.map((d) => ({
      place: d.host.name,
      address: d.host.address,
      nodes: d.nodes.map((n) => n.id),
      reason: d.reason,
    }));
    // Hosts that could not be reached are SSH hosts. Data on remote hosts is never deleted by zkops; on this
    // machine it is the operator's own.
    const here = down.length === 0 && hostPlaces.every((t) => !t.remote);
    this.capabilities = { onThisMachine: here, deletesData: here, pidFiles: true };
    if (here) this.dataDescription = `${spec.dir} (all ZooKeeper data)`;
  }

  /** A runtime over hosts already reached (servers found by discovery, not set up by zkops). */
  static fromHostPlaces(spec: ClusterSpec, places: HostPlace[]): HostRuntime {
    return new HostRuntime(spec, places, {});
  }

  /** Opens an executor per host: this machine for a local cluster, else an SSH connection each (in parallel). */
  static async open(spec: ClusterSpec, options: RuntimeOptions): Promise<HostRuntime> {
    let connect: Connect = { remote: false };
    if (spec.executor === 'ssh') {
      const { connectSsh } = await import('../executors/ssh.js');
      connect = {
        remote: true,
        open: (host) =>
          connectSsh(spec, host, options).then((ex) => {
            options.warm?.({ host, ex, nodes: spec.nodes.filter((n) => n.host === host), remote: true });
            return ex;
          }),
      };
    }
    const { places, unreachable } = await openHostPlaces(spec, connect, { partial: options.partial });
    return new HostRuntime(spec, places, options, unreachable);
  }

  async survey(options: { checkPorts: boolean; dryRun: boolean }): Promise<Survey> {
    this.deploying ??= await import('./host-deploy.js');
    const { surveyed, survey } = await this.deploying.surveyHosts(this.spec, this.hostPlaces, this.options, options);
    this.surveyed = surveyed;
    return survey;
  }

  plan(survey: Survey, options: PlanOptions = {}): NodePlan[] {
    return this.deploying?.planHosts(this.spec, this.surveyed, survey, options) ?? [];
  }

  async apply(plans: NodePlan[], options: { dryRun: boolean; noRestart?: boolean }): Promise<Applied> {
    this.deploying ??= await import('./host-deploy.js');
    return this.deploying.applyHosts(this.spec, this.hostPlaces, this.surveyed, plans, options, this.options.progress);
  }

  async start(nodes: NodeSpec[]): Promise<void> {
    const { startNode } = await import('../hosts/service.js');
    await Promise.all(nodes.map((n) => startNode(this.ex(n), this.spec, n)));
  }

  async stop(node: NodeSpec): Promise<StopOutcome> {
    const ex = this.ex(node);
    const { stopNode } = await import('../hosts/service.js');
    const proc = (await findNodeProcesses(ex, [node])).get(node.id);
    const outcome = await stopNode(ex, this.spec, node, proc);
    // Stopped on purpose: no pid file (as after zkServer.sh stop), so a crash is told apart later.
    await ex.exec(`rm -f ${sh(node.pidFile)}`);
    return outcome;
  }

  async restart(node: NodeSpec): Promise<void> {
    const ex = this.ex(node);
    const { startNode, stopNode } = await import('../hosts/service.js');
    await stopNode(ex, this.spec, node, (await findNodeProcesses(ex, [node])).get(node.id));
    await startNode(ex, this.spec, node);
  }

  async checkStartable(nodes: NodeSpec[], known?: Map<number, ZkProcess | undefined>): Promise<void> {
    const procs = known ?? (await this.processes());
    const ownPids = new Set([...procs.values()].flatMap((p) => (p ? [p.pid] : [])));
    const { assertStartableOn } = await import('./host-checks.js');
    await Promise.all(
      this.hostPlaces.map(async (t) => {
        const mine = nodes.filter((n) => t.nodes.includes(n));
        if (mine.length) await assertStartableOn(t, mine, ownPids);
      }),
    );
  }

  async processes(): Promise<Map<number, ZkProcess | undefined>> {
    const maps = await Promise.all(this.hostPlaces.map((t) => findNodeProcesses(t.ex, t.nodes)));
    return new Map(maps.flatMap((m) => [...m]));
  }

  async runStates(known?: Map<number, ZkProcess | undefined>): Promise<Map<number, RunState>> {
    const procs = known ?? (await this.processes());
    const { downNodeState } = await import('./host-checks.js');
    const states = await Promise.all(
      this.spec.nodes.map(async (node): Promise<[number, RunState]> => {
        const p = procs.get(node.id);
        if (p) return [node.id, { state: 'running', process: p }];
        const gone = this.down.find((d) => d.nodes.includes(node));
        if (gone)
          return [
            node.id,
            { state: 'unknown', detail: `${gone.host.name} cannot be reached over SSH: ${gone.reason}` },
          ];
        return [node.id, await downNodeState(hostPlaceOf(this.hostPlaces, node), node)];
      }),
    );
    return new Map(states);
  }

  waitHooks(): WaitHooks {
    return {
      deadNodes: async () => {
        const procs = await this.processes();
        return this.hostPlaces
          .flatMap((t) => t.nodes)
          .filter((n) => !procs.get(n.id))
          .map((n) => n.id);
      },
      logTail: (node) => logTail(this.ex(node), node),
    };
  }

  async places(): Promise<NodePlace[]> {
    return this.hostPlaces.flatMap(nodePlacesOn);
  }

  async selfCheck(): Promise<RuntimeFinding[]> {
    const { hostFindings } = await import('./host-checks.js');
    return hostFindings(this.summary, this.hostPlaces, this.down);
  }

  async destroy(): Promise<{ stopped: number[]; removed: string[] }> {
    if (!this.dataDescription) {
      throw new ZkopsError(
        `destroy removes data, so zkops never runs it on SSH hosts (${this.spec.name} runs on ${this.summary}). ` +
          `Use zkops stop, and remove data on the hosts yourself if you mean it.`,
        ExitCode.usage,
      );
    }
    const stopped: number[] = [];
    await Promise.all(
      this.spec.nodes.map(async (n) => {
        if ((await this.stop(n)).status === 'stopped') stopped.push(n.id);
      }),
    );
    const removed = [
      ...new Set(this.spec.nodes.flatMap((n) => [n.dir, n.dataDir, ...(n.dataLogDir ? [n.dataLogDir] : [])])),
    ];
    for (const dir of removed) await rm(dir, { recursive: true, force: true });
    for (const f of ['java.sh', 'zk.sh']) await rm(path.join(this.spec.dir, f), { force: true });
    await rmdir(this.spec.dir).catch(() => undefined);
    return { stopped: stopped.sort((a, b) => a - b), removed };
  }

  async close(): Promise<void> {
    await closeHostPlaces(this.hostPlaces);
  }

  /** The executor of the node's host; a node on a host that could not be reached is an error naming why. */
  private ex(node: NodeSpec) {
    const gone = this.down.find((d) => d.nodes.includes(node));
    if (gone) {
      throw new ZkopsError(
        `node ${node.id} is on ${gone.host.name}, which cannot be reached over SSH (${gone.reason}); nothing was ` +
          `done to it.`,
      );
    }
    return hostPlaceOf(this.hostPlaces, node).ex;
  }

  async retire(node: NodeSpec): Promise<StopOutcome> {
    const outcome = await this.stop(node);
    const { disableUnit } = await import('./host-shell.js');
    await disableUnit(this.ex(node), this.spec, node);
    return outcome;
  }

  dataAccess<T>(node: NodeSpec, fn: (ex: Executor) => Promise<T>): Promise<T> {
    return fn(this.ex(node));
  }

  logLines(node: NodeSpec, lines: number): Promise<string> {
    return logLines(this.ex(node), node, lines);
  }
}

/** The nodes of one host as places, each with how to ask a shell which Java its server would run. */
export function nodePlacesOn(t: HostPlace): NodePlace[] {
  return t.nodes.map((node) => ({
    node,
    ex: t.ex,
    machine: { label: t.host.name, address: t.host.address, ex: t.ex, remote: t.remote },
    env: node.handMade
      ? { kind: 'zkEnv' as const, binDir: node.handMade.binDir, confDir: node.handMade.confDir }
      : { kind: 'java.env' as const, file: path.join(node.confDir, 'java.env') },
  }));
}
