/**
 * Local executor: commands run on this machine, files are written directly.
 * Used for pseudo-clusters, and for this machine's side of a Docker cluster
 * (its published ports). Commands go through node:child_process, loaded on the
 * first command: a local `zkops status` runs none (it reads /proc itself) and
 * must start fast.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { TransportError } from '../errors.js';
import { replaceFile, writeFileAtomic } from '../util/atomic-file.js';
import type { ExecOptions, ExecResult, Executor } from './types.js';

/** Runs everything on the machine zkops runs on. */
export class LocalExecutor implements Executor {
  readonly label = 'local';
  private closed = false;

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw new TransportError('local: this executor was closed');
    const { spawn } = await import('node:child_process');
    return new Promise((resolve, reject) => {
      // Its own process group, so a time limit kills the command's children too (they hold its output open).
      const child = spawn('sh', ['-c', command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: options.timeoutMs !== undefined,
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = options.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, options.timeoutMs)
        : undefined;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', (err) => reject(new TransportError(`local: cannot run sh: ${err.message}`)));
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        const sig = signal ? (osConstants.signals[signal] ?? 1) : 0;
        resolve({ code: timedOut ? 124 : (code ?? 128 + sig), stdout, stderr });
      });
    });
  }

  async writeFile(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await writeFileAtomic(file, content, mode, { mkdir: true });
  }

  async upload(localPath: string, file: string, mode = 0o644): Promise<void> {
    await replaceFile(file, (tmp) => copyFile(localPath, tmp), { mode, mkdir: true });
  }

  async download(file: string, localPath: string): Promise<boolean> {
    try {
      await replaceFile(localPath, (tmp) => copyFile(file, tmp));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async readFile(file: string): Promise<string | undefined> {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
