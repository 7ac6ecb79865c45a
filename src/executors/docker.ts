/**
 * The Docker engine, on dockerode: images, networks, node containers and
 * volumes, throw-away containers, and an executor per container
 * (docker-container.ts). dockerode is used only here and there; its v4
 * typings match dockerode 5 for every call made (docs/typings.md). It is
 * loaded only when a command needs more than the reads of docker-socket.ts.
 */
import { PassThrough, Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { PreflightError } from '../errors.js';
import { ContainerExecutor, firstLine } from './docker-container.js';
import { engineGet, localEngineSocket } from './docker-socket.js';
import { LABEL, type ContainerEnd, type NodeContainer, type NodeContainerSpec } from './docker-types.js';

export { LABEL, type ContainerEnd, type NodeContainer, type NodeContainerSpec } from './docker-types.js';

/** Docker answers 304 when a container already is in the state asked for. */
function ignoreNotModified(err: { statusCode?: number }): void {
  if (err.statusCode !== 304) throw err;
}

/** The Docker engine zkops talks to (DOCKER_HOST, else /var/run/docker.sock). */
export class DockerEngine {
  private dockerode?: Promise<Docker>;

  /** `socket`: the engine's local socket, for the reads that skip dockerode; undefined for a remote engine. */
  private constructor(
    private readonly socket: string | undefined,
    readonly where: string,
  ) {}

  /** dockerode, loaded the first time a command needs more than a read. */
  private api(): Promise<Docker> {
    return (this.dockerode ??= import('dockerode').then((m) => new m.default()));
  }

  /** Connects and checks the engine answers; a clear preflight error when it does not. */
  static async connect(): Promise<DockerEngine> {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    const engine = new DockerEngine(await localEngineSocket(), where);
    try {
      if (engine.socket) await engineGet(engine.socket, '/_ping');
      else await (await engine.api()).ping();
    } catch (err) {
      throw new PreflightError(
        `Cannot reach the Docker engine at ${where} (${(err as Error).message}). Start it (systemctl start docker, ` +
          `or dockerd), or point DOCKER_HOST at one; nothing was created.`,
      );
    }
    return engine;
  }

  /** A container's inspection: over the local socket when there is one. */
  private async inspect(id: string): Promise<Docker.ContainerInspectInfo> {
    if (this.socket) return engineGet(this.socket, `/containers/${encodeURIComponent(id)}/json`);
    return (await this.api()).getContainer(id).inspect();
  }

  /** The image's id, when the engine has it. */
  async imageId(image: string): Promise<string | undefined> {
    return (
      await (
        await this.api()
      )
        .getImage(image)
        .inspect()
        .catch(() => undefined)
    )?.Id;
  }

  /**
   * The ZooKeeper release an image carries, from its environment: the official image (and images built like it)
   * puts `/apache-zookeeper-X.Y.Z-bin/bin` on PATH. Undefined when the image is missing or says nothing.
   */
  async imageZookeeperVersion(image: string): Promise<string | undefined> {
    const info = await (
      await this.api()
    )
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    const env = (info?.Config?.Env ?? []).join('\n');
    return /apache-zookeeper-(\d+\.\d+\.\d+)-bin/.exec(env)?.[1];
  }

  /** The image's id; pulled first when the engine does not have it. */
  async ensureImage(image: string, onPull?: () => void): Promise<string> {
    const have = await this.imageId(image);
    if (have) return have;
    onPull?.();
    try {
      const api = await this.api();
      const stream = await api.pull(image);
      await new Promise<void>((resolve, reject) =>
        api.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      throw new PreflightError(
        `The image ${image} is not on the Docker engine and could not be pulled: ` +
          `${firstLine((err as Error).message).trim()}. ` +
          `Pull or build it on this machine (docker pull ${image}), or set docker.image to an image you have; ` +
          `nothing was created.`,
      );
    }
    return (await (await this.api()).getImage(image).inspect()).Id;
  }

  /** Creates the cluster's bridge network unless it exists. */
  async ensureNetwork(name: string, cluster: string): Promise<void> {
    const found = await (await this.api()).listNetworks({ filters: { name: [name] } });
    if (found.some((n) => n.Name === name)) return;
    await (await this.api()).createNetwork({ Name: name, Driver: 'bridge', Labels: { [LABEL.cluster]: cluster } });
  }

  /** This cluster's node containers, running or not. */
  async nodeContainers(cluster: string): Promise<NodeContainer[]> {
    const filters = { label: [`${LABEL.cluster}=${cluster}`] };
    const list: Docker.ContainerInfo[] = this.socket
      ? await engineGet(this.socket, `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify(filters))}`)
      : await (await this.api()).listContainers({ all: true, filters });
    return Promise.all(
      list.map(async (c) => {
        const running = c.State === 'running';
        const pid = running ? (await this.inspect(c.Id)).State.Pid : undefined;
        return {
          id: c.Id,
          name: (c.Names[0] ?? '').replace(/^\//, ''),
          node: Number(c.Labels[LABEL.node]),
          running,
          pid: pid || undefined,
          config: c.Labels[LABEL.config] ?? '',
        };
      }),
    );
  }

  /** Creates (not starts) a node's container on the cluster's network, its client port published on loopback. */
  async createContainer(c: NodeContainerSpec): Promise<string> {
    const ports = Object.entries(c.publish);
    const created = await (
      await this.api()
    ).createContainer({
      name: c.name,
      Hostname: c.name,
      Image: c.image,
      Env: c.env,
      Labels: c.labels,
      ExposedPorts: Object.fromEntries(ports.map(([inside]) => [`${inside}/tcp`, {}])),
      HostConfig: {
        Binds: Object.entries(c.volumes).map(([volume, at]) => `${volume}:${at}`),
        PortBindings: Object.fromEntries(
          ports.map(([inside, outside]) => [`${inside}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(outside) }]]),
        ),
        NetworkMode: c.network,
        // Like Restart=on-failure under systemd: a crashed server comes back; a stopped one stays stopped.
        RestartPolicy: { Name: 'unless-stopped' },
      },
      NetworkingConfig: { EndpointsConfig: { [c.network]: { Aliases: [c.name] } } },
    });
    return created.id;
  }

  async start(id: string): Promise<void> {
    await (await this.api()).getContainer(id).start().catch(ignoreNotModified);
  }

  /** Stops a container: TERM, KILL after `graceSeconds`. */
  async stop(id: string, graceSeconds = 15): Promise<void> {
    await (await this.api()).getContainer(id).stop({ t: graceSeconds }).catch(ignoreNotModified);
  }

  async restart(id: string, graceSeconds = 15): Promise<void> {
    await (await this.api()).getContainer(id).restart({ t: graceSeconds });
  }

  /** Removes a container with its anonymous volumes (the official image declares a /logs one); named volumes stay. */
  async remove(id: string): Promise<void> {
    await (await this.api()).getContainer(id).remove({ force: true, v: true });
  }

  /** Removes a volume or a network; false when there was none. */
  async removeVolume(name: string): Promise<boolean> {
    return (await this.api())
      .getVolume(name)
      .remove()
      .then(
        () => true,
        () => false,
      );
  }

  async removeNetwork(name: string): Promise<boolean> {
    return (await this.api())
      .getNetwork(name)
      .remove()
      .then(
        () => true,
        () => false,
      );
  }

  /** How a container stands or last ended. */
  async state(id: string): Promise<ContainerEnd> {
    const s = (await this.inspect(id)).State;
    return { status: s.Status, exitCode: s.ExitCode };
  }

  /** The last lines a container printed (stdout and stderr). */
  async logTail(id: string, lines = 200): Promise<string> {
    const raw = await (
      await this.api()
    )
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    (await this.api()).modem.demuxStream(Readable.from([raw]), out, out);
    await new Promise((r) => setImmediate(r));
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Runs `argv` in a throw-away container of `image` (entrypoint replaced) and returns its exit code and output. */
  async runOnce(image: string, argv: string[]): Promise<{ code: number; output: string }> {
    const c = await (
      await this.api()
    ).createContainer({
      Image: image,
      Entrypoint: [argv[0]!],
      Cmd: argv.slice(1),
      HostConfig: { AutoRemove: false },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      return { code: StatusCode, output: await this.logTail(c.id, 50) };
    } finally {
      await c.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  /**
   * Runs `fn` in a throw-away container of `image` that mounts `volumes` (name → path) and only sleeps: the way to
   * work on a stopped node's data with a shell. Removed afterwards, whatever `fn` did.
   */
  async withHelper<T>(
    image: string,
    volumes: Record<string, string>,
    name: string,
    fn: (ex: ContainerExecutor) => Promise<T>,
  ): Promise<T> {
    const c = await (
      await this.api()
    ).createContainer({
      // A name of its own each time: a helper left by an interrupted run is in nobody's way.
      name: `${name}-${randomBytes(3).toString('hex')}`,
      Labels: { [LABEL.helper]: name },
      Image: image,
      Entrypoint: ['sleep'],
      Cmd: ['3600'],
      HostConfig: { Binds: Object.entries(volumes).map(([volume, at]) => `${volume}:${at}`), NetworkMode: 'none' },
    });
    try {
      await c.start();
      return await fn(this.executor(c.id, name));
    } finally {
      await c.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  /** An executor for one container (files work before it starts; commands need it running). */
  executor(id: string, name: string): ContainerExecutor {
    return new ContainerExecutor(() => this.api(), id, name);
  }
}
