/** `zkops monitoring`: placeholder, written next. */
import { ExitCode } from '../errors.js';
import type { OutputOptions } from '../output.js';
import type { ClusterFlags } from './cluster-ref.js';

/** `zkops monitoring` flags. */
export interface MonitoringFlags extends ClusterFlags {
  output: string;
  exporter: string;
  fast?: number;
}

export async function monitoringCommand(_flags: MonitoringFlags, _out: OutputOptions): Promise<number> {
  return ExitCode.failure;
}
