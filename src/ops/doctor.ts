/**
 * The doctor as an operation: every check on a cluster zkops knows (-i,
 * --cluster, the one saved here) or on ZooKeeper servers it finds (--zoo-cfg,
 * --host, or with nothing given and no cluster here, whatever runs on this
 * machine); with `fix`, the safe fixes applied and a second look taken.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { quietContext, Reporter, type OpContext } from '../events.js';
import { discover, wantsDiscovery, type DiscoveryFlags } from '../discovery/find.js';
import { describeFound, foundNodes, type FoundNode } from '../discovery/found.js';
import { runDoctor } from '../doctor/index.js';
import type { Finding } from '../doctor/check.js';
import { probeCluster } from '../health/cluster.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { loginExports } from '../hosts/login-env.js';
import { HostPrefetch, peerNames } from '../doctor/prefetch.js';
import { openRuntime } from '../runtime/index.js';
import { HostRuntime } from '../runtime/hosts.js';
import type { Runtime } from '../runtime/types.js';
import { resolveCluster, savedClusters, type ClusterFlags } from './cluster.js';
import { withChange } from './lock.js';

/** Where to look, and whether to fix. */
export type DoctorInput = ClusterFlags &
  DiscoveryFlags & {
    fix?: boolean;
    /** Called with each check's findings as it ends (a cluster zkops knows, first look only). */
    onFindings?: (findings: Finding[]) => void;
  };

/** One ensemble's findings (and, after fixes, the second look). */
export interface DoctorReport {
  cluster: string;
  findings: Finding[];
  after?: Finding[];
  /** Servers zkops did not set up: what was found (said first), and as data. */
  found?: { text: string; nodes: FoundNode[] };
}

/** Runs the doctor where the input says; one report per ensemble looked at. */
export async function doctor(input: DoctorInput, ctx: OpContext = quietContext): Promise<DoctorReport[]> {
  const report = new Reporter(ctx);
  const managed = !wantsDiscovery(input) && (input.inventory || input.cluster || (await savedClusters()).length > 0);
  return managed ? [await doctorManaged(input, report)] : doctorFound(input, report);
}

/** The exit code findings call for: 5 errors, 1 warnings only, 0 nothing open. */
export function doctorExitCode(findings: Finding[]): number {
  const open = findings.filter((f) => !f.fixed);
  if (open.some((f) => f.severity === 'error')) return ExitCode.unhealthy;
  return open.some((f) => f.severity === 'warning') ? ExitCode.failure : ExitCode.ok;
}

/** A cluster zkops knows: its runtime, reached in parallel with the probes. */
async function doctorManaged(input: DoctorInput, report: Reporter): Promise<DoctorReport> {
  const { spec } = await resolveCluster(input, undefined, report);
  const check = async (fix: boolean) => {
    const reports = probeCluster(spec);
    const prefetch = new HostPrefetch(peerNames(spec.nodes));
    let rt: Runtime;
    try {
      // Each host is asked its part of the picture as soon as it answers (and the login environment, where
      // servers were set up by hand: see doctor/facts.ts), overlapping with the others' connections (an
      // unreachable one's timeout).
      const handMade = spec.nodes.some((n) => n.handMade);
      rt = await openRuntime(spec, {
        partial: true,
        warm: (host) => {
          if (handMade) void loginExports(host.ex);
          prefetch.start(host);
        },
      });
    } catch (err) {
      // The runtime itself is the problem (no engine, no host): that is the finding.
      return [{ check: 'runtime', severity: 'error' as const, message: (err as Error).message }];
    }
    try {
      return await report.step(fix ? 'fix' : 'check', () =>
        runDoctor(rt, {
          fix,
          reports,
          prefetch,
          onFindings: fix === Boolean(input.fix) ? input.onFindings : undefined,
        }),
      );
    } finally {
      await rt.close();
    }
  };
  if (!input.fix) return { cluster: spec.name, findings: await check(false) };
  // Fixes change the cluster (a leftover server stopped, a file rewritten): one change at a time.
  return withChange(spec, 'doctor --fix', report.ctx, undefined, async () => {
    const findings = await check(true);
    if (!findings.some((f) => f.fixed)) return { cluster: spec.name, findings };
    return { cluster: spec.name, findings, after: await check(false) };
  });
}

/** Servers zkops did not set up, found where the input says (or on this machine). */
async function doctorFound(input: DoctorInput, report: Reporter): Promise<DoctorReport[]> {
  const look = async () => {
    const found = await discover(input);
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
  const reports: DoctorReport[] = [];
  try {
    for (const e of first.ensembles) {
      const findings = await report.step('check', () =>
        runDoctor(HostRuntime.fromHostPlaces(e.spec, e.targets), { fix: Boolean(input.fix) }),
      );
      reports.push({
        cluster: describe(e.spec),
        findings,
        found: { text: describeFound(e), nodes: foundNodes(e) },
      });
    }
  } finally {
    await first.close();
  }
  if (!input.fix || !reports.some((r) => r.findings.some((f) => f.fixed))) return reports;
  // A second look, fresh, after the fixes.
  const again = await look();
  try {
    for (const [i, e] of again.ensembles.entries()) {
      if (reports[i])
        reports[i]!.after = await runDoctor(HostRuntime.fromHostPlaces(e.spec, e.targets), { fix: false });
    }
  } finally {
    await again.close();
  }
  return reports;
}

/** An ensemble found on disk, named by its configs. */
function describe(spec: ClusterSpec): string {
  return spec.nodes.map((n) => n.zooCfg).join(', ');
}
