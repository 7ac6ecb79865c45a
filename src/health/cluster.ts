/**
 * Cluster health: probe every node, then judge. An ensemble is healthy when
 * exactly one node leads and every other node follows (or observes); a single
 * node is healthy when standalone.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeNode, type NodeHealth } from './probe.js';

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
      health: await probeNode(node.host.address, node.clientPort, timeoutMs, metrics),
    })),
  );
}

/** Judges probe results. */
export function judgeCluster(reports: NodeReport[]): ClusterVerdict {
  const problems = reports
    .filter((r) => !['leader', 'follower', 'observer', 'standalone'].includes(r.health.mode))
    .map((r) => `node ${r.node.id} (${r.node.host.address}:${r.node.clientPort}): ${r.health.error ?? r.health.mode}`);
  const leaders = reports.filter((r) => r.health.mode === 'leader');
  if (reports.length === 1 && reports[0]!.health.mode === 'standalone')
    return { status: 'healthy', leader: reports[0]!.node.id };
  if (leaders.length > 1)
    return {
      status: 'no-quorum',
      problems: [
        `${leaders.length} nodes claim to lead (${leaders.map((l) => l.node.id).join(', ')}): split brain or mixed clusters`,
        ...problems,
      ],
    };
  if (leaders.length === 0) return { status: 'no-quorum', problems: problems.length ? problems : ['no node leads'] };
  const leader = leaders[0]!.node.id;
  return problems.length ? { status: 'degraded', leader, problems } : { status: 'healthy', leader };
}

/** `nodes` ordered for a rolling restart: followers first, the leader last, so a majority keeps serving. */
export async function followersFirst<T extends NodeSpec>(nodes: T[]): Promise<T[]> {
  const modes = await Promise.all(
    nodes.map(async (n) => ({ n, mode: (await probeNode(n.host.address, n.clientPort)).mode })),
  );
  return [...modes.filter((m) => m.mode !== 'leader'), ...modes.filter((m) => m.mode === 'leader')].map((m) => m.n);
}
