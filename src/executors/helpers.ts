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
export async function syncFiles(
  ex: Executor,
  files: RenderedFile[],
  options: { dryRun?: boolean; keepBefore?: boolean; prelude?: string } = {},
): Promise<FileOutcome[]> {
  if (files.length === 0) return [];
  // One stat and one sha256sum over all files: two processes, one round trip
  // (which first runs `prelude`, a command that must succeed, when given).
  const list = files.map((f) => sh(f.path)).join(' ');
  const look = `stat -c '%a %n' ${list} 2>/dev/null; echo ---; sha256sum ${list} 2>/dev/null; true`;
  const out = options.prelude ? await execChecked(ex, `{ ${options.prelude}; } && { ${look}; }`) : (await ex.exec(look)).stdout;
  const [statPart = '', hashPart = ''] = out.split('---\n');
  const modes = new Map(statPart.split('\n').filter(Boolean).map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))]));
  const hashes = new Map(hashPart.split('\n').filter(Boolean).map((l) => [l.slice(66), l.slice(0, 64)]));
  const outcomes = await Promise.all(
    files.map(async (file): Promise<FileOutcome> => {
      const mode = modes.get(file.path);
      const hash = hashes.get(file.path);
      const want = createHash('sha256').update(file.content).digest('hex');
      if (hash === want && mode === file.mode.toString(8)) return { path: file.path, status: 'unchanged' };
      const before = options.keepBefore && hash ? await ex.readFile(file.path) : undefined;
      if (!options.dryRun) await ex.writeFile(file.path, file.content, file.mode);
      return { path: file.path, status: 'changed', before };
    }),
  );
  return outcomes;
}
