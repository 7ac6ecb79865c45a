/**
 * The shell commands the host runtime sends when it writes a node's files:
 * directories and the service account before the files, group ownership of
 * private files and systemd's view of changed units after them.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { unitName, unitPath, type HostFacts } from '../render/node.js';
import type { RenderedFile } from '../executors/types.js';
import { execChecked, type FileOutcome } from '../executors/helpers.js';
import type { Executor } from '../executors/types.js';
import type { HostPlace } from '../hosts/places.js';
import { sh } from '../shell.js';

/**
 * Creates every node's data, data-log and log directory, readable by owner and
 * group only. With a service account: creates the account when missing (a
 * system account without login) and gives it those directories and what is
 * in them (the only places the server writes); configs stay root's.
 */
export function prepareDirs(spec: ClusterSpec, nodes: NodeSpec[], facts: HostFacts): string {
  const dirs = nodes
    .flatMap((n) => [n.dataDir, n.logDir, ...(n.dataLogDir ? [n.dataLogDir] : [])])
    .map(sh)
    .join(' ');
  const make = `mkdir -p ${dirs} && chmod 750 ${dirs}`;
  if (!facts.user) return make;
  const u = sh(facts.user);
  return [
    `getent passwd ${u} >/dev/null || useradd --system --user-group --no-create-home --home-dir ${sh(spec.dir)} ` +
      `--shell "$(command -v nologin || echo /bin/false)" ${u}`,
    make,
    `g=$(id -g ${u})`,
    // Only what is not already theirs: a no-change deploy changes nothing.
    `find ${dirs} \\( ! -user ${u} -o ! -group "$g" \\) -exec chown -h ${u}:"$g" {} +`,
  ].join(' && ');
}

/** Private files the servers' account reads through its group (keys, secrets): that group owns them. */
export async function giveToGroup(ex: Executor, files: RenderedFile[]): Promise<void> {
  const byGroup = new Map<string, string[]>();
  for (const f of files) if (f.group) byGroup.set(f.group, [...(byGroup.get(f.group) ?? []), f.path]);
  for (const [user, paths] of byGroup) await execChecked(ex, `chgrp "$(id -g ${sh(user)})" ${paths.map(sh).join(' ')}`);
}

/** After a unit file changed: systemd reads it again, and the unit starts at boot. */
export async function activateUnits(spec: ClusterSpec, t: HostPlace, outcomes: FileOutcome[]): Promise<void> {
  const changed = t.nodes.filter((n) => outcomes.some((o) => o.path === unitPath(spec, n) && o.status === 'changed'));
  if (changed.length === 0) return;
  await execChecked(
    t.ex,
    `systemctl daemon-reload && systemctl enable --quiet ${changed.map((n) => sh(unitName(spec, n))).join(' ')}`,
  );
}

/** A retired node's unit no longer starts at boot (a node without a unit: nothing to do). */
export async function disableUnit(ex: Executor, spec: ClusterSpec, node: NodeSpec): Promise<void> {
  const unit = sh(unitName(spec, node));
  await execChecked(
    ex,
    `if command -v systemctl >/dev/null && systemctl cat ${unit} >/dev/null 2>&1; then systemctl disable --quiet ` +
      `${unit}; fi`,
  );
}
