/**
 * What the host runtime checks on its hosts: which were reached (for the
 * doctor), whether nodes can start there (set up, their ports free), and why
 * a node is down (stopped on purpose, crashed, never set up). One round trip
 * per question.
 */
import type { NodeSpec } from '../inventory/spec.js';
import { ExitCode, PreflightError, ZkopsError } from '../errors.js';
import { assertPortsFree, noSs, parseSsListeners } from '../hosts/ports.js';
import type { HostPlace, UnreachableHost } from '../hosts/places.js';
import { sh } from '../shell.js';
import { logTail } from './host-logs.js';
import type { RunState, RuntimeFinding } from './types.js';

/** Refuses to start `nodes` on the host when one was never set up or a port is held by a process not in `ownPids`. */
export async function assertStartableOn(t: HostPlace, nodes: NodeSpec[], ownPids: Set<number>): Promise<void> {
  // One round trip: which run scripts are missing, then the listening sockets.
  const look = await t.ex.exec(
    `${nodes.map((n) => `[ -f ${sh(n.runScript)} ] || echo ${n.id}`).join('; ')}; echo @@; command -v ss ` +
      `>/dev/null && ss -Hltnp || echo @@no-ss`,
  );
  const [missingPart = '', ssPart = ''] = look.stdout.split('@@\n');
  const missing = missingPart.split('\n').filter(Boolean);
  if (missing.length) {
    throw new ZkopsError(
      `Node ${missing.join(', ')} has never been set up on ${t.host.name} (no run script). Run zkops init ` +
        `(or deploy) first.`,
      ExitCode.usage,
    );
  }
  if (ssPart.includes('@@no-ss')) throw noSs(t.ex.label);
  await assertPortsFree(t.ex, nodes, ownPids, t.host.address, parseSsListeners(ssPart)).catch((e: Error) => {
    throw new PreflightError(`Nothing was started: ${e.message}`);
  });
}

/**
 * The state of a node whose server does not run, from its run script and pid file: never set up, stopped on
 * purpose (zkops removes the pid file when it stops a server), or crashed (with the end of its log).
 */
export async function downNodeState(t: HostPlace, node: NodeSpec): Promise<RunState> {
  const r = await t.ex.exec(
    `[ -f ${sh(node.runScript)} ] || { echo absent; exit; }; cat ${sh(node.pidFile)} 2>/dev/null || echo stopped`,
  );
  const said = r.stdout.trim();
  if (said === 'absent') return { state: 'absent', detail: `never set up (${node.runScript} is missing)` };
  if (said === 'stopped') return { state: 'stopped', detail: 'stopped (no pid file: stopped on purpose)' };
  const log = await logTail(t.ex, node).catch(() => '');
  return { state: 'crashed', detail: `its pid file names ${said}, which is not running: the server died`, log };
}

/** The doctor's view of the hosts: each that could not be reached (an error naming its nodes), then those reached. */
export function hostFindings(summary: string, reached: HostPlace[], down: UnreachableHost[]): RuntimeFinding[] {
  const findings: RuntimeFinding[] = down.map((d) => ({
    check: 'hosts',
    severity: 'error',
    message:
      `${d.host.name} (${d.host.address}) cannot be reached over SSH, so its node${d.nodes.length > 1 ? 's' : ''} ` +
      `${d.nodes.map((n) => n.id).join(', ')} could only be probed over the client port: ${d.reason}`,
    fix: 'check that the host is up and that its SSH port is open from here (a firewall rule, a security group)',
  }));
  if (reached.length) {
    const names = reached.map((t) => t.host.name).join(', ');
    findings.push({ check: 'hosts', severity: 'ok', message: `${summary} reached (${names})` });
  }
  return findings;
}
