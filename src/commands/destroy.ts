/**
 * `zkops destroy`: stop every node and remove what init created (node
 * directories or containers, data included, and the saved inventory). Only
 * where the runtime may delete data: zkops never deletes data on SSH hosts.
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ExitCode, ZkopsError } from '../errors.js';
import { printJson, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import { resolveCluster, savedInventoryPath, STATE_DIR, type ClusterFlags } from './cluster-ref.js';

export async function destroyCommand(flags: ClusterFlags & { yes?: boolean }, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  if (!spec.onThisMachine) {
    throw new ZkopsError(
      `destroy removes data, so zkops runs it only for clusters on this machine; ${spec.name} runs on SSH hosts. ` +
        `Use zkops stop, and remove data on the hosts yourself if you mean it.`,
      ExitCode.usage,
    );
  }
  return withRuntime(spec, {}, async (rt) => {
    const what = rt.dataDescription;
    // The runtime refuses when it never deletes data (SSH hosts); ask only when there is something to confirm.
    if (what && !flags.yes) {
      if (!process.stdin.isTTY) throw new ZkopsError(`destroy deletes ${what}. Pass --yes to confirm.`, ExitCode.usage);
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(
        `Stop cluster ${spec.name} and delete ${what}? Type the cluster name to confirm: `,
      );
      rl.close();
      if (answer.trim() !== spec.name)
        throw new ZkopsError('Not confirmed; nothing was stopped or deleted.', ExitCode.usage);
    }
    const { stopped, removed } = await rt.destroy();
    await rm(path.dirname(savedInventoryPath(spec.name)), { recursive: true, force: true });
    await rmdir(spec.dir).catch(() => undefined);
    await rmdir(path.join(process.cwd(), STATE_DIR)).catch(() => undefined);
    if (out.json) printJson({ cluster: spec.name, stopped, removed });
    else
      process.stdout.write(
        `Cluster ${spec.name} destroyed: stopped ${stopped.length} node(s); removed ` +
          `${what ?? `${removed.length} item(s)`}.\n`,
      );
    return ExitCode.ok;
  });
}
