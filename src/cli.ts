/**
 * argv → command. The one place that catches errors, prints them once and
 * picks the exit code; stack traces only with --verbose. The commands
 * themselves are declared in cli/program.ts.
 */
import { CommanderError } from '@commander-js/extra-typings';
import { buildProgram } from './cli/program.js';
import { ExitCode, ZkopsError } from './errors.js';
import { color } from './output.js';

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`zkops status | head`) is normal, not an error to print.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  let code: number = ExitCode.ok;
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  const run = async (fn: () => Promise<number>) => {
    try {
      code = await fn();
    } catch (err) {
      code = report(err, verbose, json);
    }
  };
  try {
    await buildProgram(run).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    return report(err, verbose, json);
  }
  return code;
}

/** Prints an error once and returns its exit code. */
function report(err: unknown, verbose: boolean, json: boolean): number {
  const known = err instanceof ZkopsError;
  const exitCode = known ? err.exitCode : ExitCode.failure;
  const message = err instanceof Error ? err.message : String(err);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ error: { message, exitCode, type: err instanceof Error ? err.name : 'Error' } }, null, 2)}\n`,
    );
  process.stderr.write(`${color.red('error:')} ${message}\n`);
  if (known && err.detail) process.stderr.write(`${err.detail}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${color.dim(err.stack)}\n`);
  else if (!known)
    process.stderr.write(
      color.dim('This looks like a bug in zkops; run again with --verbose for the stack trace and report it.\n'),
    );
  return exitCode;
}
