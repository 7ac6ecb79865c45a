/** `zkops doctor`: runs every check, prints findings, applies safe fixes with --fix. */
import { ExitCode } from '../errors.js';
import { runDoctor, type Finding } from '../doctor/index.js';
import { color, printJson, type OutputOptions } from '../output.js';
import { closeTargets, openTargets } from '../steps/targets.js';
import { resolveCluster, type ClusterFlags } from './cluster-ref.js';

export async function doctorCommand(flags: ClusterFlags & { fix?: boolean }, out: OutputOptions): Promise<number> {
  const { spec } = await resolveCluster(flags);
  if (spec.executor === 'docker') return report(spec.name, await (await import('../doctor/docker.js')).runDockerDoctor(spec), out);
  const targets = await openTargets(spec);
  try {
    return report(spec.name, await runDoctor(spec, targets, { fix: Boolean(flags.fix) }), out);
  } finally {
    await closeTargets(targets);
  }
}

function report(cluster: string, findings: Finding[], out: OutputOptions): number {
  const problems = findings.filter((f) => f.severity !== 'ok' && !f.fixed);
  if (out.json) printJson({ cluster, ok: problems.length === 0, findings });
  else {
    for (const f of findings) {
      const mark = f.fixed ? color.green('fixed') : f.severity === 'ok' ? color.green('ok   ') : f.severity === 'warning' ? color.yellow('warn ') : color.red('FAIL ');
      process.stdout.write(`${mark} ${f.check}: ${f.message}\n`);
      if (f.fix && !f.fixed) process.stdout.write(`      fix: ${f.fix}\n`);
    }
    process.stdout.write(problems.length === 0 ? '\nNo problems found.\n' : `\n${problems.length} problem${problems.length > 1 ? 's' : ''} found.\n`);
  }
  return problems.some((f) => f.severity === 'error') ? ExitCode.unhealthy : ExitCode.ok;
}
