/** `zkops doctor`: runs every check, prints findings, applies safe fixes with --fix. */
import { ExitCode } from '../errors.js';
import { runDoctor, type Finding } from '../doctor/index.js';
import { color, printJson, type OutputOptions } from '../output.js';
import { openRuntime } from '../runtime/index.js';
import { probeCluster } from '../health/cluster.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';

export async function doctorCommand(flags: ClusterFlags & { fix?: boolean }, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  // The probes need no runtime: they run while hosts are reached (one may take its whole connect timeout).
  const reports = probeCluster(spec);
  let rt;
  try {
    rt = await openRuntime(spec, { partial: true });
  } catch (err) {
    // The runtime itself is the problem (no engine, no host): that is the finding.
    return report(spec.name, [{ check: 'runtime', severity: 'error', message: (err as Error).message }], out);
  }
  try {
    return report(spec.name, await runDoctor(rt, { fix: Boolean(flags.fix), reports }), out);
  } finally {
    await rt.close();
  }
}

function report(cluster: string, findings: Finding[], out: OutputOptions): number {
  const problems = findings.filter((f) => f.severity !== 'ok' && !f.fixed);
  if (out.json) printJson({ cluster, ok: problems.length === 0, findings });
  else {
    for (const f of findings) {
      const mark = f.fixed
        ? color.green('fixed')
        : f.severity === 'ok'
          ? color.green('ok   ')
          : f.severity === 'warning'
            ? color.yellow('warn ')
            : color.red('FAIL ');
      process.stdout.write(`${mark} ${f.check}: ${f.message}\n`);
      if (f.fix && !f.fixed) process.stdout.write(`      fix: ${f.fix}\n`);
    }
    process.stdout.write(
      problems.length === 0
        ? '\nNo problems found.\n'
        : `\n${problems.length} problem${problems.length > 1 ? 's' : ''} found.\n`,
    );
  }
  return problems.some((f) => f.severity === 'error') ? ExitCode.unhealthy : ExitCode.ok;
}
