/**
 * What a doctor check is and what it is given: its findings, the picture it
 * looks at, and the small helpers checks share. Apart from the index that
 * lists the checks, so a check never imports the module that imports it.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import type { NodeReport } from '../health/cluster.js';
import type { Listener } from '../hosts/ports.js';
import type { Machine, NodePlace, RunState, Runtime, ZkProcess } from '../runtime/types.js';
import type { NodeFacts } from './facts.js';

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

/** This cluster's own server pids. */
export function ownPids(ctx: Pick<DoctorContext, 'states'>): Set<number> {
  return new Set([...ctx.states.values()].flatMap((s) => (s.state === 'running' ? [s.process.pid] : [])));
}

/** An ok finding when a check found nothing. */
export function okIfNone(findings: Finding[], check: string, message: string): Finding[] {
  return findings.length ? findings : [{ check, severity: 'ok', message }];
}
