/**
 * Helpers every executor shares, built only on the Executor interface.
 */
import { createHash } from 'node:crypto';
import { ExecError } from '../errors.js';
import { sh, shArgs } from '../shell.js';
import type { ExecOptions, Executor, RenderedFile } from './types.js';

/** Runs a command and returns stdout; a non-zero exit becomes an ExecError with the command and its output. */
export async function execChecked(ex: Executor, command: string, options?: ExecOptions): Promise<string> {
  const r = await ex.exec(command, options);
  if (r.code !== 0) throw new ExecError(command, ex.label, r.code, r.stderr || r.stdout);
  return r.stdout;
}

/** Outcome of putting one file in place. */
export type FileOutcome = {
  path: string;
  status: 'changed' | 'unchanged';
  /**
   * With keepBefore (dry runs): what the file says now, and what it would say. Never for a private file (not
   * world-readable: keys, secrets), whose content must not reach a diff or --json.
   */
  before?: string;
  after?: string;
};

/** A file only its owner (and group) may read: its content is never read back, kept or shown. */
export const isPrivateFile = (file: { mode: number }) => (file.mode & 0o004) === 0;

/**
 * Brings files to the wanted content and mode, writing only those that differ.
 * One command hashes everything already there (one round trip over SSH);
 * each changed file is then written atomically.
 */
export async function syncFiles(
  ex: Executor,
  files: RenderedFile[],
  options: {
    dryRun?: boolean;
    keepBefore?: boolean;
    prelude?: string;
    /** Called once before the first write (not on a dry run), with the paths about to change. */
    beforeWrite?: (paths: string[]) => Promise<void>;
  } = {},
): Promise<FileOutcome[]> {
  if (files.length === 0) return [];
  // One stat and one sha256sum over all files: two processes, one round trip
  // (which first runs `prelude`, a command that must succeed, when given).
  const list = files.map((f) => sh(f.path)).join(' ');
  const look = `stat -c '%a %n' ${list} 2>/dev/null; echo ---; sha256sum ${list} 2>/dev/null; true`;
  const out = options.prelude
    ? await execChecked(ex, `{ ${options.prelude}; } && { ${look}; }`)
    : (await ex.exec(look)).stdout;
  const [statPart = '', hashPart = ''] = out.split('---\n');
  const modes = new Map(
    statPart
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))]),
  );
  const hashes = new Map(
    hashPart
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(66), l.slice(0, 64)]),
  );
  const same = (file: RenderedFile) =>
    hashes.get(file.path) === createHash('sha256').update(file.content).digest('hex') &&
    modes.get(file.path) === file.mode.toString(8);
  const differ = files.filter((f) => !same(f)).map((f) => f.path);
  if (!options.dryRun && differ.length) await options.beforeWrite?.(differ);
  const outcomes = await Promise.all(
    files.map(async (file): Promise<FileOutcome> => {
      const hash = hashes.get(file.path);
      if (!differ.includes(file.path)) return { path: file.path, status: 'unchanged' };
      const keep = options.keepBefore && !isPrivateFile(file);
      const before = keep && hash ? await ex.readFile(file.path) : undefined;
      if (!options.dryRun) await ex.writeFile(file.path, file.content, file.mode);
      const after = keep ? (typeof file.content === 'string' ? file.content : String(file.content)) : undefined;
      return { path: file.path, status: 'changed', before, after };
    }),
  );
  return outcomes;
}

/**
 * The shell command that starts `argv` detached from zkops (its own session,
 * stdin from /dev/null, stdout and stderr appended to `logFile`) and prints
 * its pid: setsid in a non-interactive shell's background job execs in place,
 * so $! is the command's own pid, and zkops may exit at once.
 */
export function detachedCommand(argv: string[], options: { cwd: string; logFile: string }): string {
  const dir = options.logFile.replace(/\/[^/]*$/, '') || '/';
  return (
    `{ [ -d ${sh(dir)} ] || mkdir -p ${sh(dir)}; } && cd ${sh(options.cwd)} && { setsid ${shArgs(argv)} >> ${sh(options.logFile)} 2>&1 ` +
    `< /dev/null & echo $!; }`
  );
}
