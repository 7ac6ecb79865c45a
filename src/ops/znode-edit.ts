/**
 * Znode edits, each conditional on what the operator was shown: set and delete name the data version, setACL
 * the ACL version, create fails when the znode exists, and a recursive delete names the subtree's size and
 * fingerprint (every znode's path and versions) and removes it in multi requests that name every version. A
 * concurrent change is never overwritten: the edit comes back as a conflict carrying the znode as it is now.
 */
import { isNoNode, type Acl, type ZkSession, type ZnodeStat } from '../client/session.js';
import {
  createAt,
  multi,
  removeAt,
  setAclAt,
  setDataAt,
  TooBigForOneRequest,
  zkCode,
  ZK_CODES,
} from '../client/writes.js';
import { depth, fingerprint } from './znode-data.js';

/** The znode as it is now, shown beside the operator's stale one (null: it no longer exists). */
export type Current = { version: number; aversion: number; base64: string; acl: Acl[] } | null;

/** How an edit ended: done, or refused because the znode is not as the page showed it. */
export type EditResult =
  { outcome: 'done'; stat?: ZnodeStat; removed?: number } | { outcome: 'conflict'; message: string; current: Current };

/** The znode now (data, versions, ACL), or null when it is gone. */
export async function currentOf(s: ZkSession, path: string): Promise<Current> {
  try {
    const [g, acl] = await Promise.all([s.get(path), s.acl(path)]);
    return { version: g.stat.version, aversion: g.stat.aversion, base64: g.data.toString('base64'), acl };
  } catch (err) {
    if (isNoNode(err)) return null;
    throw err;
  }
}

/** Turns ZooKeeper's refusals (bad version, exists, not empty, gone) into a conflict; anything else is thrown. */
async function refusal(s: ZkSession, path: string, err: unknown, what: string): Promise<EditResult> {
  const code = zkCode(err);
  const known: number[] = [ZK_CODES.badVersion, ZK_CODES.exists, ZK_CODES.notEmpty, ZK_CODES.noNode];
  if (code === undefined || !known.includes(code)) throw err;
  const current = await currentOf(s, path);
  const why =
    code === ZK_CODES.exists
      ? `${path} already exists`
      : code === ZK_CODES.notEmpty
        ? `${path} has children now`
        : current === null
          ? `${path} no longer exists`
          : `${path} changed since the page read it`;
  return {
    outcome: 'conflict',
    message: `${why}, so ${what} was refused and nothing was written. Compare the two values, reload, and edit again.`,
    current,
  };
}

/** Sets the data if the data version is still `version`. */
export async function setZnode(s: ZkSession, path: string, data: Buffer, version: number): Promise<EditResult> {
  try {
    return { outcome: 'done', stat: await setDataAt(s, path, data, version) };
  } catch (err) {
    return refusal(s, path, err, `setting its data (expected version ${version})`);
  }
}

/** Creates the znode; refused if it exists. */
export async function createZnode(s: ZkSession, path: string, data: Buffer, acl: Acl[]): Promise<EditResult> {
  try {
    await createAt(s, path, data, acl);
    return { outcome: 'done', stat: await s.exists(path) };
  } catch (err) {
    if (isNoNode(err))
      return {
        outcome: 'conflict',
        message: `The parent of ${path} does not exist: create it first. Nothing was written.`,
        current: null,
      };
    return refusal(s, path, err, 'creating it');
  }
}

/** Deletes one znode (no children) if its data version is still `version`. */
export async function deleteZnode(s: ZkSession, path: string, version: number): Promise<EditResult> {
  try {
    await removeAt(s, path, version);
    return { outcome: 'done', removed: 1 };
  } catch (err) {
    return refusal(s, path, err, `deleting it (expected version ${version})`);
  }
}

/** Sets the ACL if the ACL version is still `aversion`. */
export async function setZnodeAcl(s: ZkSession, path: string, acl: Acl[], aversion: number): Promise<EditResult> {
  try {
    return { outcome: 'done', stat: await setAclAt(s, path, acl, aversion) };
  } catch (err) {
    return refusal(s, path, err, `setting its ACL (expected ACL version ${aversion})`);
  }
}

/** One znode of a subtree, with the versions a recursive delete checks. */
export interface TreeEntry {
  path: string;
  stat: ZnodeStat;
}

const join = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`);

/**
 * Every znode of the subtree at `root` (root included), breadth first, with its stat; requests pipelined,
 * up to 1,000 in flight. A znode that goes while it is read is left out.
 */
export async function readTree(s: ZkSession, root: string): Promise<TreeEntry[]> {
  const rootStat = await s.exists(root);
  if (!rootStat) return [];
  const out: TreeEntry[] = [{ path: root, stat: rootStat }];
  let level = [root];
  while (level.length) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 1000) {
      // A znode gone meanwhile has no children; any other error stops the count (a child hidden by an ACL
      // would make the count, and so the delete's confirmation, wrong).
      const kids = await Promise.all(
        level
          .slice(i, i + 1000)
          .map((p) =>
            s.children(p).catch((e) => (zkCode(e) === ZK_CODES.noNode ? ([] as string[]) : Promise.reject(e))),
          ),
      );
      kids.forEach((names, j) => next.push(...names.sort().map((n) => join(level[i + j]!, n))));
    }
    for (let i = 0; i < next.length; i += 1000) {
      const stats = await Promise.all(next.slice(i, i + 1000).map((p) => s.exists(p).catch(() => undefined)));
      stats.forEach((st, j) => st && out.push({ path: next[i + j]!, stat: st }));
    }
    level = next;
  }
  return out;
}

/** What a recursive delete would remove: the count and the fingerprint the delete request carries back. */
export function treeSummary(tree: TreeEntry[]): { count: number; fingerprint: string; ephemerals: number } {
  return {
    count: tree.length,
    // czxid too: a znode deleted and made again under the same name is another znode, with versions from 0.
    fingerprint: fingerprint(tree.map((e) => [e.path, e.stat.czxid, e.stat.version, e.stat.cversion])),
    ephemerals: tree.filter((e) => e.stat.ephemeralOwner).length,
  };
}

/**
 * Deletes the subtree at `root` if it is still what the page was shown (`count` znodes, `expected`
 * fingerprint): deepest first, each delete naming the version it was shown, in multi requests.
 */
export async function deleteTree(s: ZkSession, root: string, count: number, expected: string): Promise<EditResult> {
  const tree = await readTree(s, root);
  const now = treeSummary(tree);
  if (now.count !== count || now.fingerprint !== expected)
    return {
      outcome: 'conflict',
      message:
        `The subtree at ${root} changed since the page counted it (${count} znodes then, ${now.count} now), so ` +
        'nothing was deleted. Count it again and confirm the new number.',
      current: await currentOf(s, root),
    };
  const ops = [...tree]
    .sort((a, b) => depth(b.path) - depth(a.path))
    .map((e) => ({ op: 'remove' as const, path: e.path, version: e.stat.version }));
  try {
    await multi(s, ops);
  } catch (err) {
    if (err instanceof TooBigForOneRequest)
      return {
        outcome: 'conflict',
        message:
          `The subtree at ${root} is too big to delete all or nothing (${err.message}), so nothing was deleted. ` +
          'Delete its children in parts first.',
        current: await currentOf(s, root),
      };
    return refusal(s, root, err, 'the recursive delete');
  }
  return { outcome: 'done', removed: tree.length };
}
