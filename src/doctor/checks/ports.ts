/** Ports: every stopped node's ports must be free, or it cannot start. Names the holder. */
import { describeClash, findPortClashes } from '../../hosts/ports.js';
import { ownPids, type Check, type Finding } from '../index.js';

export const portsCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const own = ownPids(ctx);
  for (const m of ctx.machines) {
    if (!m.listeners) {
      findings.push({
        check: 'ports',
        severity: 'warning',
        message: `${m.machine.label} has no \`ss\`; its ports cannot be checked`,
        fix: 'install iproute2',
      });
      continue;
    }
    const zkPids = new Set(m.zk.map((p) => p.pid));
    const stopped = m.nodes.filter((n) => ctx.states.get(n.id)?.state !== 'running');
    for (const c of await findPortClashes(m.machine.ex, stopped, own, m.listeners)) {
      if (c.holder.pid && zkPids.has(c.holder.pid)) continue; // reported by leftover-process
      findings.push({
        check: 'ports',
        severity: 'error',
        message: describeClash(c, m.machine.address),
        fix: 'stop that process, or give this cluster other ports (inventory or --base-port)',
      });
    }
  }
  if (findings.length === 0)
    findings.push({ check: 'ports', severity: 'ok', message: 'no other process holds a port of this cluster' });
  return findings;
};
