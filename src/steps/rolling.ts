/**
 * Rolling restart, for every runtime: one node at a time, followers before
 * the leader, waiting for a healthy quorum after each, so clients always have
 * a majority to talk to.
 */
import type { NodeSpec } from '../inventory/spec.js';
import { followersFirst } from '../health/cluster.js';
import { waitForQuorum } from '../health/wait.js';
import type { Runtime } from '../runtime/types.js';

/** Restarts `nodes` one at a time (followers first); each must rejoin a healthy quorum before the next. */
export async function rollingRestart(rt: Runtime, nodes: NodeSpec[], timeoutMs: number): Promise<void> {
  const hooks = rt.waitHooks();
  for (const node of await followersFirst(nodes)) {
    await rt.restart(node);
    await waitForQuorum(rt.spec, timeoutMs, hooks);
  }
}
