/**
 * The one interface every executor (this machine, a host over SSH, a
 * container) implements. It is kept small, like Ansible's connection plugins:
 * run a shell command, put a file, read a file, close. A non-zero exit code is
 * data (ExecResult); a broken transport is an exception (TransportError).
 * Detached starts, process and port look-ups are helpers built on top of it,
 * once, for every executor; a conformance suite runs the same tests on each.
 */

/** A file to put on a node's host. */
export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
  /** A private file (key, secret) the servers' account reads through its group: given to that group. */
  group?: string;
}

/** Outcome of one command; `code` is the exit status (128+n for signal n). */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Kill the command after this long; the result then has code 124. */
  timeoutMs?: number;
}

/** Where commands run and files land: this machine, a host over SSH, or a container. */
export interface Executor {
  /** Short name for messages: "local", "zk1 (root@10.0.0.11)", "container zkops-zk-1". */
  readonly label: string;
  /** Runs a POSIX shell command. Every inventory value in it must already be quoted. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Writes a file atomically (temp file + rename), creating parent directories. */
  writeFile(path: string, content: string | Buffer, mode?: number): Promise<void>;
  /** Copies a local file to `path` atomically (for large files such as a release tarball). */
  upload(localPath: string, path: string, mode?: number): Promise<void>;
  /**
   * Copies `path` to a file on this machine (written beside it, then renamed), bytes as they are; false when `path`
   * does not exist. For data files (snapshots, transaction logs) of any size.
   */
  download(path: string, localPath: string): Promise<boolean>;
  /** A file's text, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Releases the connection; safe to call twice. Commands after it fail with a TransportError. */
  close(): Promise<void>;
}
