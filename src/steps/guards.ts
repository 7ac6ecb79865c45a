/**
 * Guards that run after preflight and before anything is written: the
 * promises zkops makes about data and membership, checked the same way for
 * every runtime from what the survey found and what the plan would write.
 */
import { indent, PreflightError, ZkopsError } from '../errors.js';
import type { NodePlan, Survey } from '../runtime/types.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { versionAtLeast } from '../zookeeper/version.js';
import { providerTooOld } from '../distribution/metrics-provider.js';

/**
 * Data is sacred: a node whose data directory already holds ZooKeeper data
 * under another server id must not get a new myid (that silently breaks the
 * ensemble). Stop and explain instead.
 */
export function guardMyids(survey: Survey): void {
  const problems = survey.nodes
    .filter((s) => s.myid !== undefined && s.myid !== String(s.node.id) && s.hasData)
    .map(
      (s) =>
        `node ${s.node.id} on ${s.node.place}: ${s.node.dataDir} holds data of server ${s.myid}, but the inventory ` +
        `makes it server ${s.node.id}. ` +
        `Rewriting myid would silently corrupt the ensemble. Give this node id ${s.myid} in the inventory, or move ` +
        `that data directory away yourself if it is truly unwanted.`,
    );
  if (problems.length)
    throw new ZkopsError(
      `Refusing to change a server id over existing data; nothing was written or ` +
        `started.\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
}

/** The `server.N=` lines of a zoo.cfg: the ensemble's membership. */
export function serverLines(zooCfg: string): string {
  return zooCfg
    .split('\n')
    .filter((l) => /^server\.\d+=/.test(l))
    .sort()
    .join('\n');
}

/** The server ids a zoo.cfg lists. */
export function serverIds(zooCfg: string): number[] {
  return [...zooCfg.matchAll(/^server\.(\d+)=/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

/**
 * The running ensemble has other members than the inventory: servers are to be added or removed. The deploy
 * turns this into a change one server at a time (steps/membership.ts).
 */
export class MembershipChangeNeeded extends Error {
  constructor(
    /** The server ids the running nodes list. */
    readonly current: number[],
  ) {
    super('the ensemble has other members than the inventory');
  }
}

/**
 * A running ensemble's membership is not changed in one step: nodes started
 * with the new server list would elect their own leader next to the old
 * ones (split brain). Other servers than the running ones list are changed
 * one at a time (MembershipChangeNeeded); `step` is the one server this run
 * may add or remove. A changed address or port of a server is refused.
 */
export function guardMembership(survey: Survey, plans: NodePlan[], step?: { id: number }): void {
  for (const s of survey.nodes) {
    if (!s.process || s.runningZooCfg === undefined) continue;
    const next = plans.find((p) => p.node === s.node)?.zooCfg;
    if (next === undefined || serverLines(s.runningZooCfg) === serverLines(next)) continue;
    const now = serverIds(s.runningZooCfg);
    const then = serverIds(next);
    const differ = [...now.filter((id) => !then.includes(id)), ...then.filter((id) => !now.includes(id))];
    if (differ.length === 0) throw membershipChange(s.node.id, s.runningZooCfg, next);
    // The servers on both lists must stay as they are (checked before any server is added or removed).
    const common = (cfg: string) =>
      serverLines(cfg)
        .split('\n')
        .filter((l) => !differ.some((id) => l.startsWith(`server.${id}=`)))
        .join('\n');
    if (common(s.runningZooCfg) !== common(next)) throw membershipChange(s.node.id, s.runningZooCfg, next);
    if (!step) throw new MembershipChangeNeeded(now);
    if (differ.length !== 1 || differ[0] !== step.id) throw membershipChange(s.node.id, s.runningZooCfg, next);
  }
}

/** The refusal to change a running ensemble's server list in one step. */
function membershipChange(nodeId: number, nowCfg: string, nextCfg: string): PreflightError {
  return new PreflightError(
    `The ensemble's membership would change while it runs (node ${nodeId} runs ` +
      `with\n${indent(serverLines(nowCfg))}\n  and the inventory now says\n${indent(serverLines(nextCfg))}).\n` +
      `Starting nodes with a different server list next to running ones splits the ensemble into two quorums. ` +
      `Nothing was written or started. ` +
      `zkops adds and removes servers one at a time, but a server's address or ports do not change in place: ` +
      `remove it in one deploy and add it back with the new address in the next, or stop the cluster first ` +
      `(zkops stop) and run this again, which starts every node with the new list.`,
  );
}

/**
 * ZooKeeper's Prometheus provider and TLS need what 3.6 brought (the provider; PEM key stores, and Netty's port
 * unification for the rolling switch); quorum SASL
 * what 3.4.10 did.
 */
export function guardSecurity(plans: NodePlan[], spec: ClusterSpec): void {
  // Hosts refuse this in their preflight already; containers learn their version from the image only here.
  const noProvider = spec.monitoring.provider ? plans.filter((p) => !versionAtLeast(p.version, '3.6.0')) : [];
  if (noProvider.length)
    throw new PreflightError(
      `${providerTooOld(
        noProvider.map((p) => p.node.id),
        noProvider[0]!.version,
      )} Nothing was written or started.`,
    );
  const noSasl = spec.security.quorumAuth ? plans.filter((p) => !versionAtLeast(p.version, '3.4.10')) : [];
  if (noSasl.length)
    throw new PreflightError(
      `security.quorumAuth needs ZooKeeper 3.4.10 or later (quorum SASL came then), and node(s) ` +
        `${noSasl.map((p) => p.node.id).join(', ')} would run ${noSasl[0]!.version}. Nothing was written. Upgrade ` +
        'first, then turn it on.',
    );
  if (!spec.security.tls) return;
  const old = plans.filter((p) => !versionAtLeast(p.version, '3.6.0'));
  if (old.length)
    throw new PreflightError(
      `security.tls needs ZooKeeper 3.6 or later, and node(s) ${old.map((p) => p.node.id).join(', ')} would run ` +
        `${[...new Set(old.map((p) => p.version))].join(', ')}. Nothing was written. Upgrade first (zkops deploy ` +
        'with a newer zookeeper.version), then turn TLS on.',
    );
}
