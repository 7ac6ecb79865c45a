/**
 * `mntr` → the names ZooKeeper's own Prometheus provider (3.6+) uses, so its alert rules and the Grafana
 * dashboard 10465 work unchanged on releases and packages without the provider (3.4, 3.5, Debian's 3.8).
 *
 * The provider registers gauges and counters under the bare name mntr prints with `zk_` in front
 * (`zk_znode_count` → `znode_count`). A summary `X` shows in mntr as `zk_avg_X`, `zk_min_X`, `zk_max_X`,
 * `zk_cnt_X`, `zk_sum_X` (and `zk_p50_X`... for the detailed ones); the provider exports it as `X_count`,
 * `X_sum` and `X{quantile=...}`. A summary set (one summary per key, e.g. per learner or namespace) prints
 * the key in front of the name (`zk_cnt_1_learner_handler_qp_size`); the provider puts it in a `key` label.
 * On a node that does not whitelist mntr, srvr's figures fill the few names it also reports.
 */
import type { NodeSample } from './poller.js';
import { METRIC_NAME, type FamilySet } from './exposition.js';

/** Summary sets of ZooKeeper's ServerMetrics: mntr writes `<key>_<name>`. */
const SUMMARY_SETS = [
  'learner_handler_qp_size',
  'learner_handler_qp_time_ms',
  'write_per_namespace',
  'read_per_namespace',
];

const QUANTILES: Record<string, string> = { p50: '0.5', p95: '0.95', p99: '0.99', p999: '0.999' };

/** mntr keys that are not figures. */
const TEXT_KEYS = new Set(['zk_version', 'zk_server_state', 'zk_peer_state']);

/** Adds one node's provider-named series to `set`, labelled with `labels` (cluster, instance). */
export function addProviderSeries(set: FamilySet, sample: NodeSample, labels: Record<string, string>): void {
  if (sample.mntrAvailable) addFromMntr(set, sample.mntr, labels);
  else addFromSrvr(set, sample, labels);
}

function addFromMntr(set: FamilySet, mntr: Record<string, string>, labels: Record<string, string>): void {
  const summaries = new Set<string>();
  for (const key of Object.keys(mntr)) {
    const m = /^zk_cnt_(.+)$/.exec(key);
    if (m) summaries.add(m[1]!);
  }
  const summaryPart = new Set<string>();
  for (const name of summaries) {
    for (const part of ['avg', 'min', 'max', 'cnt', 'sum', ...Object.keys(QUANTILES)])
      summaryPart.add(`zk_${part}_${name}`);
    const { family, extra } = summaryName(name);
    if (!METRIC_NAME.test(family)) continue;
    const l = { ...labels, ...extra };
    const help = `ZooKeeper summary ${family} (from mntr)`;
    for (const [p, q] of Object.entries(QUANTILES)) {
      const v = mntr[`zk_${p}_${name}`];
      if (v !== undefined) set.add(family, help, 'summary', { ...l, quantile: q }, Number(v));
    }
    set.add(family, help, 'summary', l, Number(mntr[`zk_cnt_${name}`]), `${family}_count`);
    set.add(family, help, 'summary', l, Number(mntr[`zk_sum_${name}`] ?? NaN), `${family}_sum`);
  }
  for (const [key, value] of Object.entries(mntr)) {
    if (TEXT_KEYS.has(key) || summaryPart.has(key) || !key.startsWith('zk_')) continue;
    const name = key.slice(3);
    const v = Number(value);
    if (!METRIC_NAME.test(name) || !Number.isFinite(v) || value.trim() === '') continue;
    set.add(name, `ZooKeeper ${name} (from mntr)`, 'gauge', labels, v);
  }
}

/** A summary set's base name and its key label, else the name as it is. */
function summaryName(name: string): { family: string; extra: Record<string, string> } {
  for (const s of SUMMARY_SETS)
    if (name.endsWith(`_${s}`)) return { family: s, extra: { key: name.slice(0, -s.length - 1) } };
  return { family: name, extra: {} };
}

/** What srvr reports under the provider's names, for nodes without mntr. */
function addFromSrvr(set: FamilySet, sample: NodeSample, labels: Record<string, string>): void {
  const h = sample.health;
  if (h.mode === 'down' || h.mode === 'not-serving') return;
  const [min, avg, max] = (h.latency ?? '').split('/').map(Number);
  const figures: [string, number | undefined][] = [
    ['min_latency', min],
    ['avg_latency', avg],
    ['max_latency', max],
    ['num_alive_connections', h.connections],
    ['outstanding_requests', h.outstanding],
    ['znode_count', h.nodeCount],
  ];
  for (const [name, v] of figures)
    if (v !== undefined && Number.isFinite(v))
      set.add(name, `ZooKeeper ${name} (from srvr: mntr not available)`, 'gauge', labels, v);
}
