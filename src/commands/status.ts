/** `zkops status`: every node's mode, zxid, connections and pid; exit 0 only when healthy. */
import { ExitCode } from '../errors.js';
import { probeCluster } from '../health/cluster.js';
import { printJson, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { clusterStatus, formatStatus } from './report.js';

export async function statusCommand(flags: ClusterFlags, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  // The probes go over the client ports and need no runtime: they start at once, in parallel with connecting.
  const probes = probeCluster(spec);
  // Hosts that cannot be reached are named; their nodes still show what their client ports say.
  const [processes, unreachable] = await withRuntime(
    spec,
    { partial: true },
    async (rt) => [await rt.processes(), rt.unreachable] as const,
  );
  const status = clusterStatus(spec, await probes, processes, unreachable);
  if (out.json) printJson(status);
  else process.stdout.write(formatStatus(status));
  return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
}
