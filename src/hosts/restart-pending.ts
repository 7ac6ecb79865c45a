/**
 * A running node whose files change must restart to take them. When zkops is
 * stopped between writing the files and restarting the node (Ctrl-C, kill, a
 * lost SSH connection), the next run finds the files already as wanted: without
 * a record it would leave the server running with the old ones, and say that
 * nothing changed. The record is a file in the node's data directory, written
 * before any of the node's files change, removed when its server starts
 * (whoever starts it); it keeps the zoo.cfg the server still runs with.
 */
import type { NodeSpec } from '../inventory/spec.js';
import type { Executor } from '../executors/types.js';
import { execChecked } from '../executors/helpers.js';
import { sh } from '../shell.js';
import { restartPendingPath } from '../render/node.js';

const NOTE =
  'zkops changed the files here while the server ran and has not restarted it yet: the next zkops deploy (or ' +
  'start/restart) restarts it and removes this file.';

/**
 * Records that `nodes`' running servers do not run with their files any more (one round trip). The record
 * holds the zoo.cfg the server runs with (the one about to be replaced; an earlier record is kept, since its
 * server still runs with that one): preflight reads it as the running config (membership, TLS and SASL levels).
 */
export async function markRestartPending(ex: Executor, nodes: NodeSpec[]): Promise<void> {
  if (nodes.length === 0) return;
  await execChecked(
    ex,
    nodes
      .map((n) => {
        const record = sh(restartPendingPath(n));
        const tmp = sh(`${restartPendingPath(n)}.tmp`);
        // Through a temporary file: a run killed mid-write leaves no half config for preflight to read.
        return (
          `{ [ -f ${record} ] || { { printf '# %s\\n' ${sh(NOTE)}; cat ${sh(n.zooCfg)} 2>/dev/null || true; } > ${tmp} && ` +
          `mv -f ${tmp} ${record}; }; }`
        );
      })
      .join(' && '),
  );
}

/** Of `nodes`, the ids of those whose restart is still pending from an earlier run (one round trip). */
export async function pendingRestarts(ex: Executor, nodes: NodeSpec[]): Promise<Set<number>> {
  if (nodes.length === 0) return new Set();
  const r = await ex.exec(
    `${nodes.map((n) => `[ ! -f ${sh(restartPendingPath(n))} ] || echo ${n.id}`).join('; ')}; true`,
  );
  return new Set(r.stdout.split('\n').filter(Boolean).map(Number));
}

/** The shell command, run as a node's server starts, that clears its record (rm only where there is one). */
export function clearRestartPending(node: NodeSpec): string {
  const file = sh(restartPendingPath(node));
  return `{ [ ! -f ${file} ] || rm -f ${file}; }`;
}
