/** Bounded waits for something to happen (never a measure of speed). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it gives a value or `ms` pass; the time it took comes with the value. On time-out, the
 * error names what was awaited and what was last seen.
 */
export async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>, everyMs = 200) {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return { value, ms: Date.now() - t0 };
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (last: ${last})` : ''}`);
    await sleep(everyMs);
  }
}
