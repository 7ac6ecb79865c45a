/**
 * The clusters the dashboard shows, each watched by ONE shared poller (metrics/poller.ts) however many tabs
 * are open: a tick every second keeps the last 15 minutes of figures per node for the charts and the latest
 * reading for the overview and the node table. Only plain data leaves this module; the spec (and its
 * secrets) stays inside.
 */
import { clientTlsOf } from '../client/tls.js';
import { digest } from '../security/secrets.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { Poller, type Snapshot } from '../metrics/poller.js';
import { nodeId, readCluster } from '../metrics/verdict.js';
import type { ClusterFlags } from '../ops/cluster.js';

/** How the nodes run, as the overview says it. */
export type TargetKind = 'processes' | 'ssh hosts' | 'containers';

/** One node's row, as the page gets it. */
export interface NodeRow {
  id: number;
  instance: string;
  role: string;
  mode: string;
  zxid?: string;
  version?: string;
  connections?: number;
  latencyAvg?: number;
  latencyMax?: number;
  outstanding?: number;
  znodes?: number;
  watches?: number;
  zxidRate?: number;
  error?: string;
}

/** One cluster's reading, as the page gets it. */
export interface ClusterView {
  name: string;
  target: TargetKind;
  tls: boolean;
  at: number;
  verdict: 'healthy' | 'degraded' | 'no-quorum' | 'down';
  problems: string[];
  leader?: number;
  versions: string[];
  nodes: NodeRow[];
}

/** A cluster the dashboard knows: how to name it to the operations, and its watcher. */
export interface WatchedCluster {
  name: string;
  /** The flags the operations resolve it by (-i FILE or --cluster NAME). */
  ref: ClusterFlags;
  spec: ClusterSpec;
  poller: Poller;
  latest?: ClusterView;
  /** Time (s) and one column per node per figure, oldest first, at most HISTORY points. */
  history: { t: number[]; series: Record<string, (number | null)[][]> };
}

/** Points kept: 15 minutes at one a second. */
export const HISTORY = 900;
/** The charted figures. */
export const FIGURES = ['latency', 'outstanding', 'connections', 'znodes', 'zxidRate'] as const;

/** Wraps a spec in its watcher (one poller, nothing started yet). */
export function watched(spec: ClusterSpec, ref: ClusterFlags, nodeTimeoutMs = 800): WatchedCluster {
  const targets = spec.nodes.map((n) => ({
    instance: `${n.host.address.includes(':') ? `[${n.host.address}]` : n.host.address}:${n.clientPort}`,
    host: n.host.address,
    port: n.clientPort,
    id: n.id,
    role: n.role,
  }));
  // cacheMs below the tick: every tick polls, and concurrent askers share the poll in flight.
  const poller = new Poller(targets, { nodeTimeoutMs, cacheMs: 500, creds: clientTlsOf(spec) });
  const series = Object.fromEntries(FIGURES.map((f) => [f, spec.nodes.map(() => [] as (number | null)[])]));
  return { name: spec.name, ref, spec, poller, history: { t: [], series } };
}

/** Polls once and records the reading; returns the new view. */
export async function tick(c: WatchedCluster): Promise<ClusterView> {
  const snap = await c.poller.poll();
  const prev = c.latest;
  const view = viewOf(c, snap, prev);
  c.latest = view;
  const h = c.history;
  h.t.push(Math.round(snap.at / 1000));
  view.nodes.forEach((n, i) => {
    const values: Record<(typeof FIGURES)[number], number | undefined> = {
      latency: n.latencyAvg,
      outstanding: n.outstanding,
      connections: n.connections,
      znodes: n.znodes,
      zxidRate: n.zxidRate,
    };
    for (const f of FIGURES) h.series[f]![i]!.push(values[f] ?? null);
  });
  if (h.t.length > HISTORY) {
    h.t.shift();
    for (const f of FIGURES) for (const col of h.series[f]!) col.shift();
  }
  return view;
}

function viewOf(c: WatchedCluster, snap: Snapshot, prev?: ClusterView): ClusterView {
  const r = readCluster(snap);
  const num = (m: Record<string, string>, k: string) => (m[k] === undefined ? undefined : Number(m[k]));
  const nodes: NodeRow[] = snap.nodes.map((s, i) => {
    const id = nodeId(s, i);
    const before = prev?.nodes.find((n) => n.id === id);
    const zxid = s.health.zxid;
    const dt = prev ? (snap.at - prev.at) / 1000 : 0;
    // Counted within one epoch: a new leader's epoch jumps the zxid by 2^32, which is no rate.
    const [now, then] = [zxid, before?.zxid].map((z) => (z ? BigInt(z) : undefined));
    const rate =
      now !== undefined && then !== undefined && now >> 32n === then >> 32n && dt > 0
        ? Math.max(0, Number(now - then) / dt)
        : undefined;
    return {
      id,
      instance: s.target.instance,
      role: s.target.role ?? 'participant',
      mode: s.health.mode,
      zxid,
      version: s.health.version,
      connections: num(s.mntr, 'zk_num_alive_connections') ?? s.health.connections,
      latencyAvg: num(s.mntr, 'zk_avg_latency'),
      latencyMax: num(s.mntr, 'zk_max_latency'),
      outstanding: num(s.mntr, 'zk_outstanding_requests') ?? s.health.outstanding,
      znodes: num(s.mntr, 'zk_znode_count') ?? s.health.nodeCount,
      watches: num(s.mntr, 'zk_watch_count'),
      zxidRate: rate,
      error: s.health.error,
    };
  });
  const v = r.verdict;
  const allDown = nodes.every((n) => n.mode === 'down');
  return {
    name: c.name,
    target: c.spec.executor === 'docker' ? 'containers' : c.spec.executor === 'ssh' ? 'ssh hosts' : 'processes',
    tls: Boolean(c.spec.security.tls),
    at: snap.at,
    verdict: allDown ? 'down' : v.status,
    problems: v.status === 'healthy' ? [] : v.problems,
    leader: v.status === 'no-quorum' ? undefined : v.leader,
    versions: r.versions,
    nodes,
  };
}

/** Every secret of a spec (private keys, the quorum and super passwords): what must never be sent. */
export function secretsOf(spec: ClusterSpec): string[] {
  const s = spec.secrets;
  if (!s) return [];
  const pairs = [...Object.values(s.nodes), ...(s.client ? [s.client] : [])];
  const out: string[] = [];
  for (const p of pairs) out.push(p.key);
  for (const v of [s.quorumPassword, s.superPassword]) if (v) out.push(v);
  if (s.superPassword) out.push(digest('super', s.superPassword));
  // A PEM's body lines too, so a key cut into pieces is still caught.
  return [
    ...new Set(out.flatMap((v) => [v, ...v.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))])),
  ];
}
