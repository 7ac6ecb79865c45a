/**
 * The pure part of znode edits: data as the operator typed it (text, JSON, base64) turned into bytes, ACLs
 * checked (digest, ip, world), the export document's shape, the plan an import would carry out, and the
 * fingerprints that let a later request prove it acts on what the operator was shown.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { ExitCode, ZkopsError } from '../errors.js';
import type { Acl } from '../client/session.js';
import { digest } from '../security/secrets.js';

/** How the operator entered a znode's data. */
export type DataFormat = 'text' | 'json' | 'base64';

const usage = (message: string) => new ZkopsError(message, ExitCode.usage);

/**
 * Where JSON.parse stopped, as line and column: never its own message, which quotes the input (Node 20:
 * `Unexpected token 'h', "...assword": hunter2..." is not valid JSON`) and would carry a znode's data into an
 * error, and so into the audit log.
 */
function jsonWhere(text: string, err: unknown): string {
  const message = (err as Error).message;
  if (/Unexpected end/.test(message)) return 'it ends early';
  const at = /at position (\d+)/.exec(message);
  const token = /^Unexpected (?:token|non-whitespace character)(?: '(.)')?/.exec(message);
  const what = token?.[1] ? `an unexpected '${token[1]}'` : 'a character JSON does not allow';
  if (!at) return what;
  const before = text.slice(0, Number(at[1])).split('\n');
  return `${what} at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** The bytes the operator means; JSON is checked (and stored as typed), base64 must be well-formed. */
export function decodeData(format: DataFormat, value: string): Buffer {
  if (format === 'text') return Buffer.from(value, 'utf8');
  if (format === 'json') {
    try {
      JSON.parse(value);
    } catch (err) {
      throw usage(`The data is not valid JSON (${jsonWhere(value, err)}); fix it, or save it as text.`);
    }
    return Buffer.from(value, 'utf8');
  }
  if (format === 'base64') {
    const v = value.replace(/\s+/g, '');
    if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      throw usage('The data is not valid base64 (A-Z, a-z, 0-9, + and /, padded with = to a multiple of 4).');
    return Buffer.from(v, 'base64');
  }
  throw usage(`Unknown data format "${String(format)}": expected text, json or base64.`);
}

/** An ACL entry as the page sends it: for digest, `id` is `user:hash`, or `user` with `password`. */
export interface AclInput {
  scheme: string;
  id: string;
  perms: string;
  password?: string;
}

/** Checks ACL entries (digest, ip and world only) and hashes digest passwords; never echoes a password. */
export function checkAcl(entries: AclInput[]): Acl[] {
  if (!Array.isArray(entries) || entries.length === 0)
    throw usage('An ACL needs at least one entry (e.g. world anyone cdrwa).');
  return entries.map((e, i) => {
    const at = `ACL entry ${i + 1}`;
    const perms = String(e.perms ?? '');
    if (!/^[cdrwa]+$/.test(perms) || new Set(perms).size !== perms.length)
      throw usage(`${at}: permissions "${perms}" are not letters of cdrwa (each at most once), e.g. cdrwa or r.`);
    const id = String(e.id ?? '').trim();
    if (e.scheme === 'world') {
      if (id !== 'anyone') throw usage(`${at}: the world scheme has one id, anyone (not "${id}").`);
      return { scheme: 'world', id, perms };
    }
    if (e.scheme === 'ip') {
      const [addr = '', bits, ...rest] = id.split('/');
      const max = isIP(addr) === 4 ? 32 : 128;
      if (!isIP(addr) || rest.length || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max)))
        throw usage(`${at}: "${id}" is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24).`);
      return { scheme: 'ip', id, perms };
    }
    if (e.scheme === 'digest') {
      if (e.password) {
        if (!/^[^:\s]+$/.test(id)) throw usage(`${at}: a digest user name has no colon or space ("${id}").`);
        return { scheme: 'digest', id: digest(id, e.password), perms };
      }
      if (!/^[^:\s]+:[A-Za-z0-9+/]{27}=$/.test(id))
        throw usage(`${at}: a digest id is user:hash (as ZooKeeper shows it), or give the user and a password.`);
      return { scheme: 'digest', id, perms };
    }
    throw usage(`${at}: scheme "${e.scheme}" cannot be edited here (digest, ip and world can).`);
  });
}

/** An ACL for the audit log: digest entries by user only (a hash can be attacked offline, a password more so). */
export function aclSummary(acl: Acl[]): string {
  return acl.map((a) => `${a.scheme}:${a.scheme === 'digest' ? a.id.split(':')[0] : a.id} ${a.perms}`).join(', ');
}

/** One znode of an export: path relative to the exported root ("" for the root itself), data in base64. */
export interface ExportedZnode {
  path: string;
  data: string;
  acl: Acl[];
}

/** A subtree as a file: persistent znodes only (ephemerals belong to their sessions and are listed apart). */
export interface ExportDocument {
  format: 'zkops-znodes';
  version: 1;
  cluster: string;
  root: string;
  exportedAt: string;
  znodes: ExportedZnode[];
  skippedEphemerals: string[];
}

const ACL_SCHEMA = z.object({ scheme: z.string(), id: z.string(), perms: z.string().regex(/^[cdrwa]+$/) });
const DOC_SCHEMA = z.object({
  format: z.literal('zkops-znodes'),
  version: z.literal(1),
  cluster: z.string(),
  root: z.string(),
  exportedAt: z.string(),
  znodes: z.array(
    z.object({
      path: z.string().regex(/^(\/[^/]+)*$/),
      data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
      acl: z.array(ACL_SCHEMA).min(1),
    }),
  ),
  skippedEphemerals: z.array(z.string()).default([]),
});

/** Reads an export document (a file's text or its parsed JSON), or says what is wrong with it. */
export function parseExport(input: unknown): ExportDocument {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw usage(`The file is not JSON (${jsonWhere(input, err)}): expected a zkops znode export.`);
    }
  }
  const r = DOC_SCHEMA.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw usage(
      `The file is not a zkops znode export (format zkops-znodes, version 1): ${first.path.join('.') || 'document'}: ` +
        `${first.message}.`,
    );
  }
  return r.data as ExportDocument;
}

/** `base` joined with a relative path ("" is base itself). */
export const under = (base: string, rel: string) => (rel === '' ? base : base === '/' ? rel : `${base}${rel}`);

/** A znode as it is now, for planning an import. */
export interface Present {
  data: string;
  acl: Acl[];
  version: number;
  aversion: number;
}

/** What an import does to one znode. */
export interface PlanItem {
  path: string;
  action: 'create' | 'change' | 'unchanged';
  data?: boolean;
  acl?: boolean;
  version?: number;
  aversion?: number;
}

/** What an import would do, and a fingerprint the apply request carries back. */
export interface ImportPlan {
  into: string;
  items: PlanItem[];
  counts: { create: number; change: number; unchanged: number };
  fingerprint: string;
}

const sameAcl = (a: Acl[], b: Acl[]) => {
  const key = (l: Acl[]) =>
    l
      .map((x) => `${x.scheme}|${x.id}|${[...x.perms].sort().join('')}`)
      .sort()
      .join(',');
  return key(a) === key(b);
};

/** The import plan of `doc` into `into`, given the znodes there now (by absolute path). */
export function planImport(doc: ExportDocument, into: string, now: Map<string, Present>): ImportPlan {
  const items: PlanItem[] = [...doc.znodes]
    .sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1))
    .map((zn) => {
      const path = under(into, zn.path);
      const cur = now.get(path);
      if (!cur) return { path, action: 'create' };
      const data = cur.data !== zn.data;
      const acl = !sameAcl(cur.acl, zn.acl);
      return {
        path,
        action: data || acl ? 'change' : 'unchanged',
        ...(data ? { data } : {}),
        ...(acl ? { acl } : {}),
        version: cur.version,
        aversion: cur.aversion,
      };
    });
  const count = (a: PlanItem['action']) => items.filter((i) => i.action === a).length;
  return {
    into,
    items,
    counts: { create: count('create'), change: count('change'), unchanged: count('unchanged') },
    fingerprint: fingerprint(items.map((i) => [i.path, i.action, i.version ?? -1, i.aversion ?? -1])),
  };
}

/** Depth of a path ("" and "/" are 0). */
export const depth = (p: string) => p.split('/').length - 1 - (p === '/' ? 1 : 0);

/** A short hash of a JSON-able value: two requests saw the same state when their fingerprints agree. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}
