/** Runs `zkops ui` (the built CLI) as its own process for the dashboard's tests, and reads its first line. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/** A running `zkops ui`. */
export interface UiProcess {
  /** The first line: http://127.0.0.1:P/?token=… */
  url: string;
  origin: string;
  port: number;
  token: string;
  proc: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `zkops ui --port 0 ARGS` in `cwd`; resolves with its address once it printed it. */
export async function startUi(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<UiProcess> {
  const proc = spawn('node', [path.resolve('bin/zkops.js'), 'ui', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += String(d)));
  const first = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout! });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`zkops ui exited (${code}) before printing its address:\n${err}`)));
  });
  const u = new URL(first);
  return {
    url: first,
    origin: u.origin,
    port: Number(u.port),
    token: u.searchParams.get('token') ?? '',
    proc,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
