/**
 * Output conventions: human tables and progress on a terminal, quiet progress
 * when piped or with --json, colour only where wanted (NO_COLOR respected).
 */
import pc from 'picocolors';
import type { EventSink, OpContext, OpEvent } from './events.js';

/** How the current command prints. */
export interface OutputOptions {
  json: boolean;
  /** Show step-by-step progress on stderr. */
  progress: boolean;
}

/** Decides output options from flags and the terminal. */
export function outputOptions(flags: { json?: boolean; quiet?: boolean }): OutputOptions {
  const json = Boolean(flags.json);
  return { json, progress: !json && !flags.quiet && Boolean(process.stderr.isTTY) };
}

/** Colours, or plain text where NO_COLOR is set or output is not a terminal (picocolors decides). */
export const color = pc;

/**
 * The terminal's view of an operation's events: each step as it completes (`✓ validate  12 ms`), each node of a
 * rolling change as it goes down and comes back, notes (progress only), and warnings (always, on stderr, so
 * --json output stays clean).
 */
export function terminalSink(out: OutputOptions): EventSink {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return (e: OpEvent) => {
    if (e.type === 'warning') return warn(e.message);
    if (!out.progress) return;
    switch (e.type) {
      case 'step-end': {
        const extra = e.detail ? `  ${color.dim(e.detail)}` : '';
        return write(
          `${e.ok ? color.green('✓') : color.red('✗')} ${e.step.padEnd(10)} ${color.dim(formatMs(e.ms))}${extra}`,
        );
      }
      case 'note':
        return write(`  ${color.dim(e.message)}`);
      case 'node':
        if (e.phase === 'stopping')
          return write(`  ${color.dim('↻')} node ${e.node}${e.mode ? ` (${e.mode})` : ''} restarting`);
        if (e.phase === 'rejoined')
          return write(
            `  ${color.green('✓')} node ${e.node} back${e.mode ? ` as ${e.mode}` : ''}  ${color.dim(formatMs(e.ms ?? 0))}`,
          );
        return;
      default:
        return;
    }
  };
}

/** The context a command gives the operation it runs: events rendered on this terminal. */
export function terminalContext(out: OutputOptions): OpContext {
  return { events: terminalSink(out), via: 'terminal' };
}

/** `850 ms`, `2.3 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A plain aligned table; colour codes are ignored when measuring widths. */
export function table(headers: string[], rows: string[][]): string {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c))))
      .join('  ')
      .trimEnd();
  return [color.bold(fmt(headers)), ...rows.map(fmt)].join('\n');
}

/** Writes a JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A warning for the operator: always shown (on stderr, so --json output stays clean). */
export function warn(text: string): void {
  process.stderr.write(`${color.yellow('warning:')} ${text}\n`);
}
