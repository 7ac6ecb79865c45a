/**
 * The status report init, deploy, start and status end with: a table for
 * people, a document for --json.
 */
import type { ClusterSpec } from '../inventory/spec.js';
import { connectString, portOf } from '../inventory/spec.js';
import { judgeCluster, type ClusterVerdict, type NodeReport } from '../health/cluster.js';
import type { NodeMetrics } from '../health/probe.js';
import { color, table } from '../output.js';
import type { Unreachable, ZkProcess } from '../runtime/types.js';
import { clientAccessNote } from '../security/client-access.js';

/** One node's row, as JSON consumers get it. */
export interface NodeStatus {
  id: number;
  host: string;
  address: string;
  ports: { client: number; quorum: number; election: number; admin: number | null };
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

const MODE_COLOR: Record<string, (s: string) => string> = {
  leader: color.green,
  follower: color.green,
  observer: color.green,
  standalone: color.green,
  'not-serving': color.yellow,
  down: color.red,
};

/** The human table, verdict line and connect string. */
export function formatStatus(status: ClusterStatus): string {
  const rows = status.nodes.map((n) => [
    String(n.id),
    n.address,
    String(n.ports.client),
    `${n.ports.quorum}:${n.ports.election}`,
    n.ports.admin ? String(n.ports.admin) : '-',
    n.pid ? String(n.pid) : status.unreachable.some((u) => u.nodes.includes(n.id)) ? '?' : '-',
    n.runs
      ? `${n.runs.by}${n.runs.user ? `:${n.runs.user}` : ''}`
      : status.unreachable.some((u) => u.nodes.includes(n.id))
        ? 'host unreachable'
        : '-',
    (MODE_COLOR[n.mode] ?? String)(n.mode),
    n.zxid ?? '-',
    n.connections === null ? '-' : String(n.connections),
    n.metrics?.znodes === undefined ? '-' : String(n.metrics.znodes),
    n.version ?? '-',
  ]);
  const head = table(
    [
      'ID',
      'ADDRESS',
      'CLIENT',
      'QUORUM:ELECTION',
      'ADMIN',
      'PID',
      'RUN BY',
      'MODE',
      'ZXID',
      'CONNS',
      'ZNODES',
      'VERSION',
    ],
    rows,
  );
  const v = status.verdict;
  const verdict =
    v.status === 'healthy'
      ? color.green(
          `Cluster ${status.cluster}: healthy, ${status.nodes.length} node${status.nodes.length > 1 ? 's' : ''}, ` +
            `leader is node ${v.leader}.`,
        )
      : color.red(
          `Cluster ${status.cluster}: ` +
            `${v.status === 'degraded' ? `degraded (leader is node ${v.leader})` : 'NO QUORUM'}.`,
        ) + `\n${v.problems.map((p) => `  - ${p}`).join('\n')}`;
  const hosts = status.unreachable.map(
    (u) =>
      color.yellow(`Host ${u.place} (${u.address}) could not be reached: ${u.reason}`) +
      `\n  node${u.nodes.length > 1 ? 's' : ''} ${u.nodes.join(', ')}: probed over the client port only (no pid, ` +
      `no process check).`,
  );
  const skew = status.versionSkew
    ? `${color.yellow(
        `Versions differ: ${Object.entries(status.versionSkew)
          .map(([v, ids]) => `${v} (node${ids.length > 1 ? 's' : ''} ${ids.join(', ')})`)
          .join(', ')}`,
      )}; outside an upgrade, finish it (zkops upgrade).\n`
    : '';
  return (
    `${head}\n\n${hosts.length ? `${hosts.join('\n')}\n` : ''}${skew}${verdict}\nConnect string: ` +
    `${status.connectString}\n${status.clientAccess ? `${status.clientAccess}\n` : ''}`
  );
}
