/**
 * What `zkops top` shows, as lines of text (pure: the command paints them): the verdict on top, then a row
 * per node with its mode, latency, outstanding requests, connections, znodes, zxid rate, and sparklines of
 * the last minute's zxid rate and latency.
 */
import { table } from '../output.js';
import type { History } from '../metrics/history.js';
import { sparkline } from '../metrics/history.js';
import type { Snapshot } from '../metrics/poller.js';
import { nodeId, readCluster } from '../metrics/verdict.js';

/** The screen of one snapshot. */
export function topView(cluster: string, snapshot: Snapshot, history: History, now = new Date()): string {
  const r = readCluster(snapshot);
  const v = r.verdict;
  const verdict =
    v.status === 'healthy'
      ? `healthy, leader is node ${v.leader}`
      : v.status === 'degraded'
        ? `degraded, leader is node ${v.leader}: ${v.problems.join('; ')}`
        : `NO QUORUM: ${v.problems.join('; ')}`;
  const head = [
    `zkops top — cluster ${cluster}: ${verdict}`,
    `voters serving ${r.votersServing}/${r.voters} (a quorum needs ${r.votersNeeded}), leaders ${r.leaders}, ` +
      `versions ${r.versions.join(', ') || '?'} — ${now.toISOString().slice(11, 19)} UTC, poll ${snapshot.durationMs} ms`,
    '',
  ];
  const fmt = (x: number | undefined, digits = 0) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
  const rows = snapshot.nodes.map((s, i) => {
    const readings = history.of(s.target.instance);
    const last = readings[readings.length - 1];
    const up = last?.up ?? false;
    return [
      String(nodeId(s, i)),
      s.target.instance,
      s.health.mode,
      up ? fmt(last?.avgLatency, 1) : '-',
      up ? fmt(last?.outstanding) : '-',
      up ? fmt(last?.connections) : '-',
      up ? fmt(last?.znodes) : '-',
      up ? fmt(last?.zxidRate, 1) : '-',
      sparkline(
        readings.map((x) => x.zxidRate),
        20,
      ),
      sparkline(
        readings.map((x) => x.avgLatency),
        20,
      ),
    ];
  });
  const body = table(
    ['ID', 'INSTANCE', 'MODE', 'LAT ms', 'OUTST', 'CONNS', 'ZNODES', 'ZXID/s', 'WRITES (1 min)', 'LATENCY (1 min)'],
    rows,
  );
  const notes = snapshot.nodes.flatMap((s, i) => (s.health.error ? [`node ${nodeId(s, i)}: ${s.health.error}`] : []));
  return `${[...head, body, ...(notes.length ? ['', ...notes] : [])].join('\n')}\n`;
}
