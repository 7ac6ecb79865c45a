/**
 * The runtime: one interface for every kind of place a node lives, answering
 * the same few questions (what does this node need, is it running and as
 * which process, start it, stop it, restart it, remove it). Hosts reached by
 * a shell (this machine, SSH) and containers on an engine each implement it;
 * the pipeline, every command and the doctor are written once against it and
 * never ask which kind they have.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import type { RenderedFile } from '../executors/types.js';
import type { FileOutcome } from '../executors/helpers.js';
import type { Executor } from '../executors/types.js';
import type { WaitHooks } from '../health/wait.js';
import type { DistributionOutcome } from '../distribution/tarball.js';
import type { SecurityLevels } from '../security/levels.js';
import type { HostPlace } from '../hosts/places.js';

/** A node's server process, wherever it runs. */
export interface ZkProcess {
  /** Its pid on the machine it runs on (a container's server: its pid on this machine). */
  pid: number;
  /** The zoo.cfg it was started with (its last argument). */
  config: string;
  command: string;
  /**
   * Who started it: zkops's supervised start (its zk-run.sh), its systemd unit, the Docker engine, ZooKeeper's own
   * zkServer.sh (an ensemble set up by hand), or a java command typed by hand.
   */
  by: 'zkops' | 'systemd' | 'docker' | 'zkServer.sh' | 'by hand';
  /** The account it runs as, when the host says. */
  user?: string;
  /** The systemd unit it runs in, if any. */
  unit?: string;
}

/** What preflight learned about one node. */
export interface NodeSurvey {
  node: NodeSpec;
  /** Its server, when running. */
  process?: ZkProcess;
  /** What its data/myid says now (undefined: no myid yet). */
  myid?: string;
  /** Its data directory already holds ZooKeeper data (version-2). */
  hasData: boolean;
  /** It has snapshots, and transaction logs (3.5+ refuses logs without a snapshot: an upgrade from 3.4 must know). */
  snapshots?: boolean;
  txnLogs?: boolean;
  /** The zoo.cfg it runs with (running nodes only): its server list is its current membership. */
  runningZooCfg?: string;
}

/** Everything preflight found: one line for people, and each node's state. */
export interface Survey {
  summary: string;
  nodes: NodeSurvey[];
  /** What the operator should hear before anything changes, though nothing is refused. */
  warnings?: string[];
}

/** What a node needs: its files, rendered for where it runs. */
export interface NodePlan {
  node: NodeSpec;
  /** The ZooKeeper version it will run. */
  version: string;
  files: RenderedFile[];
  /** The rendered zoo.cfg (the membership it will run with). */
  zooCfg: string;
  /** The TLS and SASL levels it is rendered at. */
  security?: SecurityLevels;
  /** Files it no longer needs (keys and secrets of a switched-off TLS or SASL), removed when files are written. */
  obsolete?: string[];
  running: boolean;
}

/** How a plan is rendered. */
export interface PlanOptions {
  trustEmptySnapshot?: Set<number>;
  /** A step of a rolling switch of TLS or quorum SASL (security/levels.ts); default: the inventory's levels. */
  security?: SecurityLevels;
}

/** Files brought into place for one node; `changed` means a running node must restart to take them. */
export interface NodeApplied {
  node: NodeSpec;
  files: FileOutcome[];
  changed: boolean;
}

/** Outcome of `apply`. */
export interface Applied {
  nodes: NodeApplied[];
  /** Per host, whether the release tarball was installed or already in place (tarball inventories only). */
  distribution?: Record<string, DistributionOutcome>;
  /** Commands run (or, on a dry run, to run) on hosts before any file, e.g. installing Java: "host: command". */
  actions?: string[];
}

/** Outcome of stopping one node. */
export type StopOutcome = { status: 'stopped'; pid: number; forced: boolean } | { status: 'not-running' };

/** Where a node's server stands, and why when it should run but does not. */
export type RunState =
  | { state: 'running'; process: ZkProcess }
  | { state: 'stopped'; detail: string }
  | { state: 'crashed'; detail: string; log: string }
  | { state: 'absent'; detail: string }
  | { state: 'unknown'; detail: string };

/**
 * The machine whose ports and processes a node's server uses: its host, or this machine for a container (whose
 * place is the container, but whose published port and process are this machine's). Not a place: several
 * places (containers) share one machine.
 */
export interface Machine {
  label: string;
  address: string;
  ex: Executor;
  /** Reached over SSH (else: this machine, as zkops runs). */
  remote: boolean;
}

/**
 * Where one node runs (its place: NodeSpec.place names it for people), as checks reach it: an executor that
 * reaches its files (and, while it runs, its shell) and its machine. Per node, for any runtime; the host
 * runtime's own per-host view is HostPlace (hosts/places.ts).
 */
export interface NodePlace {
  node: NodeSpec;
  ex: Executor;
  machine: Machine;
  /**
   * How to learn the Java a server would run with, by asking a shell: source zkops's java.env
   * (nodes it set up), or run the release's own zkEnv.sh in a login shell (nodes set up by hand,
   * started with zkServer.sh). None in a container: the image brings its Java.
   */
  env?: { kind: 'java.env'; file: string } | { kind: 'zkEnv'; binDir: string; confDir: string };
}

/** What the runtime's own machinery says about itself (engine, image, hosts). */
export interface RuntimeFinding {
  check: string;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  fix?: string;
}

/** A place zkops could not reach (an SSH host down or firewalled), with the nodes it holds. */
export interface Unreachable {
  /** The place's name (the host's name, as in NodeSpec.place). */
  place: string;
  address: string;
  nodes: number[];
  reason: string;
}

/**
 * What a runtime can do and where its nodes are, for front ends and checks: they read these instead of asking
 * which kind of runtime (executor) they have.
 */
export interface RuntimeCapabilities {
  /**
   * Every node runs on this machine (a pseudo-cluster, or containers on this machine's engine): `zkops init`
   * brings such a cluster up; nodes on other hosts are deploy's.
   */
  onThisMachine: boolean;
  /** `destroy` deletes the cluster's data (false on SSH hosts, where zkops never deletes data and destroy refuses). */
  deletesData: boolean;
  /**
   * Each server has a pid file that zkServer.sh and zkops stop it by (hosts), which the doctor checks and may
   * rewrite; false where the engine keeps track of the server (containers).
   */
  pidFiles: boolean;
}

/** Options every runtime is opened with. */
export interface RuntimeOptions {
  /**
   * Go on without places that cannot be reached (status, doctor, start, stop,
   * restart): they are listed in `unreachable`, their nodes are still probed
   * over their client ports. Without it (init, deploy) every place must answer.
   */
  partial?: boolean;
  /** Record unknown SSH host keys on first contact (like OpenSSH's accept-new). */
  acceptNewHostKeys?: boolean;
  /**
   * Called with each SSH host (its executor and nodes) as soon as that host answers, before the others have: for
   * work an operation will surely ask of every host (the doctor's picture of it), so that it overlaps with a slow
   * or unreachable host's wait.
   */
  warm?: (place: HostPlace) => void;
  /** Named sub-steps (distribute, image pull) report through this. */
  progress?: {
    step<T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T>;
    note(text: string): void;
  };
}

/** One kind of place nodes live, answering the pipeline's and the commands' questions. */
export interface Runtime {
  readonly spec: ClusterSpec;
  /** For progress: "3 hosts", "Docker engine at unix:///var/run/docker.sock". */
  readonly summary: string;
  /** What this runtime can do and where its nodes are (see RuntimeCapabilities). */
  readonly capabilities: RuntimeCapabilities;
  /** What destroy would delete, in words; undefined when this runtime never deletes data (SSH hosts). */
  readonly dataDescription?: string;
  /** Places that could not be reached (only when opened with `partial`). */
  readonly unreachable: Unreachable[];

  /** Checks everything before a change (nothing is written); throws one PreflightError naming every problem. */
  survey(options: { checkPorts: boolean; dryRun: boolean }): Promise<Survey>;
  /**
   * The files each node needs, rendered from what the survey found. `trustEmptySnapshot`: nodes
   * whose next start must accept transaction logs without a snapshot (an upgrade from 3.4).
   */
  plan(survey: Survey, options?: PlanOptions): NodePlan[];
  /** Puts the plan's files in place (dryRun: compares only). Running nodes are not touched. */
  apply(
    plans: NodePlan[],
    options: {
      dryRun: boolean;
      /** The change needs no restart (the running servers need it no more): no pending restart is recorded. */
      noRestart?: boolean;
    },
  ): Promise<Applied>;
  /** Starts stopped nodes (files in place); returns once their servers were launched. */
  start(nodes: NodeSpec[]): Promise<void>;
  /** Stops a node and returns once its server is gone. */
  stop(node: NodeSpec): Promise<StopOutcome>;
  /**
   * The last `lines` lines of the node's server log as they are (hosts: its newest zookeeper*.log or .out;
   * containers: what the container printed).
   */
  logLines(node: NodeSpec, lines: number): Promise<string>;
  /**
   * Runs `fn` with a shell that reaches the node's data directories at their paths while its server is stopped
   * (hosts: the node's host; containers: a helper container on the node's volumes).
   */
  dataAccess<T>(node: NodeSpec, fn: (ex: Executor) => Promise<T>): Promise<T>;
  /**
   * Stops a node that leaves the ensemble, and keeps it from starting again by itself (its systemd unit is
   * disabled; a stopped container stays stopped). Its files and data stay.
   */
  retire(node: NodeSpec): Promise<StopOutcome>;
  /** Stops and starts one node with what `apply` put in place. */
  restart(node: NodeSpec): Promise<void>;
  /** Refuses (PreflightError) to start nodes that cannot: ports held by others, never set up. */
  checkStartable(nodes: NodeSpec[], processes?: Map<number, ZkProcess | undefined>): Promise<void>;
  /** Each node's server process (undefined: not running). */
  processes(): Promise<Map<number, ZkProcess | undefined>>;
  /** Each node's run state, with the cause for one that should run and does not. */
  /** `known`: the processes found on the hosts just now, when the caller has them (containers ignore it). */
  runStates(known?: Map<number, ZkProcess | undefined>): Promise<Map<number, RunState>>;
  /** What the quorum wait uses to fail fast and explain. */
  waitHooks(): WaitHooks;
  /** Where each node lives, for checks that look at files, processes and ports. */
  places(): Promise<NodePlace[]>;
  /** The runtime's own health: engine and image, or hosts reachable. */
  selfCheck(): Promise<RuntimeFinding[]>;
  /** Stops every node and deletes the cluster's data and directories (only where dataDescription is set). */
  destroy(): Promise<{ stopped: number[]; removed: string[] }>;
  close(): Promise<void>;
}
