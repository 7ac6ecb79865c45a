/**
 * Waiting for something to become true by looking again and again: a quorum
 * forming, a process going away, a follower catching up. Written once, so
 * every wait has a time limit, honours an AbortSignal (between looks, never in
 * the middle of one), and says on time-out what it last saw.
 */

/** How a wait looks and gives up. */
export interface PollOptions<S> {
  /** Ends the wait: true when `state` is what is awaited (or shows that waiting longer is pointless). */
  until: (state: S) => boolean;
  /** How long to keep looking, from the first look. A look started in time is always finished and judged. */
  timeoutMs: number;
  /** The pause between the end of one look and the start of the next. */
  intervalMs: number;
  /** Stops the wait between looks: it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** What is awaited, for the time-out message: `"node 2's process to exit"`. */
  what?: string;
  /** The last state in words, for the time-out message. */
  describe?: (state: S) => string;
  /** The error to fail with on time-out (when the caller can say more than `what` and `describe` do). */
  timeoutError?: (last: S, ms: number) => Error | Promise<Error>;
  /** On time-out, resolve with the last state (`met: false`) instead of failing: for waits that are a courtesy. */
  orLast?: boolean;
}

/** How a wait ended: the last state seen, whether `until` held for it, and how long the wait took. */
export interface Polled<S> {
  state: S;
  met: boolean;
  ms: number;
}

/** A wait that ran out of time; `last` is what it saw last. */
export class PollTimeoutError<S = unknown> extends Error {
  constructor(
    message: string,
    readonly last: S,
  ) {
    super(message);
    this.name = 'PollTimeoutError';
  }
}

/**
 * Looks with `observe` until `until` holds for what it sees, the time runs out, or `signal` aborts. An error
 * thrown by `observe` ends the wait with that error (a look that shows the wait cannot succeed throws).
 */
export async function pollUntil<S>(observe: () => Promise<S>, options: PollOptions<S>): Promise<Polled<S>> {
  const started = Date.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const state = await observe();
    const ms = Date.now() - started;
    if (options.until(state)) return { state, met: true, ms };
    if (ms >= options.timeoutMs) {
      if (options.orLast) return { state, met: false, ms };
      if (options.timeoutError) throw await options.timeoutError(state, ms);
      const seen = options.describe ? ` (last seen: ${options.describe(state)})` : '';
      throw new PollTimeoutError(
        `${options.what ?? 'the wait'}: not within ${options.timeoutMs / 1000} s${seen}`,
        state,
      );
    }
    await pause(options.intervalMs, options.signal);
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
