/**
 * Commands that will not break the quorum by accident. Before nodes are
 * stopped or restarted, the voters left serving must still be a majority;
 * otherwise the command refuses with what would happen, unless forced. An
 * ensemble that has no quorum already has nothing left to protect.
 */
import { PreflightError } from '../errors.js';
import type { NodeSpec } from '../inventory/spec.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { probeCluster, type NodeReport } from '../health/cluster.js';
import { NOT_IN_QUORUM } from '../health/probe.js';
import { majority, voters } from '../health/majority.js';
import { pollUntil } from '../util/poll.js';

/** What taking nodes out would leave: how many voters serve now, and after. */
export interface QuorumOutlook {
  voters: number;
  need: number;
  servingNow: number;
  servingAfter: number;
  /** Voters whose server runs in no quorum yet (an election, or joining), besides those serving. */
  upNow: number;
  upAfter: number;
}

const isVoter = (r: NodeReport) => r.node.role !== 'observer';
const servingVoter = (r: NodeReport) => isVoter(r) && (r.health.mode === 'leader' || r.health.mode === 'follower');
// Only the answer of a server in no quorum counts: one whose srvr is not whitelisted tells nothing.
const upVoter = (r: NodeReport) =>
  servingVoter(r) || (isVoter(r) && r.health.mode === 'not-serving' && r.health.error === NOT_IN_QUORUM);

/** Counts, from a probe of every node, what taking `leaving` out of service would leave. */
export function quorumOutlook(reports: NodeReport[], leaving: NodeSpec[]): QuorumOutlook {
  const all = voters(reports.map((r) => r.node));
  const staying = (r: NodeReport) => !leaving.some((n) => n.id === r.node.id);
  const serving = reports.filter(servingVoter);
  const up = reports.filter(upVoter);
  return {
    voters: all.length,
    need: majority(all.length),
    servingNow: serving.length,
    servingAfter: serving.filter(staying).length,
    upNow: up.length,
    upAfter: up.filter(staying).length,
  };
}

/**
 * Refuses to take `leaving` out of service (`verb`: stopping, restarting)
 * when the ensemble has its quorum now and would lose it. With `force` it
 * only returns the warning to show. `waitMs` (10 s by default): nodes that are
 * joining or electing get this long to be counted (a start right before a
 * rolling restart, a stop right after the leader's). An election that outlasts
 * the wait is judged on the servers up: taking out what it needs is refused too.
 */
export async function guardQuorum(
  spec: ClusterSpec,
  leaving: NodeSpec[],
  verb: string,
  options: { force?: boolean; waitMs?: number } = {},
): Promise<string | undefined> {
  const look = async () => {
    const reports = await probeCluster(spec, 1500, false);
    return { o: quorumOutlook(reports, leaving), joining: reports.some((r) => r.health.mode === 'not-serving') };
  };
  // Wait only while some node is joining or electing (up, not serving yet); a node that is down stays down.
  // Enough voters up but too few serving is an election under way (the leader was just stopped), not an
  // ensemble without a quorum: judging it then would wave the next stop through.
  const { o } = (
    await pollUntil(look, {
      until: ({ o, joining }) => o.upNow < o.need || o.servingAfter >= o.need || !joining,
      timeoutMs: options.waitMs ?? 10_000,
      intervalMs: 250,
      orLast: true,
    })
  ).state;
  if (o.servingAfter >= o.need) return undefined;
  const what = `${verb} node${leaving.length > 1 ? 's' : ''} ${leaving.map((n) => n.id).join(', ')}`;
  let consequence: string;
  if (o.servingNow >= o.need)
    consequence =
      `${what} leaves ${o.servingAfter} of ${o.voters} voters serving: the ensemble would lose its ` +
      `quorum (it needs ${o.need}) and refuse every read and write`;
  else if (o.upNow >= o.need && o.upAfter < o.need)
    consequence =
      `the ensemble is still electing a leader (${o.upNow} of ${o.voters} voters up, ${o.servingNow} serving); ` +
      `${what} leaves ${o.upAfter} up: it could not form a quorum (it needs ${o.need}) and would refuse every ` +
      `read and write`;
  // No quorum now, and none coming: nothing left to protect.
  else return undefined;
  if (options.force) return `${consequence}; going on (--force).`;
  throw new PreflightError(
    `${consequence}. Nothing was changed. Start the nodes that are down first (zkops start), or pass --force if ` +
      `the outage is intended.`,
  );
}
