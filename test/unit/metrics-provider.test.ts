import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { renderNodeFiles, type HostFacts } from '../../src/render/node.js';
import { clusterStatus } from '../../src/health/status.js';
import { formatStatus } from '../../src/commands/report.js';
import { prometheusConfig } from '../../src/metrics/prometheus-config.js';
import { providerJarScript, PROVIDER_CLASS } from '../../src/distribution/metrics-provider.js';
import { classpathOf } from '../../src/doctor/checks/metrics-provider.js';

const FACTS: HostFacts = {
  javaHome: '/usr/lib/jvm/java-17-openjdk-amd64',
  zookeeperHome: '/opt/zk',
  classpath: '/opt/zk/conf:/opt/zk/lib/*',
  zookeeperVersion: '3.9.3',
  bindAll: false,
};

const inventory = (extra: string) =>
  parseInventory(`name: m\npseudo: {count: 3, basePort: 12181}\n${extra}`, 'm.yaml', '/srv').spec;
const cfgOf = (spec: ReturnType<typeof inventory>, id: number, facts: Partial<HostFacts> = {}) =>
  renderNodeFiles(spec, spec.nodes[id - 1]!, { ...FACTS, ...facts })[1]!.content;

describe('monitoring.provider: rendering', () => {
  it('is off by default: no metricsProvider keys, no metrics port', () => {
    const spec = inventory('');
    expect(cfgOf(spec, 1)).not.toContain('metricsProvider');
    expect(spec.nodes[0]!.listens.map((l) => l.name)).not.toContain('metrics');
  });

  it('writes class, host, own port per node and exportJvmInfo', () => {
    const spec = inventory('monitoring: {provider: true, exportJvmInfo: false}\n');
    const cfg = cfgOf(spec, 2);
    expect(cfg).toContain(`metricsProvider.className=${PROVIDER_CLASS}\n`);
    expect(cfg).toContain('metricsProvider.httpHost=127.0.0.1\n');
    expect(cfg).toContain('metricsProvider.httpPort=17001\n');
    expect(cfg).toContain('metricsProvider.exportJvmInfo=false\n');
    expect(cfgOf(inventory('monitoring: {provider: true}\n'), 1)).toContain('metricsProvider.exportJvmInfo=true\n');
  });

  it('binds where the AdminServer binds (settings.adminServer.address)', () => {
    const spec = inventory('monitoring: {provider: true}\nsettings: {adminServer: {address: 0.0.0.0}}\n');
    expect(cfgOf(spec, 1)).toContain('metricsProvider.httpHost=0.0.0.0\n');
    expect(cfgOf(spec, 1)).toContain('admin.serverAddress=0.0.0.0\n');
  });

  it('gives every node a metrics port clashing with none of its other ports', () => {
    const spec = inventory('monitoring: {provider: true}\nsettings: {jmx: {enabled: true}}\n');
    const ports = spec.nodes.flatMap((n) => n.listens.map((l) => l.port));
    expect(new Set(ports).size).toBe(ports.length);
    expect(spec.nodes.map((n) => n.listens.find((l) => l.name === 'metrics')?.port)).toEqual([17000, 17001, 17002]);
  });

  it('writes nothing for a release before 3.6 (the preflight refuses it first)', () => {
    expect(cfgOf(inventory('monitoring: {provider: true}\n'), 1, { zookeeperVersion: '3.5.10' })).not.toContain(
      'metricsProvider',
    );
  });

  it('refuses a pinned version before 3.6 with file, line and field', () => {
    expect(() => inventory('zookeeper: {version: 3.5.10}\nmonitoring:\n  provider: true\n')).toThrow(
      /m\.yaml:5: monitoring\.provider: ZooKeeper's Prometheus provider came with 3\.6\.0/,
    );
    expect(() => inventory('zookeeper: {version: 3.6.0}\nmonitoring: {provider: true}\n')).not.toThrow();
  });
});

describe('monitoring.provider: status and prometheus.yml', () => {
  const spec = inventory('monitoring: {provider: true}\n');
  const reports = spec.nodes.map((node) => ({ node, health: { mode: 'follower' as const } }));

  it('shows the metrics port in status (JSON and table)', () => {
    const status = clusterStatus(spec, reports as never);
    expect(status.nodes.map((n) => n.ports.metrics)).toEqual([17000, 17001, 17002]);
    expect(formatStatus(status)).toMatch(/METRICS[\s\S]*17001/);
    const off = inventory('');
    const plain = clusterStatus(off, off.nodes.map((node) => ({ node, health: { mode: 'follower' } })) as never);
    expect(plain.nodes[0]!.ports.metrics).toBeNull();
    expect(formatStatus(plain)).not.toContain('METRICS');
  });

  it("adds a scrape job for the nodes' provider ports", () => {
    const cfg = prometheusConfig(spec, { exporter: '127.0.0.1:9141' }) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }[];
    };
    const job = cfg.scrape_configs.find((j) => j.job_name === 'zookeeper')!;
    expect(job.static_configs.map((s) => s.targets[0])).toEqual([
      '127.0.0.1:17000',
      '127.0.0.1:17001',
      '127.0.0.1:17002',
    ]);
    expect(job.static_configs[1]!.labels).toEqual({ cluster: 'm', instance: '127.0.0.1:12182' });
  });
});

describe('monitoring.provider: finding the jar', () => {
  // A real jar-like file: the class name stored as a zip entry name (zip from python's zipfile, as a JDK would).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-provider-'));
  mkdirSync(path.join(dir, 'lib'));
  const classFile = `${PROVIDER_CLASS.replace(/\./g, '/')}.class`;
  execFileSync('python3', [
    '-c',
    'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)\n' +
      'z.writestr(sys.argv[2], b"\\xca\\xfe\\xba\\xbe" * 64)\nz.close()',
    path.join(dir, 'lib', 'zookeeper-prometheus-metrics-3.9.3.jar'),
    classFile,
  ]);
  writeFileSync(path.join(dir, 'zookeeper.jar'), 'no provider here');
  const run = (cp: string) => execFileSync('sh', ['-c', providerJarScript(cp)], { encoding: 'utf8' }).trim();

  it('finds the class in a dir/* entry and nothing on a class path without it', () => {
    expect(run(`${dir}/conf:${dir}/lib/*`)).toBe(path.join(dir, 'lib', 'zookeeper-prometheus-metrics-3.9.3.jar'));
    expect(run(`${dir}/zookeeper.jar:/usr/share/java/zookeeper.jar`)).toBe('');
  });

  it("reads the class path of a running server's command line or a run script", () => {
    expect(classpathOf("java -Xmx1g -cp '/opt/zk/conf:/opt/zk/lib/*' org.apache.Main zoo.cfg")).toBe(
      '/opt/zk/conf:/opt/zk/lib/*',
    );
    expect(classpathOf('java -classpath /a.jar:/b.jar Main')).toBe('/a.jar:/b.jar');
    expect(classpathOf('java Main')).toBeUndefined();
  });
});
