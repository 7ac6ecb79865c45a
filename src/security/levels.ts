/**
 * Turning TLS or quorum SASL on (or off) for a running ensemble is a rolling
 * change in steps, each step one config every node can run beside its
 * neighbours' (the way ZooKeeper's admin guide upgrades a plain cluster to
 * TLS without downtime):
 *
 *   TLS 0 plain → 1 both ports take TLS and plain text, peers talk plain →
 *       2 peers talk TLS, ports still take both → 3 TLS only (secureClientPort).
 *   SASL 0 none → 1 SASL on, nobody insists → 2 learners authenticate →
 *       3 servers also insist (ZooKeeper's own three-step procedure: a server that
 *       insists before every learner authenticates shuts those learners out).
 *
 * Two neighbouring levels always work together; a deploy walks from the
 * running nodes' level to the inventory's one level at a time, with a rolling
 * restart per level.
 */
import type { ClusterSpec } from '../inventory/spec.js';
import { parseZooCfg } from '../zookeeper/zoo-cfg.js';

export type TlsLevel = 0 | 1 | 2 | 3;
export type SaslLevel = 0 | 1 | 2 | 3;
export interface SecurityLevels {
  tls: TlsLevel;
  sasl: SaslLevel;
}

export const TLS_LEVEL_NAMES = ['plain', 'TLS accepted beside plain text', 'peers on TLS', 'TLS only'];
export const SASL_LEVEL_NAMES = ['no quorum auth', 'quorum SASL on', 'learners authenticate', 'quorum SASL required'];

/** Where the inventory wants the ensemble. */
export function targetLevels(spec: Pick<ClusterSpec, 'security'>): SecurityLevels {
  return { tls: spec.security.tls ? 3 : 0, sasl: spec.security.quorumAuth ? 3 : 0 };
}

/** Where a running node stands, read from the zoo.cfg it runs with. */
export function runningLevels(zooCfg: string): SecurityLevels {
  const cfg = parseZooCfg(zooCfg, 'zoo.cfg').entries;
  const has = (k: string) => cfg.has(k);
  const on = (k: string) => cfg.get(k)?.value.toLowerCase() === 'true';
  const tls: TlsLevel =
    has('secureClientPort') && !has('clientPort')
      ? 3
      : on('sslQuorum')
        ? 2
        : has('ssl.keyStore.location') || has('secureClientPort')
          ? 1
          : 0;
  const sasl: SaslLevel = on('quorum.auth.serverRequireSasl')
    ? 3
    : on('quorum.auth.learnerRequireSasl')
      ? 2
      : on('quorum.auth.enableSasl')
        ? 1
        : 0;
  return { tls, sasl };
}

function walk<L extends number>(from: L[], to: L): L[] {
  if (from.length === 0) return [];
  const low = Math.min(...from);
  const high = Math.max(...from);
  const steps: number[] = [];
  if (to > low) for (let l = low + 1; l < to; l++) steps.push(l);
  else if (to < high) for (let l = high - 1; l > to; l--) steps.push(l);
  return steps as L[];
}

/**
 * The intermediate levels a deploy rolls through before the inventory's own (which the normal roll brings):
 * TLS first, then SASL (each step keeps the other feature where it stands). `running`: the levels of the
 * running nodes; none running, no steps (every node starts at the target).
 */
export function securitySteps(running: SecurityLevels[], target: SecurityLevels): SecurityLevels[] {
  const saslNow = running.length ? (Math.min(...running.map((r) => r.sasl)) as SaslLevel) : target.sasl;
  const tlsSteps = walk(
    running.map((r) => r.tls),
    target.tls,
  ).map((tls) => ({ tls, sasl: saslNow }));
  // Up to SASL's target or down from it, next to the TLS target.
  const saslSteps = walk(
    running.map((r) => r.sasl),
    target.sasl,
  ).map((sasl) => ({ tls: target.tls, sasl }));
  // Each feature's neighbouring levels work together whatever the other's level: the SASL walk may start
  // where the TLS walk ends, and the final roll brings both targets.
  return [...tlsSteps, ...saslSteps];
}

export function describeLevels(l: SecurityLevels): string {
  return `${TLS_LEVEL_NAMES[l.tls]}, ${SASL_LEVEL_NAMES[l.sasl]}`;
}
