/**
 * The host-side half of the doctor's picture (the host's ZooKeeper processes, its listening ports, each node's
 * facts), asked of each SSH host as soon as it answers (RuntimeOptions.warm), not once every host has. With one
 * host unreachable, the others' answers are in when its connection times out, and the doctor only has its
 * checks left to run; with all answering, a host's questions overlap with the slower ones' handshakes.
 */
import type { Executor } from '../executors/types.js';
import type { HostPlace } from '../hosts/places.js';
import { listListeners, type Listener } from '../hosts/ports.js';
import { listZkProcesses, nodeProcesses } from '../hosts/processes.js';
import { nodePlacesOn } from '../runtime/hosts.js';
import type { NodePlace, ZkProcess } from '../runtime/types.js';
import { gatherFacts, type NodeFacts } from './facts.js';

interface HostLook {
  /** Undefined when the listing failed. */
  processes: Promise<ZkProcess[] | undefined>;
  listeners: Promise<Listener[] | undefined>;
  facts: Map<number, Promise<NodeFacts>>;
}

/** What each host was asked early, by its executor. */
export class HostPrefetch {
  private readonly looks = new Map<Executor, HostLook>();

  /** `peerNames`: the peer host names (not addresses) each node's host must resolve. */
  constructor(private readonly peerNames: string[]) {}

  /** Starts asking `host` (questions queue on its one shell, in the order the doctor would ask them). */
  start(host: HostPlace): void {
    const processes = listZkProcesses(host.ex).catch(() => undefined);
    const listeners = listListeners(host.ex).catch(() => undefined);
    const facts = new Map<number, Promise<NodeFacts>>();
    for (const place of nodePlacesOn(host)) {
      // The account a running server runs as is all the facts take from its state.
      const state = processes.then((ps) => {
        const p = nodeProcesses(ps ?? [], [place.node]).get(place.node.id);
        return p ? { state: 'running' as const, process: p } : undefined;
      });
      facts.set(
        place.node.id,
        state.then((s) => gatherFacts(place, s, this.peerNames)),
      );
    }
    this.looks.set(host.ex, { processes, listeners, facts });
  }

  processes(ex: Executor): Promise<ZkProcess[] | undefined> | undefined {
    return this.looks.get(ex)?.processes;
  }

  listeners(ex: Executor): Promise<Listener[] | undefined> | undefined {
    return this.looks.get(ex)?.listeners;
  }

  facts(place: NodePlace): Promise<NodeFacts> | undefined {
    return this.looks.get(place.ex)?.facts.get(place.node.id);
  }
}

/** The peer host names (not addresses) each node's host must resolve. */
export function peerNames(nodes: { peerAddress: string }[]): string[] {
  return [...new Set(nodes.map((n) => n.peerAddress).filter((a) => !/^[\d.]+$|:/.test(a)))];
}
