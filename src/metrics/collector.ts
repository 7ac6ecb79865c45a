/**
 * One scrape: a snapshot from the shared poller → ZooKeeper's provider-named series for every node, plus
 * zkops's own (`zkops_*`): per node up, serving, mode, mntr availability, zxid, disk; per cluster leaders,
 * voters serving against the majority needed, versions, certificate days left and the doctor's findings.
 * Every series carries `cluster` and, per node, `instance` (host:clientPort), so the scrape config keeps them
 * with `honor_labels: true` and one exporter serves the whole ensemble.
 */
import { statfs } from 'node:fs/promises';
import { FamilySet, renderExposition } from './exposition.js';
import { addProviderSeries } from './provider-names.js';
import type { NodeSample, Poller, Snapshot } from './poller.js';
import { nodeId, readCluster, serving } from './verdict.js';

/** Days left on each certificate the cluster's TLS uses (name → days). */
export type CertificateDays = () => Record<string, number>;

/** The doctor's latest counts by severity, when it runs beside the exporter. */
export interface DoctorCounts {
  /** Epoch ms of the last completed run; undefined before the first. */
  at?: number;
  counts: Record<'ok' | 'warning' | 'error', number>;
  /** Why the last run did not complete, if it did not. */
  error?: string;
}

/** What a collector adds beyond the poll. */
export interface CollectorExtras {
  certificates?: CertificateDays;
  doctor?: () => DoctorCounts | undefined;
}

const MODES = ['leader', 'follower', 'observer', 'standalone', 'not-serving', 'down'] as const;
const LOOPBACK = /^(127\.|localhost$|::1$)/;

/** Builds the exposition text of a cluster from its poller. */
export class Collector {
  constructor(
    readonly cluster: string,
    readonly poller: Poller,
    private readonly extras: CollectorExtras = {},
  ) {}

  /** Polls (or reuses the cached poll) and renders every series. */
  async scrape(): Promise<string> {
    const snapshot = await this.poller.poll();
    return renderExposition((await this.families(snapshot)).list());
  }

  /** The families of a snapshot (exported for the tests and `top`). */
  async families(snapshot: Snapshot): Promise<FamilySet> {
    const set = new FamilySet();
    const cl = { cluster: this.cluster };
    const disks = await Promise.all(snapshot.nodes.map(diskOf));
    snapshot.nodes.forEach((s, i) => this.addNode(set, s, i, disks[i]!));
    for (const s of snapshot.nodes) addProviderSeries(set, s, { ...cl, instance: s.target.instance });

    const r = readCluster(snapshot);
    const g = (name: string, help: string, value: number, labels: Record<string, string> = {}) =>
      set.add(name, help, 'gauge', { ...cl, ...labels }, value);
    g('zkops_cluster_leaders', 'Nodes that say they lead (1 when healthy)', r.leaders);
    g('zkops_cluster_voters', 'Voting members (participants)', r.voters);
    g('zkops_cluster_voters_serving', 'Voters that lead or follow', r.votersServing);
    g('zkops_cluster_voters_needed', 'Voters a quorum needs (a majority)', r.votersNeeded);
    g('zkops_cluster_quorum', '1 when one leader and a majority of voters serve', r.quorum ? 1 : 0);
    g('zkops_cluster_healthy', "1 when zkops status's verdict is healthy", r.verdict.status === 'healthy' ? 1 : 0);
    g(
      'zkops_cluster_versions',
      'Distinct ZooKeeper versions among the nodes that answer (>1: skew)',
      r.versions.length,
    );
    g('zkops_poll_duration_seconds', 'How long polling every node took', snapshot.durationMs / 1000);
    set.add(
      'zkops_exporter_polls_total',
      'Polls of the nodes (scrapes served from the cache or a poll in flight not counted)',
      'counter',
      cl,
      this.poller.polls,
    );
    for (const [certificate, days] of Object.entries(this.extras.certificates?.() ?? {}))
      g('zkops_tls_certificate_days_left', 'Days until a certificate of the cluster ends', days, { certificate });
    const doctor = this.extras.doctor?.();
    if (doctor) {
      for (const [severity, n] of Object.entries(doctor.counts))
        g('zkops_doctor_findings', "The doctor's findings in its last run, by severity", n, { severity });
      g('zkops_doctor_last_run_timestamp_seconds', 'When the doctor last completed', (doctor.at ?? 0) / 1000);
      g('zkops_doctor_run_failed', '1 when the last doctor run did not complete', doctor.error ? 1 : 0);
    }
    return set;
  }

  private addNode(set: FamilySet, s: NodeSample, index: number, disk: Disk[]): void {
    const labels = { cluster: this.cluster, instance: s.target.instance };
    const g = (name: string, help: string, value: number, extra: Record<string, string> = {}) =>
      set.add(name, help, 'gauge', { ...labels, ...extra }, value);
    g('zkops_node_up', '1 when the node answers srvr on its client port', s.health.mode === 'down' ? 0 : 1);
    g(
      'zkops_node_serving',
      '1 when the node serves clients (leader, follower, observer, standalone)',
      serving(s) ? 1 : 0,
    );
    for (const mode of MODES)
      g('zkops_node_mode', 'The mode srvr reports (1 for the current one)', s.health.mode === mode ? 1 : 0, { mode });
    g('zkops_node_info', 'Server id, role and version of a node', 1, {
      server_id: String(nodeId(s, index)),
      role: s.target.role ?? (s.conf.peerType === '1' ? 'observer' : 'participant'),
      version: s.health.version ?? '',
    });
    g(
      'zkops_node_mntr_available',
      '1 when mntr answers with figures; 0: only what srvr gives (whitelist mntr in 4lw.commands.whitelist)',
      s.mntrAvailable ? 1 : 0,
    );
    if (s.health.zxid) g('zkops_node_last_zxid', 'The last zxid the node has seen', Number(s.health.zxid));
    g('zkops_node_poll_duration_seconds', 'How long the node took to answer the poll', s.durationMs / 1000);
    for (const d of disk) {
      g('zkops_node_disk_free_bytes', 'Free bytes on the file system of a data directory', d.free, { dir: d.dir });
      g('zkops_node_disk_size_bytes', 'Size of the file system of a data directory', d.size, { dir: d.dir });
    }
  }
}

interface Disk {
  dir: 'data' | 'datalog';
  free: number;
  size: number;
}

/** Free space of a node's data directories, where the node runs on this machine (`conf` names them). */
async function diskOf(s: NodeSample): Promise<Disk[]> {
  if (!LOOPBACK.test(s.target.host)) return [];
  const dirs: [Disk['dir'], string | undefined][] = [
    ['data', s.conf.dataDir],
    ['datalog', s.conf.dataLogDir],
  ];
  const out: Disk[] = [];
  for (const [dir, path] of dirs) {
    if (!path) continue;
    const st = await statfs(path).catch(() => undefined);
    if (st) out.push({ dir, free: st.bavail * st.bsize, size: st.blocks * st.bsize });
  }
  return out;
}
