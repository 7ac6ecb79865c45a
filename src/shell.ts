/**
 * Quoting for the two command languages zkops writes: POSIX shell (every
 * command sent to a host or container, every rendered script) and systemd
 * unit files. Every inventory value that reaches either goes through here.
 */

/**
 * POSIX shell quoting for one value: bare when it holds only characters no
 * shell treats specially, else in single quotes (with ' written as '\''),
 * which every POSIX shell reads literally. Rendered files stay readable.
 */
export function sh(value: string): string {
  if (/^[A-Za-z0-9_/.,:=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Several values, each quoted, separated by spaces (an argv for a shell). */
export function shArgs(values: readonly string[]): string {
  return values.map(sh).join(' ');
}

/** One argument in a systemd command line: double-quoted, with specifiers (%) and variables ($) escaped. */
export function systemdArg(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}
