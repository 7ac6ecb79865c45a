import { describe, expect, it } from 'vitest';
import { lastZxidInLog, logEnd, newerByName, parseStat, pickConsistent } from '../../src/backup/files.js';

/** A transaction log as ZooKeeper writes it: header, records, then preallocated zeros. */
function log(zxids: bigint[], padding = 64): Buffer {
  const header = Buffer.alloc(16);
  header.write('ZKLG', 0, 'latin1');
  header.writeInt32BE(2, 4);
  const records = zxids.map((z) => {
    const txn = Buffer.alloc(28); // client id 8, cxid 4, zxid 8, time 8 (and a body in real logs)
    txn.writeBigInt64BE(z, 12);
    const rec = Buffer.alloc(12 + txn.length + 1);
    rec.writeInt32BE(txn.length, 8);
    txn.copy(rec, 12);
    rec[rec.length - 1] = 0x42;
    return rec;
  });
  return Buffer.concat([header, ...records, Buffer.alloc(padding)]);
}

describe('backup files', () => {
  it('reads the last transaction of a log and where its records end, ignoring the preallocated zeros', () => {
    const buf = log([0x100000001n, 0x100000002n, 0x100000005n]);
    expect(lastZxidInLog(buf)).toBe(0x100000005n);
    expect(logEnd(buf)).toBe(buf.length - 64);
    // A torn last record is not counted.
    expect(lastZxidInLog(buf.subarray(0, buf.length - 64 - 3))).toBe(0x100000002n);
    expect(lastZxidInLog(Buffer.from('not a log'))).toBeUndefined();
  });

  it('picks the newest complete snapshot and the logs from the one holding its zxid on', () => {
    const snaps = parseStat('snapshot.100000000 600 100\nsnapshot.100000050 900 195\nsnapshot.100000090 10 199\n');
    const logs = parseStat('log.100000001 67108880 150\nlog.100000040 67108880 190\nlog.100000080 67108880 199\n');
    // At t=200 the newest snapshot is a second old (maybe still being written): the one before it is taken.
    const pick = pickConsistent(snaps, logs, 200)!;
    expect(pick.snapshot.name).toBe('snapshot.100000050');
    expect(pick.logs.map((l) => l.name)).toEqual(['log.100000040', 'log.100000080']);
    expect(pickConsistent([], logs, 200)).toBeUndefined();
  });

  it('says which file of a node is newer than a backup by its name', () => {
    const files = parseStat('log.100000001 64 1\nsnapshot.200000000 600 2\n');
    expect(newerByName(files, 0x100002713n)?.name).toBe('snapshot.200000000');
    expect(newerByName(files, 0x200000000n)).toBeUndefined();
  });
});
