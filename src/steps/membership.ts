/**
 * Changing who is in a running ensemble, without downtime, with no dynamic
 * reconfiguration (which needs a super-user secret on every server, and a
 * config file ZooKeeper rewrites itself): one server at a time, each step a
 * rolling change of the static server list. (3.4 is refused before this, in
 * commands/up-command.ts: its election stalls under this churn.)
 *
 * Why one at a time is safe: while a step runs, some nodes have the old
 * list (N servers) and some the new (N±1). Any majority of the one and any
 * majority of the other share a server (adding: a majority of N+1 holds at
 * least ⌈N/2⌉ old servers; removing: the same, the other way round), so two
 * leaders can never both have a quorum. Two changes at once would break
 * that.
 *
 * Adding server k: it starts with the new list and follows the running
 * leader; then the others restart with the new list, followers first, the
 * leader last. Removing server k: the others restart with the new list while
 * it still runs, then it is stopped (and kept from starting again: its
 * systemd unit is disabled). Its data stays where it was. Servers are added before any is
 * removed, so a replacement never runs with fewer than before.
 */
import { PreflightError } from '../errors.js';
import type { ClusterSpec, HostSpec, NodeSpec } from '../inventory/spec.js';
import { voters } from '../health/majority.js';
import type { Runtime } from '../runtime/types.js';
import { guardQuorum } from './quorum-guard.js';
import { probeCluster } from '../health/cluster.js';
import { rollingRestart } from './rolling.js';
import { bringUp, type UpOptions, type UpResult } from './up.js';

export interface MembershipStep {
  kind: 'add' | 'remove';
  node: NodeSpec;
  /** The ensemble before and after this step. */
  before: ClusterSpec;
  after: ClusterSpec;
}

/** `target` with only `nodes` (hosts shared by name, so each host is reached once). */
export function specWith(target: ClusterSpec, nodes: NodeSpec[]): ClusterSpec {
  const hosts = new Map<string, HostSpec>(target.hosts.map((h) => [h.name, h]));
  const mapped = nodes.map((n) => {
    const host = hosts.get(n.host.name) ?? n.host;
    hosts.set(host.name, host);
    return host === n.host ? n : { ...n, host };
  });
  return {
    ...target,
    hosts: [...hosts.values()].filter((h) => mapped.some((n) => n.host === h)),
    nodes: mapped.sort((a, b) => a.id - b.id),
  };
}

/**
 * The steps from the running ensemble (server ids `current`) to `target`. Servers that leave are found in
 * `previous` (the inventory zkops last applied here) when the target no longer names them.
 */
export function planMembership(
  target: ClusterSpec,
  current: number[],
  previous: ClusterSpec | undefined,
  previousFile: string,
): MembershipStep[] {
  const known = (id: number) => target.nodes.find((n) => n.id === id) ?? previous?.nodes.find((n) => n.id === id);
  const unknown = current.filter((id) => !known(id));
  if (unknown.length)
    throw new PreflightError(
      `The running ensemble lists server${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which ` +
        `${unknown.length > 1 ? 'are' : 'is'} not in the inventory, and zkops has no record of where ` +
        `${unknown.length > 1 ? 'they run' : 'it runs'} (${previousFile} does not name ${unknown.length > 1 ? 'them' : 'it'}), ` +
        'so it cannot take it out safely. Nothing was changed. Put the server back in the inventory as it is ' +
        '(zkops adopt writes one), deploy, then remove it.',
    );
  if (voters(target.nodes).length === 0)
    throw new PreflightError('The inventory leaves no participant (only observers): nothing was changed.');
  let members = current.map((id) => known(id)!);
  const steps: MembershipStep[] = [];
  // Each step names its node as that step's specs hold it (runtimes find nodes by identity).
  for (const added of target.nodes.filter((n) => !current.includes(n.id))) {
    const before = specWith(target, members);
    members = [...members, added];
    const after = specWith(target, members);
    steps.push({ kind: 'add', node: after.nodes.find((n) => n.id === added.id)!, before, after });
  }
  for (const id of current.filter((i) => !target.nodes.some((n) => n.id === i))) {
    const before = specWith(target, members);
    members = members.filter((m) => m.id !== id);
    steps.push({
      kind: 'remove',
      node: before.nodes.find((n) => n.id === id)!,
      before,
      after: specWith(target, members),
    });
  }
  return steps;
}

/** One line per step, for the dry run and the progress. */
export function describeStep(s: MembershipStep): string {
  const others = s.before.nodes.filter((n) => n.id !== s.node.id).map((n) => n.id);
  const list = s.after.nodes.map((n) => n.id).join(', ');
  const role = s.node.role === 'observer' ? 'observer' : 'server';
  return s.kind === 'add'
    ? `add ${role} ${s.node.id} (${s.node.place}): start it with servers ${list}, then restart ` +
        `${others.join(', ')} with that list, one at a time, the leader last`
    : `remove ${role} ${s.node.id} (${s.node.place}): restart ${others.join(', ')} with servers ${list}, one at ` +
        `a time, the leader last, then stop it (its data stays; if it leads, it is restarted first to hand over)`;
}

/**
 * Carries the steps out, each a bring-up of the ensemble it leads to. A leaving server keeps running (and
 * acknowledging) while the others take the new list, then stops: with it stopped first, a 4-server list would
 * need 3 of the 3 left, and each restart would hold writes back. One that leads is restarted first, so that
 * leadership moves to a server that stays (if it leads again after that, it is stopped first). The first step
 * that fails stops the change: the ensemble is then as the last finished step left it, a working ensemble, and a
 * later deploy goes on from there.
 */
export async function changeMembership(
  steps: MembershipStep[],
  open: (spec: ClusterSpec) => Promise<Runtime>,
  upOptions: UpOptions,
  /** After each finished step (e.g. to remember the servers that run now). */
  onStep?: (step: MembershipStep) => Promise<void>,
): Promise<UpResult> {
  let result: UpResult | undefined;
  for (const [i, step] of steps.entries()) {
    // Between two steps the ensemble is whole: a safe point to stop at.
    if (i > 0)
      await upOptions.report.checkpoint(`${i} of ${steps.length} membership steps done`, `next: ${describeStep(step)}`);
    upOptions.report.note(`step ${i + 1} of ${steps.length}: ${describeStep(step)}`);
    if (step.kind === 'add') {
      result = await bringStep(step, open, upOptions);
      await onStep?.(step);
      continue;
    }
    if (await leads(step)) {
      await withRuntime(open, step.before, (rt) =>
        upOptions.report.step(
          'move leader',
          () =>
            rollingRestart(rt, [step.node], upOptions.timeoutMs, { force: upOptions.force, report: upOptions.report }),
          () => `off server ${step.node.id}`,
        ),
      );
    }
    if (await leads(step)) {
      await retire(step, open, upOptions);
      result = await bringStep(step, open, upOptions);
    } else {
      result = await bringStep(step, open, upOptions);
      await retire(step, open, upOptions);
    }
    await onStep?.(step);
  }
  return result!;
}

async function withRuntime<T>(
  open: (spec: ClusterSpec) => Promise<Runtime>,
  spec: ClusterSpec,
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const rt = await open(spec);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Whether the step's server leads the ensemble now. */
async function leads(step: MembershipStep): Promise<boolean> {
  const reports = await probeCluster(step.before, 1500, false);
  return reports.find((r) => r.node.id === step.node.id)?.health.mode === 'leader';
}

/** The bring-up of the ensemble the step leads to. */
function bringStep(
  step: MembershipStep,
  open: (spec: ClusterSpec) => Promise<Runtime>,
  upOptions: UpOptions,
): Promise<UpResult> {
  return withRuntime(open, step.after, (rt) =>
    bringUp(rt, { ...upOptions, onWritten: undefined, membership: { id: step.node.id } }),
  );
}

/** Stops the leaving server, if the others keep a quorum without it, and keeps it stopped. */
async function retire(
  step: MembershipStep,
  open: (spec: ClusterSpec) => Promise<Runtime>,
  upOptions: UpOptions,
): Promise<void> {
  await withRuntime(open, step.before, async (rt) => {
    const warning = await guardQuorum(step.before, [step.node], 'removing', { force: upOptions.force });
    if (warning) upOptions.report.warn(warning);
    await upOptions.report.step(
      `stop ${step.node.id}`,
      () => rt.retire(step.node),
      (o) => o.status,
    );
  });
}
