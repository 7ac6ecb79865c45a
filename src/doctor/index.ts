/**
 * Doctor: checks over one picture of the cluster, gathered once from its
 * runtime (hosts or containers alike) → findings, each with its evidence and,
 * where a fix is safe, the fix itself. Every check runs, concurrently; one
 * failing check never hides another's findings.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeCluster, type NodeReport } from '../health/cluster.js';
import { listZkProcesses } from '../hosts/processes.js';
import { listListeners, type Listener } from '../hosts/ports.js';
import type { Machine, NodePlace, RunState, Runtime, ZkProcess } from '../runtime/types.js';
import { runtimeCheck } from './checks/runtime.js';
import { processCheck } from './checks/process.js';
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

/** A machine some nodes need ports on, with every ZooKeeper process and listening socket there. */
export interface MachineView {
  machine: Machine;
  nodes: NodeSpec[];
  zk: ZkProcess[];
  /** Undefined when the machine has no `ss`. */
  listeners?: Listener[];
}

/** What checks look at, gathered once. */
export interface DoctorContext {
  spec: ClusterSpec;
  rt: Runtime;
  places: NodePlace[];
  reports: NodeReport[];
  states: Map<number, RunState>;
  machines: MachineView[];
  fix: boolean;
}

/** A check: returns its findings (an `ok` finding when all is well). */
export type Check = (ctx: DoctorContext) => Promise<Finding[]>;

const CHECKS: [string, Check][] = [
  ['runtime', runtimeCheck],
  ['process', processCheck],
  ['java', javaCheck],
  ['leftover-process', leftoverProcessCheck],
  ['ports', portsCheck],
  ['myid', myidCheck],
  ['quorum', quorumCheck],
];

/** This cluster's own server pids. */
export function ownPids(ctx: DoctorContext): Set<number> {
  return new Set([...ctx.states.values()].flatMap((s) => (s.state === 'running' ? [s.process.pid] : [])));
}

/** Gathers the picture, then runs every check. */
export async function runDoctor(
  rt: Runtime,
  options: { fix: boolean; reports?: Promise<NodeReport[]> },
): Promise<Finding[]> {
  const [reports, states, places] = await Promise.all([
    options.reports ?? probeCluster(rt.spec),
    rt.runStates(),
    rt.places(),
  ]);
  const byMachine = new Map<Machine['ex'], MachineView>();
  for (const p of places) {
    const view = byMachine.get(p.machine.ex) ?? { machine: p.machine, nodes: [], zk: [] };
    view.nodes.push(p.node);
    byMachine.set(p.machine.ex, view);
  }
  const machines = await Promise.all(
    [...byMachine.values()].map(async (m) => ({
      ...m,
      zk: await listZkProcesses(m.machine.ex),
      listeners: await listListeners(m.machine.ex).catch(() => undefined),
    })),
  );
  const ctx: DoctorContext = { spec: rt.spec, rt, places, reports, states, machines, fix: options.fix };
  const results = await Promise.all(
    CHECKS.map(([name, check]) =>
      check(ctx).catch((err: Error): Finding[] => [
        { check: name, severity: 'error', message: `the check itself failed: ${err.message}` },
      ]),
    ),
  );
  return results.flat();
}
