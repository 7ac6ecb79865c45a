/**
 * ZooKeeper's own Prometheus provider (monitoring.provider) lives in its own jar,
 * lib/zookeeper-prometheus-metrics-X.jar of an Apache 3.6+ release, with the Prometheus simpleclient jars beside
 * it. Debian's package ships none of them, and a server told to load a class it cannot find does not start: so
 * the class is looked for on the node's class path before anything is written (preflight) and on a running
 * node (doctor). A jar stores its entries' names uncompressed, so a byte search for the class file's name finds
 * it without unzip (which hosts may lack).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Executor } from '../executors/types.js';
import { sh } from '../shell.js';

/** The provider class zoo.cfg names. */
export const PROVIDER_CLASS = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';
const CLASS_FILE = `${PROVIDER_CLASS.replace(/\./g, '/')}.class`;

/**
 * A shell script printing the class path entry (jar or directory) that holds the provider class, or nothing.
 * `dir/*` entries expand to the directory's files, as the JVM expands them to its jars.
 */
export function providerJarScript(classpath: string): string {
  return (
    `cp=${sh(classpath)}; IFS=:; for e in $cp; do ` +
    `if [ -d "$e" ]; then [ -f "$e/${CLASS_FILE}" ] && { printf '%s\\n' "$e"; exit 0; }; continue; fi; ` +
    `case "$e" in *.jar) [ -f "$e" ] && grep -q -a -F '${CLASS_FILE}' "$e" && ` +
    `{ printf '%s\\n' "$e"; exit 0; };; esac; done; exit 0`
  );
}

/** The class path entry on a host holding the provider class; undefined when none does. */
export async function findProviderJar(ex: Executor, classpath: string): Promise<string | undefined> {
  const r = await ex.exec(providerJarScript(classpath));
  return r.stdout.trim() || undefined;
}

/** Whether an Apache release tarball on this machine ships the provider's jar (lib/zookeeper-prometheus-metrics-*). */
export async function tarballHasProvider(file: string): Promise<boolean> {
  const { stdout } = await promisify(execFile)('tar', ['-tzf', file], { maxBuffer: 64 * 1024 * 1024 });
  return /\/lib\/zookeeper-prometheus-metrics-[^/]*\.jar$/m.test(stdout);
}

/** The one-paragraph refusal for a release without the provider (the preflight's heading names the host). */
export function providerMissing(version: string, source: string): string {
  return (
    `monitoring.provider is on, but ZooKeeper ${version} at ${source} has no ${PROVIDER_CLASS} on ` +
    `its class path (no lib/zookeeper-prometheus-metrics-*.jar; Debian's package ships none), and a server told ` +
    `to load it does not start. Use an Apache release 3.6+ (zookeeper.version or ` +
    `zookeeper.tarball; its lib/ has the provider and the Prometheus simpleclient jars), add those jars to it, or ` +
    `turn monitoring.provider off: zkops exporter serves the same names from mntr without it.`
  );
}

/** The one-paragraph refusal for a version before the provider existed. */
export function providerTooOld(nodes: number[], version: string): string {
  return (
    `monitoring.provider needs ZooKeeper 3.6 or later (the Prometheus provider came with 3.6.0), and node(s) ` +
    `${nodes.join(', ')} would run ${version}. Upgrade first, or turn ` +
    `monitoring.provider off: zkops exporter serves the same names from mntr on any version.`
  );
}
