/**
 * The znode browser's reads: children (with what each one is: has children, ephemeral, Dubbo name decoded),
 * one znode in full (data, stat, ACL), search by name below a path, and for an ephemeral its owner session
 * with that session's client address, read from `cons` on every node. One session per cluster, opened on
 * first use through the operations layer (TLS clusters through zkops's client certificate) and opened again
 * after it fails. Read-only: nothing here writes (znode-edits.ts writes, through the same session).
 */
import { isNoNode, type Acl, type ZkSession, type ZnodeStat } from '../client/session.js';
import { clientTlsOf } from '../client/tls.js';
import { fourLetterWord } from '../health/probe.js';
import { checkPath, decodeName, list, openSession } from '../ops/client.js';
import type { WatchedCluster } from './clusters.js';

/** A child in the tree. */
export interface Child {
  name: string;
  path: string;
  decoded?: string;
  children: number;
  ephemeral: boolean;
}

/** Who holds an ephemeral znode. */
export interface Owner {
  session: string;
  /** The client's address as `cons` reports it; undefined when no node lists the session. */
  client?: string;
  /** The node whose `cons` lists the session (`host:port`). */
  server?: string;
  /** Why the address is unknown (e.g. `cons` not in 4lw.commands.whitelist). */
  note?: string;
}

/** One znode in full. */
export interface Znode {
  path: string;
  decoded?: string;
  /** The data, binary-safe; the page shows it as text, JSON, hex or base64. */
  base64: string;
  stat: ZnodeStat;
  acl: Acl[];
  owner?: Owner;
}

const TIMEOUT_MS = 8000;
const sessions = new WeakMap<WatchedCluster, Promise<ZkSession>>();

/** Runs `fn` on the cluster's session; a failure other than "no node" drops the session for the next call. */
export async function withSession<T>(c: WatchedCluster, fn: (s: ZkSession) => Promise<T>): Promise<T> {
  let p = sessions.get(c);
  if (!p) {
    p = openSession({ ...c.ref, timeoutMs: TIMEOUT_MS }).then((o) => o.session);
    sessions.set(c, p);
    p.catch(() => sessions.delete(c));
  }
  const s = await p;
  try {
    return await fn(s);
  } catch (err) {
    if (!isNoNode(err)) {
      sessions.delete(c);
      s.close();
    }
    throw err;
  }
}

/** Closes the cluster's session, if one is open. */
export async function closeSession(c: WatchedCluster): Promise<void> {
  const p = sessions.get(c);
  sessions.delete(c);
  (await p?.catch(() => undefined))?.close();
}

const join = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`);

/** The children of `path`, sorted, each with its own stat's gist (requests pipelined on the session). */
export async function children(
  c: WatchedCluster,
  path: string,
  limit = 2000,
): Promise<{ children: Child[]; more: number }> {
  checkPath(path);
  return withSession(c, async (s) => {
    const names = (await s.children(path)).sort();
    const shown = names.slice(0, limit);
    const stats = await Promise.all(shown.map((n) => s.exists(join(path, n)).catch(() => undefined)));
    return {
      children: shown.map((name, i) => {
        const st = stats[i];
        const decoded = decodeName(name);
        return {
          name,
          path: join(path, name),
          ...(decoded ? { decoded } : {}),
          children: st?.numChildren ?? 0,
          ephemeral: Boolean(st?.ephemeralOwner),
        };
      }),
      more: names.length - shown.length,
    };
  });
}

/** One znode: data, stat, ACL, its name decoded, and for an ephemeral who holds it. */
export async function znode(c: WatchedCluster, path: string): Promise<Znode> {
  checkPath(path);
  const got = await withSession(c, async (s) => {
    const [g, acl] = await Promise.all([s.get(path), s.acl(path)]);
    return { ...g, acl };
  });
  const decoded = decodeName(path.slice(path.lastIndexOf('/') + 1));
  const owner = got.stat.ephemeralOwner ? await ownerOf(c, got.stat.ephemeralOwner) : undefined;
  return {
    path,
    ...(decoded ? { decoded } : {}),
    base64: got.data.toString('base64'),
    stat: got.stat,
    acl: got.acl,
    ...(owner ? { owner } : {}),
  };
}

/** Znodes below `path` whose name (or decoded name) contains `q`, at most `limit`. */
export async function search(c: WatchedCluster, path: string, q: string, limit = 200): Promise<Child[]> {
  const all = await list(path, { ...c.ref, timeoutMs: TIMEOUT_MS, recursive: true });
  const needle = q.toLowerCase();
  return all
    .filter((l) => {
      const name = l.path.slice(l.path.lastIndexOf('/') + 1);
      return name.toLowerCase().includes(needle) || (l.decoded ?? '').toLowerCase().includes(needle);
    })
    .slice(0, limit)
    .map((l) => ({
      name: l.path.slice(l.path.lastIndexOf('/') + 1),
      path: l.path,
      ...(l.decoded ? { decoded: l.decoded } : {}),
      children: 0,
      ephemeral: Boolean(l.ephemeral),
    }));
}

/** The session's client address, from `cons` on every node (the session lives on one of them). */
export async function ownerOf(c: WatchedCluster, session: string): Promise<Owner> {
  const creds = clientTlsOf(c.spec);
  const answers = await Promise.all(
    c.poller.targets.map(async (t) => ({
      server: t.instance,
      text: await fourLetterWord(t.host, t.port, 'cons', 2000, creds).catch(() => ''),
    })),
  );
  for (const a of answers) {
    const client = findSession(a.text, session);
    if (client) return { session, client, server: a.server };
  }
  const refused = answers.some((a) => /not in the whitelist/.test(a.text));
  return {
    session,
    note: refused
      ? 'cons is not in 4lw.commands.whitelist on these servers, so the client address cannot be read (add it ' +
        'to settings.fourLetterWords in the inventory and deploy)'
      : 'no server lists this session among its connections (it may be closing)',
  };
}

/** The client address `cons` gives for session `sid` (hex), or undefined. */
export function findSession(cons: string, sid: string): string | undefined {
  const want = BigInt(sid);
  for (const line of cons.split('\n')) {
    const m = /^\s*\/?(\S+?)\[\d+\]\(.*\bsid=(0x[0-9a-f]+)/i.exec(line);
    if (m && BigInt(m[2]!) === want) return m[1];
  }
  return undefined;
}
