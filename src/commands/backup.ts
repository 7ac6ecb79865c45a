/**
 * `zkops backup -o DIR` and `zkops restore DIR [--force]`: a consistent copy
 * of the ensemble's data on this machine, and back into every node of the
 * stopped ensemble (see backup/backup.ts).
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { formatMs, printJson, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import { restoreBackup, takeBackup } from '../backup/backup.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';

export async function backupCommand(flags: ClusterFlags & { output?: string }, out: OutputOptions): Promise<number> {
  if (!flags.output)
    throw new ZkopsError('backup needs a directory to write: zkops backup -o backups/zk-2026-11-30', ExitCode.usage);
  const { spec } = await resolveCluster(flags);
  const t0 = Date.now();
  const m = await withRuntime(spec, { partial: true }, (rt) => takeBackup(rt, flags.output!));
  const bytes = m.files.reduce((a, f) => a + f.bytes, 0);
  if (out.json) printJson({ directory: flags.output, ms: Date.now() - t0, ...m });
  else
    process.stdout.write(
      `Backed up ${spec.name} from node ${m.node} into ${flags.output} in ${formatMs(Date.now() - t0)}: ` +
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
  const { spec } = await resolveCluster(flags);
  const restored = await withRuntime(spec, {}, (rt) => restoreBackup(rt, dir, { force: flags.force }));
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
