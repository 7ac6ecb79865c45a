/** `zkops bundle [-o FILE]`: the terminal front of ops/data.ts bundle. */
import { ExitCode } from '../errors.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { bundle } from '../ops/data.js';
import { printJson, terminalContext, type OutputOptions } from '../output.js';

export async function bundleCommand(
  flags: ClusterFlags & { output?: string },
  out: OutputOptions,
  version: string,
): Promise<number> {
  const summary = await bundle(flags, { output: flags.output, version }, terminalContext(out));
  if (out.json) printJson(summary);
  else
    process.stdout.write(
      `Wrote ${summary.file}: ${summary.files.length} files (${Math.round(summary.bytes / 1024)} KiB before ` +
        'compression), secrets left out. tar -tzf lists them.\n',
    );
  return ExitCode.ok;
}
