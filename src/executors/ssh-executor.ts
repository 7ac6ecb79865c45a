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
import { rename, rm } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client, SFTPWrapper } from 'ssh2';
import { ExecError, TransportError } from '../errors.js';
import { sh } from '../shell.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** An open SSH connection to one host. */
export class SshExecutor implements Executor {
  private sftpSession?: Promise<SFTPWrapper>;
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
    // A time limit is enforced on the host too (timeout kills the command's whole process group),
    // so nothing outlives it there; the local timer below only stops waiting.
    const limited = options.timeoutMs
      ? `timeout -s KILL ${(options.timeoutMs / 1000).toFixed(3)} sh -c ${sh(command)}`
      : command;
    const wrapped = this.sudo ? `sudo -n sh -c ${sh(limited)}` : limited;
    return new Promise((resolve, reject) => {
      const onGone = () => reject(new TransportError(`${this.label}: the SSH connection closed`));
      if (!this.open) return onGone();
      try {
        this.client.exec(wrapped, (err, stream) => {
          if (err) return reject(new TransportError(`${this.label}: cannot run a command: ${err.message}`));
          let stdout = '';
          let stderr = '';
          let timedOut = false;
          const timer = options.timeoutMs
            ? setTimeout(() => {
                timedOut = true;
                stream.close();
                resolve({ code: 124, stdout, stderr });
              }, options.timeoutMs + 500)
            : undefined;
          stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          stream.on('close', (code: number | null | undefined, signal?: string) => {
            if (timer) clearTimeout(timer);
            // A signal as the shell would report it: 128 + its number (ssh2 names it KILL or SIGKILL).
            const bySignal = signal
              ? 128 + (osConstants.signals[(signal.startsWith('SIG') ? signal : `SIG${signal}`) as NodeJS.Signals] ?? 0)
              : undefined;
            const status = code ?? bySignal;
            // Killed by the host's timeout (KILL reaches timeout itself too).
            if (timedOut || (options.timeoutMs && status === 137)) return resolve({ code: 124, stdout, stderr });
            // No exit status at all: the connection went, not the command.
            if (status === undefined) return onGone();
            resolve({ code: status, stdout, stderr });
          });
        });
      } catch (err) {
        reject(new TransportError(`${this.label}: cannot run a command: ${(err as Error).message}`));
      }
    });
  }

  async writeFile(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
    // Made private (a key may be staged in /tmp); place() gives it its mode once it is where it goes.
    await this.place(
      file,
      mode,
      (sftp, tmp) =>
        new Promise((res, rej) => sftp.writeFile(tmp, content, { mode: 0o600 }, (e) => (e ? rej(e) : res()))),
    );
  }

  async upload(localPath: string, file: string, mode = 0o644): Promise<void> {
    await this.place(
      file,
      mode,
      (sftp, tmp) => new Promise((res, rej) => sftp.fastPut(localPath, tmp, { mode }, (e) => (e ? rej(e) : res()))),
    );
  }

  async download(file: string, localPath: string): Promise<boolean> {
    // cat over an exec channel, not SFTP: with ssh.sudo only sudo may read a server's data.
    const command = `if [ -f ${sh(file)} ]; then cat ${sh(file)}; else exit 3; fi`;
    const wrapped = this.sudo ? `sudo -n sh -c ${sh(command)}` : command;
    const tmp = `${localPath}.zkops-${randomBytes(4).toString('hex')}.tmp`;
    const code = await new Promise<number>((resolve, reject) => {
      if (!this.open) return reject(new TransportError(`${this.label}: the SSH connection closed`));
      this.client.exec(wrapped, (err, stream) => {
        if (err) return reject(new TransportError(`${this.label}: cannot run a command: ${err.message}`));
        const out = createWriteStream(tmp, { mode: 0o600 });
        let stderr = '';
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.pipe(out);
        // Done when both have ended: the channel (its exit status may come after its data) and the file.
        let exit: number | undefined;
        let written = false;
        const settle = () => {
          if (exit === undefined || !written) return;
          if (exit === 0 || exit === 3) resolve(exit);
          else reject(new ExecError(`cat ${file}`, this.label, exit, stderr));
        };
        stream.on('close', (c: number | null) => {
          exit = c ?? 255;
          settle();
        });
        out.on('error', reject);
        out.on('close', () => {
          written = true;
          settle();
        });
      });
    }).catch(async (err) => {
      await rm(tmp, { force: true });
      throw err;
    });
    if (code === 3) {
      await rm(tmp, { force: true });
      return false;
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
