/**
 * Quorum arithmetic. Only participants vote; observers follow the leader but
 * count for nothing in a majority. An ensemble of N voters needs a majority
 * (⌊N/2⌋ + 1) serving, so it survives ⌊(N−1)/2⌋ failures: an even N survives
 * no more than N−1 would, and 1 or 2 voters survive none.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';

/** The voting members (participants) of an ensemble. */
export function voters<T extends Pick<NodeSpec, 'role'>>(nodes: T[]): T[] {
  return nodes.filter((n) => n.role !== 'observer');
}

/** How many voters must serve for a quorum. */
export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** How many voters may fail while the ensemble keeps serving. */
export function toleratedFailures(voterCount: number): number {
  return Math.max(0, Math.floor((voterCount - 1) / 2));
}

/** Warnings about an ensemble's shape (too few voters, an even number): the run goes on, the operator should know. */
export function shapeWarnings(spec: Pick<ClusterSpec, 'nodes'>): string[] {
  const n = voters(spec.nodes).length;
  if (n === 1 && spec.nodes.length === 1)
    return ['a single server (standalone) survives no failure; 3 voters survive one, 5 survive two'];
  if (n <= 2)
    return [
      `${n} voter${n > 1 ? 's' : ''} survive${n > 1 ? '' : 's'} no failure: one server down stops the ensemble; ` +
        `use 3 voters to survive one failure, 5 for two`,
    ];
  if (n % 2 === 0)
    return [
      `${n} voters survive ${toleratedFailures(n)} failure${toleratedFailures(n) > 1 ? 's' : ''}, no more than ` +
        `${n - 1} would; an odd number (${n - 1} or ${n + 1}) is the usual choice`,
    ];
  return [];
}
