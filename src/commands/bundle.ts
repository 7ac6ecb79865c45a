/** `zkops bundle [-o FILE]`: one archive with what it takes to look at the ensemble elsewhere, secrets left out. */
import { ExitCode } from '../errors.js';
import { printJson, type OutputOptions } from '../output.js';
import { withRuntime } from '../runtime/index.js';
import { writeBundle } from '../support/bundle.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';

export async function bundleCommand(
  flags: ClusterFlags & { output?: string },
  out: OutputOptions,
  version: string,
): Promise<number> {
  const { spec } = await resolveCluster(flags);
  const file = flags.output ?? `zkops-bundle-${spec.name}.tar.gz`;
  const summary = await withRuntime(spec, { partial: true }, (rt) => writeBundle(rt, file, version));
  if (out.json) printJson(summary);
  else
    process.stdout.write(
      `Wrote ${summary.file}: ${summary.files.length} files (${Math.round(summary.bytes / 1024)} KiB before ` +
        'compression), secrets left out. tar -tzf lists them.\n',
    );
  return ExitCode.ok;
}
