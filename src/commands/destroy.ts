/**
 * `zkops destroy`: stop every node and remove what init created (node
 * directories or containers, data included, and the saved inventory). Local
 * and Docker clusters only: zkops never deletes data on remote hosts.
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
import type { ClusterSpec } from '../inventory/spec.js';

export async function destroyCommand(flags: ClusterFlags & { yes?: boolean }, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  if (spec.executor === 'ssh') {
    throw new ZkopsError(`destroy removes data, so it only works on local clusters; ${spec.name} runs over ${spec.executor}. Use zkops stop, and remove data on the hosts yourself if you mean it.`, ExitCode.usage);
  }
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      const where = spec.executor === 'docker' ? "(the containers' volumes)" : `in ${spec.dir}`;
      throw new ZkopsError(`destroy deletes every node's data ${where}. Pass --yes to confirm.`, ExitCode.usage);
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const what = spec.executor === 'docker' ? `its containers, volumes (all ZooKeeper data) and network` : `${spec.dir} (all ZooKeeper data)`;
    const answer = await rl.question(`Stop cluster ${spec.name} and delete ${what}? Type the cluster name to confirm: `);
    rl.close();
    if (answer.trim() !== spec.name) throw new ZkopsError('Not confirmed; nothing was stopped or deleted.', ExitCode.usage);
  }
  if (spec.executor === 'docker') return destroyDocker(spec, out);
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

/** A Docker cluster: its containers, volumes and network go; then what zkops saved about it. */
async function destroyDocker(spec: ClusterSpec, out: OutputOptions): Promise<number> {
  const { DockerEngine } = await import('../executors/docker.js');
  const { destroyContainers } = await import('../steps/docker.js');
  const { stopped, removed } = await destroyContainers(await DockerEngine.connect(), spec);
  await rm(path.dirname(savedInventoryPath(spec.name)), { recursive: true, force: true });
  await rmdir(spec.dir).catch(() => undefined);
  await rmdir(path.join(process.cwd(), '.zkops')).catch(() => undefined);
  if (out.json) printJson({ cluster: spec.name, stopped, removed });
  else process.stdout.write(`Cluster ${spec.name} destroyed: stopped ${stopped.length} node(s), removed ${removed.length} containers, volumes and networks.\n`);
  return ExitCode.ok;
}
