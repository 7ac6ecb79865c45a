/**
 * `zkops start|stop|restart [node...]`: the terminal front of ops/lifecycle.ts. Each ends with the status
 * table (stop: a line per node).
 */
import { ExitCode } from '../errors.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { describeStop, plural, restart, start, stop } from '../ops/lifecycle.js';
import { printJson, terminalContext, type OutputOptions } from '../output.js';
import { formatStatus } from './report.js';

/** Flags of the lifecycle commands. */
export interface LifecycleFlags extends ClusterFlags {
  force?: boolean;
  timeout?: number;
}

export async function stopCommand(flags: LifecycleFlags, ids: string[], out: OutputOptions): Promise<number> {
  const result = await stop(flags, { nodes: ids, force: flags.force }, terminalContext(out));
  if (out.json) printJson(result);
  else
    for (const r of result.nodes)
      process.stdout.write(`node ${r.id}: ${r.status === 'failed' ? `not stopped: ${r.error}` : describeStop(r)}\n`);
  return result.nodes.some((r) => r.status === 'failed') ? ExitCode.failure : ExitCode.ok;
}

export async function startCommand(flags: LifecycleFlags, ids: string[], out: OutputOptions): Promise<number> {
  const status = await start(flags, { nodes: ids, timeoutMs: (flags.timeout ?? 60) * 1000 }, terminalContext(out));
  if (out.json) printJson(status);
  else {
    process.stdout.write(formatStatus(status));
    process.stdout.write(
      status.started.length
        ? `Started ${plural(status.started)}.\n`
        : 'Nothing to start: the nodes were already running.\n',
    );
  }
  return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
}

export async function restartCommand(flags: LifecycleFlags, ids: string[], out: OutputOptions): Promise<number> {
  const status = await restart(
    flags,
    { nodes: ids, force: flags.force, timeoutMs: (flags.timeout ?? 60) * 1000 },
    terminalContext(out),
  );
  if (out.json) printJson(status);
  else process.stdout.write(`${formatStatus(status)}Restarted ${plural(status.restarted)}, one at a time.\n`);
  return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
}
