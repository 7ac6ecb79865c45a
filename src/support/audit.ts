/**
 * The audit log: one JSON line per change made to a cluster (who, from where,
 * what, when, how it ended), appended beside the cluster's private state
 * (where its secrets live), never rewritten. Shown by the dashboard and put
 * into the support bundle. Nothing secret goes in: operations and outcomes,
 * not inventories or keys.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClusterSpec } from '../inventory/spec.js';
import { secretsDir } from '../security/secrets.js';

/** One change. */
export interface AuditEntry {
  time: string;
  cluster: string;
  /** The OS account zkops ran as. */
  user: string;
  /** Where the request came from: "terminal", or the dashboard's client address. */
  via: string;
  operation: string;
  /** Its arguments, as the operator gave them (node ids, flags; never secrets). */
  detail?: string;
  outcome: 'done' | 'failed' | 'aborted' | 'refused';
  ms: number;
  /** The first line of the error, for a change that did not finish. */
  error?: string;
}

/** The audit log of a cluster. */
export function auditPath(spec: Pick<ClusterSpec, 'name' | 'security'>): string {
  return path.join(secretsDir(spec), 'audit.jsonl');
}

/** Appends one entry (O_APPEND: concurrent writers interleave whole lines). */
export async function appendAudit(
  spec: Pick<ClusterSpec, 'name' | 'security'>,
  entry: Omit<AuditEntry, 'time' | 'cluster' | 'user'>,
): Promise<void> {
  const file = auditPath(spec);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const line: AuditEntry = {
    time: new Date().toISOString(),
    cluster: spec.name,
    user: os.userInfo().username,
    ...entry,
  };
  await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600, flag: 'a' });
}

/** The last `limit` entries, oldest first (none when there is no log). */
export async function readAudit(spec: Pick<ClusterSpec, 'name' | 'security'>, limit = 1000): Promise<AuditEntry[]> {
  const text = await readFile(auditPath(spec), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .slice(-limit)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as AuditEntry];
      } catch {
        return [];
      }
    });
}
