/** `zkops top`: placeholder, written next. */
import { ExitCode } from '../errors.js';
import type { OutputOptions } from '../output.js';
import type { SourceFlags } from '../metrics/source.js';

/** `zkops top` flags. */
export interface TopFlags extends SourceFlags {
  interval: number;
  once?: boolean;
}

export async function topCommand(_flags: TopFlags, _out: OutputOptions): Promise<number> {
  return ExitCode.failure;
}
