/**
 * `zkops logs [NODE...] [-n N] [--since T] [-f]`: the server logs of the
 * cluster's nodes, wherever they run, merged by time and prefixed by node.
 * -f polls every second and prints what is new; a node whose host cannot be
 * reached is named once and left out.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import type { NodeSpec } from '../inventory/spec.js';
import { entries, formatEntry, merge, parseSince, type LogEntry } from '../logs/merge.js';
import { printJson, warn, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/types.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { selectNodes } from './lifecycle.js';

export interface LogsFlags extends ClusterFlags {
  lines: number;
  since?: string;
  follow?: boolean;
  /** Keep the four-letter-word probes (zkops's own, and monitoring's), left out by default. */
  all?: boolean;
}

/** A four-letter-word probe served: zkops's own srvr/mntr every few ms while it waits, and monitoring's. */
const PROBE = /Processing [a-z]{4} command from|Closed socket connection for client|Connection request from old client/;

async function read(
  rt: Runtime,
  nodes: NodeSpec[],
  lines: number,
  failed: Set<number>,
  all = false,
): Promise<LogEntry[][]> {
  return Promise.all(
    nodes.map(async (n) => {
      try {
        const list = entries(n.id, await rt.logLines(n, lines));
        return all ? list : list.filter((e) => !PROBE.test(e.text));
      } catch (err) {
        if (!failed.has(n.id)) warn(`node ${n.id}: its log cannot be read: ${(err as Error).message}`);
        failed.add(n.id);
        return [];
      }
    }),
  );
}

export async function logsCommand(flags: LogsFlags, ids: string[], out: OutputOptions): Promise<number> {
  const since = flags.since === undefined ? undefined : parseSince(flags.since);
  if (flags.since !== undefined && since === undefined)
    throw new ZkopsError(
      `--since ${flags.since}: expected a time back from now (90s, 10m, 2h, 1d) or a local date and time ` +
        '(2026-11-30 21:00).',
      ExitCode.usage,
    );
  const { spec } = await resolveCluster(flags);
  const nodes = selectNodes(spec, ids);
  const width = `node ${Math.max(...nodes.map((n) => n.id))}`.length;
  const show = (list: LogEntry[]) => {
    if (out.json) for (const e of list) process.stdout.write(`${JSON.stringify(e)}\n`);
    else if (list.length) process.stdout.write(`${list.map((e) => formatEntry(e, width)).join('\n')}\n`);
  };
  return withRuntime(spec, { partial: true }, async (rt) => {
    for (const u of rt.unreachable)
      warn(`${u.place} (${u.address}): cannot be reached (${u.reason}); node(s) ${u.nodes.join(', ')} left out.`);
    const failed = new Set<number>(rt.unreachable.flatMap((u) => u.nodes));
    const readable = nodes.filter((n) => !failed.has(n.id));
    const first = merge(await read(rt, readable, flags.lines, failed, flags.all)).filter(
      (e) => since === undefined || (e.time ?? 0) >= since,
    );
    if (!flags.follow) {
      if (out.json) printJson(first);
      else show(first);
      // Exit 1 only when none of the nodes asked for could be read.
      return nodes.some((n) => !failed.has(n.id)) ? ExitCode.ok : ExitCode.failure;
    }
    show(first);
    // What was printed last per node: the next look prints what comes after it.
    const seen = new Map<number, LogEntry[]>(readable.map((n) => [n.id, first.filter((e) => e.node === n.id)]));
    let stop = false;
    process.once('SIGINT', () => (stop = true));
    process.once('SIGTERM', () => (stop = true));
    while (!stop) {
      await new Promise((r) => setTimeout(r, 1000));
      if (stop) break;
      const now = await read(rt, readable, Math.max(flags.lines, 1000), failed, flags.all);
      const fresh: LogEntry[][] = now.map((list, i) => {
        const before = seen.get(readable[i]!.id) ?? [];
        const last = before[before.length - 1];
        // Everything after the last entry printed; all of it when that entry is gone (the log was rotated).
        const at = last ? list.map((e) => `${e.time}\n${e.text}`).lastIndexOf(`${last.time}\n${last.text}`) : -1;
        const after = at >= 0 ? list.slice(at + 1) : last ? list.filter((e) => (e.time ?? 0) > (last.time ?? 0)) : list;
        const added = after.filter((e) => since === undefined || (e.time ?? 0) >= since);
        if (added.length) seen.set(readable[i]!.id, [...before.slice(-50), ...added]);
        return added;
      });
      show(merge(fresh));
    }
    return ExitCode.ok;
  });
}
