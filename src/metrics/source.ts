/**
 * What `zkops exporter` and `zkops top` watch: a cluster zkops knows (-i, --cluster, the one saved here), or
 * any ensemble through `--server host:port,...` (then `--cluster` only names it in the series).
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { clientTlsOf, type ClientTls } from '../client/tls.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { targetsFromServers, type PollTarget } from './poller.js';
import { certInfo } from '../security/certs.js';
import { resolveCluster, type ClusterFlags } from '../ops/cluster.js';

/** Flags of the watching commands. */
export interface SourceFlags extends ClusterFlags {
  server?: string;
}

/** The ensemble to watch. */
export interface MetricsSource {
  cluster: string;
  targets: PollTarget[];
  creds?: ClientTls;
  /** Set for a cluster zkops knows (its inventory), not for `--server`. */
  spec?: ClusterSpec;
}

/** Resolves the flags to an ensemble. */
export async function metricsSource(flags: SourceFlags): Promise<MetricsSource> {
  if (flags.server) {
    const targets = targetsFromServers(flags.server);
    if (targets.length === 0 || targets.some((t) => !t.host || !(t.port > 0 && t.port < 65536)))
      throw new ZkopsError(
        `--server ${flags.server}: expected host:port[,host:port...], e.g. 10.0.0.11:2181,10.0.0.12:2181.`,
        ExitCode.usage,
      );
    return { cluster: flags.cluster ?? 'zookeeper', targets };
  }
  const { spec } = await resolveCluster(flags);
  return {
    cluster: spec.name,
    spec,
    creds: clientTlsOf(spec),
    targets: spec.nodes.map((n) => ({
      instance: `${n.host.address.includes(':') ? `[${n.host.address}]` : n.host.address}:${n.clientPort}`,
      host: n.host.address,
      port: n.clientPort,
      id: n.id,
      role: n.role,
    })),
  };
}

/** Days left on the CA, node and client certificates of a TLS cluster (none without TLS secrets). */
export function certificateDays(spec: ClusterSpec | undefined): () => Record<string, number> {
  const s = spec?.secrets;
  if (!spec?.security.tls || !s) return () => ({});
  const pems: [string, string][] = [
    ...(s.ca ? [['ca', s.ca.cert] as [string, string]] : []),
    ...spec.nodes.flatMap((n) => (s.nodes[n.id] ? [[`node-${n.id}`, s.nodes[n.id]!.cert] as [string, string]] : [])),
    ...(s.client ? [['zkops-client', s.client.cert] as [string, string]] : []),
  ];
  // Parsed once; days are counted from the end date at each scrape.
  const ends = pems.map(([name, pem]) => [name, certInfo(pem).notAfter.getTime()] as const);
  return () => Object.fromEntries(ends.map(([name, end]) => [name, Math.floor((end - Date.now()) / 86_400_000)]));
}
