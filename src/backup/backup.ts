/**
 * Backups: `takeBackup` copies a consistent set of one serving node's data
 * (the newest complete snapshot and the transaction logs from the one that
 * holds its zxid on, see files.ts) into a local directory with a manifest of
 * zxids, version and SHA-256 checksums; `restoreBackup` puts it back into
 * every node of a stopped ensemble, after checking every checksum and that no
 * node holds data newer than the backup (unless forced). A node's data is
 * never deleted: what was there is moved aside beside it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, PreflightError, UnhealthyError, ZkopsError } from '../errors.js';
import { execChecked } from '../executors/helpers.js';
import type { Executor } from '../executors/types.js';
import { probeCluster } from '../health/cluster.js';
import { pollUntil } from '../util/poll.js';
import type { NodeSpec } from '../inventory/spec.js';
import type { Runtime } from '../runtime/types.js';
import { sh } from '../shell.js';
import {
  hexZxid,
  lastZxidInLog,
  logEnd,
  newerByName,
  parseStat,
  pickConsistent,
  zxidOf,
  type DataFile,
} from './files.js';

export interface BackupFile {
  /** Where it lives on a node: beside the snapshots (dataDir) or the logs (dataLogDir, or dataDir without one). */
  dir: 'data' | 'datalog';
  name: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: 1;
  cluster: string;
  /** The node it was copied from, and its version. */
  node: number;
  version?: string;
  takenAt: string;
  snapshot: string;
  /** The last transaction the backup holds. */
  zxid: string;
  files: BackupFile[];
}

const MANIFEST = 'manifest.json';
const EPOCHS = ['currentEpoch', 'acceptedEpoch'];
const v2 = (dir: string) => path.posix.join(dir, 'version-2');
const logDirOf = (n: NodeSpec) => n.dataLogDir ?? n.dataDir;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The snapshots and logs a node holds, with sizes and times (one round trip). */
async function listData(ex: Executor, node: NodeSpec): Promise<{ snaps: DataFile[]; logs: DataFile[]; now: number }> {
  const r = await execChecked(
    ex,
    `date +%s; echo @@; cd ${sh(v2(node.dataDir))} 2>/dev/null && stat -c '%n %s %Y' snapshot.* 2>/dev/null; ` +
      `echo @@; cd ${sh(v2(logDirOf(node)))} 2>/dev/null && stat -c '%n %s %Y' log.* 2>/dev/null; true`,
  );
  const [now = '0', snaps = '', logs = ''] = r.split('@@\n');
  return { now: Number(now.trim()), snaps: parseStat(snaps), logs: parseStat(logs) };
}

/** Copies a consistent set of one serving node's data into `outDir` (which must not exist yet, or be empty). */
export async function takeBackup(rt: Runtime, outDir: string): Promise<BackupManifest> {
  const existing = await readdir(outDir).catch(() => undefined);
  if (existing && existing.length)
    throw new ZkopsError(
      `${outDir} is not empty: a backup goes into a new directory. Pick another -o.`,
      ExitCode.usage,
    );
  const reports = await probeCluster(rt.spec, 2000, false);
  const leader = reports.find((r) => r.health.mode === 'leader' || r.health.mode === 'standalone');
  // A follower (or observer) spares the leader; it must hold what the leader had when the backup began.
  const source = reports.find((r) => r.health.mode === 'follower' || r.health.mode === 'observer') ?? leader;
  if (!leader || !source)
    throw new UnhealthyError(
      `No node of ${rt.spec.name} serves in a quorum, so no copy of its data is known to be current; nothing was ` +
        'copied. zkops status and zkops doctor show why.',
    );
  const target = BigInt(leader.health.zxid ?? '0');
  // About 10 s for the source to reach what the leader had; after that the copy goes on from it as it is.
  if (source !== leader)
    await pollUntil(async () => (await probeCluster({ ...rt.spec, nodes: [source.node] }, 2000, false))[0]!, {
      until: (now) => BigInt(now.health.zxid ?? '0') >= target,
      timeoutMs: 10_000,
      intervalMs: 100,
      orLast: true,
    });
  const place = (await rt.places()).find((p) => p.node === source.node);
  if (!place) throw new UnhealthyError(`node ${source.node.id} serves but its files cannot be reached.`);
  const node = source.node;
  const listed = await listData(place.ex, node);
  const pick = pickConsistent(listed.snaps, listed.logs, listed.now);
  if (!pick)
    throw new UnhealthyError(
      `node ${node.id} has no snapshot yet in ${v2(node.dataDir)} (a new ensemble takes its first at start); ` +
        'try again in a moment.',
    );

  const tmp = `${outDir.replace(/\/+$/, '')}.zkops-${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(path.join(tmp, 'data'), { recursive: true });
  await mkdir(path.join(tmp, 'datalog'), { recursive: true });
  try {
    const files: BackupFile[] = [];
    const fetch = async (dir: 'data' | 'datalog', from: string, name: string) => {
      const local = path.join(tmp, dir, name);
      if (!(await place.ex.download(path.posix.join(from, name), local))) return false;
      // A log is preallocated (64 MiB of zeros by default): the copy keeps what holds transactions. ZooKeeper
      // reads a log up to its end either way, and writes its next transactions into a new one.
      if (dir === 'datalog') {
        const used = logEnd(await readFile(local));
        if (used !== undefined) await truncate(local, used);
      }
      files.push({ dir, name, bytes: (await stat(local)).size, sha256: await sha256(local) });
      return true;
    };
    // A snapshot or log gone between the listing and the copy (a purge ran) would leave a hole: start again.
    const required = async (dir: 'data' | 'datalog', from: string, name: string) => {
      if (!(await fetch(dir, from, name)))
        throw new UnhealthyError(
          `${name} left node ${node.id} while it was being copied (an autopurge, or a cleanup); nothing was kept. ` +
            'Run the backup again.',
        );
    };
    await required('data', v2(node.dataDir), pick.snapshot.name);
    for (const log of pick.logs) await required('datalog', v2(logDirOf(node)), log.name);
    for (const epoch of EPOCHS) await fetch('data', v2(node.dataDir), epoch);
    const lastLog = pick.logs[pick.logs.length - 1];
    const inLog = lastLog ? lastZxidInLog(await readFile(path.join(tmp, 'datalog', lastLog.name))) : undefined;
    const snapZxid = zxidOf(pick.snapshot.name)!;
    const manifest: BackupManifest = {
      format: 1,
      cluster: rt.spec.name,
      node: node.id,
      version: source.health.version,
      takenAt: new Date().toISOString(),
      snapshot: pick.snapshot.name,
      zxid: hexZxid(inLog !== undefined && inLog > snapZxid ? inLog : snapZxid),
      files,
    };
    await writeFile(path.join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existing) await rm(outDir, { recursive: true });
    await rename(tmp, outDir);
    return manifest;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Reads a backup's manifest and checks every file against it. */
export async function readBackup(dir: string): Promise<BackupManifest> {
  const text = await readFile(path.join(dir, MANIFEST), 'utf8').catch(() => undefined);
  if (!text)
    throw new ZkopsError(`${dir} is not a zkops backup: it has no ${MANIFEST}. Give the directory backup -o wrote.`, 2);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text) as BackupManifest;
    if (manifest.format !== 1 || !Array.isArray(manifest.files)) throw new Error('not a format 1 manifest');
    // Only ZooKeeper's own file names, in its two directories: a name is a path on every node.
    const bad = manifest.files.find(
      (f) =>
        !['data', 'datalog'].includes(f.dir) ||
        !/^(snapshot\.[0-9a-f]+(\.(gz|snappy))?|log\.[0-9a-f]+|currentEpoch|acceptedEpoch)$/.test(f.name),
    );
    if (bad) throw new Error(`it lists ${bad.dir}/${bad.name}, which is not a ZooKeeper data file`);
    if (!/^0x[0-9a-f]+$/.test(manifest.zxid)) throw new Error(`its zxid ${manifest.zxid} is not one`);
  } catch (err) {
    throw new ZkopsError(`${dir}/${MANIFEST} cannot be read (${(err as Error).message}); nothing was restored.`);
  }
  for (const f of manifest.files) {
    const file = path.join(dir, f.dir, f.name);
    const got = await sha256(file).catch(() => 'missing');
    if (got !== f.sha256) {
      const what = got === 'missing' ? 'missing' : 'not what was copied (its SHA-256 differs from the manifest)';
      throw new ZkopsError(
        `The backup in ${dir} is damaged: ${f.dir}/${f.name} is ${what}. Nothing was restored; use another backup.`,
      );
    }
  }
  return manifest;
}

/** Why a node's data is newer than the backup, or undefined. */
async function newerData(ex: Executor, node: NodeSpec, m: BackupManifest): Promise<string | undefined> {
  const listed = await listData(ex, node);
  const backupZxid = BigInt(m.zxid);
  const byName = newerByName([...listed.snaps, ...listed.logs], backupZxid);
  if (byName) return `${byName.name} starts after the backup's last transaction (${m.zxid})`;
  // A log that began before the backup's end may have gone on after it: read how far it goes.
  const lastBackupLog = m.files
    .filter((f) => f.dir === 'datalog')
    .map((f) => zxidOf(f.name)!)
    .reduce((a, z) => (z > a ? z : a), 0n);
  for (const log of listed.logs.filter((l) => zxidOf(l.name)! >= lastBackupLog)) {
    const tmp = path.join(os.tmpdir(), `zkops-log-${randomBytes(4).toString('hex')}`);
    try {
      if (!(await ex.download(path.posix.join(v2(logDirOf(node)), log.name), tmp))) continue;
      const last = lastZxidInLog(await readFile(tmp));
      if (last !== undefined && last > backupZxid)
        return `${log.name} goes on to ${hexZxid(last)}, past the backup's last transaction (${m.zxid})`;
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return undefined;
}

export interface RestoreOutcome {
  node: number;
  movedAside: string[];
}

/** Puts a backup into every node of a stopped ensemble. */
export async function restoreBackup(rt: Runtime, dir: string, options: { force?: boolean }): Promise<RestoreOutcome[]> {
  const m = await readBackup(dir);
  const running = [...(await rt.processes()).entries()].filter(([, p]) => p).map(([id]) => id);
  if (running.length)
    throw new PreflightError(
      `node${running.length > 1 ? 's' : ''} ${running.join(', ')} of ${rt.spec.name} still run${running.length > 1 ? '' : 's'}: ` +
        'a restore replaces the data of every node, so the whole ensemble must be stopped first (zkops stop). ' +
        'Nothing was restored.',
    );
  if (!options.force) {
    const newer = await Promise.all(
      rt.spec.nodes.map(async (n) => [n.id, await rt.dataAccess(n, (ex) => newerData(ex, n, m))] as const),
    );
    const found = newer.filter(([, why]) => why);
    if (found.length)
      throw new PreflightError(
        `The ensemble holds data newer than the backup (taken ${m.takenAt}, up to ${m.zxid}): ` +
          `${found.map(([id, why]) => `node ${id}: ${why}`).join('; ')}. Restoring would lose those transactions. ` +
          'Nothing was restored; pass --force to restore anyway (the newer data is moved aside, not deleted).',
      );
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return Promise.all(
    rt.spec.nodes.map((n) =>
      rt.dataAccess(n, async (ex) => {
        const dirs = [...new Set([n.dataDir, logDirOf(n)])];
        const aside = dirs.map((d) => `${v2(d)}.before-restore-${stamp}`);
        // Moved aside, never deleted; then the backup's files, owned like the data directory.
        await execChecked(
          ex,
          dirs
            .map((d, i) => `if [ -e ${sh(v2(d))} ]; then mv ${sh(v2(d))} ${sh(aside[i]!)}; fi; mkdir -p ${sh(v2(d))}`)
            .join('; '),
        );
        for (const f of m.files) {
          const to = path.posix.join(v2(f.dir === 'data' ? n.dataDir : logDirOf(n)), f.name);
          await ex.upload(path.join(dir, f.dir, f.name), to, 0o644);
        }
        await execChecked(
          ex,
          dirs.map((d) => `o=$(stat -c %u:%g ${sh(d)}) && chown -R "$o" ${sh(v2(d))}`).join(' && '),
        );
        const moved = (await ex.exec(aside.map((a) => `[ -e ${sh(a)} ] && echo ${sh(a)}`).join('; ') + '; true')).stdout
          .split('\n')
          .filter(Boolean);
        return { node: n.id, movedAside: moved };
      }),
    ),
  );
}
