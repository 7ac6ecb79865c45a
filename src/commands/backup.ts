/**
 * `zkops backup -o DIR` and `zkops restore DIR [--force]`: the terminal front
 * of ops/data.ts (see backup/backup.ts for what a backup holds).
 */
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { backup, restore } from '../ops/data.js';
import { formatMs, printJson, terminalContext, type OutputOptions } from '../output.js';

export async function backupCommand(flags: ClusterFlags & { output?: string }, out: OutputOptions): Promise<number> {
  if (!flags.output)
    throw new ZkopsError('backup needs a directory to write: zkops backup -o backups/zk-2026-11-30', ExitCode.usage);
  const m = await backup(flags, { output: flags.output }, terminalContext(out));
  const bytes = m.files.reduce((a, f) => a + f.bytes, 0);
  if (out.json) printJson(m);
  else
    process.stdout.write(
      `Backed up ${m.cluster} from node ${m.node} into ${m.directory} in ${formatMs(m.ms)}: ` +
        `${m.snapshot} and ${m.files.filter((f) => f.dir === 'datalog').length} transaction log(s), up to zxid ` +
        `${m.zxid} (${Math.round(bytes / 1024)} KiB, checksums in manifest.json).\n`,
    );
  return ExitCode.ok;
}

export async function restoreCommand(
  dir: string,
  flags: ClusterFlags & { force?: boolean },
  out: OutputOptions,
): Promise<number> {
  const restored = await restore(flags, { dir, force: flags.force }, terminalContext(out));
  if (out.json) printJson({ restored });
  else {
    const aside = restored.flatMap((r) => r.movedAside);
    process.stdout.write(
      `Restored ${dir} into node${restored.length > 1 ? 's' : ''} ${restored.map((r) => r.node).join(', ')}.` +
        (aside.length ? ` The data that was there is kept in ${aside.join(', ')}.` : '') +
        '\nStart the ensemble with zkops start.\n',
    );
  }
  return ExitCode.ok;
}
