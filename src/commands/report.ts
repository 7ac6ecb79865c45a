/**
 * The status table init, deploy, start and status end with on a terminal
 * (the document itself is health/status.ts; --json prints it as it is).
 */
import type { ClusterStatus } from '../health/status.js';
import { color, table } from '../output.js';

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
  // ZooKeeper's own metrics port only where monitoring.provider turns it on.
  const metrics = status.nodes.some((n) => n.ports.metrics);
  const rows = status.nodes.map((n) => [
    String(n.id),
    n.address,
    String(n.ports.client),
    `${n.ports.quorum}:${n.ports.election}`,
    n.ports.admin ? String(n.ports.admin) : '-',
    ...(metrics ? [n.ports.metrics ? String(n.ports.metrics) : '-'] : []),
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
      ...(metrics ? ['METRICS'] : []),
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
