/**
 * Talking to the ensemble as an application does, through its client ports,
 * so these work on any ensemble: one zkops knows, or any other (`server`: a
 * connect string). smoke proves it works; ls, get and watch look inside.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { quietContext, Reporter, type OpContext } from '../events.js';
import { smoke as runSmoke, type SmokeCheck, type SmokeTarget } from '../client/smoke.js';
import { isNoNode, ZkSession, type Acl, type ZnodeStat } from '../client/session.js';
import { sessionTlsOf, type ClientTls } from '../client/tls.js';
import { resolveCluster, type ClusterFlags } from './cluster.js';

/** Which ensemble: a cluster zkops knows, or a connect string; and the time limit for each session and check. */
export interface ClientInput extends ClusterFlags {
  /** host:port,host:port,...: an ensemble zkops does not know. */
  server?: string;
  timeoutMs: number;
}

/** The servers to talk to: `server` as given, else the cluster's client addresses. */
async function targets(input: ClientInput, report: Reporter): Promise<{ nodes: SmokeTarget[]; tls?: ClientTls }> {
  if (input.server) {
    const servers = input.server.split(',').map((s) => s.trim());
    const bad = servers.filter((s) => !/^[^\s:]+:\d{1,5}$/.test(s));
    if (bad.length)
      throw new ZkopsError(
        `--server ${input.server}: expected host:port[,host:port...], e.g. 10.0.0.11:2181,10.0.0.12:2181; ` +
          `not ${bad.join(', ')}.`,
        ExitCode.usage,
      );
    return { nodes: servers.map((server, i) => ({ id: i + 1, server })) };
  }
  const { spec } = await resolveCluster(input, undefined, report);
  return {
    nodes: spec.nodes.map((n) => ({ id: n.id, server: `${n.host.address}:${n.clientPort}` })),
    tls: sessionTlsOf(spec),
  };
}

/** Opens one session on the ensemble (any of its servers). */
export async function openSession(
  input: ClientInput,
  ctx: OpContext = quietContext,
): Promise<{ session: ZkSession; servers: string }> {
  const { nodes, tls } = await targets(input, new Reporter(ctx));
  const servers = nodes.map((t) => t.server).join(',');
  return { session: await ZkSession.open(servers, { timeoutMs: input.timeoutMs, tls }), servers };
}

async function withSession<T>(input: ClientInput, ctx: OpContext, fn: (s: ZkSession) => Promise<T>): Promise<T> {
  const { session } = await openSession(input, ctx);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/** A znode path as ZooKeeper takes it, or a usage error. */
export function checkPath(path: string): string {
  if (!path.startsWith('/') || (path.length > 1 && path.endsWith('/')) || path.includes('//'))
    throw new ZkopsError(`"${path}" is not a znode path: it starts with / and has no empty parts (e.g. /dubbo).`, 2);
  return path;
}

/** A missing znode is the operator's mistake, said as such. */
function noNode(path: string) {
  return (err: unknown) => {
    if (isNoNode(err)) throw new ZkopsError(`No znode ${path} in this ensemble.`, ExitCode.failure);
    throw err;
  };
}

/**
 * What a child's name means, when it is more than a name: Dubbo registers each provider and consumer as its
 * URL-encoded URL (dubbo%3A%2F%2F10.0.0.5%3A20880%2Fcom.example.Api%3F...).
 */
export function decodeName(name: string): string | undefined {
  if (!/^[a-z][\w+.-]*%3A%2F%2F/i.test(name)) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

/** The smoke test's checks, each with its outcome and duration. */
export async function smoke(
  input: ClientInput,
  ctx: OpContext = quietContext,
): Promise<{ ok: boolean; ms: number; checks: SmokeCheck[] }> {
  const { nodes, tls } = await targets(input, new Reporter(ctx));
  const t0 = Date.now();
  const checks = await runSmoke(nodes, input.timeoutMs, tls);
  return { ok: checks.every((c) => c.ok), ms: Date.now() - t0, checks };
}

/** One znode of a listing. */
export interface Listed {
  path: string;
  decoded?: string;
  ephemeral?: boolean;
}

/** Children of `path`, or (recursive) the whole subtree breadth first, requests pipelined on one session. */
export async function list(
  path: string,
  input: ClientInput & { recursive?: boolean },
  ctx: OpContext = quietContext,
): Promise<Listed[]> {
  checkPath(path);
  return withSession(input, ctx, async (s) => {
    const join = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`);
    const children = await s.children(path).catch(noNode(path));
    const found: Listed[] = children.sort().map((c) => ({ path: join(path, c), decoded: decodeName(c) }));
    if (!input.recursive) return found;
    const all: Listed[] = [];
    let level = found;
    while (level.length) {
      all.push(...level);
      const next: Listed[] = [];
      // Up to 1,000 requests in flight at once: the server answers them in order, on one connection.
      for (let i = 0; i < level.length; i += 1000) {
        const batch = await Promise.all(
          level.slice(i, i + 1000).map((p) => s.children(p.path).catch((e) => (isNoNode(e) ? [] : Promise.reject(e)))),
        );
        batch.forEach((kids, j) =>
          next.push(...kids.sort().map((c) => ({ path: join(level[i + j]!.path, c), decoded: decodeName(c) }))),
        );
      }
      level = next;
    }
    return all.sort((a, b) => (a.path < b.path ? -1 : 1));
  });
}

/** A znode's data (as text when it is text, else base64), stat and ACL. */
export async function get(
  path: string,
  input: ClientInput,
  ctx: OpContext = quietContext,
): Promise<{ path: string; text?: string; base64?: string; stat: ZnodeStat; acl: Acl[]; decoded?: string }> {
  checkPath(path);
  const r = await withSession(input, ctx, async (s) => {
    const [got, acl] = await Promise.all([s.get(path).catch(noNode(path)), s.acl(path).catch(noNode(path))]);
    return { ...got, acl };
  });
  const decoded = decodeName(path.slice(path.lastIndexOf('/') + 1));
  return { path, ...showData(r.data), stat: r.stat, acl: r.acl, ...(decoded ? { decoded } : {}) };
}

function showData(data: Buffer): { text?: string; base64?: string } {
  const text = data.toString('utf8');
  // Text if it round-trips and has no control characters other than whitespace.
  return Buffer.from(text, 'utf8').equals(data) && !/[\u0000-\u0008\u000e-\u001f]/.test(text)
    ? { text }
    : { base64: data.toString('base64') };
}

/** One thing a watch saw. */
export interface WatchEvent {
  time: string;
  event: 'created' | 'changed' | 'deleted';
  path: string;
  detail?: string;
}

/**
 * PATH's own creation, changes and deletion, and its children coming and going, as they happen, until the
 * signal aborts. ZooKeeper's watches fire once: each is set again with the read that follows it, and children are
 * compared with the last listing, so an event between the two is not lost. `onStart` says what it found first.
 */
export async function watch(
  path: string,
  input: ClientInput,
  onEvent: (e: WatchEvent) => void,
  ctx: OpContext & { onStart?: (found: { servers: string; exists: boolean; children: number }) => void },
): Promise<void> {
  checkPath(path);
  const emit = (event: WatchEvent['event'], at: string, detail?: string) =>
    onEvent({ time: new Date().toISOString(), event, path: at, ...(detail ? { detail } : {}) });
  const { session: s, servers } = await openSession(input, ctx);
  let known: Set<string> | undefined;
  let version: number | undefined;
  const join = (c: string) => (path === '/' ? `/${c}` : `${path}/${c}`);

  const look = async (): Promise<void> => {
    const stat = await s.exists(path, () => void look().catch(fail));
    if (!stat) {
      if (version !== undefined) emit('deleted', path);
      version = undefined;
      known = undefined;
      return;
    }
    if (version === undefined && known === undefined) {
      if (started) emit('created', path);
    } else if (stat.version !== version) {
      emit('changed', path, `version ${stat.version}, ${stat.dataLength} bytes`);
    }
    version = stat.version;
    // The children's own watch keeps itself set; a second one would report each change twice.
    if (known === undefined) await lookChildren();
  };
  const lookChildren = async (): Promise<void> => {
    const kids = await s
      .children(path, () => void lookChildren().catch(fail))
      .catch((e) => {
        if (isNoNode(e)) return undefined;
        throw e;
      });
    if (!kids) return;
    const now = new Set(kids);
    if (known) {
      for (const c of kids) if (!known.has(c)) emit('created', join(c), decodeName(c));
      for (const c of known) if (!now.has(c)) emit('deleted', join(c), decodeName(c));
    }
    known = now;
  };
  let started = false;
  let failure: Error | undefined;
  let wake: () => void = () => undefined;
  const fail = (e: Error) => {
    failure = e;
    wake();
  };
  try {
    await look();
    started = true;
    ctx.onStart?.({ servers, exists: version !== undefined, children: known?.size ?? 0 });
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (ctx.signal?.aborted) resolve();
      ctx.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    s.close();
  }
  if (failure) throw failure;
}
