/**
 * prometheus.yml for a cluster: scrapes zkops exporter (its labels kept: one exporter answers for every
 * node, each series names its node in `instance`), and ZooKeeper's own provider on the nodes where the
 * inventory turns it on (monitoring.provider), relabelled to the same `cluster`/`instance` so the rules
 * and the dashboard see one set of names. Loads the rule file written beside it.
 */
import type { ClusterSpec } from '../inventory/spec.js';

/** Name of the rule file beside prometheus.yml. */
export const RULES_FILE = 'zkops-rules.yml';

/** What prometheus.yml needs. */
export interface PrometheusConfigOptions {
  /** `host:port` of zkops exporter. */
  exporter: string;
  /** For tests: scrape and evaluate every this many seconds. */
  fastSeconds?: number;
}

/** The configuration as an object (written as YAML by the command). */
export function prometheusConfig(spec: ClusterSpec | undefined, o: PrometheusConfigOptions): Record<string, unknown> {
  const every = o.fastSeconds ? `${o.fastSeconds}s` : '15s';
  const scrape: Record<string, unknown>[] = [
    {
      job_name: 'zkops',
      honor_labels: true,
      scrape_interval: every,
      scrape_timeout: o.fastSeconds ? every : '10s',
      static_configs: [{ targets: [o.exporter] }],
    },
  ];
  if (spec?.monitoring.provider)
    scrape.push({
      job_name: 'zookeeper',
      scrape_interval: every,
      static_configs: spec.nodes.map((n) => ({
        targets: [`${n.host.address}:${n.metricsPort}`],
        labels: { cluster: spec.name, instance: `${n.host.address}:${n.clientPort}` },
      })),
    });
  return {
    global: { scrape_interval: every, evaluation_interval: every },
    rule_files: [RULES_FILE],
    scrape_configs: scrape,
  };
}
