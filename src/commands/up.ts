/**
 * `zkops init`, `deploy`, `upgrade`: the terminal front of ops/deploy.ts —
 * warnings, the dry run's per-node diff, the status table and what changed;
 * or the outcome as one JSON document.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { deploy, init, type PseudoShape } from '../ops/deploy.js';
import type { UpOutcome } from '../ops/up.js';
import { printJson, terminalContext, warn, type OutputOptions } from '../output.js';
import { formatStatus } from './report.js';

export async function initCommand(
  flags: PseudoShape & { inventory?: string; timeout: number },
  out: OutputOptions,
): Promise<number> {
  const { timeout, inventory, nodes, basePort, name, docker, image } = flags;
  const outcome = await init(
    { inventory, nodes, basePort, name, docker, image, timeoutMs: timeout * 1000 },
    terminalContext(out),
  );
  return renderUp(outcome, out);
}

export interface DeployFlags {
  inventory?: string;
  dryRun?: boolean;
  acceptNewHostKeys?: boolean;
  start?: boolean;
  force?: boolean;
  allowDowngrade?: boolean;
  timeout: number;
}

export async function deployCommand(flags: DeployFlags, out: OutputOptions, upgrade = false): Promise<number> {
  if (!flags.inventory)
    throw new ZkopsError(
      `${upgrade ? 'upgrade' : 'deploy'} needs an inventory: zkops ${upgrade ? 'upgrade' : 'deploy'} -i ` +
        'inventories/vms-3.yaml',
      ExitCode.usage,
    );
  const outcome = await deploy(
    {
      inventory: flags.inventory,
      timeoutMs: flags.timeout * 1000,
      dryRun: flags.dryRun,
      acceptNewHostKeys: flags.acceptNewHostKeys,
      start: flags.start,
      force: flags.force,
      allowDowngrade: flags.allowDowngrade,
    },
    terminalContext(out),
  );
  return renderUp(outcome, out, { upgrade });
}

/** Prints a bring-up's outcome; the exit code follows the cluster's health. */
export function renderUp(o: UpOutcome, out: OutputOptions, opts: { upgrade?: boolean } = {}): number {
  if (!out.json) for (const w of o.warnings) warn(w);
  const { kind: _kind, ...doc } = o;
  switch (o.kind) {
    case 'membership-dry-run':
      if (out.json) printJson({ cluster: o.cluster, warnings: o.warnings, dryRun: true, membership: o.membership });
      else
        process.stdout.write(
          `Dry run: nothing was written or started.\nMembership change, one server at a time ` +
            `(${o.running.join(', ')} → ${o.target.join(', ')}):\n` +
            o.membership.map((m, i) => `  ${i + 1}. ${m}\n`).join(''),
        );
      return ExitCode.ok;
    case 'dry-run':
      if (out.json) printJson({ ...doc, dryRun: true });
      else process.stdout.write(formatDryRun(o));
      return ExitCode.ok;
    case 'configured': {
      if (out.json) printJson({ ...doc, started: false });
      else
        process.stdout.write(
          `Installed and configured ${o.nodes.length} node(s) ` +
            `(${o.nodes.reduce((n, x) => n + x.filesChanged, 0)} file(s) written); nothing started ` +
            `(--no-start). Start with: zkops start -i INVENTORY\n`,
        );
      return ExitCode.ok;
    }
    case 'done':
      if (opts.upgrade && o.upgrades.length === 0 && !out.json)
        process.stdout.write(
          'No running node changes its ZooKeeper version: ' +
            'change zookeeper.home, .tarball or .version (or docker.image) in the inventory to upgrade.\n',
        );
      if (out.json)
        printJson({
          ...o.status,
          warnings: o.warnings,
          membership: o.membership,
          upgrades: o.upgrades,
          changed: o.changed,
          actions: o.actions,
          quorumMs: o.quorumMs,
          distribution: o.distribution,
          nodes: o.status.nodes.map((n) => ({ ...n, action: o.nodes.find((x) => x.id === n.id)?.action })),
        });
      else {
        process.stdout.write(formatStatus(o.status));
        // What zkops ran as root before anything else (a JRE from the package manager) is said, not only shown.
        if (o.actions.length) process.stdout.write(`Ran first:\n${o.actions.map((a) => `  ${a}\n`).join('')}`);
        const members = o.membership.length
          ? `Membership changed one server at a time: ${o.membership
              .map((m) => `${m.kind === 'add' ? 'added' : 'removed'} ${m.id}`)
              .join(', ')}.\n`
          : '';
        process.stdout.write(
          members + (o.changed ? `${summary(o)}\n` : 'Nothing changed: the cluster already matches the inventory.\n'),
        );
      }
      return o.status.healthy ? ExitCode.ok : ExitCode.unhealthy;
  }
}

function summary(o: Extract<UpOutcome, { kind: 'done' }>): string {
  const by = (a: string) => o.nodes.filter((n) => n.action === a).map((n) => n.id);
  const nodes = (ids: number[]) => `node${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;
  const parts = [
    by('started').length ? `started ${nodes(by('started'))}` : '',
    by('restarted').length ? `restarted ${nodes(by('restarted'))} (rolling)` : '',
  ].filter(Boolean);
  const upgraded = o.upgrades.length
    ? `\nUpgraded ${o.upgrades.map((u) => `node ${u.id} ${u.from} → ${u.to}`).join(', ')}, ` +
      `one at a time, followers first.`
    : '';
  return `${parts.length ? `Done: ${parts.join('; ')}.` : 'Done: files updated; no node needed a restart.'}${upgraded}`;
}

function formatDryRun(o: Extract<UpOutcome, { kind: 'dry-run' }>): string {
  const lines = ['Dry run: nothing was written or started.'];
  if (o.actions.length) lines.push('Would run first:', ...o.actions.map((a) => `  ${a}`));
  if (o.securitySteps.length)
    lines.push(
      'Security switch, each step a rolling restart before the final one:',
      ...o.securitySteps.map((step, i) => `  ${i + 1}. ${step}`),
    );
  if (o.upgrades.length) {
    lines.push(
      'Upgrade, one node at a time (followers first, the leader last, ' +
        'each back in the quorum and caught up before the next):',
    );
    const trustNote = ' (transaction logs without a snapshot: started once with snapshot.trust.empty=true)';
    for (const u of o.upgrades)
      lines.push(`  node ${u.id}: ${u.from} → ${u.to}${u.trustEmptySnapshot ? trustNote : ''}`);
  }
  for (const n of o.nodes) {
    const changed = n.files.filter((f) => f.status === 'changed');
    const what = changed.length ? `, ${changed.length} file(s) would change:` : ', no file would change';
    lines.push(`node ${n.id} on ${n.host}: ${n.action.replace('would-', 'would ')}${what}`);
    for (const f of changed) {
      lines.push(`  ${f.before === undefined ? '+ (new)' : '~'} ${f.path}`);
      // For zoo.cfg, what matters is the settings, not comments and order.
      const d = f.settings;
      if (!d) continue;
      if (d.changed.length + d.removed.length === 0) lines.push('      no setting changes');
      for (const c of d.changed) lines.push(`      ${c.key}: ${c.from} → ${c.to}`);
      for (const k of d.removed) lines.push(`      - ${k.key}=${k.value} (removed)`);
      for (const a of d.added) lines.push(`      + ${a.key}=${a.value} (added by zkops)`);
    }
  }
  return `${lines.join('\n')}\n`;
}
