/**
 * Leftover QuorumPeerMain: a ZooKeeper JVM that is not one of this cluster's
 * nodes but holds one of its ports (the JVM that `zkServer.sh stop` missed,
 * blocking the restart). One started from a config inside this cluster's
 * directory is ours to stop (safe fix); any other is only explained.
 */
import { stopNodeProcess } from '../../hosts/processes.js';
import { ownPids, type Check, type Finding } from '../check.js';

export const leftoverProcessCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const mine = ownPids(ctx);
  for (const m of ctx.machines) {
    const others = m.zk.filter((p) => !mine.has(p.pid));
    for (const proc of others) {
      const ports = (m.listeners ?? []).filter((l) => l.pid === proc.pid).map((l) => l.port);
      const blocked = m.nodes.flatMap((n) =>
        n.listens.filter((p) => ports.includes(p.port)).map((p) => `node ${n.id} ${p.name} port ${p.port}`),
      );
      if (blocked.length === 0) continue;
      const ours = proc.config.startsWith(ctx.spec.dir + '/');
      const finding: Finding = {
        check: 'leftover-process',
        severity: 'error',
        message:
          `QuorumPeerMain pid ${proc.pid} (config ${proc.config || 'unknown'}) is not a node of this ` +
          `cluster but holds ${blocked.join(', ')}; the node cannot start while it runs.`,
        fix: ours
          ? `stop it (kill ${proc.pid}); zkops doctor --fix does it, since its config lies inside this cluster's ` +
            `directory`
          : `it belongs to something else: stop it yourself (kill ${proc.pid}) if it is a leftover, or move this ` +
            `cluster to other ports`,
      };
      if (ctx.fix && ours) {
        await stopNodeProcess(m.machine.ex, { ...m.nodes[0]!, zooCfg: proc.config }, proc);
        finding.fixed = true;
      }
      findings.push(finding);
    }
  }
  if (findings.length === 0)
    findings.push({
      check: 'leftover-process',
      severity: 'ok',
      message: "no stray QuorumPeerMain holds this cluster's ports",
    });
  return findings;
};
