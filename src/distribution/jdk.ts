/**
 * A Java runtime shipped with the cluster (java.tarball): a JDK or JRE
 * .tar.gz on the machine running zkops, such as an Eclipse Temurin release,
 * with one top directory holding bin/java and the `release` file every JDK
 * since 9 (and 8's) carries. It is installed like a ZooKeeper release
 * (tarball.ts: uploaded once per host, checked, unpacked into
 * `<dir>/<top directory>`), and JAVA_HOME points there.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { PreflightError } from '../errors.js';
import type { Archive } from './tarball.js';

export interface JdkArchive extends Archive {
  /** Feature version from its release file (8, 11, 17, 21...). */
  major: number;
}

/** Reads the archive once: its checksum, top directory and Java version. Throws a PreflightError naming the fault. */
export async function inspectJdk(file: string, expectedSha512?: string): Promise<JdkArchive> {
  const hash = createHash('sha512');
  const tops = new Set<string>();
  let release: string | undefined;
  let hasJava = false;
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    const name = header.name.replace(/^\.\//, '');
    const [top, ...rest] = name.split('/');
    if (top) tops.add(top);
    const inner = rest.join('/');
    if (inner === 'bin/java') hasJava = true;
    if (inner === 'release' && header.type === 'file') {
      const parts: Buffer[] = [];
      body.on('data', (d: unknown) => void parts.push(d as Buffer));
      body.on('end', () => {
        release = Buffer.concat(parts).toString('utf8');
        next();
      });
      return;
    }
    body.on('end', next);
    body.resume();
  });
  const source = createReadStream(file);
  source.on('data', (d) => hash.update(d as Buffer));
  try {
    await pipeline(source, createGunzip(), extract);
  } catch (err) {
    throw new PreflightError(
      `java.tarball ${file} cannot be read as a .tar.gz (${(err as Error).message}); give a JDK or JRE ` +
        'archive such as OpenJDK17U-jre_x64_linux_hotspot_17.0.15_6.tar.gz.',
    );
  }
  const sha512 = hash.digest('hex');
  if (expectedSha512 && expectedSha512.toLowerCase() !== sha512)
    throw new PreflightError(
      `java.tarball ${file} does not match java.sha512 (its SHA-512 is ${sha512.slice(0, 16)}…). Download it ` +
        'again, or fix the checksum.',
    );
  const version = /^JAVA_VERSION="([^"]+)"/m.exec(release ?? '')?.[1];
  const major = version
    ? version.startsWith('1.')
      ? Number(version.split('.')[1])
      : Number(version.split('.')[0])
    : NaN;
  if (tops.size !== 1 || !hasJava || !Number.isFinite(major))
    throw new PreflightError(
      `java.tarball ${path.basename(file)} is not a Java runtime zkops can ship: it needs one top directory with ` +
        `bin/java and a release file naming JAVA_VERSION (found ${tops.size} top entr${tops.size === 1 ? 'y' : 'ies'}` +
        `${hasJava ? '' : ', no bin/java'}${version ? '' : ', no JAVA_VERSION'}).`,
    );
  return { file, sha512, topDir: [...tops][0]!, mustHave: 'bin/java', major };
}
