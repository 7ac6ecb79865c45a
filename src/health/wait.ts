/**
 * Waiting for quorum: poll srvr on every node until the ensemble is healthy
 * or a deadline passes. A node whose process has died fails the wait at once
 * rather than at the deadline. On failure the error names the nodes that are
 * not serving and shows the tail of their logs.
 */
import { UnhealthyError } from '../errors.js';
import { pollUntil } from '../util/poll.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { isServing } from '../zookeeper/modes.js';
import { judgeCluster, probeCluster, type ClusterVerdict, type NodeReport } from './cluster.js';

/**
 * How often nodes are probed while waiting: a srvr costs the server next to
 * nothing, and every ms between the quorum forming and zkops noticing is
 * pure wait for the operator.
 */
const POLL_MS = 25;

/** Hooks the waiter uses to look at nodes on their hosts. */
export interface WaitHooks {
  /** Ids of nodes whose process is no longer running. */
  deadNodes?: () => Promise<number[]>;
  /** The last lines of a node's logs. */
  logTail?: (node: NodeSpec) => Promise<string>;
}

/**
 * Polls until healthy; returns the final reports. With `expected`, only those
 * nodes must serve (others may be stopped on purpose): one leads, the rest follow. `signal` stops the wait
 * between two looks.
 */
export async function waitForQuorum(
  spec: ClusterSpec,
  timeoutMs: number,
  hooks: WaitHooks = {},
  expected?: NodeSpec[],
  signal?: AbortSignal,
): Promise<{ reports: NodeReport[]; verdict: ClusterVerdict; ms: number }> {
  const started = Date.now();
  let lastDeadCheck = started;
  const look = async () => {
    const reports = await probeCluster(spec, 1500, false);
    const verdict = judgeCluster(expected ? reports.filter((r) => expected.includes(r.node)) : reports);
    const now = Date.now();
    // A node whose process has died fails the wait now, not at the time limit (looked at every 1.5 s).
    if (verdict.status !== 'healthy' && hooks.deadNodes && now - lastDeadCheck > 1500) {
      lastDeadCheck = now;
      const dead = (await hooks.deadNodes()).filter((id) => !expected || expected.some((n) => n.id === id));
      if (dead.length > 0)
        throw new UnhealthyError(
          `node${dead.length > 1 ? 's' : ''} ${dead.join(', ')} exited. ` +
            (await explain(spec, reports, verdict, dead, hooks)),
        );
    }
    return { reports, verdict };
  };
  const { state } = await pollUntil(look, {
    until: (s) => s.verdict.status === 'healthy',
    timeoutMs,
    // A fixed, short interval: probes are cheap, and every ms after quorum forms is wasted wait.
    intervalMs: POLL_MS,
    signal,
    timeoutError: async (last) =>
      new UnhealthyError(
        `no healthy quorum after ${Math.round(timeoutMs / 1000)} s. ` +
          (await explain(spec, last.reports, last.verdict, [], hooks)),
      ),
  });
  // Healthy: one more look, with mntr, gives the figures the report shows.
  return { reports: await probeCluster(spec, 1500), verdict: state.verdict, ms: Date.now() - started };
}

async function explain(
  spec: ClusterSpec,
  reports: NodeReport[],
  verdict: ClusterVerdict,
  dead: number[],
  hooks: WaitHooks,
): Promise<string> {
  const bad = reports.filter((r) => dead.includes(r.node.id) || !isServing(r.health.mode));
  const lines = ['Nodes not serving:'];
  for (const r of bad) {
    lines.push(
      `  node ${r.node.id} (${r.node.host.address}:${r.node.clientPort}): ` +
        `${dead.includes(r.node.id) ? 'process exited' : (r.health.error ?? r.health.mode)}`,
    );
    if (hooks.logTail) {
      const tail = (await hooks.logTail(r.node).catch(() => '')).trim();
      if (tail) lines.push(`    last lines of ${r.node.logDir}:`, ...tail.split('\n').map((l) => `      ${l}`));
    }
  }
  if (verdict.status !== 'healthy' && bad.length === 0) lines.push(...verdict.problems.map((p) => `  ${p}`));
  lines.push(
    `Check the logs in ${spec.nodes[0]?.logDir.replace(/node-\d+\/logs$/, 'node-*/logs')}, or run zkops doctor.`,
  );
  return lines.join('\n');
}
