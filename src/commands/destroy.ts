/**
 * `zkops destroy`: the terminal front of ops/data.ts destroy — asks for the
 * cluster's name on a terminal unless --yes.
 */
import { createInterface } from 'node:readline/promises';
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { destroy } from '../ops/data.js';
import { printJson, terminalContext, type OutputOptions } from '../output.js';

export async function destroyCommand(flags: ClusterFlags & { yes?: boolean }, out: OutputOptions): Promise<number> {
  const confirm = async (what: string, cluster: string) => {
    if (flags.yes) return true;
    if (!process.stdin.isTTY) throw new ZkopsError(`destroy deletes ${what}. Pass --yes to confirm.`, ExitCode.usage);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Stop cluster ${cluster} and delete ${what}? Type the cluster name to confirm: `);
    rl.close();
    return answer.trim() === cluster;
  };
  const { cluster, stopped, removed, what } = await destroy(flags, { confirm }, terminalContext(out));
  if (out.json) printJson({ cluster, stopped, removed });
  else
    process.stdout.write(
      `Cluster ${cluster} destroyed: stopped ${stopped.length} node(s); removed ${what ?? `${removed.length} item(s)`}.\n`,
    );
  return ExitCode.ok;
}
