import { describe, expect, it } from 'vitest';
import { pollUntil, PollTimeoutError } from '../../src/util/poll.js';

/** A counter observed by the waits below: each look sees the next number. */
const counter = () => {
  let n = 0;
  return async () => ++n;
};

describe('pollUntil', () => {
  it('ends at the first look for which the predicate holds', async () => {
    const r = await pollUntil(counter(), { until: (n) => n === 3, timeoutMs: 5000, intervalMs: 1 });
    expect(r).toMatchObject({ state: 3, met: true });
  });

  it('fails on time-out naming what it waited for and what it saw last', async () => {
    const err = await pollUntil(counter(), {
      until: () => false,
      timeoutMs: 60,
      intervalMs: 10,
      what: 'node 2 to stop',
      describe: (n) => `look ${n}`,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect((err as Error).message).toMatch(/^node 2 to stop: not within 0.06 s \(last seen: look \d+\)$/);
    expect((err as PollTimeoutError<number>).last).toBeGreaterThan(1);
  });

  it('with orLast, resolves with the last state instead; a custom error replaces the message', async () => {
    const r = await pollUntil(counter(), { until: () => false, timeoutMs: 30, intervalMs: 5, orLast: true });
    expect(r.met).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(30);
    await expect(
      pollUntil(counter(), {
        until: () => false,
        timeoutMs: 0,
        intervalMs: 5,
        timeoutError: async (last) => new Error(`saw ${last}`),
      }),
    ).rejects.toThrow('saw 1');
  });

  it('stops between looks when its signal aborts, with the reason, and never starts another look', async () => {
    const ac = new AbortController();
    let looks = 0;
    const wait = pollUntil(
      async () => {
        looks++;
        return looks;
      },
      { until: () => false, timeoutMs: 10_000, intervalMs: 1000, signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('stopped at a safe point')), 20);
    const t0 = Date.now();
    await expect(wait).rejects.toThrow('stopped at a safe point');
    expect(Date.now() - t0).toBeLessThan(500);
    expect(looks).toBe(1);
  });

  it('passes on an error a look throws (a look that shows the wait cannot succeed)', async () => {
    await expect(
      pollUntil(
        async () => {
          throw new Error('node 2 exited');
        },
        { until: () => true, timeoutMs: 1000, intervalMs: 10 },
      ),
    ).rejects.toThrow('node 2 exited');
  });
});
