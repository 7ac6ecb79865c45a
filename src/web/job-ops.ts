/**
 * What each dashboard job runs: the same operations as the terminal's commands (ops/), with the page's
 * parameters checked first. Deploy, upgrade and certs rotate are bring-ups of the cluster's inventory (the
 * saved one, or the file given with -i); upgrade is that inventory with another ZooKeeper version. Their dry
 * run (`plan`) is what the page shows before it asks to confirm.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ExitCode, ZkopsError } from '../errors.js';
import { quietContext, type OpContext } from '../events.js';
import { validatedInventory } from '../inventory/cache.js';
import { resolveCluster } from '../ops/cluster.js';
import { backup } from '../ops/data.js';
import { restart, start, stop } from '../ops/lifecycle.js';
import { withChange } from '../ops/lock.js';
import { up, type UpOutcome } from '../ops/up.js';
import { userDataDir } from '../user-cache.js';
import type { WatchedCluster } from './clusters.js';
import { JOB_KINDS, type Job, type JobKind } from './job-state.js';

/** How long a job waits for the quorum after each node (the terminal's default too). */
const TIMEOUT_MS = 120_000;

/** A job's kind and parameters, checked, and the operation that runs it. */
export interface PreparedJob {
  kind: JobKind;
  params: Job['params'];
  run: (ctx: OpContext) => Promise<unknown>;
}

const bad = (message: string) => new ZkopsError(message, ExitCode.usage);

/** Checks what the page asks for and binds it to its operation (a usage error says what is wrong). */
export function prepareJob(c: WatchedCluster, kind: unknown, raw: Record<string, unknown> = {}): PreparedJob {
  if (!JOB_KINDS.includes(kind as JobKind))
    throw bad(`No job kind "${String(kind)}": the dashboard runs ${JOB_KINDS.join(', ')}.`);
  const k = kind as JobKind;
  const ref = c.ref;
  const force = raw.force === true;
  switch (k) {
    case 'restart':
      return { kind: k, params: {}, run: (ctx) => restart(ref, { timeoutMs: TIMEOUT_MS }, ctx).then(brief) };
    case 'start':
    case 'stop': {
      const node = String(raw.node ?? '');
      if (!c.spec.nodes.some((n) => String(n.id) === node))
        throw bad(`${k} needs one node of ${c.name}: one of ${c.spec.nodes.map((n) => n.id).join(', ')}.`);
      const params = { node, ...(force ? { force: true } : {}) };
      const input = { nodes: [node], force, timeoutMs: TIMEOUT_MS };
      return {
        kind: k,
        params,
        run: (ctx) => (k === 'start' ? start(ref, input, ctx).then(brief) : stop(ref, input, ctx)),
      };
    }
    case 'deploy':
      return { kind: k, params: {}, run: (ctx) => bringUp(c, {}, ctx).then(briefUp) };
    case 'upgrade': {
      const version = String(raw.version ?? '');
      if (!/^\d+\.\d+\.\d+$/.test(version)) throw bad(`upgrade needs a version like 3.8.4, not "${version}".`);
      return { kind: k, params: { version }, run: (ctx) => bringUp(c, { version }, ctx).then(briefUp) };
    }
    case 'certs-rotate':
      if (!c.spec.security.tls)
        throw bad(`Cluster ${c.name} does not use TLS (security.tls is not true): it has no certificates to rotate.`);
      return { kind: k, params: {}, run: (ctx) => bringUp(c, { renewCerts: true }, ctx).then(briefUp) };
    case 'backup': {
      const dir = userDataDir('backups', c.name, new Date().toISOString().replace(/[:.]/g, '-'));
      return {
        kind: k,
        params: { directory: dir },
        // Under the cluster's lock and in its audit log, as every other job: a backup taken while a restart
        // rolls would copy a node mid-restart.
        run: (ctx) => withChange(c.spec, 'backup', ctx, dir, () => backup(c.ref, { output: dir }, ctx)),
      };
    }
  }
}

/**
 * The dry run of a deploy (or of an upgrade to `version`): what each node would get, nothing changed. Files
 * are named with their status and, for zoo.cfg, the settings that change; their text stays here.
 */
export async function plan(c: WatchedCluster, version?: string): Promise<UpOutcome> {
  if (version !== undefined && !/^\d+\.\d+\.\d+$/.test(version))
    throw bad(`upgrade needs a version like 3.8.4, not "${version}".`);
  const o = await bringUp(c, { dryRun: true, version }, quietContext);
  if (o.kind !== 'dry-run') return o;
  const nodes = o.nodes.map((n) => ({
    ...n,
    files: n.files.map((f) => ({ path: f.path, status: f.status, ...(f.settings ? { settings: f.settings } : {}) })),
  }));
  return { ...o, nodes };
}

/** The cluster's inventory brought up: as it is, with another version, or with new certificates. */
async function bringUp(
  c: WatchedCluster,
  o: { version?: string; renewCerts?: boolean; dryRun?: boolean },
  ctx: OpContext,
): Promise<UpOutcome> {
  const { file } = await resolveCluster(c.ref);
  let text = await readFile(file, 'utf8');
  if (o.version) text = withVersion(text, o.version);
  const inventory = await validatedInventory(text, file, process.cwd());
  try {
    return await up({ inventory, timeoutMs: TIMEOUT_MS, dryRun: o.dryRun, renewCerts: o.renewCerts }, ctx);
  } finally {
    // A real bring-up may have made secrets (rotated keys, a first TLS or SASL switch): the page's probes and
    // its redactor (server.ts asks secretsOf on every answer) follow the cluster as it now is.
    if (!o.dryRun)
      c.spec = await resolveCluster(c.ref).then(
        (r) => r.spec,
        () => c.spec,
      );
  }
}

/**
 * An inventory's text with ZooKeeper `version`: zookeeper.version set (a home or tarball of the old release
 * removed, with its checksum), or for a Docker cluster the image's tag. Comments and the rest stay as written.
 */
export function withVersion(text: string, version: string): string {
  const doc = parseDocument(text);
  if (doc.get('executor') === 'docker') {
    const image = String(doc.getIn(['docker', 'image']) ?? 'zookeeper');
    const repo = image.replace(/:[^/:]*$/, '');
    doc.setIn(['docker', 'image'], `${repo}:${version}`);
  } else {
    for (const key of ['home', 'tarball', 'sha512']) doc.deleteIn(['zookeeper', key]);
    doc.setIn(['zookeeper', 'version'], version);
  }
  return doc.toString();
}

/** What the page shows of a lifecycle outcome: not the whole status' node table (the overview has it live). */
function brief<T extends { nodes: unknown }>(o: T): Omit<T, 'nodes'> {
  const { nodes: _nodes, ...rest } = o;
  return rest;
}

/** What the page shows of a bring-up's outcome. */
function briefUp(o: UpOutcome): unknown {
  if (o.kind !== 'done') return { kind: o.kind, warnings: o.warnings };
  return {
    kind: o.kind,
    changed: o.changed,
    healthy: o.status.healthy,
    upgrades: o.upgrades,
    nodes: o.nodes.map((n) => ({ id: n.id, action: n.action })),
    warnings: o.warnings,
  };
}
