/**
 * The SSH executor on an open ssh2 connection: commands over exec channels,
 * files over SFTP (connecting, authenticating and checking host keys is
 * ssh.ts's job).
 *
 * Privileges: as root, files are written in place (temp + rename in the
 * target directory). As another user with `ssh.sudo`, commands run through
 * `sudo -n` and files go to a private temp file first, then are moved into
 * place by sudo, still with an atomic rename at the end.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client, SFTPWrapper } from 'ssh2';
import { ExecError, TransportError } from '../errors.js';
import { sh } from '../shell.js';
import { NotStartedError, ShellSession, type RawResult } from './ssh-session.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** An open SSH connection to one host. */
export class SshExecutor implements Executor {
  private sftpSession?: Promise<SFTPWrapper>;
  private session?: ShellSession;
  private open = true;

  constructor(
    readonly label: string,
    private readonly client: Client,
    private readonly sudo: boolean,
    private readonly extra: Client[] = [],
  ) {
    // A connection the far side dropped: every later command fails as a broken transport.
    client.on('close', () => (this.open = false));
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.runRaw(command, options).then((r) => ({
      code: r.code,
      stdout: r.stdout.toString('utf8'),
      stderr: r.stderr.toString('utf8'),
    }));
  }

  /**
   * One command through the host's shell session (started on first use, replaced when it broke). A time limit is
   * enforced on the host (timeout kills the command's process group); the session's own guard only covers a host
   * that stops answering, and then the session is replaced.
   */
  private async runRaw(command: string, options: ExecOptions = {}, sink?: Writable): Promise<RawResult> {
    for (;;) {
      if (!this.open) throw new TransportError(`${this.label}: the SSH connection closed`);
      const session = this.liveSession();
      const limit = options.timeoutMs;
      try {
        const r = await session.run(command, limit !== undefined ? limit / 1000 : undefined, sink);
        // Killed by the host's timeout (KILL reaches timeout itself too): 124 as GNU timeout would say.
        return limit !== undefined && r.code === 137 ? { ...r, code: 124 } : r;
      } catch (err) {
        // Queued behind a command whose session broke: it never ran, so it runs on the next session.
        if (!(err instanceof NotStartedError)) throw err;
      }
    }
  }

  /**
   * Starts the host's shell session now, without a command: the shell (and whatever the host's profile does at
   * its start) gets going while zkops still waits for other hosts, instead of after (connectSsh calls it).
   */
  warm(): void {
    if (this.open) this.liveSession();
  }

  /** The shell session, started when there is none or the last one broke. */
  private liveSession(): ShellSession {
    if (!this.session || this.session.broken)
      this.session = new ShellSession(this.label, this.client, this.sudo ? 'sudo -n sh' : 'sh', (s) => {
        if (this.session === s) this.session = undefined;
      });
    return this.session;
  }

  async writeFile(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
    // A small file (a config, a myid) goes through the session: no SFTP channel for a deploy that changes little.
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (bytes.length <= SMALL_WRITE) return this.writeSmall(file, bytes, mode);
    // Made private (a key may be staged in /tmp); place() gives it its mode once it is where it goes.
    await this.place(
      file,
      mode,
      (sftp, tmp) =>
        new Promise((res, rej) => sftp.writeFile(tmp, content, { mode: 0o600 }, (e) => (e ? rej(e) : res()))),
    );
  }

  /** Writes through the shell session: base64 in a here-document, a private temp file, chmod, atomic rename. */
  private async writeSmall(file: string, bytes: Buffer, mode: number): Promise<void> {
    const tmp = sh(`${file}.zkops-${randomBytes(4).toString('hex')}.tmp`);
    // The end marker holds "_", which base64 never does: it cannot occur in the data.
    const b64 = bytes.toString('base64').replace(/.{1,76}/g, '$&\n');
    const command =
      `mkdir -p ${sh(path.posix.dirname(file))} && : > ${tmp} && chmod 600 ${tmp} && ` +
      `base64 -d > ${tmp} <<'ZKOPS_B64_END' && chmod ${mode.toString(8)} ${tmp} && mv -f ${tmp} ${sh(file)} ` +
      `|| { rm -f ${tmp}; exit 1; }\n${b64}ZKOPS_B64_END`;
    const r = await this.exec(command);
    if (r.code !== 0) throw new ExecError(`write ${file}`, this.label, r.code, r.stderr || r.stdout);
  }

  async upload(localPath: string, file: string, mode = 0o644): Promise<void> {
    await this.place(
      file,
      mode,
      (sftp, tmp) => new Promise((res, rej) => sftp.fastPut(localPath, tmp, { mode }, (e) => (e ? rej(e) : res()))),
    );
  }

  async download(file: string, localPath: string): Promise<boolean> {
    // Through the session, its stdout streamed into a file here as it arrives (staged in the session's temp
    // directory on the host, so the byte count is known before the first byte is sent).
    const command = `if [ -f ${sh(file)} ]; then cat ${sh(file)}; else exit 3; fi`;
    const tmp = `${localPath}.zkops-${randomBytes(4).toString('hex')}.tmp`;
    const out = createWriteStream(tmp, { mode: 0o600 });
    const written = new Promise<void>((res, rej) => {
      out.on('close', res);
      out.on('error', rej);
    });
    let r: RawResult;
    try {
      r = await this.runRaw(command, {}, out);
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    } finally {
      out.end();
    }
    await written;
    if (r.code === 3) {
      await rm(tmp, { force: true });
      return false;
    }
    if (r.code !== 0) {
      await rm(tmp, { force: true });
      throw new ExecError(`cat ${file}`, this.label, r.code, r.stderr.toString('utf8'));
    }
    await rename(tmp, localPath);
    return true;
  }

  async readFile(file: string): Promise<string | undefined> {
    const r = await this.exec(`if [ -f ${sh(file)} ]; then cat ${sh(file)}; else exit 3; fi`);
    if (r.code === 3) return undefined;
    if (r.code !== 0) throw new ExecError(`cat ${file}`, this.label, r.code, r.stderr);
    return r.stdout;
  }

  async close(): Promise<void> {
    this.open = false;
    this.session?.close();
    this.client.end();
    for (const c of this.extra) c.end();
  }

  /** Uploads through a temp file and renames it into place (with sudo when needed). */
  private async place(
    file: string,
    mode: number,
    put: (sftp: SFTPWrapper, tmp: string) => Promise<void>,
  ): Promise<void> {
    const dir = path.posix.dirname(file);
    const suffix = `.zkops-${randomBytes(4).toString('hex')}.tmp`;
    const sftp = await this.sftp();
    if (!this.sudo) {
      // As root everything goes over SFTP (mkdir, write, chmod, atomic rename): no shell per file.
      const tmp = `${file}${suffix}`;
      try {
        await sftpMkdirp(sftp, dir);
        await put(sftp, tmp);
        await new Promise<void>((res, rej) => sftp.chmod(tmp, mode, (e) => (e ? rej(e) : res())));
        await new Promise<void>((res, rej) => sftp.ext_openssh_rename(tmp, file, (e) => (e ? rej(e) : res())));
      } catch (err) {
        await new Promise<void>((res) => sftp.unlink(tmp, () => res()));
        throw wrap(err, this.label, file);
      }
      return;
    }
    const staging = `/tmp/zkops-upload${suffix}`;
    try {
      await put(sftp, staging);
      await this.run(
        `mkdir -p ${sh(dir)} && mv -f ${sh(staging)} ${sh(file + suffix)} && chown root:root ${sh(file + suffix)} ` +
          `&& chmod ${mode.toString(8)} ${sh(file + suffix)} && mv -f ${sh(file + suffix)} ${sh(file)}`,
      );
    } catch (err) {
      await this.exec(`rm -f ${sh(staging)} ${sh(file + suffix)}`);
      throw wrap(err, this.label, file);
    }
  }

  private async run(command: string): Promise<void> {
    const r = await this.exec(command);
    if (r.code !== 0) throw new ExecError(command, this.label, r.code, r.stderr || r.stdout);
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise((res, rej) =>
      this.client.sftp((e, s) =>
        e ? rej(new TransportError(`${this.label}: SFTP is not available: ${e.message}`)) : res(s),
      ),
    );
    return this.sftpSession;
  }
}

/** Files up to this size are written through the shell session, larger ones over SFTP. */
const SMALL_WRITE = 256 * 1024;

/** mkdir -p over SFTP. */
async function sftpMkdirp(sftp: SFTPWrapper, dir: string): Promise<void> {
  const exists = (p: string) => new Promise<boolean>((res) => sftp.stat(p, (e) => res(!e)));
  if (await exists(dir)) return;
  await sftpMkdirp(sftp, path.posix.dirname(dir));
  // Parallel writes race to create the same directory; SFTP calls that a plain "Failure".
  await new Promise<void>((res, rej) =>
    sftp.mkdir(dir, (e) => (e ? exists(dir).then((ok) => (ok ? res() : rej(e))) : res())),
  );
}

function wrap(err: unknown, label: string, file: string): Error {
  if (err instanceof ExecError || err instanceof TransportError) return err;
  return new TransportError(`${label}: writing ${file} failed: ${(err as Error).message}`);
}
