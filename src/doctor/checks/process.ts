/**
 * Process: every node's server runs, answers, and can be stopped the way it
 * was started. A node stopped on purpose (no pid file: zkops stop, zkServer.sh
 * stop) is a warning; one that should run and does not (its pid file names a
 * dead process, its container exited) is an error with the cause from its log.
 * A server that runs without its pid file (zkServer.sh stop then says "no
 * zookeeper to stop" and leaves it running) gets the pid file back (--fix).
 */
import { sh } from '../../shell.js';
import type { NodeSpec } from '../../inventory/spec.js';
import { isServing } from '../../zookeeper/modes.js';
import { causeIn } from '../log-causes.js';
import { okIfNone, type Check, type DoctorContext, type Finding } from '../check.js';

export const processCheck: Check = async (ctx) => {
  const findings = (await Promise.all(ctx.spec.nodes.map((node) => checkNode(ctx, node)))).flat();
  return okIfNone(findings, 'process', `all ${ctx.spec.nodes.length} servers run`);
};

async function checkNode(ctx: DoctorContext, node: NodeSpec): Promise<Finding[]> {
  const s = ctx.states.get(node.id);
  const health = ctx.reports.find((r) => r.node === node)?.health;
  const log = ctx.logs.get(node.id) ?? '';
  const f = (severity: Finding['severity'], message: string, more: Partial<Finding> = {}): Finding => ({
    check: 'process',
    node: node.id,
    severity,
    message,
    ...more,
  });
  if (!s) return [];
  if (s.state === 'stopped') return [f('warning', s.detail, { fix: `zkops start ${node.id}` })];
  if (s.state === 'absent')
    return [f('error', s.detail, { fix: 'zkops init (or deploy) with the inventory sets it up' })];
  if (s.state === 'unknown') {
    const said =
      health && health.mode !== 'down'
        ? `its server answers over the client port (${health.mode})`
        : 'its client port does not answer either';
    return [
      f('error', `cannot look at its process: ${s.detail}; ${said}`, { fix: 'make its host reachable over SSH' }),
    ];
  }
  if (s.state === 'crashed') {
    const cause = causeIn(s.log || log);
    const said = (s.log || log).split('\n').filter(Boolean).slice(-5);
    return [
      f('error', `${s.detail}${cause ? `: ${cause.cause}` : ''}`, {
        evidence: cause ? [`log: ${cause.line}`] : said.map((l) => `log: ${l}`),
        fix: cause
          ? `${cause.fix}; then zkops start ${node.id}`
          : `fix the cause in its log, then zkops start ${node.id}`,
      }),
    ];
  }
  // Running.
  const p = s.process;
  const who = `pid ${p.pid}${p.user ? ` as ${p.user}` : ''}`;
  const findings: Finding[] = [];
  if (health && !isServing(health.mode)) {
    const cause = causeIn(log);
    findings.push(
      f('error', `runs (${who}) but does not serve: ${health.error ?? health.mode}${cause ? `; ${cause.cause}` : ''}`, {
        evidence: cause
          ? [`log: ${cause.line}`]
          : log
              .split('\n')
              .filter(Boolean)
              .slice(-3)
              .map((l) => `log: ${l}`),
        fix: cause?.fix ?? "the node's log says why it does not join; zkops restart it once fixed",
      }),
    );
  }
  // The pid file is how zkServer.sh stop (and zkops, for a supervised start) finds the server.
  if (ctx.rt.capabilities.pidFiles) {
    const facts = ctx.facts.find((x) => x.node === node);
    const text = facts?.pidFileText;
    if (text !== String(p.pid)) {
      const what =
        text === undefined
          ? `its pid file ${node.pidFile} is gone, ` +
            `so \`zkServer.sh stop\` says "no zookeeper to stop" and leaves it running`
          : `its pid file ${node.pidFile} names ${text}, not the server`;
      const finding = f('warning', `runs as ${who}, but ${what}`, {
        evidence: [`process ${p.pid}: ${short(p.command)}`],
        fix: `write ${p.pid} into ${node.pidFile} (zkops doctor --fix does it)`,
      });
      if (ctx.fix && facts) {
        const place = facts.place;
        const r = await place.ex.exec(`printf '%s' ${p.pid} > ${sh(node.pidFile)}`);
        finding.fixed = r.code === 0;
      }
      findings.push(finding);
    }
  }
  if (findings.length === 0)
    findings.push(
      f('ok', `runs as ${who} (${p.by}${p.unit ? ` ${p.unit}` : ''}) and serves as ${health?.mode ?? '?'}`),
    );
  return findings;
}

/** A long command line, its start and its end kept (the main class and the config are at the end). */
function short(command: string): string {
  return command.length <= 160 ? command : `${command.slice(0, 60)} … ${command.slice(-90)}`;
}
