/**
 * Alert rules on the exporter's names: the rules of ZooKeeper's monitor guide (zookeeperMonitor.md), adapted
 * where one exporter serves every node (`up == 0` becomes `zkops_node_up == 0`), plus what the guide lacks:
 * quorum lost, no leader or two, a node running but not serving, followers not synced, version skew,
 * certificates ending, disks filling, the doctor's errors. Each names the zkops command to run.
 */

/** One alerting rule as Prometheus reads it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string; runbook: string };
}

/** How the rules are rendered. */
export interface RuleOptions {
  /** For tests: every `for:` becomes two evaluation intervals of this many seconds. */
  fastSeconds?: number;
}

type Def = [
  name: string,
  expr: string,
  forDur: string,
  severity: AlertRule['labels']['severity'],
  summary: string,
  runbook: string,
];

const NODE = '{{ $labels.instance }} (cluster {{ $labels.cluster }})';
const STATUS = 'zkops status --cluster {{ $labels.cluster }}';

/** The monitor guide's rules, on the same names and thresholds. */
const GUIDE: Def[] = [
  [
    'ZooKeeperServerDown',
    'zkops_node_up == 0',
    '1m',
    'critical',
    `ZooKeeper server ${NODE} is down (no answer on its client port)`,
    `${STATUS}; zkops logs --since 10m; zkops start (or zkops doctor to find why it does not start)`,
  ],
  [
    'ZooKeeperTooManyZnodes',
    'znode_count > 1000000',
    '1m',
    'warning',
    `${NODE} holds too many znodes: {{ $value }}`,
    'zkops ls / -R --cluster {{ $labels.cluster }} to find what grows; clean up the application that creates them',
  ],
  [
    'ZooKeeperTooManyConnections',
    'num_alive_connections > 50',
    '1m',
    'warning',
    `${NODE} has {{ $value }} client connections (maxClientCnxns defaults to 60 per client address)`,
    'zkops bundle (cons output) to see which clients hold them; raise settings.maxClientCnxns and zkops deploy if expected',
  ],
  [
    'ZooKeeperDataTooBig',
    'approximate_data_size / 1024 / 1024 > 1024',
    '1m',
    'warning',
    `${NODE} keeps {{ $value }} MB of znode data (more than 1 GB)`,
    'zkops backup first; then find the large subtrees with zkops ls -R and trim them',
  ],
  [
    'ZooKeeperTooManyWatches',
    'watch_count > 10000',
    '1m',
    'warning',
    `${NODE} has {{ $value }} watches`,
    'zkops bundle (wchs output) to see who sets them',
  ],
  [
    'ZooKeeperLeaderElection',
    'increase(election_time_count[5m]) > 0',
    '1m',
    'warning',
    `A leader election happened on ${NODE}`,
    `${STATUS}; zkops logs --since 15m to see why the leader changed`,
  ],
  [
    'ZooKeeperTooManyOpenFiles',
    'open_file_descriptor_count / max_file_descriptor_count > 0.8',
    '1m',
    'warning',
    `${NODE} uses {{ $value | humanizePercentage }} of its file descriptors`,
    'zkops doctor --cluster {{ $labels.cluster }}; raise the limit (LimitNOFILE) and zkops deploy',
  ],
  [
    'ZooKeeperFsyncTooLong',
    'rate(fsynctime_sum[1m]) > 100',
    '1m',
    'warning',
    `fsync takes too long on ${NODE}: {{ $value }} ms/s`,
    'zkops doctor (storage check); put dataLogDir on its own fast disk',
  ],
  [
    'ZooKeeperSnapshotTooLong',
    'rate(snapshottime_sum[5m]) > 100',
    '1m',
    'warning',
    `Snapshots take too long on ${NODE}: {{ $value }} ms/s`,
    'zkops doctor (storage check); look at the data size and the disk',
  ],
  [
    'ZooKeeperAvgLatencyHigh',
    'avg_latency > 100',
    '1m',
    'warning',
    `Average latency on ${NODE} is {{ $value }} ms`,
    'zkops top --cluster {{ $labels.cluster }} to watch latency and outstanding requests per node',
  ],
];

/** zkops's own: the ensemble as a whole. */
const ZKOPS: Def[] = [
  [
    'ZooKeeperExporterDown',
    'up{job="zkops"} == 0',
    '1m',
    'critical',
    'zkops exporter {{ $labels.instance }} does not answer: no ZooKeeper figures are collected',
    'systemctl status zkops-exporter (or start zkops exporter again)',
  ],
  [
    'ZooKeeperQuorumLost',
    'zkops_cluster_quorum == 0',
    '30s',
    'critical',
    'Cluster {{ $labels.cluster }} has no quorum (no leader with a majority of voters): clients cannot read or write',
    `${STATUS}; zkops start to bring stopped nodes back; zkops doctor --cluster {{ $labels.cluster }} for why they stopped`,
  ],
  [
    'ZooKeeperNoLeader',
    'zkops_cluster_leaders == 0',
    '1m',
    'critical',
    'No node of cluster {{ $labels.cluster }} leads',
    `${STATUS}; zkops logs --since 10m (election messages); zkops doctor`,
  ],
  [
    'ZooKeeperTwoLeaders',
    'zkops_cluster_leaders > 1',
    '30s',
    'critical',
    '{{ $value }} nodes of cluster {{ $labels.cluster }} claim to lead: split brain or two ensembles mixed',
    'zkops doctor --cluster {{ $labels.cluster }} (config check: server lists and myids must agree on every node)',
  ],
  [
    'ZooKeeperQuorumAtRisk',
    'zkops_cluster_quorum == 1 and zkops_cluster_voters_serving - zkops_cluster_voters_needed < 1',
    '5m',
    'warning',
    'Cluster {{ $labels.cluster }} loses its quorum at the next failure',
    `${STATUS}; zkops start the nodes that are down`,
  ],
  [
    'ZooKeeperNodeNotServing',
    'zkops_node_up == 1 and zkops_node_serving == 0',
    '1m',
    'critical',
    `${NODE} runs but does not serve (not in a quorum)`,
    `${STATUS}; zkops logs --since 10m; zkops doctor (network, config checks)`,
  ],
  [
    'ZooKeeperFollowersNotSynced',
    'max by (cluster) (synced_followers) < on (cluster) sum by (cluster) (zkops_node_mode{mode="follower"})',
    '2m',
    'warning',
    'The leader of cluster {{ $labels.cluster }} has fewer synced followers than nodes that follow',
    `${STATUS}; zkops logs (the lagging follower's sync messages)`,
  ],
  [
    'ZooKeeperOutstandingRequests',
    'outstanding_requests > 10',
    '5m',
    'warning',
    `${NODE} has {{ $value }} requests queued`,
    'zkops top --cluster {{ $labels.cluster }}; zkops doctor (storage: a slow disk queues writes)',
  ],
  [
    'ZooKeeperVersionSkew',
    'zkops_cluster_versions > 1',
    '1h',
    'warning',
    'Cluster {{ $labels.cluster }} runs {{ $value }} ZooKeeper versions (an upgrade left half done?)',
    `${STATUS} (VERSION column); zkops upgrade to finish the roll`,
  ],
  [
    'ZooKeeperCertificateExpiring',
    'zkops_tls_certificate_days_left < 30',
    '1h',
    'warning',
    'Certificate {{ $labels.certificate }} of cluster {{ $labels.cluster }} ends in {{ $value }} days',
    'zkops certs list --cluster {{ $labels.cluster }}; zkops certs rotate',
  ],
  [
    'ZooKeeperCertificateExpiringSoon',
    'zkops_tls_certificate_days_left < 7',
    '1h',
    'critical',
    'Certificate {{ $labels.certificate }} of cluster {{ $labels.cluster }} ends in {{ $value }} days',
    'zkops certs rotate --cluster {{ $labels.cluster }} now',
  ],
  [
    'ZooKeeperDiskFilling',
    'zkops_node_disk_free_bytes / zkops_node_disk_size_bytes < 0.1',
    '5m',
    'warning',
    `The {{ $labels.dir }} disk of ${NODE} has {{ $value | humanizePercentage }} free`,
    'zkops doctor (storage check: autopurge); free space or move the data directory',
  ],
  [
    'ZooKeeperDiskFullWithinADay',
    'predict_linear(zkops_node_disk_free_bytes[6h], 86400) < 0',
    '30m',
    'warning',
    `The {{ $labels.dir }} disk of ${NODE} fills within a day at this rate`,
    'zkops doctor (storage check: autopurge.snapRetainCount, autopurge.purgeInterval)',
  ],
  [
    'ZooKeeperDoctorErrors',
    'zkops_doctor_findings{severity="error"} > 0',
    '15m',
    'warning',
    'zkops doctor finds {{ $value }} errors on cluster {{ $labels.cluster }}',
    'zkops doctor --cluster {{ $labels.cluster }} (and --fix for the safe fixes)',
  ],
  [
    'ZooKeeperMntrMissing',
    'zkops_node_serving == 1 and zkops_node_mntr_available == 0',
    '30m',
    'info',
    `${NODE} does not answer mntr: only srvr's figures are exported`,
    'add mntr to 4lw.commands.whitelist (zkops deploy does so for clusters it manages)',
  ],
];

/** The rule groups as Prometheus reads them. */
export function alertRuleGroups(options: RuleOptions = {}): {
  groups: { name: string; interval?: string; rules: AlertRule[] }[];
} {
  const fast = options.fastSeconds;
  const rule = ([alert, expr, forDur, severity, summary, runbook]: Def): AlertRule => ({
    alert,
    expr,
    for: fast ? `${fast * 2}s` : forDur,
    labels: { severity },
    annotations: { summary, description: `${summary}. Runbook: ${runbook}`, runbook },
  });
  const interval = fast ? { interval: `${fast}s` } : {};
  return {
    groups: [
      { name: 'zookeeper-monitor-guide', ...interval, rules: GUIDE.map(rule) },
      { name: 'zkops', ...interval, rules: ZKOPS.map(rule) },
    ],
  };
}
