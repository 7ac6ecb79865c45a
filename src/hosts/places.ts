/**
 * Host places: each host of the cluster as a place nodes run, with the
 * executor that reaches it and the nodes it runs. A local cluster's host is this machine (one LocalExecutor);
 * SSH hosts each get a connection (opened in parallel, closed together).
 */
import type { ClusterSpec, HostSpec, NodeSpec } from '../inventory/spec.js';
import type { Executor } from '../executors/types.js';
import { LocalExecutor } from '../executors/local.js';
import { ExitCode, ZkopsError } from '../errors.js';

/**
 * A place nodes run, seen from the host runtime: one host, the executor that reaches it, and all its nodes
 * (several on a pseudo-cluster's one host). Per host; the doctor's NodePlace (runtime/types.ts) is per node.
 */
export interface HostPlace {
  host: HostSpec;
  ex: Executor;
  nodes: NodeSpec[];
  /** Reached over SSH (else: this machine, as the caller). */
  remote: boolean;
}

/** How to reach the hosts: this machine itself, or each host over SSH. */
export type Connect = { remote: false } | { remote: true; open: (host: HostSpec) => Promise<Executor> };

/** A host that could not be reached, with its nodes and why. */
export interface UnreachableHost {
  host: HostSpec;
  nodes: NodeSpec[];
  reason: string;
}

/**
 * Opens an executor per host (SSH hosts in parallel). Throws only after
 * closing whatever did open; with `partial`, a host that cannot be reached is
 * returned among `unreachable` instead (status, doctor and day-to-day commands
 * go on with the others).
 */
export async function openHostPlaces(
  spec: ClusterSpec,
  connect: Connect,
  options: { partial?: boolean } = {},
): Promise<{ places: HostPlace[]; unreachable: UnreachableHost[] }> {
  const groups = spec.hosts
    .map((host) => ({ host, nodes: spec.nodes.filter((n) => n.host === host) }))
    .filter((g) => g.nodes.length > 0);
  if (!connect.remote) {
    const ex = new LocalExecutor();
    return { places: groups.map((g) => ({ ...g, ex, remote: false })), unreachable: [] };
  }
  const settled = await Promise.allSettled(
    groups.map(async (g) => ({ ...g, ex: await connect.open(g.host), remote: true })),
  );
  const opened = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (options.partial) {
    const unreachable = settled.flatMap((s, i) =>
      s.status === 'rejected' ? [{ ...groups[i]!, reason: (s.reason as Error).message }] : [],
    );
    return { places: opened, unreachable };
  }
  if (failed.length > 0) {
    await closeHostPlaces(opened);
    // The same failure everywhere (a missing key file, say) is one problem, said once.
    throw new Set(failed.map((e) => e.message)).size === 1 ? failed[0] : new AggregateHostError(failed);
  }
  return { places: opened, unreachable: [] };
}

/** The place that runs `node`. */
export function hostPlaceOf(places: HostPlace[], node: NodeSpec): HostPlace {
  const t = places.find((x) => x.nodes.includes(node));
  if (!t) throw new Error(`node ${node.id} belongs to no host place`);
  return t;
}

/** Closes every place's executor. */
export async function closeHostPlaces(places: HostPlace[]): Promise<void> {
  await Promise.allSettled([...new Set(places.map((t) => t.ex))].map((ex) => ex.close()));
}

/** Several hosts failed; the message lists each, and the exit code is theirs when they agree. */
export class AggregateHostError extends ZkopsError {
  constructor(readonly errors: Error[]) {
    const codes = new Set(errors.map((e) => (e instanceof ZkopsError ? e.exitCode : ExitCode.failure)));
    super(
      `${errors.length} hosts could not be reached:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
      codes.size === 1 ? [...codes][0]! : ExitCode.failure,
    );
  }
}
