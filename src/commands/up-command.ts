/**
 * The shared front of `init` and `deploy`: validate, bring up, save the
 * inventory for later commands, print the report.
 */
import { printJson, Progress, warn, type OutputOptions } from '../output.js';
import { shapeWarnings } from '../health/majority.js';
import { parseZooCfg } from '../zookeeper/zoo-cfg.js';
import { ExitCode, PreflightError } from '../errors.js';
import { probeCluster } from '../health/cluster.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { versionAtLeast } from '../zookeeper/version.js';
import type { Validated } from '../inventory/cache.js';
import { bringUp, type UpResult } from '../steps/up.js';
import { openRuntime } from '../runtime/index.js';
import { readFile } from 'node:fs/promises';
import { validatedInventory } from '../inventory/cache.js';
import { MembershipChangeNeeded } from '../steps/guards.js';
import { changeMembership, describeStep, planMembership, type MembershipStep } from '../steps/membership.js';
import { saveInventory, savedInventoryPath, withSecrets } from './cluster-ref.js';
import { clusterStatus, formatStatus } from './report.js';

export interface UpCommandOptions {
  timeoutSeconds: number;
  dryRun?: boolean;
  start?: boolean;
  /** Record unknown SSH host keys on first contact. */
  acceptNewHostKeys?: boolean;
  /** Roll on even where a restart step loses the quorum. */
  force?: boolean;
  /** Let a 3.5+ node go back to 3.4. */
  allowDowngrade?: boolean;
  /** `zkops upgrade`: the run must change the version of a running node. */
  upgrade?: boolean;
  /** `zkops certs rotate`: every node gets a new key and certificate (rolled out by rolling restarts). */
  renewCerts?: boolean;
}

/** Runs a bring-up for an already validated inventory and prints the outcome. */
export async function runUp(loaded: Validated, out: OutputOptions, opts: UpCommandOptions): Promise<number> {
  const progress = new Progress(out.progress);
  const spec = await withSecrets(loaded.spec, { create: true, persist: !opts.dryRun, renew: opts.renewCerts });
  // Fragile shapes are said up front; the run goes on.
  const warnings = shapeWarnings(spec);
  if (!out.json) for (const w of warnings) warn(w);
  const upOptions = {
    progress,
    timeoutMs: opts.timeoutSeconds * 1000,
    dryRun: opts.dryRun,
    start: opts.start,
    force: opts.force,
    allowDowngrade: opts.allowDowngrade,
    // Remembered as soon as files exist, so stop/status/destroy find even a cluster that then fails to form.
    onWritten: async () => void (await saveInventory(loaded.spec, loaded.saved)),
  };
  const rt = await progress.step(
    'connect',
    () => openRuntime(spec, { acceptNewHostKeys: opts.acceptNewHostKeys, progress }),
    (r) => r.summary,
  );
  let result!: UpResult;
  let running: number[] | undefined;
  try {
    result = await bringUp(rt, upOptions);
  } catch (err) {
    if (!(err instanceof MembershipChangeNeeded)) throw err;
    running = err.current;
  } finally {
    await rt.close();
  }
  let membership: MembershipStep[] = [];
  if (running) {
    // Servers to add or remove: one at a time, from the running ensemble to the inventory's.
    const file = savedInventoryPath(spec.name);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const previous = text === undefined ? undefined : (await validatedInventory(text, file, process.cwd())).spec;
    if (opts.start === false)
      throw new PreflightError(
        `The running ensemble has servers ${running.join(', ')} and the inventory ` +
          `${spec.nodes.map((n) => n.id).join(', ')}: that change is made one server at a time, restarting the ` +
          'others, which --no-start cannot do (configs written without restarts would leave nodes with different ' +
          'lists behind). Nothing was written. Deploy without --no-start.',
      );
    await refuseOn34(spec);
    membership = planMembership(spec, running, previous, file);
    if (opts.dryRun) {
      if (out.json) printJson({ cluster: spec.name, warnings, dryRun: true, membership: membership.map(describeStep) });
      else
        process.stdout.write(
          `Dry run: nothing was written or started.\nMembership change, one server at a time ` +
            `(${running.join(', ')} → ${spec.nodes.map((n) => n.id).join(', ')}):\n` +
            membership.map((m, i) => `  ${i + 1}. ${describeStep(m)}\n`).join(''),
        );
      return ExitCode.ok;
    }
    const open = (s: typeof spec) => openRuntime(s, { acceptNewHostKeys: opts.acceptNewHostKeys, progress });
    // A change that only adds servers is remembered from its first step on, so status, stop and a later deploy
    // know the servers already added if a later step fails. (With removals the previous inventory stays the
    // record of where leaving servers run until the end.)
    const remember = membership.every((m) => m.kind === 'add')
      ? async () => void (await saveInventory(loaded.spec, loaded.saved))
      : undefined;
    result = await changeMembership(membership, open, upOptions, remember);
    await saveInventory(loaded.spec, loaded.saved);
  }
  if (opts.upgrade && result.upgrades.length === 0 && !out.json) {
    process.stdout.write(
      'No running node changes its ZooKeeper version: ' +
        'change zookeeper.home, .tarball or .version (or docker.image) in the inventory to upgrade.\n',
    );
  }
  if (opts.start === false && !opts.dryRun) {
    const written = result.nodes.flatMap((n) => n.files).filter((f) => f.status === 'changed').length;
    if (out.json)
      printJson({
        cluster: spec.name,
        warnings,
        started: false,
        changed: result.changed,
        nodes: result.nodes.map(({ id, host, files }) => ({
          id,
          host,
          filesChanged: files.filter((f) => f.status === 'changed').length,
        })),
      });
    else
      process.stdout.write(
        `Installed and configured ${result.nodes.length} node(s) (${written} file(s) written); nothing started ` +
          `(--no-start). Start with: zkops start -i INVENTORY\n`,
      );
    return ExitCode.ok;
  }
  if (opts.dryRun) {
    if (out.json)
      printJson({
        cluster: spec.name,
        warnings,
        dryRun: true,
        changed: result.changed,
        actions: result.actions ?? [],
        securitySteps: result.securitySteps ?? [],
        upgrades: result.upgrades,
        nodes: result.nodes,
      });
    else process.stdout.write(formatDryRun(result));
    return ExitCode.ok;
  }
  const status = clusterStatus(spec, result.reports, result.processes);
  if (out.json) {
    printJson({
      ...status,
      warnings,
      membership: membership.map((m) => ({ kind: m.kind, id: m.node.id })),
      upgrades: result.upgrades,
      changed: result.changed,
      quorumMs: result.quorumMs,
      distribution: result.distribution,
      nodes: status.nodes.map((n) => ({ ...n, action: result.nodes.find((o) => o.id === n.id)?.action })),
    });
  } else {
    process.stdout.write(formatStatus(status));
    const members = membership.length
      ? `Membership changed one server at a time: ${membership.map((m) => `${m.kind === 'add' ? 'added' : 'removed'} ${m.node.id}`).join(', ')}.\n`
      : '';
    process.stdout.write(
      members +
        (result.changed || membership.length
          ? `${summary(result)}\n`
          : 'Nothing changed: the cluster already matches the inventory.\n'),
    );
  }
  return status.healthy ? ExitCode.ok : ExitCode.unhealthy;
}

function summary(r: UpResult): string {
  const by = (a: string) => r.nodes.filter((n) => n.action === a).map((n) => n.id);
  const parts = [
    by('started').length ? `started node${by('started').length > 1 ? 's' : ''} ${by('started').join(', ')}` : '',
    by('restarted').length
      ? `restarted node${by('restarted').length > 1 ? 's' : ''} ${by('restarted').join(', ')} (rolling)`
      : '',
  ].filter(Boolean);
  const upgraded = r.upgrades.length
    ? `\nUpgraded ${r.upgrades.map((u) => `node ${u.id} ${u.from} → ${u.to}`).join(', ')}, ` +
      `one at a time, followers first.`
    : '';
  return `${parts.length ? `Done: ${parts.join('; ')}.` : 'Done: files updated; no node needed a restart.'}${upgraded}`;
}

function formatDryRun(r: UpResult): string {
  const lines = ['Dry run: nothing was written or started.'];
  if (r.actions?.length) lines.push('Would run first:', ...r.actions.map((a) => `  ${a}`));
  if (r.securitySteps?.length)
    lines.push(
      'Security switch, each step a rolling restart before the final one:',
      ...r.securitySteps.map((step, i) => `  ${i + 1}. ${step}`),
    );
  if (r.upgrades.length) {
    lines.push(
      'Upgrade, one node at a time (followers first, the leader last, ' +
        'each back in the quorum and caught up before the next):',
    );
    const trustNote = ' (transaction logs without a snapshot: started once with snapshot.trust.empty=true)';
    for (const u of r.upgrades)
      lines.push(`  node ${u.id}: ${u.from} → ${u.to}${u.trustEmptySnapshot ? trustNote : ''}`);
  }
  for (const n of r.nodes) {
    const changed = n.files.filter((f) => f.status === 'changed');
    const what = changed.length ? `, ${changed.length} file(s) would change:` : ', no file would change';
    lines.push(`node ${n.id} on ${n.host}: ${n.action.replace('would-', 'would ')}${what}`);
    for (const f of changed) {
      lines.push(`  ${f.before === undefined ? '+ (new)' : '~'} ${f.path}`);
      // For zoo.cfg, what matters is the settings, not comments and order.
      if (f.before !== undefined && f.after !== undefined && f.path.endsWith('.cfg')) {
        const d = settingsDiff(f.before, f.after);
        if (d.changed.length + d.removed.length === 0) lines.push('      no setting changes');
        for (const c of d.changed) lines.push(`      ${c.key}: ${c.from} → ${c.to}`);
        for (const k of d.removed) lines.push(`      - ${k.key}=${k.value} (removed)`);
        for (const a of d.added) lines.push(`      + ${a.key}=${a.value} (added by zkops)`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What a zoo.cfg's settings would become: keys changed, removed, added (comments and order aside). */
export function settingsDiff(before: string, after: string) {
  const a = parseZooCfg(before, 'before').entries;
  const b = parseZooCfg(after, 'after').entries;
  return {
    changed: [...a]
      .filter(([k, v]) => b.has(k) && b.get(k)!.value !== v.value)
      .map(([k, v]) => ({ key: k, from: v.value, to: b.get(k)!.value })),
    removed: [...a].filter(([k]) => !b.has(k)).map(([k, v]) => ({ key: k, value: v.value })),
    added: [...b].filter(([k]) => !a.has(k)).map(([k, v]) => ({ key: k, value: v.value })),
  };
}

/**
 * 3.4 is refused a membership change: on this machine 3.4.13's leader election stalled for 20–90 s in 2 of 10
 * runs of the rolling change under writes (all servers up, none leading); 3.8.0 never did, in 12.
 */
async function refuseOn34(spec: ClusterSpec): Promise<void> {
  const old = (await probeCluster(spec, 1500, false)).filter(
    (r) => r.health.version && !versionAtLeast(r.health.version, '3.5.0'),
  );
  if (old.length)
    throw new PreflightError(
      `The ensemble runs ZooKeeper ${old[0]!.health.version} (node${old.length > 1 ? 's' : ''} ` +
        `${old.map((r) => r.node.id).join(', ')}): zkops changes the membership of 3.5 and later only, because ` +
        "3.4's leader election can stall for minutes while servers restart with a changed list. Nothing was " +
        'changed. Upgrade first (zkops upgrade), or stop the ensemble (zkops stop) and deploy, which starts every ' +
        'server with the new list.',
    );
}
