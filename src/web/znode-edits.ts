/**
 * The dashboard's znode edits (`zkops ui --allow-writes`): POST /api/c/NAME/{create,set,delete,subtree,acl,import}
 * and GET /api/c/NAME/{edits,export}. Without the flag every edit is refused with 403 and the page shows no
 * controls; export is a read and always served. Requests have passed the server's token, Host and Origin checks
 * (security.ts) before they get here. Every edit, done or refused, goes to the cluster's audit log with who (the
 * OS user), from where (the page's client address), the path and the versions or sizes — never the data, and
 * for digest ACLs the user name only.
 */
import type http from 'node:http';
import type { ZkSession } from '../client/session.js';
import { zkCode, ZK_CODES } from '../client/writes.js';
import { appendAudit } from '../support/audit.js';
import { checkPath } from '../ops/client.js';
import { aclSummary, checkAcl, decodeData, parseExport, type AclInput, type DataFormat } from '../ops/znode-data.js';
import {
  createZnode,
  deleteTree,
  deleteZnode,
  readTree,
  setZnode,
  setZnodeAcl,
  treeSummary,
  type EditResult,
} from '../ops/znode-edit.js';
import { applyImport, exportTree, planImportInto } from '../ops/znode-tree.js';
import type { WatchedCluster } from './clusters.js';
import { send, sendJson, type Redact } from './respond.js';
import { withSession } from './znodes.js';

/** The endpoints this module answers. */
export const EDIT_ENDPOINTS = new Set(['edits', 'export', 'create', 'set', 'delete', 'subtree', 'acl', 'import']);

/** What an edit request needs from the server. */
export interface EditContext {
  allowWrites: boolean;
  redact: Redact;
}

/** The largest body taken (an import of a big subtree is the largest). */
const MAX_BODY = 64 * 1024 * 1024;

/** The request's JSON body, or a usage error. */
async function body(req: http.IncomingMessage): Promise<Record<string, any>> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('The request is larger than 64 MB.'), { status: 413 });
    parts.push(chunk as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(parts).toString('utf8'));
    if (v && typeof v === 'object') return v;
  } catch {
    // said below
  }
  throw Object.assign(new Error('The request body is not a JSON object.'), { status: 400 });
}

const num = (v: unknown, name: string): number => {
  // -1 ("any version") is refused too: every edit names the version the page showed.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw Object.assign(new Error(`The request lacks ${name} (the version the page showed).`), { status: 400 });
  return v;
};

/** Answers one edit endpoint. */
export async function editRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  c: WatchedCluster,
  what: string,
  url: URL,
  ctx: EditContext,
): Promise<void> {
  const json = (value: unknown, code = 200) => sendJson(res, code, value, ctx.redact);
  if (what === 'edits' && req.method === 'GET') return json({ allowWrites: ctx.allowWrites });
  if (what === 'export' && req.method === 'GET') {
    const path = url.searchParams.get('path') ?? '/';
    let doc;
    try {
      checkPath(path);
      doc = await withSession(c, (s) => exportTree(s, path, c.name));
    } catch (err) {
      const e = err as Error & { exitCode?: number; code?: number };
      return json({ error: e.message }, e.exitCode === 2 ? 400 : e.code === ZK_CODES.noNode ? 404 : 500);
    }
    const name = `${c.name}${path === '/' ? '' : path.replace(/\//g, '_')}.znodes.json`;
    res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`);
    return send(res, 200, 'application/json; charset=utf-8', ctx.redact(JSON.stringify(doc, null, 1)));
  }
  if (req.method !== 'POST') return json({ error: `${req.method} is not allowed here` }, 405);
  if (!ctx.allowWrites)
    return json(
      {
        error:
          'This dashboard is read-only: znode edits are off. Start it with zkops ui --allow-writes to create, set, ' +
          'delete, import znodes and edit ACLs.',
      },
      403,
    );
  const via = `dashboard ${req.socket.remoteAddress ?? '?'}`;
  let detail = '';
  const t0 = Date.now();
  const audit = (operation: string, outcome: 'done' | 'failed' | 'refused', error?: string) =>
    appendAudit(c.spec, {
      via,
      operation: `znode ${operation}`,
      detail,
      outcome,
      ms: Date.now() - t0,
      ...(error ? { error: error.split('\n')[0]!.slice(0, 300) } : {}),
    }).catch(() => undefined);
  let b: Record<string, any> = {};
  try {
    b = await body(req);
    const path = checkPath(String(b.path ?? ''));
    detail = `path=${path}`;
    if (path === '/zookeeper' || path.startsWith('/zookeeper/') || (path === '/' && what === 'delete'))
      throw Object.assign(
        new Error(`${path} is ZooKeeper's own (${path === '/' ? 'the root' : 'quotas, config'}): not edited here.`),
        { status: 400 },
      );
    // A mistake in the request (bad JSON, an ACL ZooKeeper would misread) or a refusal by ACL is returned out of
    // the session's callback, so that the shared session is not dropped as if it had failed.
    const got = await withSession(c, (s) =>
      perform(s, what, path, b, (d) => (detail += ` ${d}`)).catch((err: unknown) => {
        if (zkCode(err) === ZK_CODES.noAuth) return { thrown: noAuth(path) };
        if (zkCode(err) === undefined) return { thrown: err };
        throw err;
      }),
    );
    if ('thrown' in got) throw got.thrown;
    const edit = got;
    if ('read' in edit) return json(edit.read);
    await audit(what, edit.outcome === 'done' ? 'done' : 'refused', edit.outcome === 'conflict' ? edit.message : '');
    return json(edit, edit.outcome === 'done' ? 200 : 409);
  } catch (err) {
    const e = err as Error & { status?: number; exitCode?: number };
    const status = e.status ?? (e.exitCode === 2 ? 400 : 500);
    if (what !== 'subtree' && !(what === 'import' && b.dryRun)) await audit(what, 'failed', e.message);
    return json({ error: e.message }, status);
  }
}

/** ZooKeeper's "no auth" said as what it means here. */
const noAuth = (path: string) =>
  Object.assign(
    new Error(
      `ZooKeeper refused: the ACL of ${path} (or of its parent, for a create) does not give this dashboard's ` +
        'session that permission (it is unauthenticated and known by its address only). Nothing was written.',
    ),
    { status: 403 },
  );

/** Runs one edit (or, for subtree and an import's dry run, the read that prepares it). */
async function perform(
  s: ZkSession,
  what: string,
  path: string,
  b: Record<string, any>,
  note: (detail: string) => void,
): Promise<EditResult | { read: unknown }> {
  const data = () => {
    const buf = decodeData(b.format as DataFormat, String(b.value ?? ''));
    note(`bytes=${buf.length} format=${String(b.format)}`);
    return buf;
  };
  switch (what) {
    case 'subtree':
      return { read: treeSummary(await readTree(s, path)) };
    case 'set': {
      const version = num(b.version, 'version');
      note(`version=${version}`);
      return setZnode(s, path, data(), version);
    }
    case 'create': {
      const acl = checkAcl((b.acl as AclInput[]) ?? [{ scheme: 'world', id: 'anyone', perms: 'cdrwa' }]);
      const buf = data();
      note(`acl=[${aclSummary(acl)}]`);
      return createZnode(s, path, buf, acl);
    }
    case 'delete': {
      if (b.recursive) {
        const count = num(b.count, 'count');
        note(`recursive count=${count}`);
        return deleteTree(s, path, count, String(b.fingerprint ?? ''));
      }
      const version = num(b.version, 'version');
      note(`version=${version}`);
      return deleteZnode(s, path, version);
    }
    case 'acl': {
      const aversion = num(b.aversion, 'aversion');
      const acl = checkAcl(b.acl as AclInput[]);
      note(`aversion=${aversion} acl=[${aclSummary(acl)}]`);
      return setZnodeAcl(s, path, acl, aversion);
    }
    case 'import': {
      const doc = parseExport(b.document);
      note(`from=${doc.cluster}:${doc.root} znodes=${doc.znodes.length}`);
      if (b.dryRun) return { read: await planImportInto(s, doc, path) };
      const r = await applyImport(s, doc, path, String(b.fingerprint ?? ''));
      note(`create=${r.plan.counts.create} change=${r.plan.counts.change} unchanged=${r.plan.counts.unchanged}`);
      return r;
    }
  }
  throw Object.assign(new Error(`no endpoint ${what}`), { status: 404 });
}
