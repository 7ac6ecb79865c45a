/**
 * Quorum: one leader, a majority of voters following it, every node serving,
 * followers in sync with the leader, and every node on the same version
 * (outside an upgrade, version skew is a mistake waiting to bite).
 */
import { judgeCluster } from '../../health/cluster.js';
import type { Check, Finding } from '../check.js';

export const quorumCheck: Check = async (ctx) => {
  const v = judgeCluster(ctx.reports);
  const findings: Finding[] =
    v.status === 'healthy'
      ? []
      : v.problems.map((p) => ({
          check: 'quorum',
          severity: v.status === 'degraded' ? ('warning' as const) : ('error' as const),
          message: p,
          fix: /whitelist/.test(p)
            ? 'add srvr to 4lw.commands.whitelist (zkops always does; re-run init/deploy)'
            : "zkops start starts stopped nodes; the node's log says why one does not join",
        }));
  const versions = new Map<string, number[]>();
  for (const r of ctx.reports)
    if (r.health.version) versions.set(r.health.version, [...(versions.get(r.health.version) ?? []), r.node.id]);
  const versionList = [...versions]
    .map(([ver, ids]) => `${ver} (node${ids.length > 1 ? 's' : ''} ${ids.join(', ')})`)
    .join(', ');
  if (versions.size > 1)
    findings.push({
      check: 'quorum',
      severity: 'warning',
      message: `the nodes run different versions: ${versionList}`,
      fix: 'finish the upgrade: every node on one version (zkops upgrade rolls it out one node at a time)',
    });
  const leader = ctx.reports.find((r) => r.health.mode === 'leader');
  const followers = ctx.reports.filter((r) => r.health.mode === 'follower').length;
  const synced = leader?.health.metrics?.syncedFollowers;
  if (leader && synced !== undefined && synced < followers)
    findings.push({
      check: 'quorum',
      severity: 'warning',
      message: `the leader (node ${leader.node.id}) has ${synced} of ${followers} followers in sync`,
      fix:
        'a follower still syncing (large data) or lagging (disk, network): ' +
        "its log and mntr's zk_synced_followers tell",
    });
  if (v.status === 'healthy' && findings.length === 0)
    findings.push({ check: 'quorum', severity: 'ok', message: `healthy; leader is node ${v.leader}` });
  return findings;
};
