/**
 * Finding the cluster a command is about, so commands run where the cluster
 * was created need no flags: `-i FILE` if given, else the inventory zkops
 * saved under ./.zkops/<name>/ when it brought the cluster up.
 *
 * Validation results are remembered by content (inventory/cache.ts): while an
 * inventory is unchanged, commands such as status skip parsing and validation
 * (and loading their libraries), which keeps them fast; any edit to the
 * inventory makes them validate it again.
 */
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import { validatedInventory } from '../inventory/cache.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { loadSecrets, secretsDir, type LoadOptions } from '../security/secrets.js';
import { Reporter } from '../events.js';

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

/** What an operation is about: flags as a command has them (resolved like the CLI does), or a spec in hand. */
export type ClusterRef = (ClusterFlags & { cwd?: string }) | { spec: ClusterSpec };

/** The spec a reference names (its secrets loaded). */
export async function specOf(ref: ClusterRef, report = new Reporter()): Promise<ClusterSpec> {
  return 'spec' in ref ? ref.spec : (await resolveCluster(ref, ref.cwd, report)).spec;
}

/** The spec of the cluster named by flags, or of the one cluster saved in this directory. */
export async function resolveCluster(
  flags: ClusterFlags,
  cwd = process.cwd(),
  report = new Reporter(),
): Promise<{ spec: ClusterSpec; file: string }> {
  if (flags.inventory) {
    const { spec } = await validatedInventory(await readInventoryText(flags.inventory), flags.inventory, cwd);
    return { spec: await withSecrets(spec, { create: false }, report), file: flags.inventory };
  }
  let name = flags.cluster;
  if (!name) {
    const names = await savedClusters(cwd);
    if (names.length === 0)
      throw new ZkopsError(
        `No cluster here (${path.join(cwd, STATE_DIR)} is empty or missing). Run zkops init to create one, or pass ` +
          `an inventory with -i.`,
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
      `No cluster "${name}" in ${path.join(cwd, STATE_DIR)}. Run zkops init (or deploy) here first, or pass its ` +
        `inventory with -i.`,
      ExitCode.usage,
    );
  return { spec: await withSecrets((await validatedInventory(text, file, cwd)).spec, { create: false }, report), file };
}

/** The spec with the secrets its switches need, as they are (only deploy and init make missing ones). */
export async function withSecrets(
  spec: ClusterSpec,
  options: LoadOptions = { create: false },
  report = new Reporter(),
): Promise<ClusterSpec> {
  const secrets = await loadSecrets(spec, options);
  // Without zkops's client certificate nothing here can talk to a TLS-only ensemble: said once, up front.
  if (spec.security.tls && !options.create && (!secrets?.client || !secrets.ca))
    report.warn(
      `security.tls is on, but ${secretsDir(spec)} holds no cluster CA and client certificate: nodes that speak ` +
        'only TLS will show as down. Copy that directory from the machine that deployed the cluster, or set ' +
        'security.dir to where it is.',
    );
  return secrets ? { ...spec, secrets } : spec;
}

/** Reads an inventory file's text; a missing one is a usage error naming the file. */
export async function readInventoryText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new ZkopsError(`Cannot read the inventory ${file}; pass an existing file with -i.`, ExitCode.usage);
  }
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

/** Saves the inventory (as validation made it: paths absolute) next to the cluster's state. */
export async function saveInventory(spec: ClusterSpec, saved: string, cwd = process.cwd()): Promise<string> {
  const file = savedInventoryPath(spec.name, cwd);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, saved);
  return file;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
