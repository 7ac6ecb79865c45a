/**
 * Rolling restart, for every runtime: one node at a time, followers before
 * the leader, waiting for a healthy quorum after each, so clients always have
 * a majority to talk to. A step that would leave fewer than a majority of
 * voters serving (another node is down) is refused unless forced.
 */
import type { NodeSpec } from '../inventory/spec.js';
import { followersFirst, probeCluster } from '../health/cluster.js';
import { waitForQuorum } from '../health/wait.js';
import type { Runtime } from '../runtime/types.js';
import { guardQuorum } from './quorum-guard.js';

/** Options of a rolling restart. */
export interface RollingOptions {
  /** Go on where a step loses the quorum (see guardQuorum). */
  force?: boolean;
  /** Where a forced step's warning goes. */
  warn?: (text: string) => void;
}

/** Restarts `nodes` one at a time (followers first); each must rejoin a healthy quorum before the next. */
export async function rollingRestart(
  rt: Runtime,
  nodes: NodeSpec[],
  timeoutMs: number,
  options: RollingOptions = {},
): Promise<void> {
  const hooks = rt.waitHooks();
  for (const node of await followersFirst(nodes)) {
    const warning = await guardQuorum(rt.spec, [node], 'restarting', { force: options.force, waitMs: 10_000 });
    if (warning) options.warn?.(warning);
    // The quorum to wait for afterwards: the nodes serving now, and this one back.
    const serving = (await probeCluster(rt.spec, 1500, false))
      .filter((r) => r.health.mode !== 'down' && r.health.mode !== 'not-serving')
      .map((r) => r.node);
    await rt.restart(node);
    await waitForQuorum(rt.spec, timeoutMs, hooks, [...new Set([...serving, node])]);
  }
}
