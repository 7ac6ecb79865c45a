/**
 * Process: every node's server runs. A node stopped on purpose (zkops stop)
 * is a warning; one that should run and does not (it crashed, was killed, its
 * container exited) is an error with the cause from its log.
 */
import type { Check, Finding } from '../index.js';

export const processCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  for (const node of ctx.spec.nodes) {
    const s = ctx.states.get(node.id);
    if (!s || s.state === 'running') continue;
    if (s.state === 'stopped')
      findings.push({
        check: 'process',
        severity: 'warning',
        message: `node ${node.id}: ${s.detail}`,
        fix: `zkops start ${node.id}`,
      });
    else if (s.state === 'unknown') {
      const health = ctx.reports.find((r) => r.node.id === node.id)?.health;
      const said =
        health && health.mode !== 'down'
          ? `its server answers over the client port (${health.mode})`
          : 'its client port does not answer either';
      findings.push({
        check: 'process',
        severity: 'error',
        message: `node ${node.id}: cannot look at its process: ${s.detail}; ${said}`,
        fix: 'make its host reachable over SSH',
      });
    } else if (s.state === 'absent')
      findings.push({
        check: 'process',
        severity: 'error',
        message: `node ${node.id}: ${s.detail}`,
        fix: 'zkops init (or deploy) with the inventory sets it up',
      });
    else {
      const said = s.log.split('\n').filter(Boolean).slice(-5).join('\n        ');
      findings.push({
        check: 'process',
        severity: 'error',
        message: `node ${node.id}: ${s.detail}${said ? `; its server last said:\n        ${said}` : ''}`,
        fix: `fix the cause, then zkops start ${node.id}`,
      });
    }
  }
  if (findings.length === 0)
    findings.push({ check: 'process', severity: 'ok', message: `all ${ctx.spec.nodes.length} servers run` });
  return findings;
};
