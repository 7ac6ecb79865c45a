/**
 * Doctor: checks over one picture of the cluster, gathered once from its
 * runtime (hosts or containers alike, clusters zkops built or adopted from
 * what it found) → findings, each with its evidence and, where a fix is
 * safe, the fix itself. Every check runs, concurrently; one failing check
 * never hides another's findings.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { probeCluster, type NodeReport } from '../health/cluster.js';
import { listZkProcesses } from '../hosts/processes.js';
import { listListeners, type Listener } from '../hosts/ports.js';
import type { Machine, NodePlace, RunState, Runtime, ZkProcess } from '../runtime/types.js';
import { gatherFacts, type NodeFacts } from './facts.js';
import { runtimeCheck } from './checks/runtime.js';
import { processCheck } from './checks/process.js';
import { javaCheck } from './checks/java.js';
import { leftoverProcessCheck } from './checks/leftover-process.js';
import { portsCheck } from './checks/ports.js';
import { networkCheck } from './checks/network.js';
import { configCheck } from './checks/config.js';
import { quorumCheck } from './checks/quorum.js';
import { storageCheck } from './checks/storage.js';
import { tlsCheck } from './checks/tls.js';

/** One thing doctor found. */
export interface Finding {
  check: string;
  /** The node it is about, when it is about one. */
  node?: number;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  /** What shows it: file and line, process with pid and command, port, log line. */
  evidence?: string[];
  /** What to do about it, as a command or an edit. */
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
  facts: NodeFacts[];
  /** The problem lines of each node's log (its current run). */
  logs: Map<number, string>;
  fix: boolean;
}

/** A check: returns its findings (an `ok` finding when all is well). */
export type Check = (ctx: DoctorContext) => Promise<Finding[]>;

/** Every check, by id: what it looks at is in its own file. */
export const CHECKS: [string, Check][] = [
  ['runtime', runtimeCheck],
  ['process', processCheck],
  ['java', javaCheck],
  ['leftover-process', leftoverProcessCheck],
  ['ports', portsCheck],
  ['network', networkCheck],
  ['config', configCheck],
  ['quorum', quorumCheck],
  ['storage', storageCheck],
  ['tls', tlsCheck],
];

/** This cluster's own server pids. */
export function ownPids(ctx: Pick<DoctorContext, 'states'>): Set<number> {
  return new Set([...ctx.states.values()].flatMap((s) => (s.state === 'running' ? [s.process.pid] : [])));
}

/** An ok finding when a check found nothing. */
export function okIfNone(findings: Finding[], check: string, message: string): Finding[] {
  return findings.length ? findings : [{ check, severity: 'ok', message }];
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
  // Peer names (not addresses) each node's host must resolve.
  const names = [...new Set(rt.spec.nodes.map((n) => n.peerAddress).filter((a) => !/^[\d.]+$|:/.test(a)))];
  const hooks = rt.waitHooks();
  const [machines, facts, logs] = await Promise.all([
    Promise.all(
      [...byMachine.values()].map(async (m) => ({
        ...m,
        zk: await listZkProcesses(m.machine.ex).catch(() => []),
        listeners: await listListeners(m.machine.ex).catch(() => undefined),
      })),
    ),
    Promise.all(places.map((p) => gatherFacts(p, states.get(p.node.id), names))),
    Promise.all(
      rt.spec.nodes.map(async (n) => {
        const healthy = ['leader', 'follower', 'observer', 'standalone'].includes(
          reports.find((r) => r.node === n)?.health.mode ?? '',
        );
        return [n.id, healthy ? '' : ((await hooks.logTail?.(n).catch(() => '')) ?? '')] as const;
      }),
    ),
  ]);
  const ctx: DoctorContext = {
    spec: rt.spec,
    rt,
    places,
    reports,
    states,
    machines,
    facts,
    logs: new Map(logs),
    fix: options.fix,
  };
  const results = await Promise.all(
    CHECKS.map(([name, check]) =>
      check(ctx).catch((err: Error): Finding[] => [
        { check: name, severity: 'error', message: `the check itself failed: ${err.message}` },
      ]),
    ),
  );
  return results.flat();
}
