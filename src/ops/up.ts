/**
 * Bringing an ensemble to what its inventory says — the operation behind
 * init, deploy, upgrade and certs rotate: secrets, connect, the bring-up
 * pipeline (steps/up.ts), servers added or removed one at a time
 * (steps/membership.ts), the inventory saved for later commands, and the
 * outcome as data. A dry run changes nothing and says what would change.
 */
import { readFile } from 'node:fs/promises';
import { PreflightError } from '../errors.js';
import { quietContext, Reporter, type OpContext } from '../events.js';
import { probeCluster } from '../health/cluster.js';
import { shapeWarnings } from '../health/majority.js';
import { clusterStatus, type ClusterStatus } from '../health/status.js';
import { validatedInventory, type Validated } from '../inventory/cache.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { versionAtLeast } from '../zookeeper/version.js';
import { openRuntime } from '../runtime/index.js';
import { MembershipChangeNeeded } from '../steps/guards.js';
import { changeMembership, describeStep, planMembership, type MembershipStep } from '../steps/membership.js';
import { bringUp, type NodeOutcome, type UpOptions, type UpResult } from '../steps/up.js';
import { saveInventory, savedInventoryPath, withSecrets } from './cluster.js';
import { settingsDiff, type SettingsDiff } from './settings-diff.js';
import { withChange } from './lock.js';

/** How to bring the ensemble up. */
export interface UpInput {
  /** The validated inventory (inventory/cache.ts validatedInventory). */
  inventory: Validated;
  timeoutMs: number;
  dryRun?: boolean;
  /** false: install and configure only (`deploy --no-start`). */
  start?: boolean;
  /** Record unknown SSH host keys on first contact. */
  acceptNewHostKeys?: boolean;
  /** Roll on even where a restart step loses the quorum. */
  force?: boolean;
  /** Let a 3.5+ node go back to 3.4. */
  allowDowngrade?: boolean;
  /** `certs rotate`: every node gets a new key and certificate (rolled out by rolling restarts). */
  renewCerts?: boolean;
}

/** A node of a dry run: its files with, for zoo.cfg, what its settings would become. */
export type DryRunNode = Omit<NodeOutcome, 'files'> & {
  files: (NodeOutcome['files'][number] & { settings?: SettingsDiff })[];
};

/** What a bring-up did (or, on a dry run, would do). */
export type UpOutcome = { cluster: string; warnings: string[] } & (
  | {
      kind: 'dry-run';
      changed: boolean;
      actions: string[];
      securitySteps: string[];
      upgrades: UpResult['upgrades'];
      nodes: DryRunNode[];
    }
  | { kind: 'membership-dry-run'; running: number[]; target: number[]; membership: string[] }
  | { kind: 'configured'; changed: boolean; nodes: { id: number; host: string; filesChanged: number }[] }
  | {
      kind: 'done';
      status: ClusterStatus;
      changed: boolean;
      membership: { kind: 'add' | 'remove'; id: number }[];
      upgrades: UpResult['upgrades'];
      /** What ran on hosts before anything else (java.install: package), as "host: command". */
      actions: string[];
      quorumMs?: number;
      distribution?: UpResult['distribution'];
      nodes: NodeOutcome[];
    }
);

/**
 * Runs a bring-up for an already validated inventory, holding the cluster's lock (ops/lock.ts) unless it is a
 * dry run, which changes nothing.
 */
export async function up(input: UpInput, ctx: OpContext = quietContext): Promise<UpOutcome> {
  if (input.dryRun) return bringUpAndReport(input, ctx);
  const operation = input.renewCerts ? 'certs rotate' : 'deploy';
  const detail = [
    input.force && '--force',
    input.start === false && '--no-start',
    input.allowDowngrade && '--allow-downgrade',
  ]
    .filter(Boolean)
    .join(' ');
  return withChange(input.inventory.spec, operation, ctx, detail || undefined, () => bringUpAndReport(input, ctx));
}

async function bringUpAndReport(input: UpInput, ctx: OpContext): Promise<UpOutcome> {
  const report = new Reporter(ctx);
  const loaded = input.inventory;
  const spec = await withSecrets(
    loaded.spec,
    { create: true, persist: !input.dryRun, renew: input.renewCerts },
    report,
  );
  // Fragile shapes are said up front (in the outcome); the run goes on.
  const warnings = shapeWarnings(spec);
  const upOptions: UpOptions = {
    report,
    timeoutMs: input.timeoutMs,
    dryRun: input.dryRun,
    start: input.start,
    force: input.force,
    allowDowngrade: input.allowDowngrade,
    // Remembered as soon as files exist, so stop/status/destroy find even a cluster that then fails to form.
    onWritten: async () => void (await saveInventory(loaded.spec, loaded.saved)),
  };
  const open = (s: ClusterSpec) => openRuntime(s, { acceptNewHostKeys: input.acceptNewHostKeys, progress: report });
  const rt = await report.step(
    'connect',
    () => open(spec),
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
  const base = { cluster: spec.name, warnings };
  let membership: MembershipStep[] = [];
  if (running) {
    // Servers to add or remove: one at a time, from the running ensemble to the inventory's.
    const file = savedInventoryPath(spec.name);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const previous = text === undefined ? undefined : (await validatedInventory(text, file, process.cwd())).spec;
    if (input.start === false)
      throw new PreflightError(
        `The running ensemble has servers ${running.join(', ')} and the inventory ` +
          `${spec.nodes.map((n) => n.id).join(', ')}: that change is made one server at a time, restarting the ` +
          'others, which --no-start cannot do (configs written without restarts would leave nodes with different ' +
          'lists behind). Nothing was written. Deploy without --no-start.',
      );
    await refuseOn34(spec);
    membership = planMembership(spec, running, previous, file);
    if (input.dryRun)
      return {
        ...base,
        kind: 'membership-dry-run',
        running,
        target: spec.nodes.map((n) => n.id),
        membership: membership.map(describeStep),
      };
    // A change that only adds servers is remembered from its first step on, so status, stop and a later deploy
    // know the servers already added if a later step fails. (With removals the previous inventory stays the
    // record of where leaving servers run until the end.)
    const remember = membership.every((m) => m.kind === 'add')
      ? async () => void (await saveInventory(loaded.spec, loaded.saved))
      : undefined;
    result = await changeMembership(membership, open, upOptions, remember);
    await saveInventory(loaded.spec, loaded.saved);
  }
  if (input.dryRun)
    return {
      ...base,
      kind: 'dry-run',
      changed: result.changed,
      actions: result.actions ?? [],
      securitySteps: result.securitySteps ?? [],
      upgrades: result.upgrades,
      nodes: result.nodes.map(withSettings),
    };
  if (input.start === false)
    return {
      ...base,
      kind: 'configured',
      changed: result.changed,
      nodes: result.nodes.map(({ id, host, files }) => ({
        id,
        host,
        filesChanged: files.filter((f) => f.status === 'changed').length,
      })),
    };
  return {
    ...base,
    kind: 'done',
    status: clusterStatus(spec, result.reports, result.processes),
    changed: result.changed || membership.length > 0,
    membership: membership.map((m) => ({ kind: m.kind, id: m.node.id })),
    upgrades: result.upgrades,
    actions: result.actions ?? [],
    quorumMs: result.quorumMs,
    distribution: result.distribution,
    nodes: result.nodes,
  };
}

/** For zoo.cfg files that would change: which settings change (comments and order aside). */
function withSettings(n: NodeOutcome): DryRunNode {
  return {
    ...n,
    files: n.files.map((f) =>
      f.status === 'changed' && f.before !== undefined && f.after !== undefined && f.path.endsWith('.cfg')
        ? { ...f, settings: settingsDiff(f.before, f.after) }
        : f,
    ),
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
