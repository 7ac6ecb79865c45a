/**
 * A named sub-step (fetch, distribute, java, image) reported through the
 * runtime's progress when the caller gave one, else simply run: the runtimes
 * do not care who listens.
 */
import type { RuntimeOptions } from './types.js';

/** The progress a runtime was opened with. */
export type RuntimeProgress = NonNullable<RuntimeOptions['progress']>;

/** Runs `fn` as the step `name` of `progress` (with `detail` of its result), or bare without one. */
export function asStep<T>(
  progress: RuntimeProgress | undefined,
  name: string,
  fn: () => Promise<T>,
  detail?: (r: T) => string,
): Promise<T> {
  return progress ? progress.step(name, fn, detail) : fn();
}
