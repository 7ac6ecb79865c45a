/**
 * Metrics provider: a node whose zoo.cfg names ZooKeeper's PrometheusMetricsProvider must have that class on
 * the class path it runs (or would run) with: otherwise the server does not start ("Cannot boot ZooKeeper
 * server... ClassNotFoundException"), and a release without the jar (Debian's) looks healthy until then. The
 * class path is the running server's `-cp`, else the one in zkops's run script.
 */
import { findProviderJar, PROVIDER_CLASS } from '../../distribution/metrics-provider.js';
import { cfgValue, where } from '../../zookeeper/zoo-cfg.js';
import type { NodeFacts } from '../facts.js';
import { okIfNone, type Check, type DoctorContext, type Finding } from '../check.js';

/** `-cp X` / `-classpath X` in a java command line (one word: zkops and zkServer.sh quote no spaces in it). */
export function classpathOf(command: string): string | undefined {
  const m = /(?:^|\s)-(?:cp|classpath)\s+('[^']*'|"[^"]*"|\S+)/.exec(command);
  return m?.[1]?.replace(/^['"]|['"]$/g, '');
}

export const metricsProviderCheck: Check = async (ctx) => {
  const withProvider = ctx.facts.filter((f) => f.cfg && cfgValue(f.cfg, 'metricsProvider.className'));
  const findings = (await Promise.all(withProvider.map((f) => checkNode(ctx, f)))).flat();
  return okIfNone(
    findings,
    'metrics-provider',
    withProvider.length
      ? "every node that names ZooKeeper's Prometheus provider has its jar"
      : "no node uses ZooKeeper's own metrics provider (zkops exporter needs none)",
  );
};

async function checkNode(ctx: DoctorContext, facts: NodeFacts): Promise<Finding[]> {
  const cfg = facts.cfg!;
  const className = cfgValue(cfg, 'metricsProvider.className')!;
  const node = facts.node;
  if (className !== PROVIDER_CLASS) return [];
  const state = ctx.states.get(node.id);
  let classpath = state?.state === 'running' ? classpathOf(state.process.command) : undefined;
  let from = classpath ? `the running server's -cp (pid ${state?.state === 'running' ? state.process.pid : ''})` : '';
  if (!classpath) {
    const script = await facts.place.ex.readFile(node.runScript).catch(() => undefined);
    classpath = script ? classpathOf(script.replace(/\\\n/g, ' ')) : undefined;
    from = node.runScript;
  }
  if (!classpath) return [];
  const jar = await findProviderJar(facts.place.ex, classpath).catch(() => 'unknown');
  if (jar) return [];
  return [
    {
      check: 'metrics-provider',
      node: node.id,
      severity: 'error',
      message:
        `zoo.cfg names ${PROVIDER_CLASS}, but no jar on the node's class path holds it (no ` +
        `zookeeper-prometheus-metrics-*.jar; Debian's package ships none): the server does not start with it`,
      evidence: [`${where(cfg, 'metricsProvider.className')}: metricsProvider.className=${className}`, `${from}`],
      fix:
        'use an Apache 3.6+ release (its lib/ has the provider and simpleclient jars), or turn it off ' +
        '(monitoring.provider: false, then zkops deploy)',
    },
  ];
}
