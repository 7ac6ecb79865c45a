/**
 * What discovery found, said first by `zkops doctor` (without an inventory)
 * and `zkops adopt`, so that with two ensembles on a machine the reader knows
 * which one the findings, or the inventory, are about: per node its config
 * file (and the dynamic file its members come from), its client port, and
 * whether it runs (pid, account, and who started it).
 */
import type { ZkProcess } from '../runtime/types.js';
import type { Adopted } from './adopt.js';

/** One node as found. */
export interface FoundNode {
  id: number;
  host: string;
  zooCfg: string;
  /** The dynamic configuration file its members were read from (3.5+ with dynamicConfigFile). */
  dynamicConfig?: string;
  clientPort: number;
  running: boolean;
  pid?: number;
  user?: string;
  startedBy?: ZkProcess['by'];
}

/** The nodes of a found ensemble, as data (for --json). */
export function foundNodes(a: Adopted): FoundNode[] {
  return a.spec.nodes.map((n) => {
    const s = a.found.get(n.id);
    const p = s?.process;
    return {
      id: n.id,
      host: n.place,
      zooCfg: n.zooCfg,
      ...(s?.dynamic ? { dynamicConfig: s.dynamic.file } : {}),
      clientPort: n.clientPort,
      running: Boolean(p),
      ...(p ? { pid: p.pid, startedBy: p.by, ...(p.user ? { user: p.user } : {}) } : {}),
    };
  });
}

/** The same for people: a heading line, then one line per node. */
export function describeFound(a: Adopted): string {
  const nodes = foundNodes(a);
  const hosts = [...new Set(nodes.map((n) => n.host))];
  const running = nodes.filter((n) => n.running).length;
  const head =
    `Found ${nodes.length === 1 ? 'a standalone server' : `an ensemble of ${nodes.length} servers`} on ` +
    `${hosts.join(', ')} (${running === nodes.length ? 'all running' : `${running} of ${nodes.length} running`}):`;
  const lines = nodes.map(
    (n) =>
      `  node ${n.id}: ${n.zooCfg}${n.dynamicConfig ? ` (members from ${n.dynamicConfig})` : ''}, client port ` +
      `${n.clientPort}, ${
        n.running
          ? `running as pid ${n.pid}${n.user ? ` (${n.user})` : ''}, started ${
              n.startedBy === 'by hand' ? 'by hand (a java command)' : `by ${n.startedBy}`
            }`
          : 'not running'
      }`,
  );
  return [head, ...lines].join('\n');
}
