/**
 * One container as an Executor, on dockerode: files through the engine's
 * archive API (so they can be put into a container that has not started
 * yet), commands through `exec`. Made by the engine (docker.ts).
 */
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import path from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { TransportError } from '../errors.js';
import { sh } from '../shell.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** One container as an Executor. */
export class ContainerExecutor implements Executor {
  readonly label: string;
  private closed = false;

  constructor(
    /** dockerode, loaded by the engine when first needed. */
    private readonly api: () => Promise<Docker>,
    private readonly containerId: string,
    name: string,
  ) {
    this.label = `container ${name}`;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    let ex: Docker.Exec;
    let stream: Duplex;
    try {
      // A time limit is enforced inside the container too: timeout kills the command's whole process group.
      const limit = options.timeoutMs ? ['timeout', '-s', 'KILL', (options.timeoutMs / 1000).toFixed(3)] : [];
      ex = await (
        await this.container()
      ).exec({ Cmd: [...limit, 'sh', '-c', command], AttachStdout: true, AttachStderr: true });
      stream = await ex.start({ hijack: true, stdin: false });
    } catch (err) {
      throw new TransportError(`${this.label}: cannot run a command: ${firstLine((err as Error).message)}`);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = new PassThrough().on('data', (d: Buffer) => out.push(d));
    const stderr = new PassThrough().on('data', (d: Buffer) => err.push(d));
    (await this.api()).modem.demuxStream(stream, stdout, stderr);
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve) => stream.on('end', resolve));
    const timedOut = options.timeoutMs
      ? new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs! + 3000)))
      : undefined;
    const how = await Promise.race([finished, ...(timedOut ? [timedOut] : [])]);
    if (timer) clearTimeout(timer);
    const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8');
    if (how === 'timeout') {
      stream.destroy();
      return { code: 124, stdout: text(out), stderr: text(err) };
    }
    const { ExitCode: code } = await ex.inspect();
    // Killed by its time limit (KILL reaches timeout itself too): 124 as GNU timeout would say.
    if (options.timeoutMs && code === 137) return { code: 124, stdout: text(out), stderr: text(err) };
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
      running = Boolean((await (await this.container()).inspect()).State.Running);
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
      await (await this.container()).putArchive(archive, { path: '/' });
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
      return await (await this.container()).getArchive({ path: file });
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

  private async container(): Promise<Docker.Container> {
    if (this.closed) throw new TransportError(`${this.label}: this executor was closed`);
    return (await this.api()).getContainer(this.containerId);
  }
}

/** The first line of an engine's message, cut short: errors say what failed, not the engine's whole reply. */
export function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
