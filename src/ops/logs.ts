/**
 * The server logs of a cluster's nodes, wherever they run, merged by time:
 * once (`readLogs`), or followed (`followLogs`: every second what is new,
 * until the caller's signal aborts). A node whose host cannot be reached, or
 * whose log cannot be read, is named once (a warning) and left out.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { quietContext, Reporter, type OpContext } from '../events.js';
import type { NodeSpec } from '../inventory/spec.js';
import { entries, merge, parseSince, type LogEntry } from '../logs/merge.js';
import { openRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/types.js';
import { specOf, type ClusterRef } from './cluster.js';
import { selectNodes } from './lifecycle.js';

/** Which entries. */
export interface LogsInput {
  /** Node ids; none: every node. */
  nodes?: string[];
  /** Lines per node. */
  lines: number;
  /** 90s, 10m, 2h, 1d, or a local date and time ("2026-11-30 21:00"). */
  since?: string;
  /** Keep the four-letter-word probes (zkops's own, and monitoring's), left out by default. */
  all?: boolean;
}

/** A four-letter-word probe served: zkops's own srvr/mntr every few ms while it waits, and monitoring's. */
const PROBE = /Processing [a-z]{4} command from|Closed socket connection for client|Connection request from old client/;

/** What a first look found: the entries, and whether any node asked for could be read. */
export interface LogsRead {
  entries: LogEntry[];
  nodes: NodeSpec[];
  anyRead: boolean;
}

/** One merged read of the nodes' logs. */
export async function readLogs(ref: ClusterRef, input: LogsInput, ctx: OpContext = quietContext): Promise<LogsRead> {
  const session = await openLogs(ref, input, ctx);
  try {
    return await session.first();
  } finally {
    await session.close();
  }
}

/**
 * The first read, then every second what is new, until `ctx.signal` aborts; `onEntries` gets each batch. A rotated
 * log is read again from its start.
 */
export async function followLogs(
  ref: ClusterRef,
  input: LogsInput,
  onEntries: (entries: LogEntry[], first: LogsRead) => void,
  ctx: OpContext = quietContext,
): Promise<void> {
  const session = await openLogs(ref, input, ctx);
  try {
    const first = await session.first();
    onEntries(first.entries, first);
    // What was printed last per node: the next look prints what comes after it.
    const seen = new Map<number, LogEntry[]>(
      session.readable.map((n) => [n.id, first.entries.filter((e) => e.node === n.id)]),
    );
    while (!ctx.signal?.aborted) {
      await sleep(1000, ctx.signal);
      if (ctx.signal?.aborted) break;
      const now = await session.read(Math.max(input.lines, 1000));
      const fresh: LogEntry[][] = now.map((list, i) => {
        const before = seen.get(session.readable[i]!.id) ?? [];
        const last = before[before.length - 1];
        // Everything after the last entry printed; all of it when that entry is gone (the log was rotated).
        const at = last ? list.map((e) => `${e.time}\n${e.text}`).lastIndexOf(`${last.time}\n${last.text}`) : -1;
        const after = at >= 0 ? list.slice(at + 1) : last ? list.filter((e) => (e.time ?? 0) > (last.time ?? 0)) : list;
        const added = after.filter(session.keep);
        if (added.length) seen.set(session.readable[i]!.id, [...before.slice(-50), ...added]);
        return added;
      });
      onEntries(merge(fresh), first);
    }
  } finally {
    await session.close();
  }
}

/** The nodes, the runtime and the filters, set up once for one or many reads. */
async function openLogs(ref: ClusterRef, input: LogsInput, ctx: OpContext) {
  const since = input.since === undefined ? undefined : parseSince(input.since);
  if (input.since !== undefined && since === undefined)
    throw new ZkopsError(
      `--since ${input.since}: expected a time back from now (90s, 10m, 2h, 1d) or a local date and time ` +
        '(2026-11-30 21:00).',
      ExitCode.usage,
    );
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  const nodes = selectNodes(spec, input.nodes);
  const rt = await openRuntime(spec, { partial: true });
  for (const u of rt.unreachable)
    report.warn(`${u.place} (${u.address}): cannot be reached (${u.reason}); node(s) ${u.nodes.join(', ')} left out.`);
  const failed = new Set<number>(rt.unreachable.flatMap((u) => u.nodes));
  const readable = nodes.filter((n) => !failed.has(n.id));
  const keep = (e: LogEntry) => since === undefined || (e.time ?? 0) >= since;
  const read = (lines: number) => readEach(rt, readable, lines, failed, report, input.all);
  return {
    readable,
    keep,
    read,
    first: async (): Promise<LogsRead> => {
      const list = merge(await read(input.lines)).filter(keep);
      return { entries: list, nodes, anyRead: nodes.some((n) => !failed.has(n.id)) };
    },
    close: () => rt.close(),
  };
}

async function readEach(
  rt: Runtime,
  nodes: NodeSpec[],
  lines: number,
  failed: Set<number>,
  report: Reporter,
  all = false,
): Promise<LogEntry[][]> {
  return Promise.all(
    nodes.map(async (n) => {
      try {
        const list = entries(n.id, await rt.logLines(n, lines));
        return all ? list : list.filter((e) => !PROBE.test(e.text));
      } catch (err) {
        if (!failed.has(n.id)) report.warn(`node ${n.id}: its log cannot be read: ${(err as Error).message}`);
        failed.add(n.id);
        return [];
      }
    }),
  );
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
