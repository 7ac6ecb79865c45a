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

/** One series a node's mntr gives: which key, under which name, type and labels (fixed for its key set). */
interface PlannedSeries {
  key: string;
  family: string;
  name: string;
  help: string;
  type: 'gauge' | 'summary';
  labels: Record<string, string>;
  /** Summary parts: a missing quantile is left out; a missing sum is NaN. */
  part?: 'quantile' | 'count' | 'sum';
}

/**
 * Plans by node and mntr key set: a node's keys stay the same from one scrape to the next, so the names,
 * summary grouping and label objects are worked out once, not for each of its ~400 keys on every scrape.
 */
const plans = new Map<string, PlannedSeries[]>();

function addFromMntr(set: FamilySet, mntr: Record<string, string>, labels: Record<string, string>): void {
  const keys = Object.keys(mntr);
  const id = `${Object.values(labels).join('\0')}\0${keys.join('\0')}`;
  let plan = plans.get(id);
  if (!plan) {
    if (plans.size > 256) plans.clear();
    plan = planMntr(keys, labels);
    plans.set(id, plan);
  }
  for (const p of plan) {
    const value = mntr[p.key];
    if (p.part === 'quantile') {
      if (value !== undefined) set.add(p.family, p.help, p.type, p.labels, Number(value), p.name);
    } else if (p.part) set.add(p.family, p.help, p.type, p.labels, Number(value ?? NaN), p.name);
    else {
      const v = Number(value);
      if (Number.isFinite(v) && value!.trim() !== '') set.add(p.family, p.help, p.type, p.labels, v, p.name);
    }
  }
}

function planMntr(keys: string[], labels: Record<string, string>): PlannedSeries[] {
  const plan: PlannedSeries[] = [];
  const summaries = new Set<string>();
  for (const key of keys) {
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
    const s = { family, help, type: 'summary' as const };
    for (const [p, q] of Object.entries(QUANTILES))
      plan.push({ ...s, key: `zk_${p}_${name}`, name: family, labels: { ...l, quantile: q }, part: 'quantile' });
    plan.push({ ...s, key: `zk_cnt_${name}`, name: `${family}_count`, labels: l, part: 'count' });
    plan.push({ ...s, key: `zk_sum_${name}`, name: `${family}_sum`, labels: l, part: 'sum' });
  }
  for (const key of keys) {
    if (TEXT_KEYS.has(key) || summaryPart.has(key) || !key.startsWith('zk_')) continue;
    const name = key.slice(3);
    if (!METRIC_NAME.test(name)) continue;
    plan.push({ key, family: name, name, help: `ZooKeeper ${name} (from mntr)`, type: 'gauge', labels });
  }
  return plan;
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
