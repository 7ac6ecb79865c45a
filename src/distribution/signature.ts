/**
 * OpenPGP signatures of release tarballs (the .asc Apache publishes next to
 * each one), checked against Apache ZooKeeper's KEYS as pinned in the zkops
 * package (keys/zookeeper-KEYS.asc) and any keys an inventory adds for a
 * private build (zookeeper.keys). openpgp is loaded only here, and only when
 * a signature is checked: most commands never need it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PreflightError } from '../errors.js';

/** The pinned copy of Apache ZooKeeper's KEYS, shipped in the package. */
export const PINNED_KEYS_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'keys',
  'zookeeper-KEYS.asc',
);

/** Where a set of trusted keys came from, and its armored text (KEYS files mix blocks with prose). */
export interface KeySource {
  label: string;
  /** Apache's own KEYS (a release it signs must also match zkops's pinned SHA-512, if any). */
  apache: boolean;
  text: string;
}

/** The pinned KEYS, then each zookeeper.keys file; a named file that cannot be read or holds no key stops here. */
export async function readKeySources(extra: string[]): Promise<KeySource[]> {
  const sources: KeySource[] = [
    {
      label: `Apache ZooKeeper's KEYS as pinned in zkops (${PINNED_KEYS_FILE})`,
      apache: true,
      text: await readFile(PINNED_KEYS_FILE, 'utf8').catch(() => ''),
    },
  ];
  for (const file of extra) {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new PreflightError(
        `Cannot read zookeeper.keys ${file} (${e.code ?? e.message}); nothing was written on any host.`,
      );
    });
    if (!armoredBlocks(text).length)
      throw new PreflightError(
        `zookeeper.keys ${file} holds no OpenPGP public key (no "-----BEGIN PGP PUBLIC KEY BLOCK-----"); export ` +
          'the signing key with `gpg --armor --export KEYID > FILE`. Nothing was written on any host.',
      );
    sources.push({ label: `zookeeper.keys ${file}`, apache: false, text });
  }
  return sources;
}

const armoredBlocks = (text: string) =>
  text.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g) ?? [];

/** What a signature check found: who signed, or (one sentence) why it does not verify. */
export type SignatureCheck =
  | { ok: true; fingerprint: string; userId: string; source: KeySource }
  | { ok: false; unknownKey: boolean; reason: string };

/** Checks `armoredSignature` (a detached .asc) over the bytes of `file` against the keys of `sources`. */
export async function checkSignature(
  file: string,
  armoredSignature: string,
  sources: KeySource[],
): Promise<SignatureCheck> {
  const pgp = await import('openpgp');
  const signature = await pgp.readSignature({ armoredSignature }).catch((e: Error) => e);
  if (signature instanceof Error)
    return { ok: false, unknownKey: false, reason: `the .asc is not an OpenPGP signature (${signature.message})` };
  const ids = signature.getSigningKeyIDs();
  const idText = ids.map((id) => id.toHex().toUpperCase()).join(', ') || 'no key ID';
  // Keys that openpgp cannot read (very old ones in a long KEYS file) are passed over: they sign nothing new.
  const keys: { key: Awaited<ReturnType<typeof pgp.readKey>>; source: KeySource }[] = [];
  for (const source of sources)
    for (const block of armoredBlocks(source.text)) {
      const read = await pgp.readKeys({ armoredKeys: block }).catch(() => []);
      for (const key of read) keys.push({ key, source });
    }
  const signer = keys.find(({ key }) => ids.some((id) => key.getKeys(id).length > 0));
  if (!signer)
    return {
      ok: false,
      unknownKey: true,
      reason:
        `it was made with key ${idText}, which is in none of the trusted keys (${sources.map((s) => s.label).join('; ')}` +
        `: ${keys.length} key${keys.length === 1 ? '' : 's'} in all)`,
    };
  const userId = signer.key.getUserIDs()[0] ?? '';
  const fingerprint = signer.key.getFingerprint().toUpperCase();
  const message = await pgp.createMessage({ binary: new Uint8Array(await readFile(file)) });
  try {
    const result = await pgp.verify({ message, signature, verificationKeys: [signer.key] });
    await result.signatures[0]!.verified;
    return { ok: true, fingerprint, userId, source: signer.source };
  } catch (err) {
    return {
      ok: false,
      unknownKey: false,
      reason: `it does not verify against key ${fingerprint} (${userId}) from ${signer.source.label}: ${(err as Error).message}`,
    };
  }
}
