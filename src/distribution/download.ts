/**
 * ZooKeeper by version: the release tarball and its .sha512, fetched on the
 * machine running zkops (never on the hosts: they may have no internet) from
 * a mirror in Apache's layout (zookeeper-X.Y.Z/apache-zookeeper-X.Y.Z-bin.tar.gz),
 * checked, and kept in ~/.cache/zkops/releases by version and checksum, so a
 * second deploy fetches nothing. Without a mirror of the inventory's own:
 * Apache's download site (current releases), then its archive (all others).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PreflightError } from '../errors.js';
import { userCacheDir } from '../user-cache.js';

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

/** A cached release of `version` (its tarball and checksum), if there is one. */
async function cached(version: string): Promise<{ file: string; sha512: string } | undefined> {
  const dirs = await readdir(cacheRoot()).catch(() => [] as string[]);
  for (const d of dirs.filter((x) => x.startsWith(`${version}-`))) {
    const file = path.join(cacheRoot(), d, `${top(version)}.tar.gz`);
    const sha512 = (await readFile(`${file}.sha512`, 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{128}$/.test(sha512) && d === `${version}-${sha512.slice(0, 16)}`) return { file, sha512 };
  }
  return undefined;
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

export interface FetchedRelease {
  file: string;
  sha512: string;
  /** Where it came from, or "cache". */
  source: string;
}

/**
 * The release tarball of `version`: from the cache, else fetched from the first of `mirrors` that has it and
 * checked against its .sha512 before it is kept. A mismatch stops everything before any host is touched.
 */
export async function fetchRelease(
  version: string,
  mirrors: string[],
  options: { timeoutMs?: number; note?: (text: string) => void } = {},
): Promise<FetchedRelease> {
  if (!/^3\.(\d+)\.\d+$/.test(version) || Number(version.split('.')[1]) < 5)
    throw new PreflightError(
      `zookeeper.version ${version}: releases before 3.5 were not published as apache-zookeeper-X.Y.Z-bin.tar.gz, ` +
        'so zkops cannot fetch them by version. Give zookeeper.tarball (a file on this machine) or ' +
        'zookeeper.home instead.',
    );
  const hit = await cached(version);
  if (hit) return { ...hit, source: 'cache' };
  // The whole download (a ~15 MB release) may take this long.
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const tried: string[] = [];
  for (const mirror of mirrors) {
    const base = `${mirror.replace(/\/+$/, '')}/zookeeper-${version}/${top(version)}.tar.gz`;
    // A mirror that cannot be reached, or lacks the release, hands over to the next (the last one's error stands).
    const sums = await get(`${base}.sha512`, timeoutMs).catch((err: Error) => {
      if (mirror === mirrors[mirrors.length - 1]) throw err;
      tried.push(`${base}.sha512 (${err.message.split(':')[0]})`);
      return undefined;
    });
    if (!sums) continue;
    if (sums.status === 404) {
      tried.push(`${base}.sha512 (404)`);
      continue;
    }
    if (!sums.ok) throw new PreflightError(`${base}.sha512 answered ${sums.status}; nothing was written on any host.`);
    const expected = parseSha512File(await sums.text());
    if (!expected)
      throw new PreflightError(
        `${base}.sha512 holds no SHA-512 zkops can read; nothing was written on any host. Check the mirror.`,
      );
    options.note?.(`fetching ${top(version)}.tar.gz from ${mirror}`);
    const body = await get(base, timeoutMs);
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
      if (got !== expected)
        throw new PreflightError(
          `${base} does not match its .sha512 (got ${got.slice(0, 16)}…, expected ${expected.slice(0, 16)}…): a ` +
            'broken download or a tampered mirror. Nothing was kept, and nothing was written on any host.',
        );
      await writeFile(`${tmp}.sha512`, `${got}\n`);
      const dir = path.join(cacheRoot(), `${version}-${got.slice(0, 16)}`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmpDir, dir);
      return { file: path.join(dir, `${top(version)}.tar.gz`), sha512: got, source: mirror };
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
