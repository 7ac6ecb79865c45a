/** Runs the real zkops CLI (built into dist/) and real ZooKeeper clients for integration tests. */
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

const BIN = path.resolve('bin/zkops.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `zkops ARGS` in `cwd`; never throws on a non-zero exit (the code is what tests check). */
export async function zkops(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const r = await execa('node', [BIN, ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1', ...env },
    timeout: 240_000,
  });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** `zkops ARGS --json`, parsed. */
export async function zkopsJson<T = any>(
  cwd: string,
  args: string[],
  env?: Record<string, string | undefined>,
): Promise<{ code: number; json: T; stderr: string }> {
  const r = await zkops(cwd, [...args, '--json'], env);
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`zkops ${args.join(' ')} --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** A fresh working directory for one test file. */
export function workdir(prefix: string): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), `zkops-${prefix}-`)));
}

/** ZooKeeper's own Java client (zkCli.sh) against one server: an independent real client. */
export async function zkCli(server: string, ...command: string[]): Promise<string> {
  const r = await execa('/usr/share/zookeeper/bin/zkCli.sh', ['-server', server, ...command], {
    reject: false,
    timeout: 60_000,
  });
  if (r.exitCode !== 0)
    throw new Error(
      `zkCli.sh -server ${server} ${command.join(' ')} failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`,
    );
  return String(r.stdout);
}

/** Pids of live QuorumPeerMain processes whose config lies under `dir`. */
export async function serversUnder(dir: string): Promise<number[]> {
  const r = await execa('sh', ['-c', 'grep -a -l -F QuorumPeerMain /proc/[0-9]*/cmdline 2>/dev/null || true'], {
    reject: false,
  });
  const pids: number[] = [];
  for (const f of String(r.stdout).split('\n').filter(Boolean)) {
    const cmd = await execa(
      'sh',
      ['-c', `tr '\\0' ' ' < ${f}; echo; sed 's/^.*) //' ${f.replace('cmdline', 'stat')} | cut -c1`],
      { reject: false },
    );
    const [line = '', state] = String(cmd.stdout).split('\n');
    if (line.includes(dir) && line.includes('org.apache.zookeeper.server.quorum.QuorumPeerMain') && state !== 'Z')
      pids.push(Number(f.split('/')[2]));
  }
  return pids;
}

/** Kills whatever a test left running under `dir` (safety net for failed tests). */
export async function killServersUnder(dir: string): Promise<void> {
  for (const pid of await serversUnder(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/**
 * Whether `pid` is a live (not zombie) QuorumPeerMain whose command line contains `marker`;
 * `env`, when given, must be in its environment.
 */
export function isZkServer(pid: number, marker: string, env?: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    if (state === 'Z' || !cmd.includes('org.apache.zookeeper.server.quorum.QuorumPeerMain') || !cmd.includes(marker))
      return false;
    return env === undefined || readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(env);
  } catch {
    return false;
  }
}
