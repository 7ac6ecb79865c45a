/**
 * Helpers every executor shares, built only on the Executor interface.
 */
import { createHash } from 'node:crypto';
import { ExecError } from '../errors.js';
import { sh } from '../render/node.js';
import type { RenderedFile } from '../render/node.js';
import type { ExecOptions, Executor } from './types.js';

/** Runs a command and returns stdout; a non-zero exit becomes an ExecError with the command and its output. */
export async function execChecked(ex: Executor, command: string, options?: ExecOptions): Promise<string> {
  const r = await ex.exec(command, options);
  if (r.code !== 0) throw new ExecError(command, ex.label, r.code, r.stderr || r.stdout);
  return r.stdout;
}

/** Outcome of putting one file in place. */
export type FileOutcome = { path: string; status: 'changed' | 'unchanged'; before?: string };

/**
 * Brings files to the wanted content and mode, writing only those that differ.
 * One command hashes everything already there (one round trip over SSH);
 * each changed file is then written atomically.
 */
export async function syncFiles(ex: Executor, files: RenderedFile[], options: { dryRun?: boolean; keepBefore?: boolean } = {}): Promise<FileOutcome[]> {
  if (files.length === 0) return [];
  const script = files.map((f) => `if [ -f ${sh(f.path)} ]; then printf '%s %s\\n' "$(stat -c %a ${sh(f.path)})" "$(sha256sum < ${sh(f.path)} | cut -d' ' -f1)"; else echo missing; fi`).join('\n');
  const lines = (await execChecked(ex, script)).trim().split('\n');
  const outcomes: FileOutcome[] = [];
  for (const [i, file] of files.entries()) {
    const [mode, hash] = (lines[i] ?? 'missing').split(' ');
    const want = createHash('sha256').update(file.content).digest('hex');
    const same = hash === want && mode === file.mode.toString(8);
    if (same) {
      outcomes.push({ path: file.path, status: 'unchanged' });
      continue;
    }
    const before = options.keepBefore && hash ? await ex.readFile(file.path) : undefined;
    if (!options.dryRun) await ex.writeFile(file.path, file.content, file.mode);
    outcomes.push({ path: file.path, status: 'changed', before });
  }
  return outcomes;
}
