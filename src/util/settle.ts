/**
 * Settle all, then one error naming every failure: the shape of every change
 * made on several hosts at once (preflight, Java, the release, the files).
 * Each item runs to its end even when another fails, so the operator reads
 * every host's problem in one run instead of one per run.
 */

/** How `settleAll` runs the items and words its error. */
export interface SettleHow<I> {
  /** How many items run at the same time (default: all). */
  limit?: number;
  /** What a failure is prefixed with in the error: the host's name, say. */
  name(item: I): string;
  /**
   * The one error thrown when any item failed. `failures` are "name: message", in item order; `listed` is
   * the same, one per line and indented by two spaces, for the common "...:\n  a\n  b" message.
   */
  error(failures: string[], listed: string): Error;
}

/** Runs `fn` on every item, at most `limit` at a time; each outcome, in item order. */
export async function settleEach<I, T>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i]!) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Runs `fn` on every item; their results in item order, or, when any failed, `how.error` naming each failure. */
export async function settleAll<I, T>(
  items: readonly I[],
  fn: (item: I) => Promise<T>,
  how: SettleHow<I>,
): Promise<T[]> {
  const results = await settleEach(items, how.limit ?? items.length, fn);
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${how.name(items[i]!)}: ${messageOf(r.reason)}`] : [],
  );
  if (failures.length) throw how.error(failures, failures.map((f) => `  ${f}`).join('\n'));
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
