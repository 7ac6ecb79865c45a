/**
 * Server logs of several nodes as one: each node's lines grouped into entries
 * (a line with a timestamp and what follows it, stack frames included), then
 * merged by time and prefixed by node. ZooKeeper's log4j and logback layouts
 * begin each entry with an ISO 8601 time (2026-11-30 21:16:39,982), in the
 * server's local time.
 */

export interface LogEntry {
  node: number;
  /** Milliseconds since the epoch, read as local time; undefined for text before the first timestamp. */
  time?: number;
  text: string;
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,3}))?/;

export function timeOf(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms = '0'] = m.slice(1).map((x) => x ?? '0');
  return new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, +ms.padEnd(3, '0')).getTime();
}

/** One node's log text as entries; lines before the first timestamp stay one entry of their own. */
export function entries(node: number, text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const time = timeOf(line);
    const last = out[out.length - 1];
    if (time === undefined && last) last.text += `\n${line}`;
    else out.push({ node, time, text: line });
  }
  return out;
}

/** Entries of every node in time order (a stable merge: one node's own order is kept). */
export function merge(perNode: LogEntry[][]): LogEntry[] {
  const all = perNode.flatMap((list) => {
    // Entries without a time take their neighbour's, so they sort beside it.
    let known = list.find((e) => e.time !== undefined)?.time ?? 0;
    return list.map((e, i) => ({ e, key: (known = e.time ?? known), i }));
  });
  return all.sort((a, b) => a.key - b.key || a.e.node - b.e.node || a.i - b.i).map((x) => x.e);
}

/**
 * A --since value as a time: a duration back from now (90s, 10m, 2h, 1d) or a date and time
 * (2026-11-30 21:00, local time). Undefined when it is neither.
 */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const d = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (d) return now - Number(d[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[d[2] as 's' | 'm' | 'h' | 'd'];
  const t = timeOf(value.trim().length === 16 ? `${value.trim()}:00` : value.trim());
  return t;
}

/** How one entry is printed: every line of it behind the node's prefix. */
export function formatEntry(e: LogEntry, width: number): string {
  const prefix = `node ${e.node}`.padEnd(width);
  return e.text
    .split('\n')
    .map((l) => `${prefix} | ${l}`)
    .join('\n');
}
