/** The status of a cluster: every node's mode, zxid, connections and process, and the verdict. */
import { quietContext, Reporter, type OpContext } from '../events.js';
import { probeCluster } from '../health/cluster.js';
import { clusterStatus, type ClusterStatus } from '../health/status.js';
import { withRuntime } from '../runtime/index.js';
import { specOf, type ClusterRef } from './cluster.js';

/** Probes every node and asks the runtime which processes run; hosts out of reach are named, not fatal. */
export async function status(ref: ClusterRef, ctx: OpContext = quietContext): Promise<ClusterStatus> {
  const spec = await specOf(ref, new Reporter(ctx));
  // The probes go over the client ports and need no runtime: they start at once, in parallel with connecting.
  const probes = probeCluster(spec);
  // Hosts that cannot be reached are named; their nodes still show what their client ports say.
  const [processes, unreachable] = await withRuntime(
    spec,
    { partial: true },
    async (rt) => [await rt.processes(), rt.unreachable] as const,
  );
  return clusterStatus(spec, await probes, processes, unreachable);
}
