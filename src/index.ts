/**
 * zkops as a library: the operations every front end (the CLI, the exporter,
 * a dashboard, your own scripts) is built on. Each takes typed input, returns
 * typed data, and reports what happens through the event sink in its context;
 * long ones stop at a safe point when the context's signal aborts.
 *
 *   import { deploy, status, restart } from 'zkops';
 *   const s = await status({ inventory: 'zk.yaml' });
 */
export {
  init,
  deploy,
  defaultPseudoInventory,
  type InitInput,
  type DeployInput,
  type PseudoShape,
} from './ops/deploy.js';
export { up, type UpInput, type UpOutcome, type DryRunNode } from './ops/up.js';
export { status } from './ops/status.js';
export { start, stop, restart, selectNodes, type LifecycleInput, type NodeStop } from './ops/lifecycle.js';
export { doctor, doctorExitCode, type DoctorInput, type DoctorReport } from './ops/doctor.js';
export { backup, restore, bundle, destroy } from './ops/data.js';
export { readLogs, followLogs, type LogsInput, type LogsRead } from './ops/logs.js';
export {
  smoke,
  list,
  get,
  watch,
  openSession,
  decodeName,
  type ClientInput,
  type Listed,
  type WatchEvent,
} from './ops/client.js';
export { certsList, certsClient, type ClientCertFiles } from './ops/certs.js';
export { adopt, type AdoptInput, type AdoptOutcome } from './ops/adopt.js';
export { resolveCluster, savedClusters, type ClusterFlags, type ClusterRef } from './ops/cluster.js';
export { settingsDiff, type SettingsDiff } from './ops/settings-diff.js';
export { ClusterBusyError, lockPath, type LockHolder } from './ops/lock.js';
export { readAudit, auditPath, type AuditEntry } from './support/audit.js';
export {
  Reporter,
  recordingSink,
  silentSink,
  quietContext,
  type EventSink,
  type NodePhase,
  type OpContext,
  type OpEvent,
} from './events.js';
export type { ClusterStatus, NodeStatus } from './health/status.js';
export type { ClusterSpec, NodeSpec } from './inventory/spec.js';
export { ExitCode, ZkopsError, AbortedError, InventoryError, PreflightError, UnhealthyError } from './errors.js';
