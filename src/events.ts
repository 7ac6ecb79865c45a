/**
 * What an operation reports while it runs: typed events sent to one sink
 * that the caller passes in. Nothing below the front ends prints; the
 * terminal, a JSON stream, the exporter or a web page each render the same
 * events their own way (Terraform's hooks and views, BuildKit's progress
 * writers). Long operations also take an AbortSignal, honoured only at safe
 * points (between nodes of a rolling change).
 */
import { AbortedError } from './errors.js';

/** A node's part in a rolling change, in the order it happens. */
export type NodePhase = 'stopping' | 'started' | 'rejoined' | 'caught-up';

/** Everything an operation says while it runs. */
export type OpEvent =
  | { type: 'step-start'; step: string }
  | { type: 'step-end'; step: string; ok: boolean; ms: number; detail?: string }
  | { type: 'node'; node: number; phase: NodePhase; mode?: string; ms?: number }
  | { type: 'wait'; for: 'quorum' | 'sync'; nodes: number[] }
  | { type: 'warning'; message: string }
  | { type: 'note'; message: string };

/** Where events go; it must not throw (a front end that fails to render does not stop a rolling restart). */
export type EventSink = (event: OpEvent) => void;

/** A sink that drops everything: for callers that want only the result. */
export const silentSink: EventSink = () => undefined;

/** What every operation is given besides its own input. */
export interface OpContext {
  events: EventSink;
  /** Stop at the next safe point (between nodes), never with a node half-done. */
  signal?: AbortSignal;
  /**
   * Awaited at every safe point before the operation goes on: a paused job (a dashboard's "pause between nodes")
   * returns a promise that resolves when it is resumed. An abort while paused stops there.
   */
  gate?: () => Promise<void>;
  /** Who asks, for the audit log: "terminal", "dashboard 127.0.0.1:53122"; default "api". */
  via?: string;
}

/** A context that reports nowhere and never aborts. */
export const quietContext: OpContext = { events: silentSink };

/** The emitting side of a context, with the few shapes operations use. */
export class Reporter {
  constructor(readonly ctx: OpContext = quietContext) {}

  /** Runs `fn` as a named step: a start event, then an end event with its duration and outcome. */
  async step<T>(name: string, fn: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    const started = Date.now();
    this.emit({ type: 'step-start', step: name });
    try {
      const result = await fn();
      const text = detail?.(result);
      this.emit({
        type: 'step-end',
        step: name,
        ok: true,
        ms: Date.now() - started,
        ...(text ? { detail: text } : {}),
      });
      return result;
    } catch (err) {
      this.emit({ type: 'step-end', step: name, ok: false, ms: Date.now() - started });
      throw err;
    }
  }

  /** A free-form progress note. */
  note(message: string): void {
    this.emit({ type: 'note', message });
  }

  /** Something the operator should know; the operation goes on. */
  warn(message: string): void {
    this.emit({ type: 'warning', message });
  }

  /** A node's progress through a rolling change. */
  node(node: number, phase: NodePhase, extra: { mode?: string; ms?: number } = {}): void {
    this.emit({ type: 'node', node, phase, ...extra });
  }

  /** Waiting for the quorum (or for a node to catch up). */
  waiting(what: 'quorum' | 'sync', nodes: number[]): void {
    this.emit({ type: 'wait', for: what, nodes });
  }

  /**
   * At a safe point: waits while the caller holds the operation paused, then throws AbortedError when the caller
   * asked to stop. `done` and `left` say where it stopped, for the message (the next run goes on from there).
   */
  async checkpoint(done: string, left: string): Promise<void> {
    if (this.ctx.gate && !this.ctx.signal?.aborted) {
      this.emit({ type: 'note', message: `at a safe point: ${done}; ${left}` });
      await Promise.race([this.ctx.gate(), aborted(this.ctx.signal)]);
    }
    if (this.ctx.signal?.aborted) throw new AbortedError(done, left);
  }

  private emit(event: OpEvent): void {
    try {
      this.ctx.events(event);
    } catch {
      // A sink that fails does not stop the operation (see EventSink).
    }
  }
}

/** Resolves when the signal aborts (never without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A sink that keeps every event, in order (tests, jobs that replay their events to a late viewer). */
export function recordingSink(): EventSink & { events: OpEvent[] } {
  const events: OpEvent[] = [];
  const sink = ((e: OpEvent) => void events.push(e)) as EventSink & { events: OpEvent[] };
  sink.events = events;
  return sink;
}
