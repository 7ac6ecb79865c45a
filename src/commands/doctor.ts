/**
 * `zkops doctor`: runs every check on a cluster zkops knows (-i, --cluster,
 * the one saved here) or on ZooKeeper servers it finds (--zoo-cfg, --host, or
 * with nothing given and no cluster here, whatever runs on this machine),
 * prints each finding with its evidence and fix, applies the safe fixes with
 * --fix and then checks again. Exit 0: nothing wrong; 1: warnings only;
 * 5: errors.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { runDoctor, type Finding } from '../doctor/index.js';
import { color, printJson, type OutputOptions } from '../output.js';
import { openRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/types.js';
import { HostRuntime } from '../runtime/hosts.js';
import { probeCluster } from '../health/cluster.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { discover, wantsDiscovery, type DiscoveryFlags } from '../discovery/find.js';
import { describeFound, foundNodes, type FoundNode } from '../discovery/found.js';
import { resolveCluster, savedClusters, type ClusterFlags } from './cluster-ref.js';

export type DoctorFlags = ClusterFlags & DiscoveryFlags & { fix?: boolean };

/** One ensemble's report. */
interface Report {
  cluster: string;
  findings: Finding[];
  /** After --fix: the second look. */
  after?: Finding[];
  /** Servers zkops did not set up: what was found (said first), and as data. */
  found?: { text: string; nodes: FoundNode[] };
}

export async function doctorCommand(flags: DoctorFlags, out: OutputOptions): Promise<number> {
  const managed = !wantsDiscovery(flags) && (flags.inventory || flags.cluster || (await savedClusters()).length > 0);
  const reports = managed ? [await doctorManaged(flags)] : await doctorFound(flags);
  if (out.json) printJson(reports.length === 1 ? summary(reports[0]!) : { ensembles: reports.map(summary) });
  else
    for (const r of reports) {
      if (reports.length > 1) process.stdout.write(`${color.bold(`Ensemble ${r.cluster}`)}\n`);
      if (r.found) process.stdout.write(`${r.found.text}\n\n`);
      process.stdout.write(format(r.findings));
      if (r.after) process.stdout.write(`\nAfter the fixes:\n${format(r.after.filter((f) => f.severity !== 'ok'))}`);
      process.stdout.write(verdict(r.after ?? r.findings));
    }
  return Math.max(...reports.map((r) => exitCode(r.after ?? r.findings)));
}

/** A cluster zkops knows: its runtime, reached in parallel with the probes. */
async function doctorManaged(flags: DoctorFlags): Promise<Report> {
  const { spec } = await resolveCluster(flags);
  const check = async (fix: boolean) => {
    const reports = probeCluster(spec);
    let rt: Runtime;
    try {
      rt = await openRuntime(spec, { partial: true });
    } catch (err) {
      // The runtime itself is the problem (no engine, no host): that is the finding.
      return [{ check: 'runtime', severity: 'error' as const, message: (err as Error).message }];
    }
    try {
      return await runDoctor(rt, { fix, reports });
    } finally {
      await rt.close();
    }
  };
  return withFixes(spec.name, check, Boolean(flags.fix));
}

/** Servers zkops did not set up, found where the flags say (or on this machine). */
async function doctorFound(flags: DoctorFlags): Promise<Report[]> {
  const look = async () => {
    const found = await discover(flags);
    if (found.ensembles.length === 0) {
      await found.close();
      throw new ZkopsError(
        `No ZooKeeper here: no cluster saved in ./.zkops, and no server found (looked at ${found.looked}). ` +
          'Pass an inventory with -i, or the configs with --zoo-cfg FILE, or hosts with --host USER@ADDRESS.',
        ExitCode.usage,
      );
    }
    return found;
  };
  const first = await look();
  const reports: Report[] = [];
  try {
    for (const e of first.ensembles) {
      const findings = await runDoctor(HostRuntime.fromTargets(e.spec, e.targets), { fix: Boolean(flags.fix) });
      reports.push({
        cluster: describe(e.spec),
        findings,
        found: { text: describeFound(e), nodes: foundNodes(e) },
      });
    }
  } finally {
    await first.close();
  }
  if (!flags.fix || !reports.some((r) => r.findings.some((f) => f.fixed))) return reports;
  // A second look, fresh, after the fixes.
  const again = await look();
  try {
    for (const [i, e] of again.ensembles.entries()) {
      if (reports[i]) reports[i]!.after = await runDoctor(HostRuntime.fromTargets(e.spec, e.targets), { fix: false });
    }
  } finally {
    await again.close();
  }
  return reports;
}

async function withFixes(cluster: string, check: (fix: boolean) => Promise<Finding[]>, fix: boolean): Promise<Report> {
  const findings = await check(fix);
  if (!fix || !findings.some((f) => f.fixed)) return { cluster, findings };
  return { cluster, findings, after: await check(false) };
}

/** An ensemble found on disk, named by its configs. */
function describe(spec: ClusterSpec): string {
  return spec.nodes.map((n) => n.zooCfg).join(', ');
}

function summary(r: Report) {
  const final = r.after ?? r.findings;
  return {
    cluster: r.cluster,
    ok: exitCode(final) === ExitCode.ok,
    ...(r.found ? { found: r.found.nodes } : {}),
    findings: r.findings,
    ...(r.after ? { after: r.after } : {}),
  };
}

function exitCode(findings: Finding[]): number {
  const open = findings.filter((f) => !f.fixed);
  if (open.some((f) => f.severity === 'error')) return ExitCode.unhealthy;
  return open.some((f) => f.severity === 'warning') ? ExitCode.failure : ExitCode.ok;
}

/** One line per finding (check and node), then its evidence and fix, indented. */
function format(findings: Finding[]): string {
  return findings
    .map((f) => {
      const mark = f.fixed
        ? color.green('fixed')
        : f.severity === 'ok'
          ? color.green('ok   ')
          : f.severity === 'warning'
            ? color.yellow('warn ')
            : color.red('FAIL ');
      const lines = [`${mark} ${f.check}: ${f.node !== undefined ? `node ${f.node}: ` : ''}${f.message}`];
      if (f.severity !== 'ok') for (const e of f.evidence ?? []) lines.push(`      evidence: ${e}`);
      if (f.fix && !f.fixed && f.severity !== 'ok') lines.push(`      fix: ${f.fix}`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

function verdict(findings: Finding[]): string {
  const open = findings.filter((f) => f.severity !== 'ok' && !f.fixed);
  const errors = open.filter((f) => f.severity === 'error').length;
  if (open.length === 0) return '\nNo problems found.\n';
  return (
    `\n${open.length} problem${open.length > 1 ? 's' : ''} found ` +
    `(${errors} error${errors === 1 ? '' : 's'}, ` +
    `${open.length - errors} warning${open.length - errors === 1 ? '' : 's'}).\n`
  );
}
