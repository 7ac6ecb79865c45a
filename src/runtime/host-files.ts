/**
 * Putting one host's files in place for `apply`: its profile scripts and its
 * nodes' files, compared first and written atomically, with the directories,
 * the pending-restart record, group ownership, obsolete files, systemd units
 * and the Java record around them.
 */
import path from 'node:path';
import type { ClusterSpec } from '../inventory/spec.js';
import { renderProfileScripts } from '../render/node.js';
import type { RenderedFile } from '../executors/types.js';
import { execChecked, syncFiles } from '../executors/helpers.js';
import { javaRecordPath, type HostState } from '../hosts/preflight.js';
import { markRestartPending, pendingRestarts } from '../hosts/restart-pending.js';
import { sh } from '../shell.js';
import { activateUnits, giveToGroup, prepareDirs } from './host-shell.js';
import type { NodeApplied, NodePlan } from './types.js';

/** Where profile scripts go where zkops has root on a remote host (else beside the nodes). */
const SYSTEM_PROFILE_DIR = '/etc/profile.d';

/** Writes the host's share of `plans` (dryRun: compares only); each of its nodes, with whether it changed. */
export async function writeHostFiles(
  spec: ClusterSpec,
  h: HostState,
  plans: NodePlan[],
  options: { dryRun: boolean; noRestart?: boolean },
): Promise<NodeApplied[]> {
  const t = h.place;
  const hostFiles = profileFiles(spec, h);
  const mine = plans.filter((p) => t.nodes.includes(p.node));
  const running = mine.filter((p) => p.running);
  // Running servers that an earlier, interrupted run gave new files without restarting them.
  const pending = await pendingRestarts(
    t.ex,
    running.map((p) => p.node),
  );
  const all = [...hostFiles, ...mine.flatMap((p) => p.files)];
  // The directories are made in the same round trip that looks at the files already there.
  const outcomes = await syncFiles(t.ex, all, {
    dryRun: options.dryRun,
    keepBefore: options.dryRun,
    prelude: options.dryRun ? undefined : prepareDirs(spec, t.nodes, h.facts),
    // Recorded before the first file changes: a run stopped before the restart leaves the next one knowing.
    beforeWrite: (paths) =>
      options.noRestart
        ? Promise.resolve()
        : markRestartPending(
            t.ex,
            running.filter((p) => p.files.some((f) => paths.includes(f.path))).map((p) => p.node),
          ),
  });
  if (!options.dryRun) {
    await giveToGroup(t.ex, all);
    const obsolete = mine.flatMap((p) => p.obsolete ?? []);
    if (obsolete.length) await execChecked(t.ex, `rm -f ${obsolete.map(sh).join(' ')}`);
    if (h.facts.systemd) await activateUnits(spec, t, outcomes);
    if (h.javaRecord) await t.ex.writeFile(javaRecordPath(spec, t.remote), h.javaRecord, 0o644);
  }
  const ofHost = outcomes.slice(0, hostFiles.length);
  return mine.map((p) => {
    const own = outcomes.filter((o) => p.files.some((f) => f.path === o.path));
    const changed = own.some((o) => o.status === 'changed') || pending.has(p.node.id);
    return { node: p.node, files: [...own, ...ofHost], changed };
  });
}

/** java.sh and zk.sh: in /etc/profile.d where zkops has root on a remote host, else beside the nodes, to be sourced. */
function profileFiles(spec: ClusterSpec, h: HostState): RenderedFile[] {
  const profiles = renderProfileScripts(h.facts, h.place.nodes[0]!.confDir);
  const dir = h.place.remote && h.root ? SYSTEM_PROFILE_DIR : spec.dir;
  return [
    { path: path.join(dir, 'java.sh'), content: profiles.javaSh, mode: 0o644 },
    { path: path.join(dir, 'zk.sh'), content: profiles.zkSh, mode: 0o644 },
  ];
}
