/**
 * `zkops logs [NODE...] [-n N] [--since T] [-f]`: the terminal front of
 * ops/logs.ts — entries prefixed by node; -f until Ctrl-C.
 */
import { ExitCode } from '../errors.js';
import { formatEntry, type LogEntry } from '../logs/merge.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { followLogs, readLogs, type LogsRead } from '../ops/logs.js';
import { printJson, terminalContext, type OutputOptions } from '../output.js';

export interface LogsFlags extends ClusterFlags {
  lines: number;
  since?: string;
  follow?: boolean;
  /** Keep the four-letter-word probes (zkops's own, and monitoring's), left out by default. */
  all?: boolean;
}

export async function logsCommand(flags: LogsFlags, ids: string[], out: OutputOptions): Promise<number> {
  const input = { nodes: ids, lines: flags.lines, since: flags.since, all: flags.all };
  const width = (r: LogsRead) => `node ${Math.max(...r.nodes.map((n) => n.id))}`.length;
  const show = (list: LogEntry[], r: LogsRead) => {
    if (out.json) for (const e of list) process.stdout.write(`${JSON.stringify(e)}\n`);
    else if (list.length) process.stdout.write(`${list.map((e) => formatEntry(e, width(r))).join('\n')}\n`);
  };
  if (!flags.follow) {
    const r = await readLogs(flags, input, terminalContext(out));
    if (out.json) printJson(r.entries);
    else show(r.entries, r);
    // Exit 1 only when none of the nodes asked for could be read.
    return r.anyRead ? ExitCode.ok : ExitCode.failure;
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await followLogs(flags, input, show, { ...terminalContext(out), signal: stop.signal });
  return ExitCode.ok;
}
