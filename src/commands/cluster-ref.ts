/**
 * Finding the cluster a command is about, so commands run where the cluster
 * was created need no flags: `-i FILE` if given, else the inventory zkops
 * saved under ./.zkops/<name>/ when it brought the cluster up.
 *
 * Next to the saved inventory lies the validated ClusterSpec, keyed by the
 * inventory's hash: while the inventory is unchanged, commands such as status
 * skip parsing and validation (and loading their libraries), which keeps them
 * fast; any edit to the inventory makes them validate it again.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import type { LoadedInventory } from '../inventory/load.js';
import type { ClusterSpec } from '../inventory/spec.js';

/** Directory (relative to the working directory) where zkops keeps what it created. */
export const STATE_DIR = '.zkops';

/** Flags every cluster command accepts. */
export interface ClusterFlags {
  inventory?: string;
  cluster?: string;
}

/** The saved inventory of a cluster. */
export function savedInventoryPath(name: string, cwd = process.cwd()): string {
  return path.join(cwd, STATE_DIR, name, 'inventory.yaml');
}

const specCachePath = (name: string, cwd: string) => path.join(cwd, STATE_DIR, name, 'spec.json');
/** Bumped whenever ClusterSpec changes shape, so a cache written by an older zkops is not trusted. */
const SPEC_FORMAT = 3;
const sha256 = (text: string) => createHash('sha256').update(`spec-format ${SPEC_FORMAT}\n`).update(text).digest('hex');

/** The spec of the cluster named by flags, or of the one cluster saved in this directory. */
export async function resolveCluster(
  flags: ClusterFlags,
  cwd = process.cwd(),
): Promise<{ spec: ClusterSpec; file: string }> {
  if (flags.inventory) return loadValidated(flags.inventory, cwd);
  let name = flags.cluster;
  if (!name) {
    const names = await savedClusters(cwd);
    if (names.length === 0)
      throw new ZkopsError(
        `No cluster here (${path.join(cwd, STATE_DIR)} is empty or missing). Run zkops init to create one, or pass an inventory with -i.`,
        ExitCode.usage,
      );
    if (names.length > 1)
      throw new ZkopsError(
        `Several clusters here (${names.join(', ')}); choose one with --cluster NAME or -i FILE.`,
        ExitCode.usage,
      );
    name = names[0]!;
  }
  const file = savedInventoryPath(name, cwd);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new ZkopsError(
      `No cluster "${name}" in ${path.join(cwd, STATE_DIR)}. Run zkops init (or deploy) here first, or pass its inventory with -i.`,
      ExitCode.usage,
    );
  const cached = await readFile(specCachePath(name, cwd), 'utf8').then(
    (t) => JSON.parse(t) as { sha256: string; spec: ClusterSpec },
    () => undefined,
  );
  if (cached?.sha256 === sha256(text)) return { spec: rehydrate(cached.spec), file };
  return loadValidated(file, cwd);
}

async function loadValidated(file: string, cwd: string): Promise<{ spec: ClusterSpec; file: string }> {
  const { loadInventoryFile } = await import('../inventory/load.js');
  return loadInventoryFile(file, cwd);
}

/** JSON loses object identity; nodes must share their HostSpec objects again. */
function rehydrate(spec: ClusterSpec): ClusterSpec {
  for (const node of spec.nodes) node.host = spec.hosts.find((h) => h.name === node.host.name) ?? node.host;
  return spec;
}

/** Names of clusters saved under ./.zkops. */
export async function savedClusters(cwd = process.cwd()): Promise<string[]> {
  const dir = path.join(cwd, STATE_DIR);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries)
    if (e.isDirectory() && (await exists(path.join(dir, e.name, 'inventory.yaml')))) names.push(e.name);
  return names.sort();
}

/**
 * Saves the inventory next to the cluster's state, with every path on this
 * machine made absolute (as the spec resolved it), so it means the same from
 * any directory (comments and order are kept), and the validated spec beside it.
 */
export async function saveInventory(loaded: LoadedInventory, text: string, cwd = process.cwd()): Promise<string> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  const { spec } = loaded;
  if (spec.onThisMachine) doc.set('dir', spec.dir);
  const resolved: [string[], string | undefined][] = [
    [['java', 'home'], spec.java.home],
    [['zookeeper', 'home'], spec.zookeeper.home],
    [['zookeeper', 'tarball'], spec.zookeeper.tarball],
    [['ssh', 'identityFile'], spec.ssh.identityFile],
    [['ssh', 'knownHosts'], spec.ssh.knownHosts],
  ];
  for (const [at, value] of resolved) if (value !== undefined && doc.hasIn(at)) doc.setIn(at, value);
  const saved = doc.toString();
  const file = savedInventoryPath(loaded.spec.name, cwd);
  await mkdir(path.dirname(file), { recursive: true });
  await atomicWrite(file, saved);
  await atomicWrite(specCachePath(loaded.spec.name, cwd), JSON.stringify({ sha256: sha256(saved), spec: loaded.spec }));
  return file;
}

async function atomicWrite(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
