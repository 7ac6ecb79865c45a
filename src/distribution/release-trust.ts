/**
 * Whether a fetched release may be used: the one place that decides. A
 * mirror's .sha512 only shows the download is whole (a mirror that changes
 * the tarball can change it too); what makes a release trusted is one of
 * - the SHA-512 the inventory pins (zookeeper.sha512): exactly those bytes;
 * - a signature (.asc) that verifies against Apache ZooKeeper's KEYS pinned
 *   in zkops, or a key the inventory adds (zookeeper.keys, a private build);
 * - zkops's own table of SHA-512s (release-pins.ts), which also overrules a
 *   signature by Apache's keys over different bytes.
 * Every refusal is a PreflightError raised before any host is touched.
 */
import { PreflightError } from '../errors.js';
import { KNOWN_RELEASE_SHA512 } from './release-pins.js';
import { checkSignature, readKeySources } from './signature.js';

const NOTHING = 'Nothing was kept, and nothing was written on any host.';

/** What to check a release against. */
export interface TrustInput {
  version: string;
  /** The tarball on this machine, and its SHA-512 as computed here. */
  file: string;
  sha512: string;
  /** Where it came from (a URL, or the cache), for the messages. */
  where: string;
  /** The mirror's .sha512, if it published one. */
  mirrorSha512?: string;
  /** The mirror's .asc, if it published one. */
  asc?: string;
  /** zookeeper.sha512. */
  pin?: string;
  /** zookeeper.keys files. */
  keys: string[];
}

const short = (hex: string) => `${hex.slice(0, 16)}…`;

/** The refusal for a release without .asc and without a pinned SHA-512 (raised before it is downloaded). */
export function unsigned(where: string): PreflightError {
  return new PreflightError(
    `${where} has no signature (.asc) beside it and the inventory pins no SHA-512, so nothing shows the ` +
      "release is Apache's: a .sha512 from the same mirror proves only that the download is whole. Use a mirror " +
      "that carries the .asc files (Apache's own do), or check the tarball yourself and pin its SHA-512 as " +
      `zookeeper.sha512. ${NOTHING}`,
  );
}

/** Why the release is trusted (for the progress line), or a PreflightError saying what did not verify. */
export async function trustRelease(t: TrustInput): Promise<string> {
  if (t.mirrorSha512 && t.mirrorSha512 !== t.sha512)
    throw new PreflightError(
      `${t.where} does not match its .sha512 (got ${short(t.sha512)}, the mirror says ${short(t.mirrorSha512)}): a ` +
        `broken download, or a file changed on the mirror. ${NOTHING}`,
    );
  if (t.pin) {
    if (t.pin.toLowerCase() === t.sha512) return 'matches zookeeper.sha512';
    throw new PreflightError(
      `${t.where} does not match zookeeper.sha512 (its SHA-512 is ${short(t.sha512)}, the inventory pins ` +
        `${short(t.pin.toLowerCase())}): not the release the inventory names. Check the mirror, or the pin. ${NOTHING}`,
    );
  }
  if (t.asc === undefined) throw unsigned(t.where);
  const known = KNOWN_RELEASE_SHA512[t.version];
  const check = await checkSignature(t.file, t.asc, await readKeySources(t.keys));
  if (check.ok) {
    if (check.source.apache && known && known !== t.sha512)
      throw new PreflightError(
        `${t.where} is signed by ${check.userId}, but its SHA-512 (${short(t.sha512)}) is not the one zkops knows ` +
          `for ${t.version} (${short(known)}). ${NOTHING}`,
      );
    return `signed by ${check.userId || check.fingerprint} (${check.fingerprint.slice(-16)})`;
  }
  // A key missing from the pinned KEYS is no evidence against bytes zkops knows; a signature that fails is.
  if (check.unknownKey && known === t.sha512) return `matches zkops's pinned SHA-512 of ${t.version}`;
  throw new PreflightError(
    `${t.where}: its signature (.asc) does not verify: ${check.reason}. zkops uses a release fetched by version ` +
      "only when its .asc verifies against Apache ZooKeeper's KEYS (pinned in zkops) or a key given with " +
      `zookeeper.keys, or when its SHA-512 is pinned (zookeeper.sha512). ${NOTHING}`,
  );
}
