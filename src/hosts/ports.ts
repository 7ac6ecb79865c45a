/**
 * Port preflight: before any node starts, every port it will listen on must be
 * free on its host. A taken port is reported with the process holding it (pid
 * and command), which is what an operator needs to decide what to stop.
 */
import type { NodeSpec } from '../inventory/spec.js';
import type { Executor } from '../executors/types.js';
import { ExecError, PreflightError } from '../errors.js';

/** A listening TCP socket on a host. */
export interface Listener {
  address: string;
  port: number;
  pid?: number;
  process?: string;
}

/** One of a node's ports held by something else. */
export interface PortClash {
  node: number;
  service: string;
  port: number;
  holder: Listener;
  command?: string;
}

/** Parses `ss -Hltnp` output (one listening socket per line). */
export function parseSsListeners(out: string): Listener[] {
  return out
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((line) => {
      const cols = line.trim().split(/\s+/);
      const local = cols[3];
      if (!local) return [];
      const idx = local.lastIndexOf(':');
      const port = Number(local.slice(idx + 1));
      if (!Number.isInteger(port)) return [];
      const users = /users:\(\("([^"]*)",pid=(\d+)/.exec(line);
      return [{ address: local.slice(0, idx), port, pid: users ? Number(users[2]) : undefined, process: users?.[1] }];
    });
}

/** The refusal when a host has no `ss`. */
export function noSs(label: string): PreflightError {
  return new PreflightError(
    `${label} has no \`ss\` to check which ports are taken; install iproute2 (apt-get install iproute2).`,
  );
}

/** Every listening TCP socket on the host. */
export async function listListeners(ex: Executor): Promise<Listener[]> {
  const r = await ex.exec('ss -Hltnp');
  if (r.code === 127) throw noSs(ex.label);
  if (r.code !== 0) throw new ExecError('ss -Hltnp', ex.label, r.code, r.stderr);
  return parseSsListeners(r.stdout);
}

/**
 * Ports of `nodes` (all on one host) that are taken. Sockets held by
 * `ownPids` (this cluster's running nodes) are not clashes: re-running init or
 * deploy on a running cluster must not fail on its own ports. `known`: the
 * host's listeners when the caller has them already.
 */
export async function findPortClashes(
  ex: Executor,
  nodes: NodeSpec[],
  ownPids: Set<number>,
  known?: Listener[],
): Promise<PortClash[]> {
  const listeners = known ?? (await listListeners(ex));
  const clashes: PortClash[] = [];
  for (const node of nodes) {
    for (const { name, port } of node.listens) {
      const holder = listeners.find((l) => l.port === port && !(l.pid && ownPids.has(l.pid)));
      if (holder) clashes.push({ node: node.id, service: name, port, holder });
    }
  }
  const pids = [...new Set(clashes.map((c) => c.holder.pid).filter((p): p is number => !!p))];
  if (pids.length > 0) {
    const out = (
      await ex.exec(
        pids.map((p) => `printf '%s\\t' ${p}; tr '\\0' ' ' < /proc/${p}/cmdline 2>/dev/null; echo`).join('\n'),
      )
    ).stdout;
    const commands = new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => [Number(l.split('\t')[0]), l.split('\t')[1]?.trim()]),
    );
    for (const c of clashes) if (c.holder.pid) c.command = commands.get(c.holder.pid);
  }
  return clashes;
}

/**
 * Throws a PreflightError naming every taken port of `nodes` on this host,
 * with the holder's pid and command, and what to do.
 */
export async function assertPortsFree(
  ex: Executor,
  nodes: NodeSpec[],
  ownPids: Set<number>,
  hostLabel: string,
  known?: Listener[],
): Promise<void> {
  const clashes = await findPortClashes(ex, nodes, ownPids, known);
  if (clashes.length === 0) return;
  throw new PreflightError(
    `${clashes.length === 1 ? 'a port is' : `${clashes.length} ports are`} ` +
      `taken:\n${clashes.map((c) => `    ${describeClash(c, hostLabel)}`).join('\n')}\n` +
      '    Stop those processes (zkops doctor can tell whether one is a leftover ZooKeeper), or choose other ports ' +
      '(--base-port, or the inventory).',
  );
}

/** One line per clash: `node 2 client port 2182 is taken by pid 4242 (python3 -m http.server 2182)`. */
export function describeClash(c: PortClash, hostLabel: string): string {
  const who = c.holder.pid
    ? `pid ${c.holder.pid} (${truncate(c.command || c.holder.process || '?', 100)})`
    : 'a process zkops cannot see (run as root, or check `ss -ltnp`)';
  return `node ${c.node} ${c.service} port ${c.port} on ${hostLabel} is taken by ${who}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
