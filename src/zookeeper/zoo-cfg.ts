/**
 * zoo.cfg as ZooKeeper reads it (a Java properties file): every key with its
 * value and line, and the server list in all its forms — `server.N=host:q:e`,
 * with `:participant` or `:observer`, and 3.5's `;[clientAddress:]clientPort`
 * suffix. Pure: the doctor and adopt parse configs zkops did not write; the
 * security levels read the one a node runs with.
 */

/** One `server.N=` entry. */
export interface ServerEntry {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  role: 'participant' | 'observer';
  /** 3.5+: `;[address:]port` after the peer ports. */
  clientAddress?: string;
  clientPort?: number;
  line: number;
}

/** A parsed zoo.cfg. */
export interface ZooCfg {
  file: string;
  /** Keys as written (later lines win, as in java.util.Properties), with their values and lines. */
  entries: Map<string, { value: string; line: number }>;
  servers: ServerEntry[];
  /** Lines that are not `key=value`, nor comments, nor empty: ZooKeeper ignores or rejects them. */
  junk: { line: number; text: string }[];
}

/** Parses zoo.cfg text. Values are trimmed (ZooKeeper trims them too). */
export function parseZooCfg(text: string, file: string): ZooCfg {
  const entries = new Map<string, { value: string; line: number }>();
  const servers: ServerEntry[] = [];
  const junk: ZooCfg['junk'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (!t || t.startsWith('#') || t.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(t);
    if (!m) return void junk.push({ line, text: raw });
    const key = m[1]!;
    const value = m[2]!.trim();
    entries.set(key, { value, line });
    const sid = /^server\.(\d+)$/.exec(key);
    if (!sid) return;
    const entry = parseServer(Number(sid[1]), value, line);
    if (entry) {
      const at = servers.findIndex((s) => s.id === entry.id);
      if (at >= 0) servers[at] = entry;
      else servers.push(entry);
    } else junk.push({ line, text: raw });
  });
  return { file, entries, servers: servers.sort((a, b) => a.id - b.id), junk };
}

/** `host:quorum:election[:role][;[clientAddress:]clientPort]` (IPv6 in brackets), or undefined when malformed. */
export function parseServer(id: number, value: string, line: number): ServerEntry | undefined {
  const [peer = '', client] = value.split(';');
  const m = /^(\[[^\]]+\]|[^:]+):(\d+):(\d+)(?::(participant|observer))?$/.exec(peer.trim());
  if (!m) return undefined;
  const entry: ServerEntry = {
    id,
    host: m[1]!.replace(/^\[|\]$/g, ''),
    quorumPort: Number(m[2]),
    electionPort: Number(m[3]),
    role: m[4] === 'observer' ? 'observer' : 'participant',
    line,
  };
  if (client !== undefined) {
    const c = /^(?:(.*):)?(\d+)$/.exec(client.trim());
    if (!c) return undefined;
    if (c[1]) entry.clientAddress = c[1];
    entry.clientPort = Number(c[2]);
  }
  return entry;
}

/** A key's value, if set. */
export function cfgValue(cfg: ZooCfg, key: string): string | undefined {
  return cfg.entries.get(key)?.value;
}

/** `file:line`, for evidence. */
export function where(cfg: ZooCfg, key: string): string {
  const e = cfg.entries.get(key);
  return e ? `${cfg.file}:${e.line}` : cfg.file;
}
