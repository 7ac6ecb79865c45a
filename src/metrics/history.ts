/**
 * The last minute of each node, for `zkops top` (and a dashboard later): a small ring of readings per node,
 * the zxid rate between consecutive readings (writes per second: every committed write bumps the zxid), and
 * sparklines of them.
 */
import type { Snapshot } from './poller.js';

/** One node at one moment. */
export interface Reading {
  at: number;
  up: boolean;
  avgLatency?: number;
  outstanding?: number;
  connections?: number;
  znodes?: number;
  zxid?: number;
  /** Writes per second since the previous reading (undefined for the first, or across an epoch change). */
  zxidRate?: number;
}

/** Readings per instance, at most `keep` each. */
export class History {
  private readonly rings = new Map<string, Reading[]>();

  constructor(private readonly keep = 60) {}

  /** Adds one reading per node from a snapshot. */
  add(snapshot: Snapshot): void {
    for (const s of snapshot.nodes) {
      const ring = this.rings.get(s.target.instance) ?? [];
      const m = s.mntr;
      const num = (v: string | undefined, fallback?: number) => (v === undefined ? fallback : Number(v));
      const zxid = s.health.zxid ? Number(s.health.zxid) : undefined;
      const prev = ring[ring.length - 1];
      const sameEpoch =
        prev?.zxid !== undefined &&
        zxid !== undefined &&
        Math.floor(prev.zxid / 2 ** 32) === Math.floor(zxid / 2 ** 32);
      const seconds = prev ? (snapshot.at - prev.at) / 1000 : 0;
      ring.push({
        at: snapshot.at,
        up: s.health.mode !== 'down',
        avgLatency: num(m.zk_avg_latency, Number(s.health.latency?.split('/')[1] ?? NaN)),
        outstanding: num(m.zk_outstanding_requests, s.health.outstanding),
        connections: num(m.zk_num_alive_connections, s.health.connections),
        znodes: num(m.zk_znode_count, s.health.nodeCount),
        zxid,
        zxidRate: sameEpoch && seconds > 0 ? Math.max(0, (zxid! - prev!.zxid!) / seconds) : undefined,
      });
      if (ring.length > this.keep) ring.shift();
      this.rings.set(s.target.instance, ring);
    }
  }

  /** A node's readings, oldest first. */
  of(instance: string): Reading[] {
    return this.rings.get(instance) ?? [];
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of `values` (gaps as spaces), scaled from 0 to their maximum, at most `width` long. */
export function sparkline(values: (number | undefined)[], width = 30): string {
  const v = values.slice(-width);
  const finite = v.filter((x): x is number => x !== undefined && Number.isFinite(x));
  const max = Math.max(0, ...finite);
  return v
    .map((x) => {
      if (x === undefined || !Number.isFinite(x)) return ' ';
      if (max === 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.round((x / max) * (BARS.length - 1)))];
    })
    .join('');
}
