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
  if (spec.executor === 'docker') {
    const { DockerEngine } = await import('../executors/docker.js');
    const { containerProcesses } = await import('../steps/docker.js');
    const [reports, processes] = await Promise.all([probeCluster(spec), DockerEngine.connect().then((e) => containerProcesses(e, spec))]);
    return report(clusterStatus(spec, reports, processes), out);
  }
  const targets = await openTargets(spec);
  try {
    const [reports, procMaps] = await Promise.all([probeCluster(spec), Promise.all(targets.map((t) => findNodeProcesses(t.ex, t.nodes)))]);
    const processes = new Map<number, ZkProcess | undefined>(procMaps.flatMap((m) => [...m]));
    return report(clusterStatus(spec, reports, processes), out);
  } finally {
    await closeTargets(targets);
  }
}

function report(status: ReturnType<typeof clusterStatus>, out: OutputOptions): number {
  if (out.json) printJson(status);
  else process.stdout.write(formatStatus(status));
  return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
}
