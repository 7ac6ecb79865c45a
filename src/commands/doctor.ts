/**
 * `zkops doctor`: the terminal front of ops/doctor.ts — each finding with its
 * evidence and fix, the second look after --fix, a verdict. Exit 0: nothing
 * wrong; 1: warnings only; 5: errors.
 */
import { ExitCode } from '../errors.js';
import type { Finding } from '../doctor/check.js';
import { doctor, doctorExitCode, type DoctorInput, type DoctorReport } from '../ops/doctor.js';
import { color, printJson, terminalContext, type OutputOptions } from '../output.js';

export type DoctorFlags = DoctorInput;
type Report = DoctorReport;
const exitCode = doctorExitCode;

export async function doctorCommand(flags: DoctorFlags, out: OutputOptions): Promise<number> {
  const reports = await doctor(flags, terminalContext(out));
  if (out.json) printJson(reports.length === 1 ? summary(reports[0]!) : { ensembles: reports.map(summary) });
  else
    for (const r of reports) {
      if (reports.length > 1) process.stdout.write(`${color.bold(`Ensemble ${r.cluster}`)}\n`);
      if (r.found) process.stdout.write(`${r.found.text}\n\n`);
      process.stdout.write(format(r.findings));
      if (r.after) process.stdout.write(`\nAfter the fixes:\n${format(r.after.filter((f) => f.severity !== 'ok'))}`);
      process.stdout.write(verdict(r.after ?? r.findings));
    }
  return Math.max(...reports.map((r) => exitCode(r.after ?? r.findings)));
}

function summary(r: Report) {
  const final = r.after ?? r.findings;
  return {
    cluster: r.cluster,
    ok: exitCode(final) === ExitCode.ok,
    ...(r.found ? { found: r.found.nodes } : {}),
    findings: r.findings,
    ...(r.after ? { after: r.after } : {}),
  };
}

/** One line per finding (check and node), then its evidence and fix, indented. */
function format(findings: Finding[]): string {
  return findings
    .map((f) => {
      const mark = f.fixed
        ? color.green('fixed')
        : f.severity === 'ok'
          ? color.green('ok   ')
          : f.severity === 'warning'
            ? color.yellow('warn ')
            : color.red('FAIL ');
      const lines = [`${mark} ${f.check}: ${f.node !== undefined ? `node ${f.node}: ` : ''}${f.message}`];
      if (f.severity !== 'ok') for (const e of f.evidence ?? []) lines.push(`      evidence: ${e}`);
      if (f.fix && !f.fixed && f.severity !== 'ok') lines.push(`      fix: ${f.fix}`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

function verdict(findings: Finding[]): string {
  const open = findings.filter((f) => f.severity !== 'ok' && !f.fixed);
  const errors = open.filter((f) => f.severity === 'error').length;
  if (open.length === 0) return '\nNo problems found.\n';
  return (
    `\n${open.length} problem${open.length > 1 ? 's' : ''} found ` +
    `(${errors} error${errors === 1 ? '' : 's'}, ` +
    `${open.length - errors} warning${open.length - errors === 1 ? '' : 's'}).\n`
  );
}
