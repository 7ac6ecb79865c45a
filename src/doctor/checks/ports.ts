/** Ports: every stopped node's ports must be free, or it cannot start. Names the holder. */
import { describeClash, findPortClashes } from '../../steps/ports.js';
import type { Check, Finding } from '../index.js';

export const portsCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const own = new Set([...ctx.processes.values()].flatMap((p) => (p ? [p.pid] : [])));
  const zkPids = new Set([...ctx.allZk.values()].flat().map((p) => p.pid));
  for (const t of ctx.targets) {
    const stopped = t.nodes.filter((n) => !ctx.processes.get(n.id));
    for (const c of await findPortClashes(t.ex, ctx.spec, stopped, own)) {
      if (c.holder.pid && zkPids.has(c.holder.pid)) continue; // reported by leftover-process
      findings.push({ check: 'ports', severity: 'error', message: describeClash(c, t.host.address), fix: 'stop that process, or give this cluster other ports (inventory or --base-port)' });
    }
  }
  if (findings.length === 0) findings.push({ check: 'ports', severity: 'ok', message: 'no other process holds a port of this cluster' });
  return findings;
};
