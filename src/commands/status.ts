/** `zkops status`: every node's mode, zxid, connections, pid; exit 0 only when healthy. */
import { ExitCode } from '../errors.js';
import { probeCluster } from '../health/cluster.js';
import { printJson, type OutputOptions } from '../output.js';
import { findNodeProcesses, type ZkProcess } from '../steps/processes.js';
import { closeTargets, openTargets } from '../steps/targets.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { clusterStatus, formatStatus } from './report.js';

export async function statusCommand(flags: ClusterFlags, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const targets = await openTargets(spec);
  try {
    const [reports, procMaps] = await Promise.all([probeCluster(spec), Promise.all(targets.map((t) => findNodeProcesses(t.ex, t.nodes)))]);
    const processes = new Map<number, ZkProcess | undefined>(procMaps.flatMap((m) => [...m]));
    const status = clusterStatus(spec, reports, processes);
    if (out.json) printJson(status);
    else process.stdout.write(formatStatus(status));
    return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  } finally {
    await closeTargets(targets);
  }
}
