/**
 * A Grafana dashboard on the exporter's names (the provider's, so dashboard 10465 works too, plus zkops_*):
 * the cluster's quorum, leaders and voters on top, then per-node latency, requests, connections, znodes,
 * watches, data size, file descriptors and the zxid rate. A data source and a cluster variable let one
 * dashboard serve every cluster a Prometheus scrapes.
 */

interface Panel {
  title: string;
  expr: string;
  legend?: string;
  unit?: string;
  kind?: 'stat' | 'timeseries';
  w?: number;
}

const SEL = 'cluster="$cluster"';

const PANELS: Panel[] = [
  { title: 'Quorum', expr: `zkops_cluster_quorum{${SEL}}`, kind: 'stat', w: 4 },
  { title: 'Leaders', expr: `zkops_cluster_leaders{${SEL}}`, kind: 'stat', w: 4 },
  { title: 'Voters serving', expr: `zkops_cluster_voters_serving{${SEL}}`, kind: 'stat', w: 4 },
  { title: 'Voters needed', expr: `zkops_cluster_voters_needed{${SEL}}`, kind: 'stat', w: 4 },
  { title: 'Versions', expr: `zkops_cluster_versions{${SEL}}`, kind: 'stat', w: 4 },
  { title: 'Doctor errors', expr: `zkops_doctor_findings{${SEL},severity="error"}`, kind: 'stat', w: 4 },
  { title: 'Serving', expr: `zkops_node_serving{${SEL}}`, legend: '{{instance}}' },
  { title: 'Mode', expr: `zkops_node_mode{${SEL}} == 1`, legend: '{{instance}} {{mode}}' },
  { title: 'Average latency', expr: `avg_latency{${SEL}}`, legend: '{{instance}}', unit: 'ms' },
  { title: 'Max latency', expr: `max_latency{${SEL}}`, legend: '{{instance}}', unit: 'ms' },
  { title: 'Outstanding requests', expr: `outstanding_requests{${SEL}}`, legend: '{{instance}}' },
  { title: 'Client connections', expr: `num_alive_connections{${SEL}}`, legend: '{{instance}}' },
  { title: 'Packets received /s', expr: `rate(packets_received{${SEL}}[1m])`, legend: '{{instance}}' },
  { title: 'zxid rate (writes /s)', expr: `rate(zkops_node_last_zxid{${SEL}}[1m])`, legend: '{{instance}}' },
  { title: 'Znodes', expr: `znode_count{${SEL}}`, legend: '{{instance}}' },
  { title: 'Watches', expr: `watch_count{${SEL}}`, legend: '{{instance}}' },
  { title: 'Ephemerals', expr: `ephemerals_count{${SEL}}`, legend: '{{instance}}' },
  { title: 'Data size', expr: `approximate_data_size{${SEL}}`, legend: '{{instance}}', unit: 'bytes' },
  { title: 'Open file descriptors', expr: `open_file_descriptor_count{${SEL}}`, legend: '{{instance}}' },
  { title: 'Synced followers (leader)', expr: `synced_followers{${SEL}}`, legend: '{{instance}}' },
  { title: 'Elections (5m)', expr: `increase(election_time_count{${SEL}}[5m])`, legend: '{{instance}}' },
  { title: 'fsync time (ms/s)', expr: `rate(fsynctime_sum{${SEL}}[1m])`, legend: '{{instance}}', unit: 'ms' },
  {
    title: 'Disk free',
    expr: `zkops_node_disk_free_bytes{${SEL}} / zkops_node_disk_size_bytes{${SEL}}`,
    legend: '{{instance}} {{dir}}',
    unit: 'percentunit',
  },
  {
    title: 'Certificate days left',
    expr: `zkops_tls_certificate_days_left{${SEL}}`,
    legend: '{{certificate}}',
    unit: 'd',
  },
];

/** The dashboard JSON (Grafana's import format; the data source chosen on import or in the variable). */
export function grafanaDashboard(clusterName: string): Record<string, unknown> {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  let x = 0;
  let y = 0;
  const panels = PANELS.map((p, id) => {
    const w = p.w ?? 12;
    const h = p.kind === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { x, y, w, h };
    x += w;
    return {
      id: id + 1,
      type: p.kind ?? 'timeseries',
      title: p.title,
      datasource: ds,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      targets: [{ refId: 'A', datasource: ds, expr: p.expr, legendFormat: p.legend ?? '' }],
    };
  });
  return {
    title: `ZooKeeper (zkops) ${clusterName}`,
    uid: `zkops-${clusterName}`.slice(0, 40),
    tags: ['zookeeper', 'zkops'],
    timezone: 'browser',
    schemaVersion: 39,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' },
        {
          name: 'cluster',
          type: 'query',
          datasource: ds,
          query: 'label_values(zkops_cluster_quorum, cluster)',
          current: { text: clusterName, value: clusterName },
          refresh: 2,
        },
      ],
    },
    panels,
  };
}
