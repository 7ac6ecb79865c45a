/**
 * Docker, on dockerode: the engine (images, networks, containers, volumes)
 * and, for one container, the Executor interface every executor shares
 * (files through the archive API, so they can be put into a container that
 * has not started yet; commands through `exec`). dockerode is used only here.
 */
import { PassThrough, Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import path from 'node:path';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { PreflightError, TransportError } from '../errors.js';
import { sh } from '../shell.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** What zkops needs to know about one of its containers. */
export interface NodeContainer {
  id: string;
  name: string;
  node: number;
  running: boolean;
  /** The JVM's pid on this machine (the container's main process), when running. */
  pid?: number;
  /** Hash of everything the container was created from (image, files, settings). */
  config: string;
}

/** How a container last ended, for explaining a node that is down. */
export interface ContainerEnd {
  status: string;
  exitCode: number;
}

/** What a node container is made from. */
export interface NodeContainerSpec {
  name: string;
  image: string;
  env: string[];
  labels: Record<string, string>;
  /** Named volumes → mount points. */
  volumes: Record<string, string>;
  network: string;
  /** Container port (tcp) → host port, published on 127.0.0.1. */
  publish: Record<number, number>;
}

/** Labels zkops puts on what it creates. */
export const LABEL = {
  /** On a throw-away helper container (see withHelper): the node it works for. */
  helper: 'zkops.helper',
  cluster: 'zkops.cluster',
  node: 'zkops.node',
  config: 'zkops.config',
  image: 'zkops.image',
} as const;

/** Docker answers 304 when a container already is in the state asked for. */
function ignoreNotModified(err: { statusCode?: number }): void {
  if (err.statusCode !== 304) throw err;
}

/** The Docker engine zkops talks to (DOCKER_HOST, else /var/run/docker.sock). */
export class DockerEngine {
  private constructor(
    private readonly api: Docker,
    readonly where: string,
  ) {}

  /** Connects and checks the engine answers; a clear preflight error when it does not. */
  static async connect(): Promise<DockerEngine> {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    const api = new Docker();
    try {
      await api.ping();
    } catch (err) {
      throw new PreflightError(
        `Cannot reach the Docker engine at ${where} (${(err as Error).message}). Start it (systemctl start docker, ` +
          `or dockerd), or point DOCKER_HOST at one; nothing was created.`,
      );
    }
    return new DockerEngine(api, where);
  }

  /** The image's id, when the engine has it. */
  async imageId(image: string): Promise<string | undefined> {
    return (
      await this.api
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
    const info = await this.api
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
      const stream = await this.api.pull(image);
      await new Promise<void>((resolve, reject) =>
        this.api.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      throw new PreflightError(
        `The image ${image} is not on the Docker engine and could not be pulled: ` +
          `${firstLine((err as Error).message).trim()}. ` +
          `Pull or build it on this machine (docker pull ${image}), or set docker.image to an image you have; ` +
          `nothing was created.`,
      );
    }
    return (await this.api.getImage(image).inspect()).Id;
  }

  /** Creates the cluster's bridge network unless it exists. */
  async ensureNetwork(name: string, cluster: string): Promise<void> {
    const found = await this.api.listNetworks({ filters: { name: [name] } });
    if (found.some((n) => n.Name === name)) return;
    await this.api.createNetwork({ Name: name, Driver: 'bridge', Labels: { [LABEL.cluster]: cluster } });
  }

  /** This cluster's node containers, running or not. */
  async nodeContainers(cluster: string): Promise<NodeContainer[]> {
    const list = await this.api.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${cluster}`] } });
    return Promise.all(
      list.map(async (c) => {
        const running = c.State === 'running';
        const pid = running ? (await this.api.getContainer(c.Id).inspect()).State.Pid : undefined;
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
    const created = await this.api.createContainer({
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
    await this.api.getContainer(id).start().catch(ignoreNotModified);
  }

  /** Stops a container: TERM, KILL after `graceSeconds`. */
  async stop(id: string, graceSeconds = 15): Promise<void> {
    await this.api.getContainer(id).stop({ t: graceSeconds }).catch(ignoreNotModified);
  }

  async restart(id: string, graceSeconds = 15): Promise<void> {
    await this.api.getContainer(id).restart({ t: graceSeconds });
  }

  /** Removes a container with its anonymous volumes (the official image declares a /logs one); named volumes stay. */
  async remove(id: string): Promise<void> {
    await this.api.getContainer(id).remove({ force: true, v: true });
  }

  /** Removes a volume or a network; false when there was none. */
  async removeVolume(name: string): Promise<boolean> {
    return this.api
      .getVolume(name)
      .remove()
      .then(
        () => true,
        () => false,
      );
  }

  async removeNetwork(name: string): Promise<boolean> {
    return this.api
      .getNetwork(name)
      .remove()
      .then(
        () => true,
        () => false,
      );
  }

  /** How a container stands or last ended. */
  async state(id: string): Promise<ContainerEnd> {
    const s = (await this.api.getContainer(id).inspect()).State;
    return { status: s.Status, exitCode: s.ExitCode };
  }

  /** The last lines a container printed (stdout and stderr). */
  async logTail(id: string, lines = 200): Promise<string> {
    const raw = (await this.api
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    this.api.modem.demuxStream(Readable.from([raw]), out, out);
    await new Promise((r) => setImmediate(r));
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Runs `argv` in a throw-away container of `image` (entrypoint replaced) and returns its exit code and output. */
  async runOnce(image: string, argv: string[]): Promise<{ code: number; output: string }> {
    const c = await this.api.createContainer({
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
    const c = await this.api.createContainer({
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
    return new ContainerExecutor(this.api, id, name);
  }
}

/** One container as an Executor. */
export class ContainerExecutor implements Executor {
  readonly label: string;
  private closed = false;

  constructor(
    private readonly api: Docker,
    private readonly containerId: string,
    name: string,
  ) {
    this.label = `container ${name}`;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const c = this.container();
    let ex: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      ex = await c.exec({ Cmd: ['sh', '-c', command], AttachStdout: true, AttachStderr: true });
      stream = (await ex.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream;
    } catch (err) {
      throw new TransportError(`${this.label}: cannot run a command: ${firstLine((err as Error).message)}`);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = new PassThrough().on('data', (d: Buffer) => out.push(d));
    const stderr = new PassThrough().on('data', (d: Buffer) => err.push(d));
    this.api.modem.demuxStream(stream, stdout, stderr);
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve) => stream.on('end', resolve));
    const timedOut = options.timeoutMs
      ? new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)))
      : undefined;
    const how = await Promise.race([finished, ...(timedOut ? [timedOut] : [])]);
    if (timer) clearTimeout(timer);
    const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8');
    if (how === 'timeout') {
      (stream as unknown as { destroy(): void }).destroy();
      return { code: 124, stdout: text(out), stderr: text(err) };
    }
    const { ExitCode: code } = await ex.inspect();
    return { code: code ?? 1, stdout: text(out), stderr: text(err) };
  }

  /**
   * One tar entry, named by its whole path, unpacked by the engine at /: missing directories are made on the
   * way. The engine writes a file in place, so in a running container (where something may read it) the entry
   * is a temporary beside it, renamed over it. `owner`: the file's uid and gid (default root's).
   */
  async writeFile(
    file: string,
    content: string | Buffer,
    mode = 0o644,
    owner?: { uid: number; gid: number },
  ): Promise<void> {
    const target = path.posix.resolve('/', file);
    let running = false;
    try {
      running = Boolean((await this.container().inspect()).State.Running);
    } catch (err) {
      throw new TransportError(`${this.label}: writing ${file} failed: ${firstLine((err as Error).message)}`);
    }
    const name = running ? `${target}.zkops-${randomBytes(4).toString('hex')}.tmp` : target;
    const pack = tar.pack();
    pack.entry(
      { name: name.slice(1), mode, ...(owner ?? {}) },
      typeof content === 'string' ? Buffer.from(content) : content,
    );
    pack.finalize();
    const archive = await buffer(pack as unknown as Readable);
    try {
      await this.container().putArchive(archive, { path: '/' });
    } catch (err) {
      throw new TransportError(`${this.label}: writing ${file} failed: ${firstLine((err as Error).message)}`);
    }
    if (!running) return;
    const moved = await this.exec(`mv -f ${sh(name)} ${sh(target)}`);
    if (moved.code !== 0)
      throw new TransportError(`${this.label}: writing ${file} failed: ${firstLine(moved.stderr || moved.stdout)}`);
  }

  async upload(localPath: string, file: string, mode = 0o644): Promise<void> {
    await this.writeFile(file, await readFile(localPath), mode);
  }

  /** The engine's tar stream of `file`, or undefined when it does not exist. */
  private async archive(file: string): Promise<NodeJS.ReadableStream | undefined> {
    try {
      return await this.container().getArchive({ path: file });
    } catch (err) {
      // The engine says 404 for a missing file and for a missing container alike; only its text tells them apart.
      if (
        (err as { statusCode?: number }).statusCode === 404 &&
        /Could not find the file/i.test((err as Error).message)
      )
        return undefined;
      throw new TransportError(`${this.label}: reading ${file} failed: ${firstLine((err as Error).message)}`);
    }
  }

  async download(file: string, localPath: string): Promise<boolean> {
    const stream = await this.archive(file);
    if (!stream) return false;
    const tmp = `${localPath}.zkops-${randomBytes(4).toString('hex')}.tmp`;
    const extract = tar.extract();
    let written = false;
    extract.on('entry', (header, body, next) => {
      if (header.type !== 'file' || written) {
        body.on('end', next);
        body.resume();
        return;
      }
      written = true;
      const out = createWriteStream(tmp, { mode: 0o600 });
      body.pipe(out);
      out.on('close', next);
      out.on('error', (e) => extract.destroy(e));
    });
    try {
      await pipeline(stream as Readable, extract);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new TransportError(`${this.label}: reading ${file} failed: ${firstLine((err as Error).message)}`);
    }
    if (!written) return false;
    await rename(tmp, localPath);
    return true;
  }

  async readFile(file: string): Promise<string | undefined> {
    const stream = await this.archive(file);
    if (!stream) return undefined;
    const extract = tar.extract();
    let text: string | undefined;
    extract.on('entry', (header, body, next) => {
      const parts: Buffer[] = [];
      body.on('data', (d: unknown) => parts.push(d as Buffer));
      body.on('end', () => {
        if (header.type === 'file' && text === undefined) text = Buffer.concat(parts).toString('utf8');
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.pipe(extract);
    });
    return text;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private container(): Docker.Container {
    if (this.closed) throw new TransportError(`${this.label}: this executor was closed`);
    return this.api.getContainer(this.containerId);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
