/** `zkops status`: every node's mode, zxid, connections and pid; exit 0 only when healthy. */
import { ExitCode } from '../errors.js';
import { status } from '../ops/status.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { printJson, terminalContext, type OutputOptions } from '../output.js';
import { formatStatus } from './report.js';

export async function statusCommand(flags: ClusterFlags, out: OutputOptions): Promise<number> {
  const s = await status(flags, terminalContext(out));
  if (out.json) printJson(s);
  else process.stdout.write(formatStatus(s));
  return s.healthy ? ExitCode.ok : ExitCode.unhealthy;
}
