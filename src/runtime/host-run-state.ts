/**
 * What a host says about nodes that are not running: whether they can start
 * (set up, their ports free) and, for status, why one is down (stopped on
 * purpose, crashed, never set up). One round trip per question.
 */
import type { NodeSpec } from '../inventory/spec.js';
import { ExitCode, PreflightError, ZkopsError } from '../errors.js';
import { assertPortsFree, noSs, parseSsListeners } from '../hosts/ports.js';
import type { HostTarget } from '../hosts/targets.js';
import { sh } from '../shell.js';
import { logTail } from './host-logs.js';
import type { RunState } from './types.js';

/** Refuses to start `nodes` on the host when one was never set up or a port is held by a process not in `ownPids`. */
export async function assertStartableOn(t: HostTarget, nodes: NodeSpec[], ownPids: Set<number>): Promise<void> {
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
export async function downNodeState(t: HostTarget, node: NodeSpec): Promise<RunState> {
  const r = await t.ex.exec(
    `[ -f ${sh(node.runScript)} ] || { echo absent; exit; }; cat ${sh(node.pidFile)} 2>/dev/null || echo stopped`,
  );
  const said = r.stdout.trim();
  if (said === 'absent') return { state: 'absent', detail: `never set up (${node.runScript} is missing)` };
  if (said === 'stopped') return { state: 'stopped', detail: 'stopped (no pid file: stopped on purpose)' };
  const log = await logTail(t.ex, node).catch(() => '');
  return { state: 'crashed', detail: `its pid file names ${said}, which is not running: the server died`, log };
}
