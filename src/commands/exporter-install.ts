/**
 * `zkops exporter --install [--host NAME]`: the exporter's flags become a systemd unit (exporter/install.ts) on
 * this machine, or on an inventory host over the cluster's own SSH settings. On this machine the unit runs this
 * very zkops with the inventory by absolute path; on another host it runs `zkops` from PATH with the nodes'
 * client addresses (`--server`), which needs no inventory or secrets there.
 */
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { connectString } from '../inventory/spec.js';
import { installExporterUnit, type ExporterUnit, type InstallOutcome } from '../exporter/install.js';
import type { OutputOptions } from '../output.js';
import type { ExporterFlags } from './exporter-flags.js';

/** The exporter's own flags, as the service passes them (paths absolute: the unit runs elsewhere). */
function serviceFlags(flags: ExporterFlags, cwd: string): string[] {
  const abs = (p: string) => path.resolve(cwd, p);
  return [
    '--listen',
    flags.listen,
    '--node-timeout',
    String(flags.nodeTimeout),
    '--doctor-interval',
    String(flags.doctorInterval),
    ...(flags.basicAuthFile ? ['--basic-auth-file', abs(flags.basicAuthFile)] : []),
    ...(flags.webConfigFile ? ['--web-config-file', abs(flags.webConfigFile)] : []),
  ];
}

/** Installs the unit; prints where it went and whether it runs (or how to run it). */
export async function installExporter(
  flags: ExporterFlags,
  source: { cluster: string; spec?: ClusterSpec },
  out: OutputOptions,
): Promise<number> {
  const cwd = process.cwd();
  let outcome: InstallOutcome;
  let where = 'this machine';
  if (flags.host) {
    const spec = source.spec;
    if (!spec)
      throw new ZkopsError("--host needs the cluster's inventory (-i or --cluster), not --server.", ExitCode.usage);
    const unit: ExporterUnit = {
      cluster: source.cluster,
      command: [
        '/usr/bin/env',
        'zkops',
        'exporter',
        '--server',
        connectString(spec),
        '--cluster',
        spec.name,
        ...serviceFlags({ ...flags, doctorInterval: 0 }, cwd),
      ],
    };
    const { withRuntime } = await import('../runtime/index.js');
    outcome = await withRuntime(spec, {}, async (rt) => {
      const place = (await rt.places()).find((p) => p.node.host.name === flags.host || p.node.place === flags.host);
      if (!place)
        throw new ZkopsError(
          `--host ${flags.host}: no node of ${spec.name} runs there (hosts: ` +
            `${[...new Set(spec.nodes.map((n) => n.place))].join(', ')}).`,
          ExitCode.usage,
        );
      where = place.ex.label;
      return installExporterUnit(place.ex, unit);
    });
  } else {
    const select = flags.server
      ? ['--server', flags.server, ...(flags.cluster ? ['--cluster', flags.cluster] : [])]
      : flags.inventory
        ? ['-i', path.resolve(cwd, flags.inventory)]
        : ['--cluster', source.cluster];
    const { LocalExecutor } = await import('../executors/local.js');
    outcome = await installExporterUnit(new LocalExecutor(), {
      cluster: source.cluster,
      command: [process.execPath, path.resolve(process.argv[1]!), 'exporter', ...select, ...serviceFlags(flags, cwd)],
      workingDirectory: cwd,
    });
  }
  if (out.json) process.stdout.write(`${JSON.stringify({ host: where, ...outcome })}\n`);
  else
    process.stdout.write(
      outcome.started
        ? `zkops exporter: ${outcome.unitPath} written on ${where}, enabled and started ` +
            `(journalctl -u ${path.basename(outcome.unitPath)}).\n`
        : `zkops exporter: ${outcome.unitPath} written on ${where}, but systemd does not run there, so nothing ` +
            `was started. Run the exporter under your own supervisor instead:\n  ${outcome.runCommand}\n`,
    );
  return ExitCode.ok;
}
