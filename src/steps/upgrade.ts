/**
 * Version changes, for every runtime. A change of zookeeper.home, .tarball,
 * .version (or the image) makes the pipeline roll the new release out one node
 * at a time, followers first, the leader last. Two things make it safe:
 * - a downgrade across the 3.4 | 3.5+ line (a 3.5+ data directory is not 3.4's
 *   to read) is refused unless asked for;
 * - from 3.4 to 3.5+, a node whose data has transaction logs but no snapshot
 *   would refuse to start ("No snapshot found, but there are log entries",
 *   ZOOKEEPER-3056): it starts once with snapshot.trust.empty=true, which is
 *   removed from its zoo.cfg as soon as it holds a snapshot.
 */
import { PreflightError } from '../errors.js';
import type { NodeSpec } from '../inventory/spec.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { probeCluster } from '../health/cluster.js';
import { versionAtLeast } from '../zookeeper/version.js';
import type { NodePlan, Survey } from '../runtime/types.js';

/** One node's version move. */
export interface VersionMove {
  node: NodeSpec;
  /** What it runs now (from srvr; undefined when it does not run). */
  from?: string;
  to: string;
  /** It starts once with snapshot.trust.empty=true. */
  trustEmptySnapshot: boolean;
}

const line = (v: string) => (versionAtLeast(v, '3.5.0') ? '3.5+' : '3.4');

/**
 * What each node runs now and will run, and which nodes need the empty-snapshot trust; refuses a downgrade across
 * lines.
 */
export async function planVersions(
  survey: Survey,
  plans: NodePlan[],
  options: { allowDowngrade?: boolean; spec: ClusterSpec },
): Promise<VersionMove[]> {
  const reports = await probeCluster({ ...options.spec, nodes: plans.map((p) => p.node) }, 1500, false);
  const moves = plans.map((p): VersionMove => {
    const s = survey.nodes.find((x) => x.node === p.node);
    const from = s?.process ? reports.find((r) => r.node === p.node)?.health.version : undefined;
    const up = versionAtLeast(p.version, '3.5.0') && (from === undefined || !versionAtLeast(from, '3.5.0'));
    return { node: p.node, from, to: p.version, trustEmptySnapshot: up && Boolean(s?.txnLogs) && !s?.snapshots };
  });
  const down = moves.filter((m) => m.from && line(m.from) === '3.5+' && line(m.to) === '3.4');
  if (down.length && !options.allowDowngrade) {
    throw new PreflightError(
      `This would move node${down.length > 1 ? 's' : ''} ${down.map((m) => m.node.id).join(', ')} ` +
        `from ${down[0]!.from} back to ${down[0]!.to}: ` +
        'a 3.5+ data directory is not for 3.4 to read (new transaction types, the dynamic configuration). ' +
        'Nothing was written or started. ' +
        'Pass --allow-downgrade if you restored 3.4 data, or keep the newer release.',
    );
  }
  return moves;
}
