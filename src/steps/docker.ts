/**
 * Docker clusters: one container per node on the cluster's own bridge network
 * (container names resolve there), data and transaction logs in named volumes
 * that outlive the containers, the client port published on 127.0.0.1 only.
 * zoo.cfg and myid are rendered from the same templates as on hosts and put
 * into each container before it first starts.
 *
 * Same promises as on hosts: a container is recreated only when what it was
 * made from changed (image, zoo.cfg, myid, JVM flags, published port), one at
 * a time with followers first; a running ensemble's membership is never
 * changed in one step; the engine restarts a crashed server (unless-stopped).
 */
import { createHash } from 'node:crypto';
import { containerName, type ClusterSpec, type HostSpec, type NodeSpec } from '../inventory/spec.js';
import { renderNodeFiles, type RenderedFile } from '../render/node.js';
import { ContainerExecutor, DockerEngine, LABEL, type NodeContainer } from '../executors/docker.js';
import type { FileOutcome } from '../executors/helpers.js';
import { LocalExecutor } from '../executors/local.js';
import { followersFirst } from '../health/cluster.js';
import { problemLines } from '../health/log.js';
import { waitForQuorum, type WaitHooks } from '../health/wait.js';
import { ZkopsError } from '../errors.js';
import { assertPortsFree } from './ports.js';
import { membershipChange, serverLines, type NodeOutcome, type UpOptions, type UpResult } from './up.js';
import type { ZkProcess } from './processes.js';
import type { StopOutcome } from './processes.js';

const volumeNames = (spec: Pick<ClusterSpec, 'name'>, id: number) => ({ data: `${containerName(spec, id)}-data`, datalog: `${containerName(spec, id)}-datalog` });

/** Inside every container: the official image's paths and ZooKeeper's standard ports. */
const IN_CONTAINER = { clientPort: 2181, quorumPort: 2888, electionPort: 3888, adminPort: 8080, metricsPort: 7000, jmxPort: 9010, dir: '/', confDir: '/conf', dataDir: '/data', dataLogDir: '/datalog', logDir: '/logs', pidFile: '/data/zookeeper_server.pid', zooCfg: '/conf/zoo.cfg', runScript: '/docker-entrypoint.sh' };

/** The cluster as its containers see it: each node at its container's name, with the in-container ports and paths. */
function containerView(spec: ClusterSpec): ClusterSpec {
  const nodes: NodeSpec[] = spec.nodes.map((n) => {
    const host: HostSpec = { name: containerName(spec, n.id), address: containerName(spec, n.id), bindAll: false };
    return { ...n, ...IN_CONTAINER, host };
  });
  return { ...spec, nodes, hosts: nodes.map((n) => n.host) };
}

/** zoo.cfg and myid of a node, as the container reads them. */
function containerFiles(spec: ClusterSpec, node: NodeSpec): RenderedFile[] {
  const view = containerView(spec);
  const inside = view.nodes.find((n) => n.id === node.id)!;
  const facts = { javaHome: '/opt/java/openjdk', zookeeperHome: '/apache-zookeeper', classpath: '', zookeeperVersion: spec.zookeeper.version ?? '3.8.0', bindAll: false };
  return renderNodeFiles(view, inside, facts).filter((f) => f.path === inside.zooCfg || f.path === `${inside.dataDir}/myid`);
}

/** JVM flags through the image's JVMFLAGS: the heap, and no cached failed DNS look-ups (peers' names appear as their containers start). */
function containerEnv(spec: ClusterSpec, node: NodeSpec): string[] {
  return [`JVMFLAGS=-Xms${spec.java.heap} -Xmx${spec.java.heap} -Dnetworkaddress.cache.negative.ttl=0`, `ZOO_MY_ID=${node.id}`];
}

/** Everything a container is made from, hashed: a different hash means the container must be recreated. */
function configHash(imageId: string, spec: ClusterSpec, node: NodeSpec, files: RenderedFile[]): string {
  const h = createHash('sha256').update(imageId).update(`\0${spec.docker!.network}\0${node.clientPort}\0`);
  for (const e of containerEnv(spec, node)) h.update(`${e}\0`);
  for (const f of files) h.update(`${f.path}\0${f.mode}\0${f.content}\0`);
  return h.digest('hex').slice(0, 32);
}

interface Plan {
  node: NodeSpec;
  files: RenderedFile[];
  hash: string;
  existing?: NodeContainer;
  action: NodeOutcome['action'];
  outcomes: FileOutcome[];
}

/** Brings a Docker cluster to the state the spec describes (init and deploy with executor docker). */
export async function bringUpDocker(spec: ClusterSpec, opts: UpOptions): Promise<UpResult> {
  const { progress } = opts;
  const docker = spec.docker!;
  const engine = await progress.step('engine', () => DockerEngine.connect(), (e) => e.where);
  // A dry run pulls nothing: a missing image shows as containers that would be (re)created.
  const imageId = await progress.step(
    'image',
    async () => (opts.dryRun ? ((await engine.imageId(docker.image)) ?? `(${docker.image}, to be pulled)`) : engine.ensureImage(docker.image, () => progress.note(`pulling ${docker.image}`))),
    () => docker.image,
  );
  const existing = await engine.nodeContainers(spec.name);

  const plans: Plan[] = await progress.step('check', async () => {
    const planned = await Promise.all(
      spec.nodes.map(async (node): Promise<Plan> => {
        const files = containerFiles(spec, node);
        const hash = configHash(imageId, spec, node, files);
        const have = existing.find((c) => c.node === node.id);
        const ex = have ? new ContainerExecutor(engine, have.id, have.name) : undefined;
        const outcomes = await Promise.all(
          files.map(async (f): Promise<FileOutcome> => {
            const before = ex ? await ex.readFile(f.path) : undefined;
            return { path: `${containerName(spec, node.id)}:${f.path}`, status: before === f.content ? 'unchanged' : 'changed', before: opts.dryRun ? before : undefined };
          }),
        );
        const same = have?.config === hash;
        const action: NodeOutcome['action'] = !have?.running ? (opts.dryRun ? 'would-start' : 'started') : same ? 'unchanged' : opts.dryRun ? 'would-restart' : 'restarted';
        return { node, files, hash, existing: have, action, outcomes };
      }),
    );
    // Never change a running ensemble's server list in one step (split brain).
    for (const p of planned.filter((x) => x.existing?.running)) {
      const now = await new ContainerExecutor(engine, p.existing!.id, p.existing!.name).readFile('/conf/zoo.cfg');
      const next = p.files.find((f) => f.path === '/conf/zoo.cfg')!.content;
      if (now !== undefined && serverLines(now) !== serverLines(next)) throw membershipChange(p.node.id, now, next);
    }
    const toStart = planned.filter((p) => !p.existing?.running).map((p) => p.node);
    if (toStart.length) await assertPortsFree(new LocalExecutor(), spec, toStart, new Set(), 'this machine');
    return planned;
  });

  const outcomes: NodeOutcome[] = plans.map((p) => ({ id: p.node.id, host: containerName(spec, p.node.id), files: p.outcomes, action: p.action }));
  const changed = plans.some((p) => p.action !== 'unchanged');
  if (opts.dryRun) return { changed, nodes: outcomes, reports: [] };

  await engine.ensureNetwork(docker.network, spec.name);
  const fresh = plans.filter((p) => p.action === 'started');
  await progress.step('containers', () => Promise.all(fresh.map((p) => (p.existing?.config === p.hash ? Promise.resolve() : recreate(engine, spec, imageId, p)))), () => `${fresh.length} ready`);
  await opts.onWritten?.();
  if (opts.start === false) return { changed, nodes: outcomes, reports: [] };

  if (fresh.length) {
    await progress.step('start', () => Promise.all(fresh.map((p) => startContainer(engine, spec, p.node))), () => `node${fresh.length > 1 ? 's' : ''} ${fresh.map((p) => p.node.id).join(', ')}`);
  }
  const hooks = dockerWaitHooks(engine, spec);
  const rolling = plans.filter((p) => p.action === 'restarted');
  if (rolling.length) {
    await progress.step(
      'restart',
      async () => {
        const ordered = await followersFirst(rolling.map((p) => p.node));
        for (const p of ordered.map((n) => rolling.find((x) => x.node === n)!)) {
          await recreate(engine, spec, imageId, p);
          await startContainer(engine, spec, p.node);
          await waitForQuorum(spec, opts.timeoutMs, hooks);
        }
      },
      () => `node${rolling.length > 1 ? 's' : ''} ${rolling.map((p) => p.node.id).join(', ')}, one at a time`,
    );
  }
  const waited = await progress.step('quorum', () => waitForQuorum(spec, opts.timeoutMs, hooks), (w) => (w.verdict.status === 'healthy' ? `leader is node ${w.verdict.leader}` : ''));
  return { changed, nodes: outcomes, reports: waited.reports, quorumMs: waited.ms, processes: await containerProcesses(engine, spec) };
}

/** Replaces a node's container (its volumes, and so its data, stay) and puts its files in. */
async function recreate(engine: DockerEngine, spec: ClusterSpec, imageId: string, p: Plan): Promise<void> {
  if (p.existing) {
    const c = engine.container(p.existing.id);
    if (p.existing.running) await c.stop({ t: 15 }).catch(ignoreNotModified);
    // v: the image's anonymous volumes (the official image declares /logs one) go with it; named ones (the data) stay.
    await c.remove({ force: true, v: true });
  }
  const name = containerName(spec, p.node.id);
  const vols = volumeNames(spec, p.node.id);
  const network = spec.docker!.network;
  const created = await engine.api.createContainer({
    name,
    Hostname: name,
    Image: imageId,
    Env: containerEnv(spec, p.node),
    Labels: { [LABEL.cluster]: spec.name, [LABEL.node]: String(p.node.id), [LABEL.config]: p.hash, 'zkops.image': spec.docker!.image },
    ExposedPorts: { '2181/tcp': {} },
    HostConfig: {
      Binds: [`${vols.data}:/data`, `${vols.datalog}:/datalog`],
      PortBindings: { '2181/tcp': [{ HostIp: '127.0.0.1', HostPort: String(p.node.clientPort) }] },
      NetworkMode: network,
      // Like Restart=on-failure under systemd: a crashed server comes back; a stopped one stays stopped.
      RestartPolicy: { Name: 'unless-stopped' },
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [name] } } },
  });
  const ex = new ContainerExecutor(engine, created.id, name);
  for (const f of p.files) await ex.writeFile(f.path, f.content, f.mode);
}

async function startContainer(engine: DockerEngine, spec: ClusterSpec, node: NodeSpec): Promise<void> {
  await engine.container(containerName(spec, node.id)).start().catch(ignoreNotModified);
}

/** Docker answers 304 when a container already is in the state asked for. */
function ignoreNotModified(err: { statusCode?: number }): void {
  if (err.statusCode !== 304) throw err;
}

/** Each node's server process on this machine (the container's main process). */
export async function containerProcesses(engine: DockerEngine, spec: ClusterSpec): Promise<Map<number, ZkProcess | undefined>> {
  const containers = await engine.nodeContainers(spec.name);
  return new Map(
    spec.nodes.map((n) => {
      const c = containers.find((x) => x.node === n.id);
      return [n.id, c?.running && c.pid ? { pid: c.pid, config: '/conf/zoo.cfg', command: `container ${c.name}` } : undefined];
    }),
  );
}

/** What the quorum wait needs: which containers are down, and what a node's server printed in its current run. */
export function dockerWaitHooks(engine: DockerEngine, spec: ClusterSpec): WaitHooks {
  return {
    deadNodes: async () => {
      const containers = await engine.nodeContainers(spec.name);
      return spec.nodes.filter((n) => !containers.find((c) => c.node === n.id)?.running).map((n) => n.id);
    },
    logTail: async (node) => problemLines(await engine.logTail(containerName(spec, node.id))),
  };
}

/** Nodes whose container is missing: the cluster was never brought up (or was destroyed). */
function requireContainers(spec: ClusterSpec, nodes: NodeSpec[], containers: NodeContainer[]): void {
  const missing = nodes.filter((n) => !containers.some((c) => c.node === n.id));
  if (missing.length) throw new ZkopsError(`Node${missing.length > 1 ? 's' : ''} ${missing.map((n) => n.id).join(', ')} of ${spec.name} ha${missing.length > 1 ? 've' : 's'} no container. Run zkops init (or deploy) with its inventory first.`);
}

/** Starts the given nodes' containers; returns the ids actually started. */
export async function startContainers(engine: DockerEngine, spec: ClusterSpec, nodes: NodeSpec[]): Promise<number[]> {
  const containers = await engine.nodeContainers(spec.name);
  requireContainers(spec, nodes, containers);
  const stopped = nodes.filter((n) => !containers.find((c) => c.node === n.id)!.running);
  if (stopped.length) await assertPortsFree(new LocalExecutor(), spec, stopped, new Set(), 'this machine');
  await Promise.all(stopped.map((n) => startContainer(engine, spec, n)));
  return stopped.map((n) => n.id);
}

/** Stops the given nodes' containers (TERM, KILL after 15 s); the engine does not restart them until started again. */
export async function stopContainers(engine: DockerEngine, spec: ClusterSpec, nodes: NodeSpec[]): Promise<({ id: number } & StopOutcome)[]> {
  const containers = await engine.nodeContainers(spec.name);
  return Promise.all(
    nodes.map(async (n): Promise<{ id: number } & StopOutcome> => {
      const c = containers.find((x) => x.node === n.id);
      if (!c?.running || !c.pid) return { id: n.id, status: 'not-running' };
      const t0 = Date.now();
      await engine.container(c.id).stop({ t: 15 }).catch(ignoreNotModified);
      return { id: n.id, status: 'stopped', pid: c.pid, forced: Date.now() - t0 > 15000 };
    }),
  );
}

/** Restarts the given nodes one at a time, followers first, waiting for quorum after each. */
export async function restartContainers(engine: DockerEngine, spec: ClusterSpec, nodes: NodeSpec[], timeoutMs: number): Promise<void> {
  const containers = await engine.nodeContainers(spec.name);
  requireContainers(spec, nodes, containers);
  const hooks = dockerWaitHooks(engine, spec);
  for (const n of await followersFirst(nodes)) {
    await engine.container(containers.find((c) => c.node === n.id)!.id).restart({ t: 15 });
    await waitForQuorum(spec, timeoutMs, hooks);
  }
}

/** Removes the cluster's containers, volumes (its data) and network; returns what was removed. */
export async function destroyContainers(engine: DockerEngine, spec: ClusterSpec): Promise<{ stopped: number[]; removed: string[] }> {
  const containers = await engine.nodeContainers(spec.name);
  const stopped = containers.filter((c) => c.running).map((c) => c.node);
  await Promise.all(containers.map((c) => engine.container(c.id).remove({ force: true, v: true })));
  const removed = containers.map((c) => c.name);
  for (const n of spec.nodes) {
    for (const v of Object.values(volumeNames(spec, n.id))) {
      if (await engine.api.getVolume(v).remove().then(() => true, () => false)) removed.push(v);
    }
  }
  const net = spec.docker!.network;
  if (await engine.api.getNetwork(net).remove().then(() => true, () => false)) removed.push(net);
  return { stopped: stopped.sort((a, b) => a - b), removed };
}
