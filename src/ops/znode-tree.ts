/**
 * A subtree to a file and back: export reads every persistent znode's data and ACL (ephemerals belong to their
 * sessions: listed, not exported); import plans first (what it would create, change, leave alone) and applies
 * only the plan the operator saw (its fingerprint), creates and data changes in multi requests that name each
 * version, then ACL changes each naming its ACL version.
 */
import type { ZkSession } from '../client/session.js';
import { multi, setAclAt, TooBigForOneRequest, zkCode, ZK_CODES, type MultiOp } from '../client/writes.js';
import { ExitCode, ZkopsError } from '../errors.js';
import { planImport, under, type ExportDocument, type ImportPlan, type Present } from './znode-data.js';
import { readTree, type EditResult } from './znode-edit.js';

/** Reads `paths`' data and ACL, up to 1,000 requests in flight; a znode gone meanwhile is left out. */
async function readAll(s: ZkSession, paths: string[]): Promise<Map<string, Present>> {
  const out = new Map<string, Present>();
  for (let i = 0; i < paths.length; i += 1000) {
    const got = await Promise.all(
      paths.slice(i, i + 1000).map(async (p) => {
        try {
          const [g, acl] = await Promise.all([s.get(p), s.acl(p)]);
          return { p, v: { data: g.data.toString('base64'), acl, version: g.stat.version, aversion: g.stat.aversion } };
        } catch {
          return undefined;
        }
      }),
    );
    for (const r of got) if (r) out.set(r.p, r.v);
  }
  return out;
}

/** The subtree at `root` as an export document. */
export async function exportTree(s: ZkSession, root: string, cluster: string): Promise<ExportDocument> {
  const tree = await readTree(s, root);
  if (!tree.length)
    // With ZooKeeper's "no node" code: a caller sharing a session keeps it (the session did not fail).
    throw Object.assign(new ZkopsError(`No znode ${root} in this ensemble: nothing to export.`, ExitCode.failure), {
      code: ZK_CODES.noNode,
    });
  const persistent = tree.filter((e) => !e.stat.ephemeralOwner).map((e) => e.path);
  const read = await readAll(s, persistent);
  const rel = (p: string) => (root === '/' ? (p === '/' ? '' : p) : p.slice(root.length));
  return {
    format: 'zkops-znodes',
    version: 1,
    cluster,
    root,
    exportedAt: new Date().toISOString(),
    znodes: persistent
      .filter((p) => read.has(p) && p !== '/zookeeper' && !p.startsWith('/zookeeper/'))
      .sort()
      .map((p) => ({ path: rel(p), data: read.get(p)!.data, acl: read.get(p)!.acl })),
    skippedEphemerals: tree.filter((e) => e.stat.ephemeralOwner).map((e) => e.path),
  };
}

/** What importing `doc` into `into` would do, read from the ensemble now. */
export async function planImportInto(s: ZkSession, doc: ExportDocument, into: string): Promise<ImportPlan> {
  // ZooKeeper's own znodes (quotas, config) are not an application's data: no path of the document may land there.
  const inside = doc.znodes
    .map((z) => under(into, z.path))
    .find((p) => p === '/zookeeper' || p.startsWith('/zookeeper/'));
  if (inside)
    throw new ZkopsError(
      `The import would write ${inside}, under /zookeeper (ZooKeeper's own znodes): nothing was imported. Import ` +
        'into another path, or leave those znodes out of the file.',
      ExitCode.usage,
    );
  const now = await readAll(
    s,
    doc.znodes.map((z) => under(into, z.path)),
  );
  return planImport(doc, into, now);
}

/**
 * Applies the import if its plan is still the one the operator saw (`expected` fingerprint). Creates and data
 * changes go first (each change naming its version), then ACL changes (each naming its ACL version).
 */
export async function applyImport(
  s: ZkSession,
  doc: ExportDocument,
  into: string,
  expected: string,
): Promise<EditResult & { plan: ImportPlan }> {
  const plan = await planImportInto(s, doc, into);
  const conflict = (message: string) => ({ outcome: 'conflict' as const, message, current: null, plan });
  if (plan.fingerprint !== expected)
    return conflict(
      `The znodes under ${into} changed since the dry run, so nothing was imported. Run the dry run again and ` +
        'apply the new plan.',
    );
  const byPath = new Map(doc.znodes.map((z) => [under(into, z.path), z]));
  const ops: MultiOp[] = [];
  for (const item of plan.items) {
    const z = byPath.get(item.path)!;
    const data = Buffer.from(z.data, 'base64');
    if (item.action === 'create') ops.push({ op: 'create', path: item.path, data, acl: z.acl });
    else if (item.data) ops.push({ op: 'set', path: item.path, data, version: item.version! });
  }
  try {
    try {
      await multi(s, ops);
    } catch (err) {
      if (err instanceof TooBigForOneRequest)
        return conflict(`The import is too big to write all or nothing (${err.message}), so nothing was imported.`);
      throw err;
    }
    for (const item of plan.items)
      if (item.acl) await setAclAt(s, item.path, byPath.get(item.path)!.acl, item.aversion!);
  } catch (err) {
    const code = zkCode(err);
    const at = (err as { path?: string }).path ?? into;
    if (code === ZK_CODES.noNode)
      return conflict(`The parent of ${at} does not exist: create it first. Nothing more was imported.`);
    if (code === ZK_CODES.badVersion || code === ZK_CODES.exists)
      return conflict(
        `${at} changed while importing, so that part was refused and not overwritten. Run the dry run again.`,
      );
    throw err;
  }
  return { outcome: 'done', plan };
}
