/**
 * ZooKeeper's data files by name: snapshot.<zxid> (3.6+ may add .gz or
 * .snappy) in dataDir/version-2, log.<zxid> (the zxid of its first
 * transaction) in dataLogDir/version-2, and the epoch files beside the
 * snapshots. A consistent copy is the newest complete snapshot plus every
 * transaction log from the one that holds the snapshot's zxid on: ZooKeeper
 * itself recovers that way (snapshots are fuzzy; the logs replay over them).
 */

export interface DataFile {
  name: string;
  bytes: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const SNAPSHOT = /^snapshot\.([0-9a-f]+)(?:\.(?:gz|snappy))?$/;
const LOG = /^log\.([0-9a-f]+)$/;

export const zxidOf = (name: string): bigint | undefined => {
  const m = SNAPSHOT.exec(name) ?? LOG.exec(name);
  return m ? BigInt(`0x${m[1]}`) : undefined;
};

/** `stat -c '%n %s %Y'` output as files. */
export function parseStat(text: string): DataFile[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length === 3 && /^\d+$/.test(p[1]!) && /^\d+$/.test(p[2]!))
    .map(([name, bytes, mtime]) => ({ name: name!.replace(/^.*\//, ''), bytes: Number(bytes), mtime: Number(mtime) }));
}

/**
 * What to copy: the newest snapshot that is complete (not written in the last `settleSeconds`: a snapshot is
 * written in place), and the logs from the one holding its zxid on. Undefined when there is no snapshot.
 */
export function pickConsistent(
  snaps: DataFile[],
  logs: DataFile[],
  now: number,
  settleSeconds = 2,
): { snapshot: DataFile; logs: DataFile[] } | undefined {
  const bySnap = snaps
    .filter((f) => SNAPSHOT.test(f.name))
    .sort((a, b) => (zxidOf(b.name)! > zxidOf(a.name)! ? 1 : -1));
  const snapshot = bySnap.find((f) => now - f.mtime >= settleSeconds) ?? bySnap[bySnap.length - 1];
  if (!snapshot) return undefined;
  const at = zxidOf(snapshot.name)!;
  const sorted = logs.filter((f) => LOG.test(f.name)).sort((a, b) => (zxidOf(a.name)! > zxidOf(b.name)! ? 1 : -1));
  const first = sorted.map((f) => zxidOf(f.name)! <= at).lastIndexOf(true);
  return { snapshot, logs: sorted.slice(Math.max(0, first)) };
}

/**
 * The zxid of the last complete transaction in a transaction log (its bytes): a 16-byte header ("ZKLG", version,
 * dbid), then records of checksum (8), length (4), the transaction (its header: client id 8, cxid 4, zxid 8, ...)
 * and an end-of-record byte "B"; the rest of the file is preallocated zeros. Undefined when it holds none.
 */
export function lastZxidInLog(buf: Buffer): bigint | undefined {
  return scanLog(buf)?.zxid;
}

/** Where a log's last complete record ends (the rest is preallocated zeros, or a torn write). */
export function logEnd(buf: Buffer): number | undefined {
  return scanLog(buf)?.end;
}

function scanLog(buf: Buffer): { zxid?: bigint; end: number } | undefined {
  if (buf.length < 16 || buf.toString('latin1', 0, 4) !== 'ZKLG') return undefined;
  let off = 16;
  let zxid: bigint | undefined;
  while (off + 12 <= buf.length) {
    const len = buf.readInt32BE(off + 8);
    const start = off + 12;
    if (len < 20 || start + len + 1 > buf.length || buf[start + len] !== 0x42) break;
    zxid = buf.readBigInt64BE(start + 12);
    off = start + len + 1;
  }
  return { zxid, end: off };
}

export const hexZxid = (z: bigint) => `0x${z.toString(16)}`;

/**
 * A file of a node's data whose name alone says it is newer than a backup that reaches `backupZxid`: a snapshot or
 * a log that starts after it. (A log that starts before it may still hold more: the caller reads that one.)
 */
export function newerByName(existing: DataFile[], backupZxid: bigint): DataFile | undefined {
  return existing.find((f) => (zxidOf(f.name) ?? -1n) > backupZxid);
}
