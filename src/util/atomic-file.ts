/**
 * Files on the machine that runs zkops (saved inventories, the cluster's
 * secrets, client certificates, adopted inventories, support bundles, the
 * validated-inventory cache, and the node files of clusters on this machine),
 * replaced atomically and durably: written to a temporary beside the file,
 * fsynced, renamed over it, and the directory fsynced. A reader sees the old
 * file or the new one, never half of one, and a crash right after the rename
 * cannot leave an empty file behind (rename without fsync can, on ext4 and xfs).
 *
 * Written by hand rather than with write-file-atomic: that library does not
 * fsync the directory, and zkops also needs a synchronous variant (the cache,
 * at start-up), a copy into place (uploads, downloads) and a stream into
 * place (bundles) through the same temporaries and the same sweep.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Where a file is put: its mode (exactly, whatever the umask), and whether its directory is made first. */
export interface AtomicOptions {
  /** The file's mode; undefined keeps what the writer gave the temporary. */
  mode?: number;
  /** Create the parent directories first. */
  mkdir?: boolean;
}

/**
 * The temporary a write of `file` goes through: beside it (same filesystem, so the rename is atomic), named with
 * this process's pid so that a sweep can tell a killed writer's leftovers from those of a zkops writing right now,
 * and a random part so that two writes of one file in one process never share one.
 */
function temporaryOf(file: string): string {
  return `${file}.zkops-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

// After the file's own name: this module's temporaries, and those zkops wrote as `<file>.<pid>.tmp` before it.
const TEMPORARY = /^\.zkops-(\d+)-[0-9a-f]{8}\.tmp$/;
const OLDER_TEMPORARY = /^\.(\d+)\.tmp$/;

/**
 * The one judgement of what a sweep removes: of the names in `file`'s directory, the temporaries of `file` whose
 * writer is gone (a zkops killed between write and rename: Ctrl-C, kill -9, a crash). A live writer's are kept.
 */
export function staleTemporaries(names: string[], file: string): string[] {
  const base = path.basename(file);
  return names.filter((name) => {
    if (!name.startsWith(`${base}.`)) return false;
    const rest = name.slice(base.length);
    const pid = (TEMPORARY.exec(rest) ?? OLDER_TEMPORARY.exec(rest))?.[1];
    return pid !== undefined && !processExists(Number(pid));
  });
}

/** Removes the stale temporaries of `file` (see staleTemporaries). */
async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of staleTemporaries(names, file)) await rm(path.join(dir, name), { force: true });
}

/**
 * Puts a file in place: `fill` writes the temporary it is given (any way: a write, a copy, a stream); the
 * temporary then gets its mode and is fsynced, renamed over `file`, and the directory is fsynced. When anything
 * fails the temporary is removed and `file` is as it was.
 */
export async function replaceFile(
  file: string,
  fill: (tmp: string) => Promise<void>,
  options: AtomicOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  if (options.mkdir) await mkdir(dir, { recursive: true });
  await removeStaleTemporaries(file);
  const tmp = temporaryOf(file);
  try {
    await fill(tmp);
    const handle = await open(tmp, 'r+');
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

/** Writes `file` atomically with `mode` (the temporary has it from the start: a key is never readable by others). */
export async function writeFileAtomic(
  file: string,
  content: string | Buffer,
  mode = 0o644,
  options: Omit<AtomicOptions, 'mode'> = {},
): Promise<void> {
  await replaceFile(
    file,
    async (tmp) => {
      // 'wx': a temporary name that exists (or a link planted there) is an error, never followed.
      const handle = await open(tmp, 'wx', mode);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
    },
    { ...options, mode },
  );
}

/**
 * The same write, synchronous: for the validated-inventory cache, which runs while a command starts and has
 * nothing else to do meanwhile; each synchronous call skips a trip through libuv's thread pool and a promise
 * turn, which is most of what a handful of small file operations cost. Same temporaries, same sweep, same fsyncs.
 */
export function writeFileAtomicSync(file: string, content: string, mode = 0o644): void {
  const dir = path.dirname(file);
  for (const name of staleTemporaries(safeReaddirSync(dir), file)) rmSync(path.join(dir, name), { force: true });
  const tmp = temporaryOf(file);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectorySync(dir);
}

/**
 * Makes a rename in `dir` durable. Some filesystems refuse to fsync a directory (EINVAL), and a directory may
 * be writable but not readable (EACCES): the rename is atomic all the same, only not yet on disk.
 */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (!tolerated(err)) throw err;
  }
}

function syncDirectorySync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (!tolerated(err)) throw err;
  }
}

const tolerated = (err: unknown) => ['EINVAL', 'ENOTSUP', 'EISDIR', 'EACCES', 'EPERM'].includes(code(err) ?? '');
const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

function safeReaddirSync(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}
