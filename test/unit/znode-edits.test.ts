/**
 * The pure parts of znode edits: data typed as text, JSON or base64 turned into bytes (with clear refusals),
 * ACL entries checked and digest passwords hashed (never kept), the audit's ACL summary without hashes, the
 * export document read back or refused, the import plan (create, change, unchanged, with the versions it will
 * name), the subtree fingerprint, and multi requests kept under ZooKeeper's request size.
 */
import { describe, expect, it } from 'vitest';
import { chunkOps, type MultiOp } from '../../src/client/writes.js';
import type { ZnodeStat } from '../../src/client/session.js';
import {
  aclSummary,
  checkAcl,
  decodeData,
  parseExport,
  planImport,
  under,
  type ExportDocument,
} from '../../src/ops/znode-data.js';
import { treeSummary } from '../../src/ops/znode-edit.js';
import { digest } from '../../src/security/secrets.js';

const world = [{ scheme: 'world', id: 'anyone', perms: 'cdrwa' }];

describe('data as the operator typed it', () => {
  it('takes text and JSON as UTF-8, base64 binary-safe', () => {
    expect(decodeData('text', 'héllo').equals(Buffer.from('héllo'))).toBe(true);
    expect(decodeData('json', '{"a": 1}').toString()).toBe('{"a": 1}');
    const bin = Buffer.from([0, 255, 1, 254]);
    expect(decodeData('base64', ` ${bin.toString('base64')}\n`).equals(bin)).toBe(true);
    expect(decodeData('text', '').length).toBe(0);
  });
  it('refuses invalid JSON and base64 with one clear sentence', () => {
    expect(() => decodeData('json', '{"a": }')).toThrow(/not valid JSON \(.*\); fix it, or save it as text/);
    expect(() => decodeData('base64', 'abc')).toThrow(/not valid base64/);
    expect(() => decodeData('base64', 'ab$=')).toThrow(/not valid base64/);
    expect(() => decodeData('yaml' as never, 'x')).toThrow(/Unknown data format "yaml"/);
  });
});

describe('ACL entries', () => {
  it('checks world, ip and digest; hashes a digest password and keeps no trace of it', () => {
    const acl = checkAcl([
      { scheme: 'digest', id: 'alice', password: 's3cret-pw', perms: 'cdrwa' },
      { scheme: 'ip', id: '10.0.0.0/24', perms: 'r' },
      { scheme: 'ip', id: '::1', perms: 'rw' },
      { scheme: 'world', id: 'anyone', perms: 'r' },
    ]);
    expect(acl[0]).toEqual({ scheme: 'digest', id: digest('alice', 's3cret-pw'), perms: 'cdrwa' });
    expect(JSON.stringify(acl)).not.toContain('s3cret-pw');
    // An existing digest entry, as ZooKeeper shows it, is kept as it is.
    expect(checkAcl([{ scheme: 'digest', id: acl[0]!.id, perms: 'r' }])[0]!.id).toBe(acl[0]!.id);
    const summary = aclSummary(acl);
    expect(summary).toBe('digest:alice cdrwa, ip:10.0.0.0/24 r, ip:::1 rw, world:anyone r');
    expect(summary).not.toContain(acl[0]!.id.split(':')[1]);
  });
  it('refuses what ZooKeeper would misread', () => {
    expect(() => checkAcl([])).toThrow(/at least one entry/);
    expect(() => checkAcl([{ scheme: 'world', id: 'everyone', perms: 'r' }])).toThrow(/one id, anyone/);
    expect(() => checkAcl([{ scheme: 'ip', id: '10.0.0.300', perms: 'r' }])).toThrow(/not an IP address/);
    expect(() => checkAcl([{ scheme: 'ip', id: '10.0.0.0/33', perms: 'r' }])).toThrow(/not an IP address/);
    expect(() => checkAcl([{ scheme: 'digest', id: 'alice', perms: 'r' }])).toThrow(/user:hash/);
    expect(() => checkAcl([{ scheme: 'world', id: 'anyone', perms: 'rx' }])).toThrow(/cdrwa/);
    expect(() => checkAcl([{ scheme: 'world', id: 'anyone', perms: 'rr' }])).toThrow(/each at most once/);
    expect(() => checkAcl([{ scheme: 'sasl', id: 'zk', perms: 'r' }])).toThrow(/digest, ip and world can/);
  });
});

const doc = (znodes: ExportDocument['znodes']): ExportDocument => ({
  format: 'zkops-znodes',
  version: 1,
  cluster: 'c',
  root: '/app',
  exportedAt: '2026-01-01T00:00:00.000Z',
  znodes,
  skippedEphemerals: [],
});

describe('export documents and import plans', () => {
  it('reads an export back, from text or parsed, and refuses anything else with where it is wrong', () => {
    const d = doc([{ path: '', data: 'eA==', acl: world }]);
    expect(parseExport(JSON.stringify(d))).toEqual(d);
    expect(parseExport(d)).toEqual(d);
    expect(() => parseExport('{')).toThrow(/not JSON/);
    expect(() => parseExport({ ...d, format: 'other' })).toThrow(/format: /);
    expect(() => parseExport(doc([{ path: 'no-slash', data: '', acl: world }]))).toThrow(/znodes\.0\.path/);
    expect(() => parseExport(doc([{ path: '/a', data: '', acl: [] }]))).toThrow(/znodes\.0\.acl/);
  });
  it('plans creates, changes (data, ACL) and unchanged, parents first, with the versions it will name', () => {
    const d = doc([
      { path: '/b/c', data: 'Yw==', acl: world },
      { path: '', data: '', acl: world },
      { path: '/a', data: 'YQ==', acl: world },
      { path: '/b', data: 'Yg==', acl: world },
    ]);
    const now = new Map([
      ['/copy', { data: '', acl: world, version: 0, aversion: 0 }],
      ['/copy/a', { data: 'eA==', acl: world, version: 4, aversion: 0 }],
      ['/copy/b', { data: 'Yg==', acl: [{ scheme: 'world', id: 'anyone', perms: 'r' }], version: 1, aversion: 2 }],
    ]);
    const p = planImport(d, '/copy', now);
    expect(p.items).toEqual([
      { path: '/copy', action: 'unchanged', version: 0, aversion: 0 },
      { path: '/copy/a', action: 'change', data: true, version: 4, aversion: 0 },
      { path: '/copy/b', action: 'change', acl: true, version: 1, aversion: 2 },
      { path: '/copy/b/c', action: 'create' },
    ]);
    expect(p.counts).toEqual({ create: 1, change: 2, unchanged: 1 });
    // Another version anywhere is another plan.
    const later = new Map(now).set('/copy/a', { ...now.get('/copy/a')!, version: 5 });
    expect(planImport(d, '/copy', later).fingerprint).not.toBe(p.fingerprint);
    expect(planImport(d, '/copy', new Map(now)).fingerprint).toBe(p.fingerprint);
    // ACL entries in another order, permissions in another order: no change.
    const reordered = new Map(now).set('/copy/b', {
      ...now.get('/copy/b')!,
      acl: [{ scheme: 'world', id: 'anyone', perms: 'wrdac' }],
    });
    expect(planImport(d, '/copy', reordered).items[2]!.action).toBe('unchanged');
    expect(under('/', '/a')).toBe('/a');
    expect(under('/x', '')).toBe('/x');
  });
});

describe('subtrees and multi requests', () => {
  const stat = (version: number, cversion = 0) => ({ version, cversion }) as ZnodeStat;
  it("fingerprints a subtree by every znode's path and versions", () => {
    const tree = [
      { path: '/a', stat: stat(0, 1) },
      { path: '/a/b', stat: stat(3) },
    ];
    const s = treeSummary(tree);
    expect(s.count).toBe(2);
    expect(treeSummary([tree[0]!, { path: '/a/b', stat: stat(4) }]).fingerprint).not.toBe(s.fingerprint);
    expect(treeSummary([tree[0]!, { path: '/a/b', stat: stat(3) }]).fingerprint).toBe(s.fingerprint);
  });
  it('keeps each multi request well under 1 MB, in order', () => {
    const ops: MultiOp[] = Array.from({ length: 30 }, (_, i) => ({
      op: 'create',
      path: `/big/${i}`,
      data: Buffer.alloc(100_000),
      acl: world,
    }));
    const chunks = chunkOps(ops);
    expect(chunks.length).toBe(6);
    expect(chunks.flat().map((o) => o.path)).toEqual(ops.map((o) => o.path));
    const small = Array.from({ length: 1001 }, (_, i) => ({ op: 'remove' as const, path: `/t/${i}`, version: 0 }));
    expect(chunkOps(small)).toHaveLength(1);
  });
});
