/**
 * What the API sends: the server's own types (from the declarations `tsc -p tsconfig.json` writes to dist/,
 * which every build makes before the page's check), so the page and the server cannot drift apart.
 */
export type { NodeRow, ClusterView } from '../dist/web/clusters.js';
export type { Child, Znode } from '../dist/web/znodes.js';
export type { EditResult } from '../dist/ops/znode-edit.js';
export type { ImportPlan } from '../dist/ops/znode-data.js';
export type { Finding } from '../dist/doctor/check.js';
export type { LogEntry } from '../dist/logs/merge.js';
export type { Job, JobEvent } from '../dist/web/job-state.js';
export type { AuditEntry } from '../dist/support/audit.js';

export interface History {
  t: number[];
  series: Record<string, (number | null)[][]>;
}
