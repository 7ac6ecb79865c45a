/**
 * What is kept and handed on: a backup of the data, its restore, a support
 * bundle, and the removal of a cluster on this machine (destroy).
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { restoreBackup, takeBackup, type BackupManifest, type RestoreOutcome } from '../backup/backup.js';
import { ExitCode, ZkopsError } from '../errors.js';
import { quietContext, Reporter, type OpContext } from '../events.js';
import { withRuntime } from '../runtime/index.js';
import { writeBundle, type BundleSummary } from '../support/bundle.js';
import { savedInventoryPath, specOf, STATE_DIR, type ClusterRef } from './cluster.js';
import { withChange } from './lock.js';

/** A consistent copy of the data into a new local directory (see backup/backup.ts). */
export async function backup(
  ref: ClusterRef,
  input: { output: string },
  ctx: OpContext = quietContext,
): Promise<BackupManifest & { directory: string; ms: number }> {
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  const t0 = Date.now();
  const m = await report.step('backup', () =>
    withRuntime(spec, { partial: true }, (rt) => takeBackup(rt, input.output)),
  );
  return { directory: input.output, ms: Date.now() - t0, ...m };
}

/** A backup put back into every node of the stopped ensemble (what was there is moved aside). */
export async function restore(
  ref: ClusterRef,
  input: { dir: string; force?: boolean },
  ctx: OpContext = quietContext,
): Promise<RestoreOutcome[]> {
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  return report.step('restore', () =>
    withChange(spec, 'restore', ctx, input.dir + (input.force ? ' --force' : ''), () =>
      withRuntime(spec, {}, (rt) => restoreBackup(rt, input.dir, { force: input.force })),
    ),
  );
}

/** One .tar.gz with what it takes to look at the ensemble elsewhere, secrets left out. */
export async function bundle(
  ref: ClusterRef,
  input: { output?: string; version: string },
  ctx: OpContext = quietContext,
): Promise<BundleSummary> {
  const report = new Reporter(ctx);
  const spec = await specOf(ref, report);
  const file = input.output ?? `zkops-bundle-${spec.name}.tar.gz`;
  return report.step('bundle', () =>
    withRuntime(spec, { partial: true }, (rt) => writeBundle(rt, file, input.version)),
  );
}

/**
 * Stops every node of a cluster on this machine and deletes it, data included, with the state zkops kept.
 * `confirm` is asked (with what would be deleted) unless the caller already confirmed; false leaves everything.
 */
export async function destroy(
  ref: ClusterRef,
  input: { confirm: (what: string, cluster: string) => Promise<boolean> },
  ctx: OpContext = quietContext,
): Promise<{ cluster: string; stopped: number[]; removed: string[]; what?: string }> {
  const spec = await specOf(ref, new Reporter(ctx));
  // Whether data may be deleted is the runtime's to say (never on SSH hosts): there is nothing to confirm then,
  // and its destroy() refuses with the reason. Hosts out of reach do not hide that refusal.
  return withChange(spec, 'destroy', ctx, undefined, () =>
    withRuntime(spec, { partial: true }, async (rt) => {
      const what = rt.dataDescription;
      if (what && !(await input.confirm(what, spec.name)))
        throw new ZkopsError('Not confirmed; nothing was stopped or deleted.', ExitCode.usage);
      const { stopped, removed } = await rt.destroy();
      const cwd = 'cwd' in ref && ref.cwd ? ref.cwd : process.cwd();
      await rm(path.dirname(savedInventoryPath(spec.name, cwd)), { recursive: true, force: true });
      await rmdir(spec.dir).catch(() => undefined);
      await rmdir(path.join(cwd, STATE_DIR)).catch(() => undefined);
      return { cluster: spec.name, stopped, removed, ...(what ? { what } : {}) };
    }),
  );
}
