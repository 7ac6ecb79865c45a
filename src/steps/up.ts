/**
 * Bring-up, shared by `init` (local) and `deploy` (ssh): preflight → render →
 * write → start → wait for quorum. Idempotent: files are written only when
 * they differ, running nodes whose files did not change are left alone, and
 * changed running nodes are restarted one at a time (followers first, leader
 * last) so the quorum survives.
 */
import path from 'node:path';
import { indent, PreflightError, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { renderNodeFiles, renderProfileScripts, sh, unitName, unitPath, type HostFacts, type RenderedFile } from '../render/node.js';
import { execChecked, syncFiles, type FileOutcome } from '../executors/helpers.js';
import { followersFirst } from '../health/cluster.js';
import { problemLines } from '../health/log.js';
import { waitForQuorum } from '../health/wait.js';
import type { NodeReport } from '../health/cluster.js';
import type { Progress } from '../output.js';
import { javaRecordPath, preflight, type HostState } from './preflight.js';
import { inspectTarball, installTarball, type DistributionOutcome } from '../distribution/tarball.js';
import { findNodeProcesses, type ZkProcess } from './processes.js';
import { startNode, stopNode } from './service.js';
import { forEachTarget, targetOf, type HostTarget } from './targets.js';

/** What happened to one node. */
export interface NodeOutcome {
  id: number;
  host: string;
  files: FileOutcome[];
  action: 'started' | 'restarted' | 'unchanged' | 'would-start' | 'would-restart';
}

/** Result of a bring-up. */
export interface UpResult {
  changed: boolean;
  nodes: NodeOutcome[];
  reports: NodeReport[];
  quorumMs?: number;
  /** Per host, whether the release tarball was installed or already in place (tarball inventories only). */
  distribution?: Record<string, DistributionOutcome>;
  /** Each node's process after the bring-up. */
  processes?: Map<number, ZkProcess | undefined>;
}

export interface UpOptions {
  progress: Progress;
  timeoutMs: number;
  dryRun?: boolean;
  /** Where profile scripts (java.sh, zk.sh) go: a directory, e.g. /etc/profile.d or the cluster dir. */
  profileDir: string;
  /** Install and configure only; start nothing (false: `deploy --no-start`). */
  start?: boolean;
  /** Called once files are on the hosts (not on a dry run): from then on there is a cluster to remember. */
  onWritten?: () => Promise<void>;
}

/** Brings the cluster to the state the spec describes. */
export async function bringUp(spec: ClusterSpec, targets: HostTarget[], opts: UpOptions): Promise<UpResult> {
  const { progress } = opts;
  const tarball = spec.zookeeper.tarball ? await inspectTarball(spec.zookeeper.tarball, spec.zookeeper.sha512) : undefined;
  const hosts = await progress.step('preflight', () => preflight(spec, targets, { checkPorts: true, tarball }), (h) => describeFacts(h));
  const plans = hosts.flatMap((h) => h.target.nodes.map((node) => ({ h, node, files: renderNodeFiles(spec, node, h.facts) })));
  await progress.step('check data', async () => {
    await guardMyids(plans.map((p) => ({ ex: p.h.target.ex, node: p.node, label: p.h.target.ex.label, current: p.h.myids.get(p.node.id) })));
    await guardMembership(plans);
  });

  let distribution: Record<string, DistributionOutcome> | undefined;
  if (tarball && !opts.dryRun) {
    distribution = await progress.step(
      'distribute',
      async () => {
        const res = await forEachTarget(targets, spec.ssh?.concurrency ?? 8, (t) => installTarball(t.ex, spec.dir, tarball));
        const failed = res.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]!.host.name}: ${(r.reason as Error).message}`] : []));
        if (failed.length) throw new ZkopsError(`Installing ${tarball.topDir} failed (nothing was started; run deploy again to converge):\n${failed.map((f) => `  ${f}`).join('\n')}`);
        return Object.fromEntries(res.map((r, i) => [targets[i]!.host.name, (r as PromiseFulfilledResult<DistributionOutcome>).value]));
      },
      (d) => {
        const n = Object.values(d).filter((v) => v === 'installed').length;
        return n ? `${tarball.topDir} installed on ${n} host(s)` : `${tarball.topDir} already in place`;
      },
    );
  }

  const writes = await progress.step(
    opts.dryRun ? 'diff' : 'render',
    async () => {
      const limit = spec.ssh?.concurrency ?? 8;
      const perHost = await forEachTarget(targets, limit, async (t) => {
        const h = hosts.find((x) => x.target === t)!;
        const profiles = renderProfileScripts(h.facts, t.nodes[0]!.confDir);
        // Without root, /etc/profile.d is not ours to write: the scripts go next to the nodes, to be sourced.
        const profileDir = h.root || spec.executor !== 'ssh' ? opts.profileDir : spec.dir;
        const hostFiles: RenderedFile[] = [
          { path: path.join(profileDir, 'java.sh'), content: profiles.javaSh, mode: 0o644 },
          { path: path.join(profileDir, 'zk.sh'), content: profiles.zkSh, mode: 0o644 },
        ];
        const nodeFiles = plans.filter((p) => p.h === h);
        const all = [...hostFiles, ...nodeFiles.flatMap((p) => p.files)];
        // The directories are made in the same round trip that looks at the files already there.
        const outcomes = await syncFiles(t.ex, all, { dryRun: opts.dryRun, keepBefore: opts.dryRun, prelude: opts.dryRun ? undefined : prepareDirs(spec, t.nodes, h.facts) });
        if (!opts.dryRun && h.facts.systemd) await activateUnits(spec, t, outcomes);
        if (!opts.dryRun && h.javaRecord) await t.ex.writeFile(javaRecordPath(spec), h.javaRecord, 0o644);
        return nodeFiles.map((p) => ({ node: p.node, outcomes: outcomes.filter((o) => p.files.some((f) => f.path === o.path)), hostFiles: outcomes.slice(0, 2) }));
      });
      const failed = perHost.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]!.host.name}: ${(r.reason as Error).message}`] : []));
      if (failed.length) throw new ZkopsError(`Writing files failed (every file is written atomically; run again to converge):\n${failed.map((f) => `  ${f}`).join('\n')}`);
      return perHost.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    },
    (w) => {
      const n = w.reduce((acc, x) => acc + x.outcomes.filter((o) => o.status === 'changed').length, 0);
      return n === 0 ? 'no file changed' : `${n} file${n > 1 ? 's' : ''} ${opts.dryRun ? 'would change' : 'written'}`;
    },
  );

  if (!opts.dryRun) await opts.onWritten?.();

  const outcomes: NodeOutcome[] = writes.map((w) => {
    const running = hosts.find((h) => h.target.nodes.includes(w.node))!.processes.get(w.node.id);
    const changed = w.outcomes.some((o) => o.status === 'changed');
    const action: NodeOutcome['action'] = !running ? (opts.dryRun ? 'would-start' : 'started') : changed ? (opts.dryRun ? 'would-restart' : 'restarted') : 'unchanged';
    return { id: w.node.id, host: w.node.host.name, files: [...w.outcomes, ...w.hostFiles], action };
  });
  const changed = outcomes.some((o) => o.action !== 'unchanged' || o.files.some((f) => f.status === 'changed')) || Object.values(distribution ?? {}).includes('installed');
  if (opts.dryRun || opts.start === false) return { changed, nodes: outcomes, reports: [], distribution };

  const exFor = (node: NodeSpec) => targetOf(targets, node).ex;
  const toStart = outcomes.filter((o) => o.action === 'started').map((o) => spec.nodes.find((n) => n.id === o.id)!);
  if (toStart.length > 0) {
    await progress.step('start', () => Promise.all(toStart.map((n) => startNode(exFor(n), spec, n))), () => `node${toStart.length > 1 ? 's' : ''} ${toStart.map((n) => n.id).join(', ')}`);
  }
  const hooks = waitHooks(spec, targets);
  const toRestart = outcomes.filter((o) => o.action === 'restarted').map((o) => spec.nodes.find((n) => n.id === o.id)!);
  if (toRestart.length > 0) {
    await progress.step('restart', () => rollingRestart(spec, targets, toRestart, opts.timeoutMs), () => `node${toRestart.length > 1 ? 's' : ''} ${toRestart.map((n) => n.id).join(', ')}, one at a time`);
  }
  const waited = await progress.step('quorum', () => waitForQuorum(spec, opts.timeoutMs, hooks), (w) => (w.verdict.status === 'healthy' ? `leader is node ${w.verdict.leader}` : ''));
  // Nothing started or restarted: the processes preflight found are the ones running.
  const unchanged = toStart.length === 0 && toRestart.length === 0;
  const processes = unchanged
    ? new Map(hosts.flatMap((h) => [...h.processes]))
    : new Map((await Promise.all(targets.map((t) => findNodeProcesses(t.ex, t.nodes)))).flatMap((m) => [...m]));
  return { changed, nodes: outcomes, reports: waited.reports, quorumMs: waited.ms, processes, distribution };
}

/**
 * Creates every node's data, data-log and log directory, readable by owner and
 * group only. With a service account: creates the account when missing (a
 * system account without login) and gives it those directories and what is
 * in them (the only places the server writes); configs stay root's.
 */
function prepareDirs(spec: ClusterSpec, nodes: NodeSpec[], facts: HostFacts): string {
  const dirs = nodes.flatMap((n) => [n.dataDir, n.logDir, ...(n.dataLogDir ? [n.dataLogDir] : [])]).map(sh).join(' ');
  const make = `mkdir -p ${dirs} && chmod 750 ${dirs}`;
  if (!facts.user) return make;
  const u = sh(facts.user);
  return [
    `getent passwd ${u} >/dev/null || useradd --system --user-group --no-create-home --home-dir ${sh(spec.dir)} --shell "$(command -v nologin || echo /bin/false)" ${u}`,
    make,
    `g=$(id -g ${u})`,
    // Only what is not already theirs: a no-change deploy changes nothing.
    `find ${dirs} \\( ! -user ${u} -o ! -group "$g" \\) -exec chown -h ${u}:"$g" {} +`,
  ].join(' && ');
}

/** After a unit file changed: systemd reads it again, and the unit starts at boot. */
async function activateUnits(spec: ClusterSpec, t: HostTarget, outcomes: FileOutcome[]): Promise<void> {
  const changed = t.nodes.filter((n) => outcomes.some((o) => o.path === unitPath(spec, n) && o.status === 'changed'));
  if (changed.length === 0) return;
  await execChecked(t.ex, `systemctl daemon-reload && systemctl enable --quiet ${changed.map((n) => sh(unitName(spec, n))).join(' ')}`);
}

/** Hooks that let the quorum wait see dead processes and log tails on each host. */
export function waitHooks(spec: ClusterSpec, targets: HostTarget[]) {
  return {
    deadNodes: async () => {
      const dead: number[] = [];
      for (const t of targets) {
        const procs = await findNodeProcesses(t.ex, t.nodes);
        for (const n of t.nodes) if (!procs.get(n.id)) dead.push(n.id);
      }
      return dead;
    },
    logTail: async (node: NodeSpec) => {
      const t = targetOf(targets, node);
      // The end of the first log that has anything in it; problemLines picks what matters.
      const logs = [path.join(node.logDir, 'zookeeper.log'), path.join(node.logDir, 'zookeeper.out')].map(sh);
      const r = await t.ex.exec(`for f in ${logs.join(' ')}; do [ -s "$f" ] && exec tail -n 2000 "$f"; done; true`);
      return problemLines(r.stdout);
    },
  };
}

/**
 * Restarts nodes one at a time, followers before the leader, waiting for a
 * healthy quorum after each, so clients always have a majority to talk to.
 */
export async function rollingRestart(spec: ClusterSpec, targets: HostTarget[], nodes: NodeSpec[], timeoutMs: number): Promise<void> {
  const hooks = waitHooks(spec, targets);
  for (const node of await followersFirst(nodes)) {
    const ex = targetOf(targets, node).ex;
    const proc = (await findNodeProcesses(ex, [node])).get(node.id);
    await stopNode(ex, spec, node, proc);
    await startNode(ex, spec, node);
    await waitForQuorum(spec, timeoutMs, hooks);
  }
}

/**
 * Data is sacred: a node whose data directory already holds ZooKeeper data
 * under another server id must not get a new myid (that silently breaks the
 * ensemble). Stop and explain instead.
 */
async function guardMyids(items: { ex: HostTarget['ex']; node: NodeSpec; label: string; current: string | undefined }[]): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    items.map(async ({ ex, node, label, current }) => {
      if (current === undefined || current === String(node.id)) return;
      const hasData = (await ex.exec(`[ -d ${sh(path.join(node.dataDir, 'version-2'))} ]`)).code === 0;
      if (hasData) {
        problems.push(
          `${label}: ${node.dataDir} holds data of server ${current}, but the inventory makes it server ${node.id}. ` +
            `Rewriting myid would silently corrupt the ensemble. Give this node id ${current} in the inventory, or move that data directory away yourself if it is truly unwanted.`,
        );
      }
    }),
  );
  if (problems.length) throw new ZkopsError(`Refusing to change a server id over existing data; nothing was written or started.\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** The `server.N=` lines of a zoo.cfg: the ensemble's membership. */
export function serverLines(zooCfg: string): string {
  return zooCfg
    .split('\n')
    .filter((l) => /^server\.\d+=/.test(l))
    .sort()
    .join('\n');
}

/**
 * A running ensemble's membership is not changed in one step: nodes started
 * with the new server list would elect their own leader next to the old
 * ones (split brain). Refuse, and say how to do it safely.
 */
async function guardMembership(plans: { h: HostState; node: NodeSpec; files: RenderedFile[] }[]): Promise<void> {
  const running = plans.filter((p) => p.h.processes.get(p.node.id));
  if (running.length === 0) return;
  for (const p of running) {
    const now = await p.h.target.ex.readFile(p.node.zooCfg);
    const next = p.files.find((f) => f.path === p.node.zooCfg)!.content;
    if (now !== undefined && serverLines(now) !== serverLines(next)) throw membershipChange(p.node.id, now, next);
  }
}

/** The refusal to change a running ensemble's server list in one step. */
export function membershipChange(nodeId: number, nowCfg: string, nextCfg: string): PreflightError {
  return new PreflightError(
    `The ensemble's membership would change while it runs (node ${nodeId} runs with\n${indent(serverLines(nowCfg))}\n  and the inventory now says\n${indent(serverLines(nextCfg))}).\n` +
      `Starting nodes with a different server list next to running ones splits the ensemble into two quorums. Nothing was written or started. ` +
      `Either stop the cluster first (zkops stop) and run this again, which starts every node with the new list, or change membership one node at a time (ZooKeeper's reconfig, 3.5+).`,
  );
}

function describeFacts(hosts: HostState[]): string {
  const f = hosts[0]?.facts;
  if (!f) return '';
  const nat = hosts.filter((h) => h.facts.bindAll).map((h) => h.target.host.name);
  return `ZooKeeper ${f.zookeeperVersion}, Java ${f.javaHome}${nat.length ? `; NAT bind-all on ${nat.join(', ')}` : ''}`;
}
