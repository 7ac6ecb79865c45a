/**
 * Cluster health: probe every node, then judge. An ensemble is healthy when
 * exactly one node leads and every other node follows (or observes); a single
 * node is healthy when standalone.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeNode, type NodeHealth } from './probe.js';
import { clientTlsOf, type ClientTls } from '../client/tls.js';
import { majority, voters } from './majority.js';
import { isServing } from '../zookeeper/modes.js';

/** A node's health next to the node it belongs to. */
export interface NodeReport {
  node: NodeSpec;
  health: NodeHealth;
}

/** The judgement over all nodes. */
export type ClusterVerdict =
  | { status: 'healthy'; leader: number }
  | { status: 'degraded'; leader: number; problems: string[] }
  | { status: 'no-quorum'; problems: string[] };

/** Probes all nodes in parallel (`metrics`: mntr too, for the status table). */
export async function probeCluster(spec: ClusterSpec, timeoutMs = 2000, metrics = true): Promise<NodeReport[]> {
  return Promise.all(
    spec.nodes.map(async (node) => ({
      node,
      health: await probeNode(node.host.address, node.clientPort, timeoutMs, metrics, clientTlsOf(spec)),
    })),
  );
}

/**
 * Judges probe results. The verdict counts the voters that serve: with fewer
 * than a majority following a leader there is no quorum, whatever a lone node
 * still says in the few ticks before it notices and steps down.
 */
export function judgeCluster(reports: NodeReport[]): ClusterVerdict {
  const problems = reports
    .filter((r) => !isServing(r.health.mode))
    .map((r) => `node ${r.node.id} (${r.node.host.address}:${r.node.clientPort}): ${r.health.error ?? r.health.mode}`);
  if (reports.length === 1 && reports[0]!.health.mode === 'standalone')
    return { status: 'healthy', leader: reports[0]!.node.id };
  const leaders = reports.filter((r) => r.health.mode === 'leader');
  if (leaders.length > 1) {
    const ids = leaders.map((l) => l.node.id).join(', ');
    return {
      status: 'no-quorum',
      problems: [`${leaders.length} nodes claim to lead (${ids}): split brain or mixed clusters`, ...problems],
    };
  }
  if (leaders.length === 0) return { status: 'no-quorum', problems: problems.length ? problems : ['no node leads'] };
  const leader = leaders[0]!.node.id;
  const voting = voters(reports.map((r) => ({ ...r, role: r.node.role })));
  const serving = voting.filter((r) => r.health.mode === 'leader' || r.health.mode === 'follower').length;
  const need = majority(voting.length);
  if (serving < need) {
    return {
      status: 'no-quorum',
      problems: [
        `only ${serving} of ${voting.length} voters serve; a quorum needs ${need}. Node ${leader} still claims to ` +
          `lead, ` +
          'but a majority does not follow it (it steps down within a few ticks)',
        ...problems,
      ],
    };
  }
  return problems.length ? { status: 'degraded', leader, problems } : { status: 'healthy', leader };
}

/**
 * `nodes` ordered for a rolling restart: observers first (no vote to lose),
 * then followers, the leader last, so a majority keeps serving throughout.
 */
export async function followersFirst<T extends NodeSpec>(nodes: T[], creds?: ClientTls): Promise<T[]> {
  const modes = await Promise.all(
    nodes.map(async (n) => ({ n, mode: (await probeNode(n.host.address, n.clientPort, 2000, false, creds)).mode })),
  );
  const rank = (m: { n: T; mode: string }) => (m.n.role === 'observer' ? 0 : m.mode === 'leader' ? 2 : 1);
  return modes.sort((a, b) => rank(a) - rank(b)).map((m) => m.n);
}
