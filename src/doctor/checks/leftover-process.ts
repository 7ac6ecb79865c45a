/**
 * Leftover QuorumPeerMain: a ZooKeeper JVM that is not one of this cluster's
 * nodes but holds one of its ports (the JVM that `zkServer.sh stop` missed,
 * blocking the restart). One started from a config inside this cluster's
 * directory is ours to stop (safe fix); any other is only explained.
 */
import { listeningPorts } from '../../inventory/spec.js';
import { listListeners } from '../../steps/ports.js';
import { stopNodeProcess } from '../../steps/processes.js';
import type { Check, Finding } from '../index.js';

export const leftoverProcessCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  for (const t of ctx.targets) {
    const mine = new Set([...ctx.processes.values()].flatMap((p) => (p ? [p.pid] : [])));
    const others = (ctx.allZk.get(t) ?? []).filter((p) => !mine.has(p.pid));
    if (others.length === 0) continue;
    const listeners = await listListeners(t.ex);
    for (const proc of others) {
      const ports = listeners.filter((l) => l.pid === proc.pid).map((l) => l.port);
      const blocked = t.nodes.flatMap((n) => listeningPorts(ctx.spec, n).filter((p) => ports.includes(p.port)).map((p) => `node ${n.id} ${p.name} port ${p.port}`));
      if (blocked.length === 0) continue;
      const ours = proc.config.startsWith(ctx.spec.dir + '/');
      const finding: Finding = {
        check: 'leftover-process',
        severity: 'error',
        message: `QuorumPeerMain pid ${proc.pid} (config ${proc.config || 'unknown'}) is not a node of this cluster but holds ${blocked.join(', ')}; the node cannot start while it runs.`,
        fix: ours ? `stop it (kill ${proc.pid}); zkops doctor --fix does it, since its config lies inside this cluster's directory` : `it belongs to something else: stop it yourself (kill ${proc.pid}) if it is a leftover, or move this cluster to other ports`,
      };
      if (ctx.fix && ours) {
        const node = t.nodes[0]!;
        await stopNodeProcess(t.ex, { ...node, zooCfg: proc.config }, proc);
        finding.fixed = true;
      }
      findings.push(finding);
    }
  }
  if (findings.length === 0) findings.push({ check: 'leftover-process', severity: 'ok', message: 'no stray QuorumPeerMain holds this cluster\'s ports' });
  return findings;
};
