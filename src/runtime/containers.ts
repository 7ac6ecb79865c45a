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
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ExitCode, PreflightError, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { containerLogFlags, jvmFlags, renderNodeFiles, type HostFacts } from '../render/node.js';
import { DockerEngine, LABEL, type NodeContainer } from '../executors/docker.js';
import { isPrivateFile, type FileOutcome } from '../executors/helpers.js';
import { LocalExecutor } from '../executors/local.js';
import type { Executor, RenderedFile } from '../executors/types.js';
import { problemLines } from '../health/log.js';
import type { WaitHooks } from '../health/wait.js';
import { assertPortsFree } from '../hosts/ports.js';
import { sh } from '../shell.js';
import { renderSecurity, securityFiles } from '../render/security.js';
import { targetLevels, type SecurityLevels } from '../security/levels.js';
import type {
  Unreachable,
  Applied,
  Machine,
  NodePlace,
  NodePlan,
  PlanOptions,
  RunState,
  Runtime,
  RuntimeFinding,
  RuntimeOptions,
  StopOutcome,
  Survey,
  ZkProcess,
} from './types.js';

/** What rendering needs to know inside a container built with the official image's conventions. */
const IN_CONTAINER_FACTS: Omit<HostFacts, 'zookeeperVersion'> = {
  // The account the official image runs its server as: private files are given to it.
  user: 'zookeeper',
  javaHome: '/opt/java/openjdk',
  zookeeperHome: '/apache-zookeeper',
  classpath: '',
  bindAll: false,
};

/** The uid and gid of the image's zookeeper account (read from its /etc/passwd), else root's. */
async function serverAccount(ex: { readFile(file: string): Promise<string | undefined> }) {
  const line = (await ex.readFile('/etc/passwd'))?.split('\n').find((l) => l.startsWith('zookeeper:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : { uid: 0, gid: 0 };
}

/** The client port inside every container; published on 127.0.0.1 at the node's clientPort. */
const CLIENT_PORT_INSIDE = 2181;

/** Exit codes of a server stopped on purpose (TERM → 143), not crashed. */
const STOPPED_ON_PURPOSE = new Set([0, 143]);

export class ContainerRuntime implements Runtime {
  readonly summary: string;
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
  private wanted = new Map<number, { hash: string; files: RenderedFile[]; security?: SecurityLevels }>();

  private constructor(
    readonly spec: ClusterSpec,
    private readonly engine: DockerEngine,
    private readonly options: RuntimeOptions,
  ) {
    if (!spec.docker) throw new Error('a container runtime needs the docker settings');
    this.docker = spec.docker;
    this.summary = `Docker engine at ${engine.where}`;
    this.dataDescription = 'its containers, volumes (all ZooKeeper data) and network';
    this.machine = { label: 'this machine', address: '127.0.0.1', ex: new LocalExecutor() };
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
    this.imageId = progress ? await progress.step('image', ensure, () => image) : await ensure();
    this.imageVersion = await this.engine.imageZookeeperVersion(image);
    if (!options.dryRun) await this.checkJavaFlags();
    const containers = await this.engine.nodeContainers(this.spec.name);
    const nodes = await Promise.all(
      this.spec.nodes.map(async (node) => {
        const c = containers.find((x) => x.node === node.id);
        if (!c) return { node, hasData: false };
        const ex = this.engine.executor(c.id, c.name);
        // A server that has joined an ensemble keeps its epoch beside its data.
        const myidFile = path.posix.join(node.dataDir, 'myid');
        // Snapshots and transaction logs, for an upgrade from 3.4 (a running container only: exec needs one).
        const dirs = [node.dataDir, node.dataLogDir ?? node.dataDir].map((d) => sh(path.posix.join(d, 'version-2')));
        const [myid, zooCfg, epoch, listing] = await Promise.all([
          ex.readFile(myidFile),
          ex.readFile(node.zooCfg),
          ex.readFile(path.posix.join(node.dataDir, 'version-2', 'currentEpoch')),
          c.running
            ? ex.exec(`ls ${dirs.join(' ')} 2>/dev/null`).then(
                (r) => r.stdout,
                () => '',
              )
            : '',
        ]);
        // What the files say now: apply compares against it without asking the engine again.
        this.seen.set(
          node.id,
          new Map([
            [myidFile, myid],
            [node.zooCfg, zooCfg],
          ]),
        );
        return {
          node,
          process: this.processOf(c),
          myid: myid?.trim(),
          hasData: epoch !== undefined,
          snapshots: /^snapshot\./m.test(listing),
          txnLogs: /^log\./m.test(listing),
          runningZooCfg: c.running ? zooCfg : undefined,
        };
      }),
    );
    if (options.checkPorts) {
      const toStart = nodes.filter((n) => !n.process).map((n) => n.node);
      if (toStart.length) await assertPortsFree(this.machine.ex, toStart, new Set(), this.machine.label);
    }
    return { summary: `${image} on ${this.engine.where}`, nodes };
  }

  plan(survey: Survey, options: PlanOptions = {}): NodePlan[] {
    return this.spec.nodes.map((node) => {
      const files = this.files(node, options.trustEmptySnapshot?.has(node.id), options.security);
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
        // The levels first: the environment (JVM flags) the hash covers depends on them.
        this.wanted.set(p.node.id, { hash: '', files: p.files, security: p.security });
        const hash = this.configHash(p.node, p.files);
        this.wanted.set(p.node.id, { hash, files: p.files, security: p.security });
        const have = containers.find((c) => c.node === p.node.id);
        const ex = have && this.engine.executor(have.id, have.name);
        const files = await Promise.all(
          p.files.map(async (f): Promise<FileOutcome> => {
            const known = this.seen.get(p.node.id);
            const before = known?.has(f.path) ? known.get(f.path) : ex ? await ex.readFile(f.path) : undefined;
            const status = before === f.content ? 'unchanged' : 'changed';
            return {
              path: `${have?.name ?? this.containerName(p.node)}:${f.path}`,
              status,
              before: options.dryRun && !isPrivateFile(f) ? before : undefined,
              after: options.dryRun && !isPrivateFile(f) ? f.content : undefined,
            };
          }),
        );
        return { node: p.node, files, changed: have?.config !== hash, have };
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
      await this.engine.start(this.containerName(node));
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
    return new Map(this.spec.nodes.map((n) => [n.id, this.processOf(containers.find((x) => x.node === n.id))]));
  }

  async runStates(): Promise<Map<number, RunState>> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    const states = await Promise.all(
      this.spec.nodes.map(async (node): Promise<[number, RunState]> => {
        const c = containers.find((x) => x.node === node.id);
        if (!c) return [node.id, { state: 'absent', detail: `has no container (${this.containerName(node)})` }];
        const p = this.processOf(c);
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
    const vols = this.volumes(node);
    return this.engine.withHelper(
      this.docker.image,
      { [vols.data]: node.dataDir, [vols.datalog]: node.dataLogDir ?? '/datalog' },
      `${this.containerName(node)}-data`,
      fn,
    );
  }

  async logLines(node: NodeSpec, lines: number): Promise<string> {
    return this.engine.logTail(this.containerName(node), lines);
  }

  waitHooks(): WaitHooks {
    return {
      deadNodes: async () => {
        const procs = await this.processes();
        return this.spec.nodes.filter((n) => !procs.get(n.id)).map((n) => n.id);
      },
      logTail: async (node) => problemLines(await this.engine.logTail(this.containerName(node))),
    };
  }

  async places(): Promise<NodePlace[]> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    return this.spec.nodes.flatMap((node) => {
      const c = containers.find((x) => x.node === node.id);
      return c ? [{ node, ex: this.engine.executor(c.id, c.name), machine: this.machine }] : [];
    });
  }

  async selfCheck(): Promise<RuntimeFinding[]> {
    const image = this.docker.image;
    const found = await this.engine.imageId(image);
    return [
      { check: 'engine', severity: 'ok', message: `Docker engine at ${this.engine.where} answers` },
      found
        ? { check: 'image', severity: 'ok', message: `${image} is on the engine` }
        : {
            check: 'image',
            severity: 'error',
            message: `${image} is not on the engine; new containers cannot be created`,
            fix: `docker pull ${image}, or set docker.image`,
          },
    ];
  }

  async destroy(): Promise<{ stopped: number[]; removed: string[] }> {
    const containers = await this.engine.nodeContainers(this.spec.name);
    const stopped = containers.filter((c) => c.running).map((c) => c.node);
    await Promise.all(containers.map((c) => this.engine.remove(c.id)));
    const removed = containers.map((c) => c.name);
    // The volumes of every node container found, servers removed from the ensemble since included.
    const places = new Set([...this.spec.nodes.map((n) => n.place), ...containers.map((c) => c.name)]);
    for (const place of places) {
      for (const v of [`${place}-data`, `${place}-datalog`]) if (await this.engine.removeVolume(v)) removed.push(v);
    }
    if (await this.engine.removeNetwork(this.docker.network)) removed.push(this.docker.network);
    return { stopped: stopped.sort((a, b) => a - b), removed };
  }

  async close(): Promise<void> {}

  /**
   * The image's Java must accept the servers' flags: a throw-away container runs
   * `java FLAGS -version` (only when the inventory adds flags of its own; zkops's
   * own are accepted by every Java the official images ship).
   */
  private async checkJavaFlags(): Promise<void> {
    const sets = [
      ...new Set(
        this.spec.nodes
          .filter((n) => n.javaFlags.length)
          .map((n) => JSON.stringify(this.env(n)[0]!.slice('JVMFLAGS='.length).split(' '))),
      ),
    ];
    for (const set of sets.map((s) => JSON.parse(s) as string[])) {
      const r = await this.engine.runOnce(this.imageId, ['java', ...set, '-version']);
      if (r.code !== 0) {
        throw new PreflightError(
          `The Java in ${this.docker.image} refuses the servers' JVM flags (${set.join(' ')}): it said ` +
            `"${r.output.trim().split('\n').slice(0, 2).join(' ')}". ` +
            'Fix or remove that flag in java.flags (or nodes[].javaFlags); nothing was created.',
        );
      }
    }
  }

  private containerName(node: NodeSpec): string {
    return node.place;
  }

  private volumes(node: NodeSpec) {
    return { data: `${node.place}-data`, datalog: `${node.place}-datalog` };
  }

  private processOf(c: NodeContainer | undefined): ZkProcess | undefined {
    return c?.running && c.pid
      ? { pid: c.pid, config: '/conf/zoo.cfg', command: `container ${c.name}`, by: 'docker' }
      : undefined;
  }

  /**
   * The version the image runs, which decides what its zoo.cfg may say: zookeeper.version, else what the image's
   * environment names, else its tag (zookeeper:3.9.3; zookeeper:3.9 as 3.9.0, the same version line).
   */
  private version(): string {
    const tag = /:(\d+\.\d+)(\.\d+)?$/.exec(this.docker.image);
    const version = this.spec.zookeeper.version ?? this.imageVersion ?? (tag && `${tag[1]}${tag[2] ?? '.0'}`);
    if (!version)
      throw new PreflightError(
        `Cannot tell which ZooKeeper release ${this.docker.image} carries: its tag is not a version and its ` +
          'environment names no apache-zookeeper-X.Y.Z-bin. Set zookeeper.version in the inventory (e.g. 3.8.4); ' +
          'it decides which keys go into zoo.cfg. Nothing was written or started.',
      );
    return version;
  }

  /** zoo.cfg and myid of a node, as the container reads them. */

  private files(node: NodeSpec, trustEmptySnapshot = false, security?: SecurityLevels): RenderedFile[] {
    const facts = { ...IN_CONTAINER_FACTS, zookeeperVersion: this.version() };
    const inside = { ...node, clientPort: CLIENT_PORT_INSIDE };
    // The image brings its own scripts; zkops gives it the config, the id, and TLS and SASL's files.
    const keep = new Set([node.zooCfg, path.posix.join(node.dataDir, 'myid'), ...securityFiles(node)]);
    return renderNodeFiles(this.spec, inside, facts, { trustEmptySnapshot, security }).filter((f) => keep.has(f.path));
  }

  /**
   * JVM flags through the image's JVMFLAGS: the GC log and heap dumps in /logs, the same heap,
   * OutOfMemoryError and user flags as on hosts, and no cached failed DNS look-ups (peers'
   * names appear as their containers start).
   */
  private env(node: NodeSpec): string[] {
    const levels = this.wanted.get(node.id)?.security ?? targetLevels(this.spec);
    const flags = [
      ...containerLogFlags(this.spec),
      ...jvmFlags(this.spec, node),
      ...renderSecurity(this.spec, node, IN_CONTAINER_FACTS, levels).jvmFlags,
      '-Dnetworkaddress.cache.negative.ttl=0',
    ];
    return [`JVMFLAGS=${flags.join(' ')}`, `ZOO_MY_ID=${node.id}`];
  }

  /** Everything a container is made from, hashed: a different hash means the container must be recreated. */
  private configHash(node: NodeSpec, files: RenderedFile[]): string {
    const h = createHash('sha256').update(this.imageId).update(`\0${this.docker.network}\0${node.clientPort}\0`);
    for (const e of this.env(node)) h.update(`${e}\0`);
    for (const f of files) h.update(`${f.path}\0${f.mode}\0${f.content}\0`);
    return h.digest('hex').slice(0, 32);
  }

  /** Replaces a node's container (its volumes, and so its data, stay) and puts its files in. */
  private async recreate(node: NodeSpec, existing: NodeContainer | undefined): Promise<void> {
    const want = this.wanted.get(node.id);
    if (!want) throw new Error(`node ${node.id}: recreate before apply`);
    if (existing) {
      if (existing.running) await this.engine.stop(existing.id, 15);
      await this.engine.remove(existing.id);
    }
    const vols = this.volumes(node);
    const id = await this.engine.createContainer({
      name: this.containerName(node),
      image: this.imageId,
      env: this.env(node),
      labels: {
        [LABEL.cluster]: this.spec.name,
        [LABEL.node]: String(node.id),
        [LABEL.config]: want.hash,
        [LABEL.image]: this.docker.image,
      },
      volumes: { [vols.data]: node.dataDir, [vols.datalog]: node.dataLogDir ?? '/datalog' },
      network: this.docker.network,
      publish: { [CLIENT_PORT_INSIDE]: node.clientPort },
    });
    const ex = this.engine.executor(id, this.containerName(node));
    // Keys and secrets belong to the account the image runs its server as (the official image: zookeeper).
    const account = want.files.some((f) => f.group) ? await serverAccount(ex) : undefined;
    for (const f of want.files)
      await ex.writeFile(f.path, f.content, f.group ? 0o600 : f.mode, f.group ? account : undefined);
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
