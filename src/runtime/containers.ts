/**
 * The runtime for nodes in containers on this machine's Docker engine: one
 * container per node on the cluster's own bridge network (container names
 * resolve there), data and transaction logs in named volumes that outlive the
 * containers, the client port published on 127.0.0.1 only. zoo.cfg and myid
 * are rendered from the same templates as on hosts and put into each
 * container before it first starts.
 *
 * A container is recreated only when what it was made from changed (image,
 * files, JVM flags, published port); `apply` creates missing and stopped ones,
 * and a running one is recreated by `restart`, so the pipeline's rolling
 * restart (followers first, one at a time) applies to containers too. The
 * engine restarts a crashed server (unless-stopped).
 */
import { ExitCode, PreflightError, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { DockerEngine, type NodeContainer } from '../executors/docker.js';
import { LocalExecutor } from '../executors/local.js';
import type { Executor } from '../executors/types.js';
import { problemLines } from '../health/log.js';
import type { WaitHooks } from '../health/wait.js';
import { assertPortsFree } from '../hosts/ports.js';
import { targetLevels } from '../security/levels.js';
import {
  containerFiles,
  nodeContainerName,
  containerVersion,
  containerVolumes,
  volumeMounts,
  wantedContainer,
  type ContainerWanted,
} from './container-spec.js';
import { compareContainerFiles, recreateContainer } from './container-files.js';
import { asStep } from './progress.js';
import { checkImageJava, containerProcess, engineFindings, surveyContainer } from './container-survey.js';
import type {
  Unreachable,
  Applied,
  Machine,
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
  ZkProcess,
} from './types.js';

/** Exit codes of a server stopped on purpose (TERM → 143), not crashed. */
const STOPPED_ON_PURPOSE = new Set([0, 143]);

/** The runtime for nodes in containers on this machine's Docker engine (see the top of this file). */
export class ContainerRuntime implements Runtime {
  readonly summary: string;
  /** Containers on this machine's engine; the engine, not a pid file, keeps track of each server. */
  readonly capabilities: RuntimeCapabilities = { onThisMachine: true, deletesData: true, pidFiles: false };
  readonly dataDescription: string;
  readonly unreachable: Unreachable[] = [];
  private readonly docker: NonNullable<ClusterSpec['docker']>;
  private readonly machine: Machine;
  private imageId = '';
  /** The release the image carries, as its environment says (read by the survey). */
  private imageVersion?: string;
  /** What the survey read of each node's files (path → content; undefined: missing). */
  private seen = new Map<number, Map<string, string | undefined>>();
  /** After apply: the config hash each node's container must have. */
  private wanted = new Map<number, ContainerWanted>();

  private constructor(
    readonly spec: ClusterSpec,
    private readonly engine: DockerEngine,
    private readonly options: RuntimeOptions,
  ) {
    if (!spec.docker) throw new Error('a container runtime needs the docker settings');
    this.docker = spec.docker;
    this.summary = `Docker engine at ${engine.where}`;
    this.dataDescription = 'its containers, volumes (all ZooKeeper data) and network';
    this.machine = { label: 'this machine', address: '127.0.0.1', ex: new LocalExecutor(), remote: false };
  }

  static async open(spec: ClusterSpec, options: RuntimeOptions): Promise<ContainerRuntime> {
    return new ContainerRuntime(spec, await DockerEngine.connect(), options);
  }

  async survey(options: { checkPorts: boolean; dryRun: boolean }): Promise<Survey> {
    const image = this.docker.image;
    const progress = this.options.progress;
    // A dry run pulls nothing: a missing image shows as containers that would be (re)created.
    const ensure = async () =>
      options.dryRun
        ? ((await this.engine.imageId(image)) ?? `(${image}, to be pulled)`)
        : this.engine.ensureImage(image, () => progress?.note(`pulling ${image}`));
    this.imageId = await asStep(progress, 'image', ensure, () => image);
    this.imageVersion = await this.engine.imageZookeeperVersion(image);
    if (!options.dryRun) await checkImageJava(this.engine, this.spec, this.imageId);
    const containers = await this.engine.nodeContainers(this.spec.name);
    const surveyed = await Promise.all(
      this.spec.nodes.map((node) =>
        surveyContainer(
          this.engine,
          node,
          containers.find((x) => x.node === node.id),
        ),
      ),
    );
    for (const s of surveyed) if (s.seen) this.seen.set(s.survey.node.id, s.seen);
    const nodes = surveyed.map((s) => s.survey);
    if (options.checkPorts) {
      const toStart = nodes.filter((n) => !n.process).map((n) => n.node);
      if (toStart.length) await assertPortsFree(this.machine.ex, toStart, new Set(), this.machine.label);
    }
    return { summary: `${image} on ${this.engine.where}`, nodes };
  }

  plan(survey: Survey, options: PlanOptions = {}): NodePlan[] {
    return this.spec.nodes.map((node) => {
      const files = containerFiles(this.spec, node, this.version(), {
        trustEmptySnapshot: options.trustEmptySnapshot?.has(node.id),
        security: options.security,
      });
      return {
        node,
        version: this.version(),
        files,
        zooCfg: files.find((f) => f.path === node.zooCfg)!.content,
        running: Boolean(survey.nodes.find((s) => s.node === node)?.process),
        security: options.security ?? targetLevels(this.spec),
      };
    });
  }

  async apply(plans: NodePlan[], options: { dryRun: boolean }): Promise<Applied> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    const nodes = await Promise.all(
      plans.map(async (p) => {
        const want = wantedContainer(this.spec, this.imageId, p.node, p.files, p.security ?? targetLevels(this.spec));
        this.wanted.set(p.node.id, want);
        const have = containers.find((c) => c.node === p.node.id);
        const files = await compareContainerFiles(
          this.engine,
          p.node,
          have,
          p.files,
          this.seen.get(p.node.id),
          options.dryRun,
        );
        return { node: p.node, files, changed: have?.config !== want.hash, have };
      }),
    );
    if (!options.dryRun) {
      await this.engine.ensureNetwork(this.docker.network, this.spec.name);
      // Containers that are not running are (re)made now; running ones when they restart.
      await Promise.all(nodes.filter((n) => !n.have?.running && n.changed).map((n) => this.recreate(n.node, n.have)));
    }
    return { nodes: nodes.map(({ have: _have, ...n }) => n) };
  }

  async start(nodes: NodeSpec[]): Promise<void> {
    const containers = await this.requireContainers(nodes);
    await Promise.all(nodes.map((n) => this.engine.start(containers.get(n.id)!.id)));
  }

  async stop(node: NodeSpec): Promise<StopOutcome> {
    const c = (await this.engine.nodeContainers(this.spec.name)).find((x) => x.node === node.id);
    if (!c?.running || !c.pid) return { status: 'not-running' };
    const t0 = Date.now();
    await this.engine.stop(c.id, 15);
    return { status: 'stopped', pid: c.pid, forced: Date.now() - t0 > 15000 };
  }

  async restart(node: NodeSpec): Promise<void> {
    const c = (await this.requireContainers([node])).get(node.id)!;
    const want = this.wanted.get(node.id);
    if (want && want.hash !== c.config) {
      await this.recreate(node, c);
      await this.engine.start(nodeContainerName(node));
    } else await this.engine.restart(c.id, 15);
  }

  async checkStartable(nodes: NodeSpec[]): Promise<void> {
    const containers = await this.requireContainers(nodes);
    const stopped = nodes.filter((n) => !containers.get(n.id)!.running);
    if (stopped.length) {
      await assertPortsFree(this.machine.ex, stopped, new Set(), this.machine.label).catch((e: Error) => {
        throw new PreflightError(`Nothing was started: ${e.message}`);
      });
    }
  }

  async processes(): Promise<Map<number, ZkProcess | undefined>> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    return new Map(this.spec.nodes.map((n) => [n.id, containerProcess(containers.find((x) => x.node === n.id))]));
  }

  async runStates(): Promise<Map<number, RunState>> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    const states = await Promise.all(
      this.spec.nodes.map(async (node): Promise<[number, RunState]> => {
        const c = containers.find((x) => x.node === node.id);
        if (!c) return [node.id, { state: 'absent', detail: `has no container (${nodeContainerName(node)})` }];
        const p = containerProcess(c);
        if (p) return [node.id, { state: 'running', process: p }];
        const end = await this.engine.state(c.id);
        if (STOPPED_ON_PURPOSE.has(end.exitCode))
          return [node.id, { state: 'stopped', detail: `container ${c.name} was stopped` }];
        const log = problemLines(await this.engine.logTail(c.id));
        return [
          node.id,
          { state: 'crashed', detail: `container ${c.name} is ${end.status} (exit code ${end.exitCode})`, log },
        ];
      }),
    );
    return new Map(states);
  }

  /** A stopped container stays stopped (restart policy unless-stopped), so stopping is retiring. */
  retire(node: NodeSpec): Promise<StopOutcome> {
    return this.stop(node);
  }

  async dataAccess<T>(node: NodeSpec, fn: (ex: Executor) => Promise<T>): Promise<T> {
    await this.requireContainers([node]);
    return this.engine.withHelper(this.docker.image, volumeMounts(node), `${nodeContainerName(node)}-data`, fn);
  }

  async logLines(node: NodeSpec, lines: number): Promise<string> {
    return this.engine.logTail(nodeContainerName(node), lines);
  }

  waitHooks(): WaitHooks {
    return {
      deadNodes: async () => {
        const procs = await this.processes();
        return this.spec.nodes.filter((n) => !procs.get(n.id)).map((n) => n.id);
      },
      logTail: async (node) => problemLines(await this.engine.logTail(nodeContainerName(node))),
    };
  }

  async places(): Promise<NodePlace[]> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    return this.spec.nodes.flatMap((node) => {
      const c = containers.find((x) => x.node === node.id);
      return c ? [{ node, ex: this.engine.executor(c.id, c.name), machine: this.machine }] : [];
    });
  }

  selfCheck(): Promise<RuntimeFinding[]> {
    return engineFindings(this.engine, this.docker.image);
  }

  async destroy(): Promise<{ stopped: number[]; removed: string[] }> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    const stopped = containers.filter((c) => c.running).map((c) => c.node);
    await Promise.all(containers.map((c) => this.engine.remove(c.id)));
    const removed = containers.map((c) => c.name);
    // The volumes of every node container found, servers removed from the ensemble since included.
    const names = new Set([...this.spec.nodes.map(nodeContainerName), ...containers.map((c) => c.name)]);
    for (const name of names) {
      const vols = containerVolumes(name);
      for (const v of [vols.data, vols.datalog]) if (await this.engine.removeVolume(v)) removed.push(v);
    }
    if (await this.engine.removeNetwork(this.docker.network)) removed.push(this.docker.network);
    return { stopped: stopped.sort((a, b) => a - b), removed };
  }

  async close(): Promise<void> {}

  /** The version the image runs (see containerVersion). */
  private version(): string {
    return containerVersion(this.spec, this.docker.image, this.imageVersion);
  }

  /** Replaces a node's container with what apply wants of it. */
  private async recreate(node: NodeSpec, existing: NodeContainer | undefined): Promise<void> {
    const want = this.wanted.get(node.id);
    if (!want) throw new Error(`node ${node.id}: recreate before apply`);
    await recreateContainer(this.engine, this.spec, this.imageId, node, want, existing);
  }

  /** This cluster's containers of `nodes`; every one must exist (else the cluster was never brought up). */
  private async requireContainers(nodes: NodeSpec[]): Promise<Map<number, NodeContainer>> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    const missing = nodes.filter((n) => !containers.some((c) => c.node === n.id));
    if (missing.length) {
      throw new ZkopsError(
        `Node${missing.length > 1 ? 's' : ''} ${missing.map((n) => n.id).join(', ')} of ${this.spec.name} ` +
          `ha${missing.length > 1 ? 've' : 's'} no container. Run zkops init (or deploy) with its inventory first.`,
        ExitCode.usage,
      );
    }
    return new Map(nodes.map((n) => [n.id, containers.find((c) => c.node === n.id)!]));
  }
}
