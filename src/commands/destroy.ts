/**
 * `zkops destroy`: stop every node and remove what init created (node
 * directories, data included, and the saved inventory). Local clusters only:
 * zkops never deletes data on remote hosts.
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ExitCode, ZkopsError } from '../errors.js';
import { printJson, type OutputOptions } from '../output.js';
import { findNodeProcesses, stopNodeProcess } from '../steps/processes.js';
import { closeTargets, openTargets } from '../steps/targets.js';
import { javaRecordPath } from '../steps/preflight.js';
import { resolveCluster, savedInventoryPath, type ClusterFlags } from './cluster-ref.js';

export async function destroyCommand(flags: ClusterFlags & { yes?: boolean }, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  if (spec.executor !== 'local') {
    throw new ZkopsError(`destroy removes data, so it only works on local clusters; ${spec.name} runs over ${spec.executor}. Use zkops stop, and remove data on the hosts yourself if you mean it.`, ExitCode.usage);
  }
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw new ZkopsError(`destroy deletes every node's data in ${spec.dir}. Pass --yes to confirm.`, ExitCode.usage);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Stop cluster ${spec.name} and delete ${spec.dir} (all ZooKeeper data)? Type the cluster name to confirm: `);
    rl.close();
    if (answer.trim() !== spec.name) throw new ZkopsError('Not confirmed; nothing was stopped or deleted.', ExitCode.usage);
  }
  const targets = await openTargets(spec);
  const stopped: number[] = [];
  try {
    for (const t of targets) {
      const procs = await findNodeProcesses(t.ex, t.nodes);
      await Promise.all(
        t.nodes.map(async (n) => {
          if ((await stopNodeProcess(t.ex, n, procs.get(n.id))).status === 'stopped') stopped.push(n.id);
        }),
      );
    }
  } finally {
    await closeTargets(targets);
  }
  const removed = [...new Set(spec.nodes.map((n) => n.dir)), ...spec.nodes.flatMap((n) => [n.dataDir, n.dataLogDir ?? []].flat())];
  for (const dir of removed) await rm(dir, { recursive: true, force: true });
  for (const f of [path.join(spec.dir, 'java.sh'), path.join(spec.dir, 'zk.sh'), javaRecordPath(spec)]) await rm(f, { force: true });
  await rm(path.dirname(savedInventoryPath(spec.name)), { recursive: true, force: true });
  await rmdir(spec.dir).catch(() => undefined);
  await rmdir(path.join(process.cwd(), '.zkops')).catch(() => undefined);
  if (out.json) printJson({ cluster: spec.name, stopped: stopped.sort(), removed });
  else process.stdout.write(`Cluster ${spec.name} destroyed: stopped ${stopped.length} node(s), removed ${spec.dir}.\n`);
  return ExitCode.ok;
}
