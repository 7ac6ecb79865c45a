/**
 * Output conventions: human tables and progress on a terminal, quiet progress
 * when piped or with --json, colour only where wanted (NO_COLOR respected).
 */
import pc from 'picocolors';

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

/** Prints each step as it completes: `✓ validate  12 ms`. */
export class Progress {
  constructor(private readonly enabled: boolean) {}

  /** Runs `fn` as a named step and reports its outcome and duration. */
  async step<T>(name: string, fn: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    const started = Date.now();
    try {
      const result = await fn();
      this.line(color.green('✓'), name, detail?.(result), Date.now() - started);
      return result;
    } catch (err) {
      this.line(color.red('✗'), name, undefined, Date.now() - started);
      throw err;
    }
  }

  /** A free-form progress note. */
  note(text: string): void {
    if (this.enabled) process.stderr.write(`  ${color.dim(text)}\n`);
  }

  private line(mark: string, name: string, detail: string | undefined, ms: number): void {
    if (!this.enabled) return;
    const extra = detail ? `  ${color.dim(detail)}` : '';
    process.stderr.write(`${mark} ${name.padEnd(10)} ${color.dim(formatMs(ms))}${extra}\n`);
  }
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
