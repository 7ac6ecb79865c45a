/**
 * `zkops exporter`: serves /metrics in Prometheus text format for every node of a cluster (an inventory, the
 * saved cluster, or `--server` for any ensemble), from mntr/srvr/conf, under the names ZooKeeper's own
 * provider uses, plus zkops's series. Runs until SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, ZkopsError } from '../errors.js';
import { Collector } from '../metrics/collector.js';
import { Poller } from '../metrics/poller.js';
import { parseListen, startExporterServer } from '../exporter/server.js';
import type { OutputOptions } from '../output.js';
import { certificateDays, metricsSource } from '../metrics/source.js';
import type { ExporterFlags } from './exporter-flags.js';

export type { ExporterFlags };

export async function exporterCommand(flags: ExporterFlags, out: OutputOptions): Promise<number> {
  let listen;
  try {
    listen = parseListen(flags.listen);
  } catch (err) {
    throw new ZkopsError(`--listen: ${(err as Error).message}.`, ExitCode.usage);
  }
  const basicAuth = flags.basicAuthFile ? await readBasicAuth(flags.basicAuthFile) : undefined;
  // Loaded only when asked for: the YAML parser is no part of a plain exporter's memory.
  const web = flags.webConfigFile
    ? await (await import('../exporter/web-config.js')).loadWebConfig(flags.webConfigFile).catch((e: Error) => {
        throw new ZkopsError(`--web-config-file ${e.message}.`, ExitCode.usage);
      })
    : {};
  if (flags.host && !flags.install) throw new ZkopsError('--host goes with --install.', ExitCode.usage);
  const source = await metricsSource(flags);
  if (flags.install) return (await import('./exporter-install.js')).installExporter(flags, source, out);
  const poller = new Poller(source.targets, { nodeTimeoutMs: flags.nodeTimeout, creds: source.creds });
  let doctor: import('../metrics/doctor-runner.js').DoctorRunner | undefined;
  if (source.spec && flags.doctorInterval > 0) {
    const { DoctorRunner } = await import('../metrics/doctor-runner.js');
    doctor = new DoctorRunner(source.spec, flags.doctorInterval * 1000);
  }
  const collector = new Collector(source.cluster, poller, {
    certificates: certificateDays(source.spec),
    doctor: doctor && (() => doctor.counts()),
  });
  let server;
  try {
    server = await startExporterServer(listen, { metrics: () => collector.scrape(), basicAuth, ...web });
  } catch (err) {
    throw new ZkopsError(
      `Cannot listen on ${flags.listen}: ${(err as Error).message}. Choose another address with --listen.`,
      ExitCode.usage,
    );
  }
  doctor?.start();
  const line = `zkops exporter: cluster ${source.cluster} (${source.targets.length} nodes) on ${server.url}/metrics\n`;
  if (out.json) process.stdout.write(`${JSON.stringify({ url: `${server.url}/metrics`, cluster: source.cluster })}\n`);
  else process.stdout.write(line);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  doctor?.stop();
  await server.close();
  return ExitCode.ok;
}

async function readBasicAuth(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!/^[^:\s]+:\S+$/.test(text))
    throw new ZkopsError(
      `--basic-auth-file ${file}: expected one line user:password (the file missing, empty or malformed).`,
      ExitCode.usage,
    );
  return text;
}
