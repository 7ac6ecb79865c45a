/**
 * The cluster-level reading of one snapshot: leaders, voters serving against the majority needed, versions,
 * and the same verdict `zkops status` gives (health/cluster.ts judges; this only adapts a snapshot to it).
 */
import { judgeCluster, type ClusterVerdict, type NodeReport } from '../health/cluster.js';
import { majority } from '../health/majority.js';
import type { NodeSpec } from '../inventory/spec.js';
import type { NodeSample, Snapshot } from './poller.js';

/** What the zkops_cluster_* series and `zkops top`'s headline say. */
export interface ClusterReading {
  leaders: number;
  voters: number;
  votersServing: number;
  votersNeeded: number;
  /** One leader and a majority of voters following it (or one standalone server). */
  quorum: boolean;
  /** Distinct versions among the nodes that answered. */
  versions: string[];
  verdict: ClusterVerdict;
}

const SERVING = new Set(['leader', 'follower', 'observer', 'standalone']);

/** Whether a node serves clients. */
export function serving(s: NodeSample): boolean {
  return SERVING.has(s.health.mode);
}

/** A node's id: the inventory's, else what `conf` says, else its position. */
export function nodeId(s: NodeSample, index: number): number {
  return s.target.id ?? (Number(s.conf.serverId) || index + 1);
}

/** A voter unless the inventory, `conf` (peerType=1) or its mode says observer. */
function isVoter(s: NodeSample): boolean {
  if (s.target.role) return s.target.role === 'participant';
  return s.conf.peerType !== '1' && s.health.mode !== 'observer';
}

/** Reads a snapshot as a cluster. */
export function readCluster(snapshot: Snapshot): ClusterReading {
  const nodes = snapshot.nodes;
  const voters = nodes.filter(isVoter);
  const leaders = nodes.filter((n) => n.health.mode === 'leader').length;
  const votersServing = voters.filter((n) => ['leader', 'follower', 'standalone'].includes(n.health.mode)).length;
  const votersNeeded = majority(voters.length);
  const standalone = nodes.length === 1 && nodes[0]!.health.mode === 'standalone';
  const reports: NodeReport[] = nodes.map((s, i) => ({
    // judgeCluster reads only these fields of a node.
    node: {
      id: nodeId(s, i),
      host: { address: s.target.host },
      clientPort: s.target.port,
      role: isVoter(s) ? 'participant' : 'observer',
    } as unknown as NodeSpec,
    health: s.health,
  }));
  const versions = [...new Set(nodes.flatMap((n) => (n.health.version ? [n.health.version] : [])))].sort();
  return {
    leaders,
    voters: voters.length,
    votersServing,
    votersNeeded,
    quorum: standalone || (leaders === 1 && votersServing >= votersNeeded),
    versions,
    verdict: judgeCluster(reports),
  };
}
