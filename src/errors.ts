/**
 * Errors zkops raises on purpose. Each carries a message written for the
 * operator (what is wrong, the value, how to fix it) and an exit code; the CLI
 * prints the message once and exits with that code. Anything else is a bug and
 * is shown with its stack only under --verbose.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  invalidInventory: 3,
  preflight: 4,
  unhealthy: 5,
  /** Stopped on request (an AbortSignal) at a safe point; running it again goes on from there. */
  aborted: 6,
} as const;

/** Base class: a user-facing error with an exit code. */
export class ZkopsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    readonly detail?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem in an inventory, located by file, line and dotted field path. */
export interface InventoryIssue {
  file: string;
  line?: number;
  path: string;
  message: string;
}

/** Every problem an inventory has, collected before anything is written or started. */
export class InventoryError extends ZkopsError {
  readonly issues: InventoryIssue[];

  constructor(issues: InventoryIssue[]) {
    const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    super(
      `The inventory has ${sorted.length} problem${sorted.length === 1 ? '' : 's'}; nothing was written or started:\n` +
        sorted.map((i) => `  ${formatIssue(i)}`).join('\n'),
      ExitCode.invalidInventory,
    );
    this.issues = sorted;
  }
}

/** `file:line: path: message`, the format editors and CI logs understand. */
export function formatIssue(issue: InventoryIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** A check before any change failed (port taken, Java or ZooKeeper missing). Nothing was started. */
export class PreflightError extends ZkopsError {
  constructor(message: string, detail?: string) {
    super(message, ExitCode.preflight, detail);
  }
}

/** A command on a target ran but failed; the command, the target and its output are kept. */
export class ExecError extends ZkopsError {
  constructor(
    readonly command: string,
    readonly target: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(
      `On ${target}, this command failed (exit ${code ?? 'signal'}):\n  ` +
        `${command}\n${indent(stderr.trim() || '(no output)')}`,
      ExitCode.failure,
    );
  }
}

/** The connection to a target broke (not the same as a command failing on it). */
export class TransportError extends ZkopsError {}

/** The ensemble did not become healthy in time. */
export class UnhealthyError extends ZkopsError {
  constructor(message: string) {
    super(message, ExitCode.unhealthy);
  }
}

/** An operation stopped at a safe point because its caller asked it to (AbortSignal). */
export class AbortedError extends ZkopsError {
  constructor(
    readonly done: string,
    readonly left: string,
  ) {
    super(
      `Stopped as asked, at a safe point: ${done}; ${left}. Nothing is half-done; run the same command again ` +
        'to go on from here.',
      ExitCode.aborted,
    );
  }
}

/** Indents every line of a block by four spaces, for output nested under a message. */
export function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}
