/**
 * Rolling restart, for every runtime: one node at a time, followers before
 * the leader, waiting for a healthy quorum after each, so clients always have
 * a majority to talk to. A step that would leave fewer than a majority of
 * voters serving (another node is down) is refused unless forced.
 */
import { UnhealthyError } from '../errors.js';
import { clientTlsOf } from '../client/tls.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { followersFirst, probeCluster, type NodeReport } from '../health/cluster.js';
import { pollUntil } from '../util/poll.js';
import { waitForQuorum } from '../health/wait.js';
import type { Runtime } from '../runtime/types.js';
import { guardQuorum } from './quorum-guard.js';
import { Reporter } from '../events.js';

/** Options of a rolling restart. */
export interface RollingOptions {
  /** Go on where a step loses the quorum (see guardQuorum). */
  force?: boolean;
  /** Where node events, warnings and the abort signal come from and go to. */
  report?: Reporter;
}

/**
 * Restarts `nodes` one at a time (followers first); each must rejoin a healthy quorum, and catch up, before the
 * next. Between two nodes (the only safe point) it stops if the caller's signal asks it to.
 */
export async function rollingRestart(
  rt: Runtime,
  nodes: NodeSpec[],
  timeoutMs: number,
  options: RollingOptions = {},
): Promise<void> {
  const report = options.report ?? new Reporter();
  const hooks = rt.waitHooks();
  const order = await followersFirst(nodes, clientTlsOf(rt.spec));
  for (const [i, node] of order.entries()) {
    if (i > 0)
      await report.checkpoint(`restarted ${plural(order.slice(0, i))}`, `${plural(order.slice(i))} not restarted yet`);
    const warning = await guardQuorum(rt.spec, [node], 'restarting', { force: options.force, waitMs: 10_000 });
    if (warning) report.warn(warning);
    // The quorum to wait for afterwards: the nodes serving now, and this one back.
    const probes = await probeCluster(rt.spec, 1500, false);
    const serving = probes
      .filter((r) => r.health.mode !== 'down' && r.health.mode !== 'not-serving')
      .map((r) => r.node);
    const started = Date.now();
    report.node(node.id, 'stopping', { mode: probes.find((r) => r.node === node)?.health.mode });
    await rt.restart(node);
    report.node(node.id, 'started', { ms: Date.now() - started });
    const expected = [...new Set([...serving, node])];
    report.waiting(
      'quorum',
      expected.map((n) => n.id),
    );
    const waited = await waitForQuorum(rt.spec, timeoutMs, hooks, expected);
    const mode = waited.reports.find((r) => r.node === node)?.health.mode;
    report.node(node.id, 'rejoined', { mode, ms: Date.now() - started });
    await caughtUp(rt.spec, node, timeoutMs);
    report.node(node.id, 'caught-up', { ms: Date.now() - started });
  }
}

const plural = (nodes: NodeSpec[]) => `node${nodes.length > 1 ? 's' : ''} ${nodes.map((n) => n.id).join(', ')}`;

/**
 * Back in the quorum is not enough before the next node goes: the restarted node must also have
 * caught up. The leader says so (mntr's zk_synced_followers counts every follower); where mntr is
 * not whitelisted, the node's zxid must reach what the leader had when the node rejoined.
 */
async function caughtUp(spec: ClusterSpec, node: NodeSpec, timeoutMs: number): Promise<void> {
  let target: bigint | undefined;
  // Caught up, or nothing left to wait for (no leader, or the node leads or does not follow now).
  const inSync = (reports: NodeReport[]): boolean => {
    const leader = reports.find((r) => r.health.mode === 'leader');
    const me = reports.find((r) => r.node === node);
    if (!leader || leader.node === node || me?.health.mode !== 'follower') return true;
    const followers = reports.filter((r) => r.health.mode === 'follower').length;
    const synced = leader.health.metrics?.syncedFollowers;
    if (synced !== undefined) return synced >= followers;
    if (!leader.health.zxid || !me.health.zxid) return true;
    target ??= BigInt(leader.health.zxid);
    return BigInt(me.health.zxid) >= target;
  };
  await pollUntil(() => probeCluster(spec, 1500), {
    until: inSync,
    timeoutMs,
    intervalMs: 100,
    timeoutError: (last) =>
      new UnhealthyError(
        `node ${node.id} rejoined but the leader (node ${last.find((r) => r.health.mode === 'leader')?.node.id}) ` +
          `does not count it in sync after ${Math.round(timeoutMs / 1000)} s; its log says why.`,
      ),
  });
}
