/**
 * The modes a ZooKeeper server reports (srvr's `Mode:` line), plus the two
 * zkops adds for a server that does not answer with one. Which of them count
 * as serving is written here once: health verdicts, the quorum wait and the
 * doctor all ask the same question.
 */

/** A node's mode: srvr's Mode line, or `not-serving` (up, not in a quorum) or `down` (no answer). */
export type NodeMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not-serving' | 'down';

/** The modes in which a server answers clients' reads and writes. */
export const SERVING_MODES: readonly NodeMode[] = ['leader', 'follower', 'observer', 'standalone'];

/** True when a server in `mode` serves clients (leads, follows, observes, or runs alone). */
export function isServing(mode: string): boolean {
  return (SERVING_MODES as readonly string[]).includes(mode);
}
