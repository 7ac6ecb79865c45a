/**
 * The client commands: `smoke`, `ls`, `get`, `watch`. They speak to the
 * ensemble as an application does, through its client ports, so they work
 * on any ensemble: one zkops knows (-i, --cluster, or the one here) or any
 * other (--server host:port,...).
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { smoke, type SmokeTarget } from '../client/smoke.js';
import { isNoNode, ZkSession, type ZnodeStat } from '../client/session.js';
import { color, formatMs, printJson, table, type OutputOptions } from '../output.js';
import { sessionTlsOf, type ClientTls } from '../client/tls.js';
import { resolveCluster, type ClusterFlags } from '../ops/cluster.js';

export interface ClientFlags extends ClusterFlags {
  /** A connect string, for an ensemble zkops does not know. */
  server?: string;
  timeout: number;
}

/** The servers to talk to: --server as given, else the cluster's client addresses. */
async function targets(flags: ClientFlags): Promise<{ nodes: SmokeTarget[]; tls?: ClientTls }> {
  if (flags.server) {
    const servers = flags.server.split(',').map((s) => s.trim());
    const bad = servers.filter((s) => !/^[^\s:]+:\d{1,5}$/.test(s));
    if (bad.length)
      throw new ZkopsError(
        `--server ${flags.server}: expected host:port[,host:port...], e.g. 10.0.0.11:2181,10.0.0.12:2181; ` +
          `not ${bad.join(', ')}.`,
        ExitCode.usage,
      );
    return { nodes: servers.map((server, i) => ({ id: i + 1, server })) };
  }
  const { spec } = await resolveCluster(flags);
  return {
    nodes: spec.nodes.map((n) => ({ id: n.id, server: `${n.host.address}:${n.clientPort}` })),
    tls: sessionTlsOf(spec),
  };
}

async function withSession<T>(flags: ClientFlags, fn: (s: ZkSession) => Promise<T>): Promise<T> {
  const { nodes, tls } = await targets(flags);
  const servers = nodes.map((t) => t.server).join(',');
  const session = await ZkSession.open(servers, { timeoutMs: flags.timeout * 1000, tls });
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

function checkPath(path: string): string {
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

export async function smokeCommand(flags: ClientFlags, out: OutputOptions): Promise<number> {
  const { nodes, tls } = await targets(flags);
  const t0 = Date.now();
  const checks = await smoke(nodes, flags.timeout * 1000, tls);
  const ok = checks.every((c) => c.ok);
  if (out.json) printJson({ ok, ms: Date.now() - t0, checks });
  else {
    const mark = (c: { ok: boolean }) => (c.ok ? color.green('✓') : color.red('✗'));
    for (const c of checks)
      process.stdout.write(`${mark(c)} ${c.check.padEnd(40)} ${formatMs(c.ms).padStart(7)}  ${c.detail}\n`);
    const failed = checks.filter((c) => !c.ok).length;
    process.stdout.write(
      ok
        ? `\nSmoke test passed: ${checks.length} checks in ${formatMs(Date.now() - t0)}.\n`
        : `\nSmoke test failed: ${failed} of ${checks.length} checks. zkops status and zkops doctor say more.\n`,
    );
  }
  return ok ? ExitCode.ok : ExitCode.unhealthy;
}

interface Listed {
  path: string;
  decoded?: string;
  ephemeral?: boolean;
}

/** `zkops ls PATH [-R]`: children, or the whole subtree breadth first (requests pipelined on one session). */
export async function lsCommand(path: string, flags: ClientFlags & { recursive?: boolean }, out: OutputOptions) {
  checkPath(path);
  const listed = await withSession(flags, async (s) => {
    const join = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`);
    const children = await s.children(path).catch(noNode(path));
    const found: Listed[] = children.sort().map((c) => ({ path: join(path, c), decoded: decodeName(c) }));
    if (!flags.recursive) return found;
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
  if (out.json) printJson({ path, recursive: Boolean(flags.recursive), znodes: listed });
  else
    process.stdout.write(
      listed.map((l) => `${l.path}${l.decoded ? `\n    ${color.dim('→')} ${l.decoded}` : ''}\n`).join(''),
    );
  return ExitCode.ok;
}

function showData(data: Buffer): { text?: string; base64?: string } {
  const text = data.toString('utf8');
  // Text if it round-trips and has no control characters other than whitespace.
  return Buffer.from(text, 'utf8').equals(data) && !/[\u0000-\u0008\u000e-\u001f]/.test(text)
    ? { text }
    : { base64: data.toString('base64') };
}

/** `zkops get PATH`: data, stat and ACL. */
export async function getCommand(path: string, flags: ClientFlags, out: OutputOptions) {
  checkPath(path);
  const r = await withSession(flags, async (s) => {
    const [got, acl] = await Promise.all([s.get(path).catch(noNode(path)), s.acl(path).catch(noNode(path))]);
    return { ...got, acl };
  });
  const data = showData(r.data);
  if (out.json) {
    printJson({ path, data: data.text ?? null, dataBase64: data.base64 ?? null, stat: r.stat, acl: r.acl });
    return ExitCode.ok;
  }
  const decoded = decodeName(path.slice(path.lastIndexOf('/') + 1));
  const lines = [
    ...(decoded ? [`${color.dim('name:')} ${decoded}`] : []),
    data.text !== undefined ? data.text : `${color.dim('(binary, base64)')} ${data.base64}`,
    '',
    table(
      ['STAT', 'VALUE'],
      (Object.keys(r.stat) as (keyof ZnodeStat)[]).map((k) => [k, String(r.stat[k] ?? '-')]),
    ).trimEnd(),
    '',
    table(
      ['ACL', 'ID', 'PERMS'],
      r.acl.map((a) => [a.scheme, a.id, a.perms]),
    ).trimEnd(),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

/**
 * `zkops watch PATH`: PATH's own creation, changes and deletion, and its children coming and going, as they
 * happen, until interrupted. ZooKeeper's watches fire once: each is set again with the read that follows it, and
 * children are compared with the last listing, so an event between the two is not lost.
 */
export async function watchCommand(path: string, flags: ClientFlags, out: OutputOptions): Promise<number> {
  checkPath(path);
  const emit = (event: string, at: string, detail?: string) => {
    const time = new Date().toISOString();
    if (out.json) process.stdout.write(`${JSON.stringify({ time, event, path: at, ...(detail ? { detail } : {}) })}\n`);
    else process.stdout.write(`${time}  ${event.padEnd(9)} ${at}${detail ? `  ${detail}` : ''}\n`);
  };
  const { nodes, tls } = await targets(flags);
  const servers = nodes.map((t) => t.server).join(',');
  const s = await ZkSession.open(servers, { timeoutMs: flags.timeout * 1000, tls });
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
  await look();
  started = true;
  if (!out.json)
    process.stderr.write(
      `Watching ${path}${version === undefined ? ' (not there yet)' : ` (${known?.size ?? 0} children)`} on ` +
        `${servers}; Ctrl-C to stop.\n`,
    );
  await new Promise<void>((resolve) => {
    wake = resolve;
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  s.close();
  if (failure) throw failure;
  return ExitCode.ok;
}
