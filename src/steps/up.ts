/**
 * Bring-up, shared by `init` and `deploy` on every runtime: a list of small
 * named steps over one context — preflight → check data → write → start →
 * roll → quorum. Idempotent: files are written only when they differ, running
 * nodes whose files did not change are left alone, and changed running nodes
 * are restarted one at a time (followers first, leader last) so the quorum
 * survives.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import type { FileOutcome } from '../executors/helpers.js';
import type { NodeReport } from '../health/cluster.js';
import { waitForQuorum } from '../health/wait.js';
import type { Reporter } from '../events.js';
import type { DistributionOutcome } from '../distribution/tarball.js';
import type { Applied, NodePlan, Runtime, Survey, ZkProcess } from '../runtime/types.js';
import { guardMembership, guardMyids, guardSecurity } from './guards.js';
import { PreflightError } from '../errors.js';
import { usesSecrets } from '../security/secrets.js';
import { describeLevels, runningLevels, securitySteps, targetLevels, type SecurityLevels } from '../security/levels.js';
import { rollingRestart } from './rolling.js';
import { planVersions, type VersionMove } from './upgrade.js';

/** What happened to one node. */
export interface NodeOutcome {
  id: number;
  host: string;
  files: FileOutcome[];
  action: 'started' | 'restarted' | 'unchanged' | 'would-start' | 'would-restart';
}

/** Result of a bring-up. */
export interface UpResult {
  changed: boolean;
  nodes: NodeOutcome[];
  reports: NodeReport[];
  quorumMs?: number;
  /** Per host, whether the release tarball was installed or already in place (tarball inventories only). */
  distribution?: Record<string, DistributionOutcome>;
  /** Each node's process after the bring-up. */
  processes?: Map<number, ZkProcess | undefined>;
  /** Nodes whose ZooKeeper version changes. */
  upgrades: { id: number; from: string; to: string; trustEmptySnapshot: boolean }[];
  /** Commands run (dry run: to run) on hosts before the files, e.g. installing Java. */
  actions?: string[];
  /** Dry run: the rolling steps a TLS or quorum-auth switch would take before the final roll. */
  securitySteps?: string[];
}

export interface UpOptions {
  /** Steps, node events and warnings go here; its signal stops a rolling change between two nodes. */
  report: Reporter;
  timeoutMs: number;
  dryRun?: boolean;
  /** Install and configure only; start nothing (false: `deploy --no-start`). */
  start?: boolean;
  /** Roll on even where a restart leaves fewer than a majority serving. */
  force?: boolean;
  /** Let a 3.5+ node go back to 3.4 (its data must be 3.4's). */
  allowDowngrade?: boolean;
  /** One step of a membership change (steps/membership.ts): the one server this run adds or removes. */
  membership?: { id: number };
  /** Called once files are in place (not on a dry run): from then on there is a cluster to remember. */
  onWritten?: () => Promise<void>;
}

/** What the steps share. */
interface UpContext {
  spec: ClusterSpec;
  rt: Runtime;
  opts: UpOptions;
  survey?: Survey;
  plans?: NodePlan[];
  applied?: Applied;
  moves?: VersionMove[];
  outcomes?: NodeOutcome[];
  result?: UpResult;
  /** A dry run's rolling security steps, to report. */
  securitySteps?: SecurityLevels[];
}

/** One named step; it returns false to end the bring-up early (dry run, --no-start). */
type Step = (ctx: UpContext) => Promise<boolean | void>;

const plural = (nodes: { id: number }[]) => `node${nodes.length > 1 ? 's' : ''} ${nodes.map((n) => n.id).join(', ')}`;

const preflightStep: Step = async (ctx) => {
  ctx.survey = await ctx.opts.report.step(
    'preflight',
    () => ctx.rt.survey({ checkPorts: true, dryRun: Boolean(ctx.opts.dryRun) }),
    (s) => s.summary,
  );
  for (const w of ctx.survey.warnings ?? []) ctx.opts.report.warn(w);
  ctx.plans = ctx.rt.plan(ctx.survey);
};

const guardStep: Step = async (ctx) => {
  await ctx.opts.report.step('check data', async () => {
    guardMyids(ctx.survey!);
    guardMembership(ctx.survey!, ctx.plans!, ctx.opts.membership);
    ctx.moves = await planVersions(ctx.survey!, ctx.plans!, {
      allowDowngrade: ctx.opts.allowDowngrade,
      spec: ctx.spec,
    });
    const trusted = new Set(ctx.moves.filter((m) => m.trustEmptySnapshot).map((m) => m.node.id));
    if (trusted.size) ctx.plans = ctx.rt.plan(ctx.survey!, { trustEmptySnapshot: trusted });
  });
};

/**
 * TLS or quorum SASL switched on (or off) for running nodes: the levels between theirs and the inventory's,
 * each written to every node and rolled in (security/levels.ts), before the final write and roll below.
 */
const securityStep: Step = async (ctx) => {
  // TLS or SASL an inventory sets up by hand (settings.extra) is its own: zkops moves only what it manages.
  if (!ctx.spec.secrets && !usesSecrets(ctx.spec)) return guardSecurity(ctx.plans!, ctx.spec);
  const running = ctx.survey!.nodes.filter((n) => n.process && n.runningZooCfg).map((n) => n.runningZooCfg!);
  const steps = securitySteps(running.map(runningLevels), targetLevels(ctx.spec));
  guardSecurity(ctx.plans!, ctx.spec);
  if (steps.length === 0) return;
  // The steps' restarts would bring a new version in too, outside the upgrade's own order and checks (plans
  // here carry no snapshot.trust.empty, which a node coming from 3.4 needs).
  const moving = (ctx.moves ?? []).filter((m) => m.from && m.from !== m.to);
  if (moving.length)
    throw new PreflightError(
      `This deploy would change the ZooKeeper version of ${plural(moving.map((m) => m.node))} ` +
        `(${moving.map((m) => `${m.from} → ${m.to}`).join(', ')}) and also switch TLS or quorum authentication, ` +
        'which takes rolling restarts of its own. Nothing was written. Do one, then the other: deploy (or zkops ' +
        'upgrade) with security as the ensemble runs it now, then change security.',
    );
  if (ctx.opts.dryRun || ctx.opts.start === false) {
    if (ctx.opts.start === false && !ctx.opts.dryRun)
      throw new PreflightError(
        'Switching TLS or quorum authentication on a running ensemble takes rolling restarts, which --no-start ' +
          'cannot do. Nothing was written. Deploy without --no-start.',
      );
    ctx.securitySteps = steps;
    return;
  }
  for (const levels of steps) {
    await ctx.opts.report.step(`security: ${describeLevels(levels)}`, async () => {
      const plans = ctx.rt.plan(ctx.survey!, { security: levels });
      const applied = await ctx.rt.apply(plans, { dryRun: false });
      const restart = applied.nodes.filter((a) => a.changed && plans.find((p) => p.node === a.node)!.running);
      if (restart.length)
        await rollingRestart(
          ctx.rt,
          restart.map((a) => a.node),
          ctx.opts.timeoutMs,
          { force: ctx.opts.force, report: ctx.opts.report },
        );
    });
  }
};

const writeStep: Step = async (ctx) => {
  const dry = Boolean(ctx.opts.dryRun);
  ctx.applied = await ctx.opts.report.step(
    dry ? 'diff' : 'render',
    () => ctx.rt.apply(ctx.plans!, { dryRun: dry }),
    (a) => {
      const n = a.nodes.reduce((acc, x) => acc + x.files.filter((o) => o.status === 'changed').length, 0);
      return n === 0 ? 'no file changed' : `${n} file${n > 1 ? 's' : ''} ${dry ? 'would change' : 'written'}`;
    },
  );
  if (!dry) await ctx.opts.onWritten?.();
  ctx.outcomes = ctx.applied.nodes.map((a) => {
    const running = ctx.plans!.find((p) => p.node === a.node)!.running;
    const action: NodeOutcome['action'] = !running
      ? dry
        ? 'would-start'
        : 'started'
      : a.changed
        ? dry
          ? 'would-restart'
          : 'restarted'
        : 'unchanged';
    // Shared files (a host's profile scripts) show under each of its nodes, once per path.
    const files = a.files.filter((f, i, all) => all.findIndex((x) => x.path === f.path) === i);
    return { id: a.node.id, host: a.node.place, files, action };
  });
  const changed =
    ctx.outcomes.some((o) => o.action !== 'unchanged' || o.files.some((f) => f.status === 'changed')) ||
    Object.values(ctx.applied.distribution ?? {}).includes('installed');
  const upgrades = (ctx.moves ?? [])
    .filter((m) => m.from && m.from !== m.to)
    .map((m) => ({ id: m.node.id, from: m.from!, to: m.to, trustEmptySnapshot: m.trustEmptySnapshot }));
  ctx.result = {
    changed: changed || Boolean(ctx.applied.actions?.length),
    nodes: ctx.outcomes,
    reports: [],
    distribution: ctx.applied.distribution,
    upgrades,
    actions: ctx.applied.actions,
    securitySteps: ctx.securitySteps?.map(describeLevels),
  };
  return !dry && ctx.opts.start !== false;
};

const nodesWith = (ctx: UpContext, action: NodeOutcome['action']): NodeSpec[] =>
  ctx.outcomes!.filter((o) => o.action === action).map((o) => ctx.spec.nodes.find((n) => n.id === o.id)!);

const startStep: Step = async (ctx) => {
  const toStart = nodesWith(ctx, 'started');
  if (toStart.length)
    await ctx.opts.report.step(
      'start',
      () => ctx.rt.start(toStart),
      () => plural(toStart),
    );
};

const rollStep: Step = async (ctx) => {
  const toRestart = nodesWith(ctx, 'restarted');
  if (toRestart.length === 0) return;
  // Nodes just started join first: the quorum guard counts them.
  if (nodesWith(ctx, 'started').length) await waitForQuorum(ctx.spec, ctx.opts.timeoutMs, ctx.rt.waitHooks());
  const options = { force: ctx.opts.force, report: ctx.opts.report };
  await ctx.opts.report.step(
    'restart',
    () => rollingRestart(ctx.rt, toRestart, ctx.opts.timeoutMs, options),
    () => `${plural(toRestart)}, one at a time`,
  );
};

const quorumStep: Step = async (ctx) => {
  const waited = await ctx.opts.report.step(
    'quorum',
    () => waitForQuorum(ctx.spec, ctx.opts.timeoutMs, ctx.rt.waitHooks()),
    (w) => (w.verdict.status === 'healthy' ? `leader is node ${w.verdict.leader}` : ''),
  );
  // Nothing started or restarted: the processes preflight found are the ones running.
  const untouched = ctx.outcomes!.every((o) => o.action === 'unchanged');
  const processes = untouched
    ? new Map(ctx.survey!.nodes.map((s) => [s.node.id, s.process]))
    : await ctx.rt.processes();
  ctx.result = { ...ctx.result!, reports: waited.reports, quorumMs: waited.ms, processes };
};

/**
 * After an upgrade from 3.4: snapshot.trust.empty leaves the zoo.cfg of every node that now
 * holds a snapshot (no restart: the running server needs it no more). A node still without one
 * keeps it until a later deploy finds its snapshot.
 */
const settleStep: Step = async (ctx) => {
  const trusted = ctx.moves?.filter((m) => m.trustEmptySnapshot) ?? [];
  if (trusted.length === 0) return;
  await ctx.opts.report.step('settle', async () => {
    const now = await ctx.rt.survey({ checkPorts: false, dryRun: false });
    const still = new Set(
      trusted.filter((m) => !now.nodes.find((n) => n.node === m.node)?.snapshots).map((m) => m.node.id),
    );
    await ctx.rt.apply(ctx.rt.plan(now, { trustEmptySnapshot: still }), { dryRun: false, noRestart: true });
    for (const id of still)
      ctx.opts.report.warn(
        `node ${id} holds no snapshot yet: snapshot.trust.empty stays in its zoo.cfg ` +
          `until it does (a later deploy removes it).`,
      );
  });
};

const STEPS: Step[] = [preflightStep, guardStep, securityStep, writeStep, startStep, rollStep, quorumStep, settleStep];

/** Brings the cluster to the state the spec describes. */
export async function bringUp(rt: Runtime, opts: UpOptions): Promise<UpResult> {
  const ctx: UpContext = { spec: rt.spec, rt, opts };
  for (const step of STEPS) if ((await step(ctx)) === false) break;
  return ctx.result!;
}
