/**
 * ZooKeeper by version: the release tarball and its .sha512, fetched on the
 * machine running zkops (never on the hosts: they may have no internet) from
 * a mirror in Apache's layout (zookeeper-X.Y.Z/apache-zookeeper-X.Y.Z-bin.tar.gz),
 * checked against its .sha512 and trusted only as release-trust.ts decides
 * (its .asc signature, or a pinned SHA-512), and kept in
 * ~/.cache/zkops/releases by version and checksum with its .asc, so a second
 * deploy fetches nothing (and re-checks what it takes from the cache). Without
 * a mirror of the inventory's own: Apache's download site (current releases),
 * then its archive (all others).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PreflightError } from '../errors.js';
import { userCacheDir } from '../user-cache.js';
import { trustRelease, unsigned } from './release-trust.js';

export const APACHE_MIRRORS = ['https://dlcdn.apache.org/zookeeper/', 'https://archive.apache.org/dist/zookeeper/'];

/** The release a machine without any ZooKeeper gets (zkops init there, or an inventory naming none). */
export const DEFAULT_RELEASE = '3.9.3';

/**
 * The SHA-512 in a .sha512 file, in either form Apache has published: `sha512sum` style (lower-case hex, then the
 * file name) or `gpg --print-md SHA512` style (the file name, a colon, upper-case hex in groups over several lines).
 */
export function parseSha512File(text: string): string | undefined {
  const plain = /^\s*([0-9a-f]{128})\b/i.exec(text);
  if (plain) return plain[1]!.toLowerCase();
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const hex = text.slice(colon + 1).replace(/\s+/g, '');
  return /^[0-9a-f]{128}$/i.test(hex) ? hex.toLowerCase() : undefined;
}

const cacheRoot = () => userCacheDir('releases');

const top = (version: string) => `apache-zookeeper-${version}-bin`;

/** The cached releases of `version` (tarball, checksum, signature if the mirror had one), the pinned one first. */
async function cached(version: string, pin?: string): Promise<{ file: string; sha512: string; asc?: string }[]> {
  const dirs = await readdir(cacheRoot()).catch(() => [] as string[]);
  const found: { file: string; sha512: string; asc?: string }[] = [];
  for (const d of dirs.filter((x) => x.startsWith(`${version}-`))) {
    const file = path.join(cacheRoot(), d, `${top(version)}.tar.gz`);
    const sha512 = (await readFile(`${file}.sha512`, 'utf8').catch(() => '')).trim();
    if (!/^[0-9a-f]{128}$/.test(sha512) || d !== `${version}-${sha512.slice(0, 16)}`) continue;
    const asc = await readFile(`${file}.asc`, 'utf8').catch(() => undefined);
    found.push({ file, sha512, ...(asc === undefined ? {} : { asc }) });
  }
  return found.sort((a, b) => Number(b.sha512 === pin?.toLowerCase()) - Number(a.sha512 === pin?.toLowerCase()));
}

async function get(url: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new PreflightError(
      `Cannot fetch ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}. Nothing was written on any ` +
        'host. Check the network of this machine, or point zookeeper.mirror at a mirror it can reach (or give ' +
        'zookeeper.tarball, a file on this machine).',
    );
  }
}

/** A small file beside the tarball: its text, or undefined where the mirror has none (404). */
async function sidecar(url: string, timeoutMs: number): Promise<string | undefined> {
  const r = await get(url, timeoutMs);
  if (r.status === 404) return undefined;
  if (!r.ok) throw new PreflightError(`${url} answered ${r.status}; nothing was written on any host.`);
  return r.text();
}

export interface FetchedRelease {
  file: string;
  sha512: string;
  /** Where it came from, or "cache". */
  source: string;
  /** Why it is trusted: who signed it, or which pinned SHA-512 it matches. */
  verifiedBy: string;
}

/** How a release is fetched and what it must verify against. */
export interface FetchOptions {
  timeoutMs?: number;
  note?: (text: string) => void;
  /** zookeeper.sha512: the tarball must have exactly this SHA-512 (and then needs no signature). */
  sha512?: string;
  /** zookeeper.keys: files with more OpenPGP keys to accept signatures from (a private build). */
  keys?: string[];
}

/**
 * The release tarball of `version`: from the cache, else fetched from the first of `mirrors` that has it, checked
 * against its .sha512 and trusted as release-trust.ts decides before it is kept. A refusal stops everything before
 * any host is touched.
 */
export async function fetchRelease(
  version: string,
  mirrors: string[],
  options: FetchOptions = {},
): Promise<FetchedRelease> {
  if (!/^3\.(\d+)\.\d+$/.test(version) || Number(version.split('.')[1]) < 5)
    throw new PreflightError(
      `zookeeper.version ${version}: releases before 3.5 were not published as apache-zookeeper-X.Y.Z-bin.tar.gz, ` +
        'so zkops cannot fetch them by version. Give zookeeper.tarball (a file on this machine) or ' +
        'zookeeper.home instead.',
    );
  const pin = options.sha512?.toLowerCase();
  const keys = options.keys ?? [];
  // What the cache holds was trusted when it was fetched, but maybe under other keys or pins: checked again.
  for (const hit of await cached(version, pin)) {
    const trusted = await trustRelease({ version, ...hit, where: hit.file, pin, keys }).catch(() => undefined);
    if (trusted) return { file: hit.file, sha512: hit.sha512, source: 'cache', verifiedBy: trusted };
  }
  // The whole download (a ~15 MB release) may take this long.
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const tried: string[] = [];
  for (const mirror of mirrors) {
    const base = `${mirror.replace(/\/+$/, '')}/zookeeper-${version}/${top(version)}.tar.gz`;
    // A mirror that cannot be reached, or lacks the release, hands over to the next (the last one's error stands).
    let sums: string | undefined;
    try {
      sums = await sidecar(`${base}.sha512`, timeoutMs);
    } catch (err) {
      if (mirror === mirrors[mirrors.length - 1] || !/^Cannot fetch/.test((err as Error).message)) throw err;
      tried.push(`${base}.sha512 (${(err as Error).message.split(':')[0]})`);
      continue;
    }
    if (sums === undefined && !pin) {
      tried.push(`${base}.sha512 (404)`);
      continue;
    }
    const expected = sums === undefined ? undefined : parseSha512File(sums);
    if (sums !== undefined && !expected)
      throw new PreflightError(
        `${base}.sha512 holds no SHA-512 zkops can read; nothing was written on any host. Check the mirror.`,
      );
    // With a pinned SHA-512 the bytes are known; otherwise the signature is what vouches for them.
    const asc = pin ? undefined : await sidecar(`${base}.asc`, timeoutMs);
    if (!pin && asc === undefined) throw unsigned(base);
    options.note?.(`fetching ${top(version)}.tar.gz from ${mirror}`);
    const body = await get(base, timeoutMs);
    if (body.status === 404 && sums === undefined) {
      tried.push(`${base} (404)`);
      continue;
    }
    if (!body.ok || !body.body)
      throw new PreflightError(`${base} answered ${body.status}; nothing was written on any host.`);
    await mkdir(cacheRoot(), { recursive: true });
    const tmpDir = path.join(cacheRoot(), `.fetch-${randomBytes(4).toString('hex')}`);
    await mkdir(tmpDir);
    try {
      const tmp = path.join(tmpDir, `${top(version)}.tar.gz`);
      const hash = createHash('sha512');
      const stream = Readable.fromWeb(body.body as Parameters<typeof Readable.fromWeb>[0]);
      stream.on('data', (d: Buffer) => hash.update(d));
      await pipeline(stream, createWriteStream(tmp)).catch((err: Error) => {
        throw new PreflightError(
          `Fetching ${base} broke off (${err.message}); nothing was kept or written on any host. Run again.`,
        );
      });
      const got = hash.digest('hex');
      const verifiedBy = await trustRelease({
        version,
        file: tmp,
        sha512: got,
        where: base,
        mirrorSha512: expected,
        asc,
        pin,
        keys,
      });
      await writeFile(`${tmp}.sha512`, `${got}\n`);
      if (asc !== undefined) await writeFile(`${tmp}.asc`, asc);
      const dir = path.join(cacheRoot(), `${version}-${got.slice(0, 16)}`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmpDir, dir);
      return { file: path.join(dir, `${top(version)}.tar.gz`), sha512: got, source: mirror, verifiedBy };
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
  throw new PreflightError(
    `ZooKeeper ${version} is not on ${mirrors.length > 1 ? 'any of the mirrors' : 'the mirror'} (tried ` +
      `${tried.join(', ')}). Check the version (zookeeper.version), or set zookeeper.mirror. Nothing was written on ` +
      'any host.',
  );
}
