/**
 * An Apache release tarball (apache-zookeeper-X.Y.Z-bin.tar.gz) from the
 * machine running zkops, installed on a host: uploaded once (skipped when the
 * host already has the same bytes), verified by SHA-512 on the host,
 * unpacked into a versioned directory, and pointed at by a stable `current`
 * link. The server's class path names the versioned directory, so a new
 * version changes the run script and the node is restarted (rolling).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { PreflightError } from '../errors.js';
import type { Executor } from '../executors/types.js';
import { execChecked } from '../executors/helpers.js';
import { sh } from '../shell.js';
import type { ZookeeperInstall } from './zookeeper.js';

/** A release tarball on this machine. */
export interface Tarball {
  file: string;
  sha512: string;
  version: string;
  /** Top directory inside the tarball, e.g. apache-zookeeper-3.8.4-bin. */
  topDir: string;
}

/** Reads and checks the tarball before any host is touched. */
export async function inspectTarball(file: string, expectedSha512?: string): Promise<Tarball> {
  const base = path.basename(file);
  const m = /^(apache-zookeeper-(\d+\.\d+\.\d+)-bin)\.tar\.gz$/.exec(base);
  if (!m)
    throw new PreflightError(
      `zookeeper.tarball ${file}: expected an Apache binary release named apache-zookeeper-X.Y.Z-bin.tar.gz.`,
    );
  const sha512 = await new Promise<string>((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('error', (e: NodeJS.ErrnoException) =>
        reject(new PreflightError(`Cannot read zookeeper.tarball ${file} (${e.code ?? e.message}).`)),
      )
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')));
  });
  if (expectedSha512 && expectedSha512.toLowerCase() !== sha512) {
    throw new PreflightError(
      `zookeeper.tarball ${file} does not match zookeeper.sha512 (its SHA-512 is ${sha512.slice(0, 16)}…). ` +
        `Download it again, or fix the checksum from ${base}.sha512 on the Apache download page.`,
    );
  }
  return { file, sha512, version: m[2]!, topDir: m[1]! };
}

/** Where a tarball lands on a host under the install root. */
export function tarballInstall(root: string, t: Tarball): ZookeeperInstall & { link: string } {
  const home = path.posix.join(root, t.topDir);
  return {
    home,
    classpath: `${home}/conf:${home}/lib/*`,
    version: t.version,
    source: 'inventory',
    link: path.posix.join(root, 'current'),
  };
}

/** Outcome of installing the distribution on one host. */
export type DistributionOutcome = 'installed' | 'unchanged';

/** Uploads (if needed), verifies and unpacks the tarball on a host; idempotent. */
export async function installTarball(ex: Executor, root: string, t: Tarball): Promise<DistributionOutcome> {
  const inst = tarballInstall(root, t);
  return installArchive(ex, root, { ...t, mustHave: 'lib', link: inst.link });
}

/** An archive with one top directory, as a host gets it under `root`. */
export interface Archive {
  file: string;
  sha512: string;
  topDir: string;
  /** A path inside topDir that an archive of its kind has (a release's lib, a JDK's bin/java). */
  mustHave: string;
  /** A stable link to point at the unpacked directory. */
  link?: string;
}

/**
 * Uploads (once: skipped when the host has the same bytes), verifies by SHA-512 on the host, and unpacks into
 * `<root>/<topDir>` (beside, then renamed: a half-unpacked archive is never used); idempotent.
 */
export async function installArchive(ex: Executor, root: string, a: Archive): Promise<DistributionOutcome> {
  const home = path.posix.join(root, a.topDir);
  const remote = path.posix.join(root, 'dist', path.basename(a.file));
  const marker = path.posix.join(home, '.zkops-sha512');
  // One line each: unpacked archive's checksum, uploaded archive's checksum, link target.
  const state = await ex.exec(
    `head -n1 ${sh(marker)} 2>/dev/null || echo; sha512sum ${sh(remote)} 2>/dev/null | cut -d' ' -f1; ` +
      (a.link ? `readlink ${sh(a.link)}` : 'true'),
  );
  const [unpacked = '', uploaded = '', linked = ''] = state.stdout.split('\n').map((l) => l.trim());
  if (unpacked === a.sha512 && (!a.link || linked === home)) return 'unchanged';

  if (uploaded !== a.sha512) {
    await ex.upload(a.file, remote, 0o644);
    const got = (await execChecked(ex, `sha512sum ${sh(remote)} | cut -d' ' -f1`)).trim();
    if (got !== a.sha512)
      throw new PreflightError(
        `${ex.label}: the uploaded ${remote} has SHA-512 ${got.slice(0, 16)}…, not ${a.sha512.slice(0, 16)}… (a ` +
          `broken transfer or disk); run deploy again.`,
      );
  }
  if (unpacked !== a.sha512) {
    const staging = `${home}.zkops-unpack`;
    await execChecked(
      ex,
      `rm -rf ${sh(staging)} && mkdir -p ${sh(staging)} && tar -xzf ${sh(remote)} -C ${sh(staging)} && ` +
        `[ -e ${sh(`${staging}/${a.topDir}/${a.mustHave}`)} ] && printf '%s\\n' ${a.sha512} > ` +
        `${sh(`${staging}/${a.topDir}/.zkops-sha512`)} && ` +
        `rm -rf ${sh(home)} && mv ${sh(`${staging}/${a.topDir}`)} ${sh(home)} && rm -rf ${sh(staging)}`,
    );
  }
  if (a.link) {
    // Replace the link atomically (rename over it), so it is never missing.
    await execChecked(
      ex,
      `ln -sfn ${sh(home)} ${sh(`${a.link}.zkops-new`)} && mv -T ${sh(`${a.link}.zkops-new`)} ${sh(a.link)}`,
    );
  }
  return 'installed';
}
