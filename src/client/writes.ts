/**
 * Conditional writes for the dashboard's znode edits: every one names the version it expects (data version for
 * setData and delete, ACL version for setACL), and create fails when the znode exists, so a concurrent change is
 * refused by ZooKeeper itself rather than overwritten. Several writes that belong together go as one multi
 * request (all or nothing).
 */
import zookeeper, { type ACL } from 'node-zookeeper-client';
import { ExitCode, ZkopsError } from '../errors.js';
import { call, readStat, type Acl, type ZkSession, type ZnodeStat } from './session.js';

/** ZooKeeper's answers that an edit turns into a refusal rather than a failure. */
export const ZK_CODES = {
  noNode: zookeeper.Exception.NO_NODE,
  exists: zookeeper.Exception.NODE_EXISTS,
  badVersion: zookeeper.Exception.BAD_VERSION,
  notEmpty: zookeeper.Exception.NOT_EMPTY,
  noAuth: zookeeper.Exception.NO_AUTH,
} as const;

/** The ZooKeeper error code an error carries, if any. */
export const zkCode = (err: unknown): number | undefined => (err as { code?: number })?.code;

const BITS: Record<string, number> = {
  c: zookeeper.Permission.CREATE,
  d: zookeeper.Permission.DELETE,
  r: zookeeper.Permission.READ,
  w: zookeeper.Permission.WRITE,
  a: zookeeper.Permission.ADMIN,
};

/** An ACL entry as the library takes it (perms as zkCli's letters, cdrwa). */
export function libAcl(a: Acl): ACL {
  const bits = [...a.perms].reduce((n, l) => n | (BITS[l] ?? 0), 0);
  return new zookeeper.ACL(bits, new zookeeper.Id(a.scheme, a.id));
}

/** Creates `path` with `data` and `acl`; fails (code NODE_EXISTS) when it exists. */
export async function createAt(s: ZkSession, path: string, data: Buffer, acl: Acl[]): Promise<void> {
  await call<string>(path, (cb) => s.lib.create(path, data, acl.map(libAcl), zookeeper.CreateMode.PERSISTENT, cb));
}

/** Sets `path`'s data if its data version is still `version` (else code BAD_VERSION); the new stat. */
export async function setDataAt(s: ZkSession, path: string, data: Buffer, version: number): Promise<ZnodeStat> {
  const r = await call<unknown>(path, (cb) => s.lib.setData(path, data, version, cb));
  return readStat((r.value ?? r.stat) as Parameters<typeof readStat>[0]);
}

/** Deletes `path` if its data version is still `version` and it has no children. */
export async function removeAt(s: ZkSession, path: string, version: number): Promise<void> {
  await call<undefined>(path, (cb) => s.lib.remove(path, version, (err) => cb(err, undefined)));
}

/** Sets `path`'s ACL if its ACL version is still `aversion`; the new stat. */
export async function setAclAt(s: ZkSession, path: string, acl: Acl[], aversion: number): Promise<ZnodeStat> {
  const r = await call<unknown>(path, (cb) => s.lib.setACL(path, acl.map(libAcl), aversion, cb));
  return readStat((r.value ?? r.stat) as Parameters<typeof readStat>[0]);
}

/** One operation of a multi request. */
export type MultiOp =
  | { op: 'create'; path: string; data: Buffer; acl: Acl[] }
  | { op: 'set'; path: string; data: Buffer; version: number }
  | { op: 'remove'; path: string; version: number };

/** Requests stay well under ZooKeeper's 1 MB jute.maxbuffer. */
const MULTI_BYTES = 512 * 1024;

/** Splits operations into multi requests of at most MULTI_BYTES each (in order). */
export function chunkOps(ops: MultiOp[]): MultiOp[][] {
  const out: MultiOp[][] = [];
  let cur: MultiOp[] = [];
  let size = 0;
  for (const o of ops) {
    const n = 64 + Buffer.byteLength(o.path) + ('data' in o ? o.data.length : 0);
    if (cur.length && size + n > MULTI_BYTES) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(o);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Thrown by `multi` for writes that do not fit one atomic request: nothing was sent. */
export class TooBigForOneRequest extends Error {}

/**
 * Runs the operations as one multi request: all or nothing. Writes beyond MULTI_BYTES are refused before
 * anything is sent (TooBigForOneRequest): several requests would not be all or nothing, and a refusal half way
 * would leave part written. A refused request throws with the failing operation's code and path.
 */
export async function multi(s: ZkSession, ops: MultiOp[]): Promise<void> {
  const chunks = chunkOps(ops);
  if (chunks.length > 1)
    throw new TooBigForOneRequest(
      `${ops.length} writes (over ${MULTI_BYTES / 1024} KB) do not fit one all-or-nothing request`,
    );
  for (const chunk of chunks) {
    const t = s.lib.transaction();
    for (const o of chunk) {
      if (o.op === 'create') t.create(o.path, o.data, o.acl.map(libAcl), zookeeper.CreateMode.PERSISTENT);
      else if (o.op === 'set') t.setData(o.path, o.data, o.version);
      else t.remove(o.path, o.version);
    }
    await new Promise<void>((resolve, reject) =>
      t.commit((err, results) => {
        if (!err) return resolve();
        const i = (results ?? []).findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2);
        const at = chunk[i]?.path ?? chunk[0]!.path;
        const e = new ZkopsError(`${at}: ${(err as Error).name ?? err.message}`, ExitCode.failure);
        Object.assign(e, { code: err.code ?? (i >= 0 ? results![i]!.err : undefined), path: at });
        reject(e);
      }),
    );
  }
}
