/**
 * The status document: what every node answers and how its server runs, the
 * verdict and the connect string. Built from probes and the runtime's
 * processes; status, init, deploy, start, the bundle and every front end
 * share it (the terminal renders it as a table, --json prints it).
 */
import type { ClusterSpec } from '../inventory/spec.js';
import { connectString, portOf } from '../inventory/spec.js';
import { judgeCluster, type ClusterVerdict, type NodeReport } from './cluster.js';
import type { NodeMetrics } from './probe.js';
import type { Unreachable, ZkProcess } from '../runtime/types.js';
import { clientAccessNote } from '../security/client-access.js';

/** One node's row, as JSON consumers get it. */
export interface NodeStatus {
  id: number;
  host: string;
  address: string;
  /** `metrics`: ZooKeeper's own Prometheus provider (monitoring.provider), null when off. */
  ports: { client: number; quorum: number; election: number; admin: number | null; metrics: number | null };
  pid: number | null;
  /** How the server runs: under its systemd unit, started by zkops, or as a container; and as which account. */
  runs: { by: ZkProcess['by']; user?: string; unit?: string } | null;
  mode: string;
  zxid: string | null;
  connections: number | null;
  version: string | null;
  /** From mntr where whitelisted: znodes, watches, data size, open fds, outstanding, synced followers. */
  metrics?: NodeMetrics;
  error?: string;
}

/** The whole status document. */
export interface ClusterStatus {
  cluster: string;
  healthy: boolean;
  verdict: ClusterVerdict;
  connectString: string;
  /** What a client needs beyond the connect string (a TLS cluster: TLS and a certificate, and how to get one). */
  clientAccess?: string;
  nodes: NodeStatus[];
  /** Hosts zkops could not reach: their nodes were probed over their client ports only. */
  unreachable: Unreachable[];
  /** The versions the nodes answer with, when they are not all the same (node ids per version). */
  versionSkew?: Record<string, number[]>;
}

/** Builds the status document from probes and (where known) processes. */
export function clusterStatus(
  spec: ClusterSpec,
  reports: NodeReport[],
  processes?: Map<number, ZkProcess | undefined>,
  unreachable: Unreachable[] = [],
): ClusterStatus {
  const verdict = judgeCluster(reports);
  const versions: Record<string, number[]> = {};
  for (const r of reports) if (r.health.version) (versions[r.health.version] ??= []).push(r.node.id);
  return {
    cluster: spec.name,
    unreachable,
    ...(Object.keys(versions).length > 1 ? { versionSkew: versions } : {}),
    healthy: verdict.status === 'healthy',
    verdict,
    connectString: connectString(spec),
    ...(clientAccessNote(spec) ? { clientAccess: clientAccessNote(spec) } : {}),
    nodes: reports.map(({ node, health }) => ({
      id: node.id,
      host: node.place,
      address: node.host.address,
      // A container's quorum and election ports are its own (not published); its AdminServer stays inside it.
      ports: {
        client: node.clientPort,
        quorum: node.quorumPort,
        election: node.electionPort,
        admin: portOf(node, 'admin'),
        metrics: portOf(node, 'metrics'),
      },
      pid: processes?.get(node.id)?.pid ?? null,
      runs: runsBy(processes?.get(node.id)),
      mode: health.mode,
      zxid: health.zxid ?? null,
      connections: health.connections ?? null,
      version: health.version ?? null,
      ...(health.metrics ? { metrics: health.metrics } : {}),
      ...(health.error ? { error: health.error } : {}),
    })),
  };
}

function runsBy(p: ZkProcess | undefined): NodeStatus['runs'] {
  if (!p) return null;
  return { by: p.by, ...(p.user ? { user: p.user } : {}), ...(p.unit ? { unit: p.unit } : {}) };
}
