/**
 * One long-lived remote shell per SSH connection (issue 20): every command a
 * zkops command runs on a host goes through it, so a host's login profile
 * (pyenv, conda, corporate scripts in .bashrc) is paid once, not once per
 * question. Mitogen and Ansible's pipelining do the same.
 *
 * The framing, per command: the command text goes to `sh` in an environment
 * variable (or, beyond what one variable may hold, into a file on the host
 * through a quoted here-document), runs with stdin from /dev/null and
 * stdout/stderr to files of its own in the session's private directory, then
 * the session prints one marker line (a random token, the sequence number,
 * the exit status, both sizes) followed by exactly those bytes. The reader
 * takes exactly those bytes, so output stays binary-safe and a background
 * process still writing to the files cannot desynchronise it. Every process
 * the framing starts is paid on every command (a few ms each on a small
 * host): it starts two, plus one per non-empty output.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { TransportError } from '../errors.js';
import { sh } from '../shell.js';

/** One command's raw outcome; stdout is undefined when it went to a sink. */
export interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface Pending {
  seq: number;
  script: string;
  sink?: Writable;
  /** How long after it starts (not while it waits its turn) the host must have answered. */
  guardMs?: number;
  timer?: NodeJS.Timeout;
  resolve: (r: RawResult) => void;
  reject: (e: Error) => void;
}

/** A command the session failed before it started: the executor runs it on a fresh session. */
export class NotStartedError extends TransportError {}

// Set once per session: a private directory for the commands' text and output, removed when the shell ends.
// Without SSH_CLIENT a bash that a command starts (zkServer.sh, zkCli.sh) is an ordinary non-interactive bash:
// with it, bash takes itself for sshd's and reads ~/.bashrc, paying the host's profile once more each time.
const PRELUDE =
  `unset SSH_CLIENT SSH2_CLIENT\n` +
  `d=$(mktemp -d /tmp/zkops-sh.XXXXXX) || exit 97\n` +
  `trap 'rm -rf "$d"' EXIT\ntrap 'exit 129' HUP\ntrap 'exit 143' TERM\n`;

// Linux takes up to 128 KiB in one variable (or argument); a longer command goes through a file.
const INLINE_MAX = 100_000;

/** A remote `sh` on one exec channel; commands queue and run one at a time. */
export class ShellSession {
  private readonly token = randomBytes(8).toString('hex');
  private readonly marker: Buffer;
  private seq = 0;
  private queue: Pending[] = [];
  private current?: Pending;
  private buf: Buffer[] = [];
  private bufLen = 0;
  private header?: { code: number; out: number; err: number };
  private outChunks: Buffer[] = [];
  private stderrNoise = '';
  private dead?: Error;
  private answered = false;
  private readonly channel: Promise<ClientChannel>;

  /** `shell` is what the exec channel runs: `sh`, or `sudo -n sh` for a non-root login with ssh.sudo. */
  constructor(
    private readonly label: string,
    client: Client,
    private readonly shell: string,
    private readonly onDead: (s: ShellSession) => void,
  ) {
    this.marker = Buffer.from(`ZKOPS${this.token} `);
    this.channel = new Promise((resolve, reject) => {
      try {
        client.exec(shell, (err, stream) => {
          if (err) return reject(new TransportError(`${label}: cannot start a remote shell: ${err.message}`));
          stream.on('data', (d: Buffer) => this.onData(d));
          stream.stderr.on('data', (d: Buffer) => (this.stderrNoise = (this.stderrNoise + d.toString()).slice(-2000)));
          stream.on('close', (code: number | null) => this.fail(this.gone(code)));
          stream.on('error', (e: Error) => this.fail(new TransportError(`${label}: remote shell: ${e.message}`)));
          stream.write(PRELUDE);
          resolve(stream);
        });
      } catch (e) {
        reject(new TransportError(`${label}: cannot start a remote shell: ${(e as Error).message}`));
      }
    });
    this.channel.catch((e: Error) => this.fail(e));
  }

  /** True once the shell is gone: the executor starts a new one for the next command. */
  get broken(): boolean {
    return this.dead !== undefined;
  }

  /**
   * Runs `command` (a POSIX shell script) with an optional host-side time limit in seconds; stdout goes to
   * `sink` when given (a download), else it is collected.
   */
  run(command: string, limitSeconds?: number, sink?: Writable): Promise<RawResult> {
    const seq = ++this.seq;
    const limit = limitSeconds !== undefined ? `timeout -s KILL ${limitSeconds.toFixed(3)} ` : '';
    // The command reaches its shell through the environment, which only its account can read (a command line,
    // which every account on the host can read, would show a written file's content: a key, a password), or,
    // beyond what one variable may hold, through a file in the session's private directory.
    const quoted = sh(command);
    let pre = `ZKOPS_C=${quoted} `;
    let run = `sh -c 'c=$ZKOPS_C; unset ZKOPS_C; eval "$c"'`;
    if (Buffer.byteLength(quoted) > INLINE_MAX) {
      let eof = `ZKOPS_EOF_${this.token}_${seq}`;
      while (command.includes(eof)) eof += '_';
      pre = `cat > "$d/c" <<'${eof}'\n${command}\n${eof}\n`;
      run = `sh "$d/c"`;
    }
    // Output files of its own per command: a background process the command left still writes to its files,
    // never to a later command's. wc prints "size path" for each (mktemp's paths hold no blanks); if it did not
    // print both, the sizes are "-" and the reader fails the session. `:>` empties a file without a process.
    const [o, e] = [`"$d/o${seq}"`, `"$d/e${seq}"`];
    const script =
      `${pre}${limit}${run} </dev/null >${o} 2>${e}; r=$?\n` +
      `set -- $(wc -c ${o} ${e} 2>/dev/null); [ "$2" = ${o} ] && [ "$4" = ${e} ] || set -- - - - -\n` +
      `printf 'ZKOPS${this.token} %s %s %s %s\\n' ${seq} $r $1 $3\n` +
      `[ "$1" = 0 ] || head -c "$1" ${o}; [ "$3" = 0 ] || head -c "$3" ${e}; :>${o}; :>${e}\n`;
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(new NotStartedError(this.dead.message));
      // The host kills it at the limit; 3 s more without an answer and the host is not answering: replaced.
      const guardMs = limitSeconds !== undefined ? limitSeconds * 1000 + 3000 : undefined;
      this.queue.push({ seq, script, sink, guardMs, resolve, reject });
      this.next();
    });
  }

  /** Ends the shell (its EOF lets it clean its directory); commands still queued fail. */
  close(why = 'closed'): void {
    this.fail(new TransportError(`${this.label}: the remote shell was ${why}`));
  }

  private next(): void {
    if (this.current || this.dead) return;
    const p = this.queue.shift();
    if (!p) return;
    this.current = p;
    this.header = undefined;
    this.outChunks = [];
    if (p.guardMs !== undefined)
      p.timer = setTimeout(() => {
        p.resolve({ code: 124, stdout: Buffer.concat(this.outChunks), stderr: Buffer.alloc(0) });
        this.fail(new TransportError(`${this.label}: the remote shell was replaced: a command outran its time limit`));
      }, p.guardMs);
    this.channel.then(
      (ch) => ch.write(p.script),
      () => undefined,
    );
  }

  private onData(d: Buffer): void {
    this.buf.push(d);
    this.bufLen += d.length;
    this.parse();
  }

  private take(n: number): Buffer {
    const all = this.buf.length === 1 ? this.buf[0]! : Buffer.concat(this.buf, this.bufLen);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buf = rest.length ? [rest] : [];
    this.bufLen = rest.length;
    return head;
  }

  private parse(): void {
    for (;;) {
      const p = this.current;
      if (!p) {
        // Output between commands (a profile's noise before the shell started) is not ours: dropped.
        if (this.bufLen > 1 << 16) this.take(this.bufLen - 1024);
        return;
      }
      if (!this.header) {
        const all = Buffer.concat(this.buf, this.bufLen);
        const at = all.indexOf(this.marker);
        const nl = at < 0 ? -1 : all.indexOf(10, at);
        this.buf = [all];
        if (nl < 0) return;
        const fields = all
          .subarray(at + this.marker.length, nl)
          .toString()
          .trim()
          .split(/\s+/)
          .map(Number);
        this.take(nl + 1);
        const [seq, code, out, err] = fields;
        if (seq !== p.seq || [code, out, err].some((n) => n === undefined || Number.isNaN(n)))
          return this.fail(new TransportError(`${this.label}: the remote shell's output is out of step`));
        this.header = { code: code!, out: out!, err: err! };
        this.answered = true;
      }
      const h = this.header;
      // stdout streams to a sink as it comes (a download of any size); else it is kept until complete.
      if (h.out > 0) {
        if (this.bufLen === 0) return;
        const chunk = this.take(Math.min(h.out, this.bufLen));
        h.out -= chunk.length;
        if (p.sink) p.sink.write(chunk);
        else this.outChunks.push(chunk);
        if (h.out > 0) return;
      }
      if (this.bufLen < h.err) return;
      const stderr = this.take(h.err);
      this.current = undefined;
      this.header = undefined;
      clearTimeout(p.timer);
      p.resolve({ code: h.code, stdout: Buffer.concat(this.outChunks), stderr });
      this.outChunks = [];
      this.next();
    }
  }

  private gone(code: number | null): TransportError {
    const noise = this.stderrNoise.trim();
    // The shell never answered and sudo spoke: sudo refused (a password asked for, the user not in sudoers).
    if (this.shell.startsWith('sudo') && !this.answered && /sudo/.test(noise))
      return new TransportError(
        `${this.label}: cannot start a shell through sudo -n (ssh.sudo): ${noise.split('\n').slice(-2).join(' ')}. ` +
          `zkops needs passwordless sudo for this login (NOPASSWD in sudoers), or ssh.user root.`,
      );
    return new TransportError(
      `${this.label}: the remote shell ended${code !== null && code !== undefined ? ` (exit ${code})` : ''}` +
        (noise ? `: ${noise.split('\n').slice(-3).join(' ')}` : ''),
    );
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    this.onDead(this);
    const [current, queued] = [this.current, this.queue];
    this.current = undefined;
    this.queue = [];
    if (current) {
      clearTimeout(current.timer);
      current.reject(err);
    }
    for (const p of queued) p.reject(new NotStartedError(err.message));
    this.channel.then(
      (ch) => {
        ch.end();
        ch.close();
      },
      () => undefined,
    );
  }
}
