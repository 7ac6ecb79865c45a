/**
 * `zkops exporter --install`: the exporter as a systemd service, zkops-exporter-<cluster>.service, on this
 * machine or an inventory host. The unit runs the same command with the same flags (listen address loopback
 * unless told otherwise), with V8's heap capped (a long-running exporter needs about 50 MiB; without a cap V8
 * grows its heap toward the machine's memory before collecting), restarts on failure, and may not gain
 * privileges. Where systemd does not run (containers, the test hosts), the unit is still written and the caller
 * says how to run the exporter instead.
 */
import type { Executor } from '../executors/types.js';
import { sh, systemdArg } from '../shell.js';

/** Node's flags for the service: a small young generation and a capped old one keep its memory flat. */
export const SERVICE_NODE_FLAGS = ['--max-old-space-size=64', '--max-semi-space-size=1'];

/** The unit's name for a cluster. */
export function exporterUnitName(cluster: string): string {
  return `zkops-exporter-${cluster}.service`;
}

/** What the unit runs. */
export interface ExporterUnit {
  cluster: string;
  /** The program and its arguments, unquoted (node, zkops's script, `exporter`, flags). */
  command: string[];
  /** Where relative paths in the command resolve (the inventory's directory, .zkops state). */
  workingDirectory?: string;
  /** The account to run as; default: root's choice of the unit (no User=). */
  user?: string;
}

/** The unit file's text. Every argument quoted for systemd (spaces, %, $ survive). */
export function renderExporterUnit(u: ExporterUnit): string {
  return [
    `# zkops exporter for cluster "${u.cluster}": /metrics for Prometheus.`,
    '# Written by `zkops exporter --install`; run it again to rewrite this file.',
    '[Unit]',
    `Description=zkops exporter (${u.cluster})`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `Environment=${systemdArg(`NODE_OPTIONS=${SERVICE_NODE_FLAGS.join(' ')}`)}`,
    ...(u.user ? [`User=${u.user}`] : []),
    ...(u.workingDirectory ? [`WorkingDirectory=${systemdArg(u.workingDirectory)}`] : []),
    `ExecStart=${u.command.map(systemdArg).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    'NoNewPrivileges=true',
    'PrivateTmp=true',
    'ProtectSystem=full',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** What installing did. */
export interface InstallOutcome {
  unitPath: string;
  /** systemd runs there: the unit was enabled and started. */
  started: boolean;
  /** The shell command that runs the exporter in the foreground (where systemd does not run). */
  runCommand: string;
}

/** Writes the unit (atomically) where `ex` runs; enables and starts it when systemd runs there. */
export async function installExporterUnit(ex: Executor, u: ExporterUnit): Promise<InstallOutcome> {
  const name = exporterUnitName(u.cluster);
  const unitPath = `/etc/systemd/system/${name}`;
  await ex.writeFile(unitPath, renderExporterUnit(u), 0o644);
  const cd = u.workingDirectory ? `cd ${sh(u.workingDirectory)} && ` : '';
  const runCommand = `${cd}NODE_OPTIONS=${sh(SERVICE_NODE_FLAGS.join(' '))} exec ${u.command.map(sh).join(' ')}`;
  // systemd is the init system exactly when /run/systemd/system exists (sd_booted(3)).
  const booted = await ex.exec('test -d /run/systemd/system');
  if (booted.code !== 0) return { unitPath, started: false, runCommand };
  const r = await ex.exec(
    `systemctl daemon-reload && systemctl enable --now ${sh(name)} && systemctl restart ${sh(name)}`,
  );
  if (r.code !== 0)
    throw new Error(
      `systemctl could not start ${name} on ${ex.label}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`,
    );
  return { unitPath, started: true, runCommand };
}
