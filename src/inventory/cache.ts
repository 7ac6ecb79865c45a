/**
 * Validated inventories, remembered by content. Validation is a pure function
 * of the inventory's text, the directory it is resolved against and zkops's
 * own inventory code; its result (the spec, and the text as zkops saves it)
 * is kept in the user's cache under a hash of all of that. A command given
 * text validated before skips the YAML and schema libraries altogether, which
 * is most of a short command's start-up; any edit, another directory or
 * another zkops build means a fresh validation.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterSpec } from './spec.js';
import { userCacheDir } from '../user-cache.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

/** A validated inventory: its spec, and its text as saved beside the cluster's state. */
export interface Validated {
  spec: ClusterSpec;
  /** The text with every path on this machine made absolute (comments and order kept). */
  saved: string;
}

/** Bumped whenever ClusterSpec changes shape. */
const FORMAT = 4;
const KEEP = 64;
const here = path.dirname(fileURLToPath(import.meta.url));

/** What identifies this build's inventory code: its modules' sizes and times. */
function buildFingerprint(): string {
  return ['schema', 'rules', 'spec', 'normalize', 'load', 'ports', 'cache']
    .map((m) => {
      const s = statSync(path.join(here, `${m}.js`), { throwIfNoEntry: false });
      return s ? `${m}:${s.size}:${s.mtimeMs}` : m;
    })
    .join(',');
}

const cacheDir = () => userCacheDir('specs');

function keyOf(text: string, cwd: string): string {
  return createHash('sha256')
    .update(`format ${FORMAT}\n${buildFingerprint()}\n${cwd}\n${process.env.HOME ?? ''}\n`)
    .update(text)
    .digest('hex');
}

/** The validated inventory for `text`: from the cache, else validated now (and remembered). */
export async function validatedInventory(text: string, file: string, cwd: string): Promise<Validated> {
  const key = keyOf(text, cwd);
  const hit = read(key);
  if (hit) return hit;
  const { parseInventory } = await import('./load.js');
  const { spec } = parseInventory(text, file, cwd);
  const saved = await savedText(text, spec);
  remember(key, { spec, saved });
  // The saved text means the same spec: later commands that read it back hit the cache too.
  remember(keyOf(saved, cwd), { spec, saved });
  return { spec, saved };
}

/** The inventory text with every path on this machine made absolute, so it means the same from any directory. */
async function savedText(text: string, spec: ClusterSpec): Promise<string> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  if (spec.onThisMachine) doc.set('dir', spec.dir);
  const resolved: [string[], string | undefined][] = [
    [['java', 'home'], spec.java.home],
    [['zookeeper', 'home'], spec.zookeeper.home],
    [['zookeeper', 'tarball'], spec.zookeeper.tarball],
    [['ssh', 'identityFile'], spec.ssh.identityFile],
    [['ssh', 'knownHosts'], spec.ssh.knownHosts],
  ];
  for (const [at, value] of resolved) if (value !== undefined && doc.hasIn(at)) doc.setIn(at, value);
  return doc.toString();
}

function read(key: string): Validated | undefined {
  try {
    const v = JSON.parse(readFileSync(path.join(cacheDir(), `${key}.json`), 'utf8')) as Validated;
    // JSON loses object identity; nodes must share their HostSpec objects again.
    for (const node of v.spec.nodes) node.host = v.spec.hosts.find((h) => h.name === node.host.name) ?? node.host;
    return v;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs the next command a validation. */
function remember(key: string, v: Validated): void {
  try {
    const dir = cacheDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${key}.json`);
    // Synchronous like the rest of the cache: it runs while the command starts, with nothing else to do.
    writeFileAtomicSync(file, JSON.stringify(v), 0o600);
    const entries = readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (entries.length > KEEP) {
      const byAge = entries.map((f) => ({ f, t: statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
      for (const { f } of byAge.slice(0, entries.length - KEEP)) unlinkSync(path.join(dir, f));
    }
  } catch {
    /* see above */
  }
}
