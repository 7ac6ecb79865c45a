/**
 * Files on the machine that runs zkops (saved inventories, the cluster's
 * secrets, client certificates, adopted inventories): written to a temporary
 * beside the file and renamed over it, so a reader sees the old file or the
 * new one, never half of one.
 */
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes `file` atomically with `mode` (the temporary has it from the start: a key is never readable). */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await removeStaleTemporaries(file);
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

/**
 * Temporaries of `file` that a zkops killed between write and rename left behind (Ctrl-C, kill -9): those of
 * processes that are gone. A live one may be another zkops writing the same file right now.
 */
async function removeStaleTemporaries(file: string): Promise<void> {
  const base = path.basename(file);
  for (const name of await readdir(path.dirname(file)).catch(() => [] as string[])) {
    const pid = name.startsWith(`${base}.`) && /^\.(\d+)\.tmp$/.exec(name.slice(base.length))?.[1];
    if (pid && !processExists(Number(pid))) await rm(path.join(path.dirname(file), name), { force: true });
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
