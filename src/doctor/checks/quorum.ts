/** Quorum: one leader, everyone else following; explains each node that is not. */
import { judgeCluster } from '../../health/cluster.js';
import type { Check } from '../index.js';

export const quorumCheck: Check = async (ctx) => {
  const v = judgeCluster(ctx.reports);
  if (v.status === 'healthy')
    return [{ check: 'quorum', severity: 'ok', message: `healthy; leader is node ${v.leader}` }];
  return v.problems.map((p) => ({
    check: 'quorum',
    severity: v.status === 'degraded' ? ('warning' as const) : ('error' as const),
    message: p,
    fix: /whitelist/.test(p)
      ? 'add srvr to 4lw.commands.whitelist (zkops always does; re-run init/deploy)'
      : "zkops start starts stopped nodes; the node's logs/zookeeper.log says why one does not join",
  }));
};
