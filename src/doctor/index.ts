/**
 * Doctor: checks over (ClusterSpec, hosts, node health) → findings, each with
 * an explanation and, where a fix is safe, the fix itself. Every check runs;
 * one failing check never hides another's findings.
 */
import type { ClusterSpec } from '../inventory/spec.js';
import type { HostTarget } from '../steps/targets.js';
import { probeCluster, type NodeReport } from '../health/cluster.js';
import { findNodeProcesses, listZkProcesses, type ZkProcess } from '../steps/processes.js';
import { javaCheck } from './checks/java.js';
import { leftoverProcessCheck } from './checks/leftover-process.js';
import { portsCheck } from './checks/ports.js';
import { myidCheck } from './checks/myid.js';
import { quorumCheck } from './checks/quorum.js';

/** One thing doctor found. */
export interface Finding {
  check: string;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  /** What to do about it, in words an operator can act on. */
  fix?: string;
  /** Set when --fix applied the fix. */
  fixed?: boolean;
}

/** What checks look at, gathered once. */
export interface DoctorContext {
  spec: ClusterSpec;
  targets: HostTarget[];
  reports: NodeReport[];
  /** This cluster's processes, by node id. */
  processes: Map<number, ZkProcess | undefined>;
  /** Every QuorumPeerMain per host, ours or not. */
  allZk: Map<HostTarget, ZkProcess[]>;
  fix: boolean;
}

/** A check: returns its findings (an `ok` finding when all is well). */
export type Check = (ctx: DoctorContext) => Promise<Finding[]>;

const CHECKS: Check[] = [javaCheck, leftoverProcessCheck, portsCheck, myidCheck, quorumCheck];

/** Runs every check. */
export async function runDoctor(spec: ClusterSpec, targets: HostTarget[], options: { fix: boolean }): Promise<Finding[]> {
  const [reports, perHost] = await Promise.all([
    probeCluster(spec),
    Promise.all(targets.map(async (t) => ({ t, all: await listZkProcesses(t.ex), mine: await findNodeProcesses(t.ex, t.nodes) }))),
  ]);
  const ctx: DoctorContext = {
    spec,
    targets,
    reports,
    processes: new Map(perHost.flatMap((h) => [...h.mine])),
    allZk: new Map(perHost.map((h) => [h.t, h.all])),
    fix: options.fix,
  };
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    try {
      findings.push(...(await check(ctx)));
    } catch (err) {
      findings.push({ check: check.name.replace(/Check$/, ''), severity: 'error', message: `the check itself failed: ${(err as Error).message}` });
    }
  }
  return findings;
}
