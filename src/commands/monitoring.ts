/**
 * `zkops monitoring -o DIR`: writes, from the inventory, what a Prometheus and a Grafana need to watch the
 * cluster through zkops exporter: DIR/prometheus.yml (scrapes the exporter, loads the rules beside it),
 * DIR/zkops-rules.yml (alert rules with runbooks naming zkops commands), DIR/grafana-dashboard.json.
 * Without a cluster here or -i, the generic set (the rules do not depend on the inventory).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { ExitCode } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { grafanaDashboard } from '../metrics/grafana.js';
import { prometheusConfig, RULES_FILE } from '../metrics/prometheus-config.js';
import { alertRuleGroups } from '../metrics/rules.js';
import { printJson, type OutputOptions } from '../output.js';
import { resolveCluster, savedClusters, type ClusterFlags } from '../ops/cluster.js';

/** `zkops monitoring` flags. */
export interface MonitoringFlags extends ClusterFlags {
  output: string;
  exporter: string;
  /** For tests: scrape/evaluate every N seconds, alerts after two. */
  fast?: number;
}

export async function monitoringCommand(flags: MonitoringFlags, out: OutputOptions): Promise<number> {
  let spec: ClusterSpec | undefined;
  if (flags.inventory || (await savedClusters()).length > 0) spec = (await resolveCluster(flags)).spec;
  const name = spec?.name ?? flags.cluster ?? 'zookeeper';
  const dir = path.resolve(flags.output);
  await mkdir(dir, { recursive: true });
  const header = (what: string) =>
    `# ${what}, written by zkops monitoring for cluster ${name}; run zkops monitoring again to refresh it.\n`;
  const files: [string, string][] = [
    [
      'prometheus.yml',
      header('Prometheus configuration') +
        stringify(prometheusConfig(spec, { exporter: flags.exporter, fastSeconds: flags.fast })),
    ],
    [RULES_FILE, header('Alert rules') + stringify(alertRuleGroups({ fastSeconds: flags.fast }), { lineWidth: 0 })],
    ['grafana-dashboard.json', `${JSON.stringify(grafanaDashboard(name), null, 2)}\n`],
  ];
  for (const [file, content] of files) await writeFileAtomic(path.join(dir, file), content);
  const written = files.map(([f]) => path.join(dir, f));
  if (out.json) printJson({ cluster: name, exporter: flags.exporter, files: written });
  else
    process.stdout.write(
      `Wrote ${written.join(', ')}.\n` +
        `Run: zkops exporter --listen ${flags.exporter}${flags.inventory ? ` -i ${flags.inventory}` : ''}\n` +
        `     prometheus --config.file=${written[0]}\n` +
        'Import grafana-dashboard.json in Grafana (Dashboards → Import) and pick the Prometheus data source.\n',
    );
  return ExitCode.ok;
}
