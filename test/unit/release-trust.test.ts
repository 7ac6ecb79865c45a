/**
 * What makes a fetched release trusted (release-trust.ts), on real files and
 * real OpenPGP signatures (keys made by openpgp here; the integration test
 * fetch-release.test.ts signs with gpg the way Apache's release managers do).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { trustRelease } from '../../src/distribution/release-trust.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-trust-'));
const file = path.join(dir, 'apache-zookeeper-3.7.9-bin.tar.gz');
const data = Buffer.from('not really a release, but bytes to sign');
const sha512 = createHash('sha512').update(data).digest('hex');

async function key(name: string) {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email: `${name}@example.org` }],
    format: 'armored',
  });
  const keys = path.join(dir, `${name}.asc`);
  writeFileSync(keys, `Some prose, as in Apache's KEYS files.\n\n${publicKey}`);
  const signingKey = await openpgp.readPrivateKey({ armoredKey: privateKey });
  const sign = async (bytes: Buffer) =>
    (await openpgp.sign({
      message: await openpgp.createMessage({ binary: new Uint8Array(bytes) }),
      signingKeys: signingKey,
      detached: true,
    })) as string;
  return { keys, sign };
}

describe('trusting a fetched release', () => {
  let rm: Awaited<ReturnType<typeof key>>;
  let other: Awaited<ReturnType<typeof key>>;
  const base = { version: '3.7.9', file, sha512, where: 'http://mirror/x.tar.gz' };
  beforeAll(async () => {
    writeFileSync(file, data);
    rm = await key('rm');
    other = await key('other');
  });

  it('takes a signature by a key from zookeeper.keys, and says whose', async () => {
    const asc = await rm.sign(data);
    expect(await trustRelease({ ...base, asc, keys: [rm.keys], mirrorSha512: sha512 })).toMatch(/^signed by rm </);
  });

  it('refuses a signature over other bytes, a key it was not given, and no signature at all', async () => {
    const stale = await rm.sign(Buffer.from('the release before it was changed'));
    await expect(trustRelease({ ...base, asc: stale, keys: [rm.keys] })).rejects.toThrow(
      /its signature \(\.asc\) does not verify: it does not verify against key [0-9A-F]{40} \(rm </,
    );
    await expect(trustRelease({ ...base, asc: await rm.sign(data), keys: [other.keys] })).rejects.toThrow(
      /in none of the trusted keys/,
    );
    await expect(trustRelease({ ...base, keys: [rm.keys] })).rejects.toThrow(/has no signature \(\.asc\)/);
    await expect(trustRelease({ ...base, asc: 'garbage', keys: [rm.keys] })).rejects.toThrow(
      /not an OpenPGP signature/,
    );
  });

  it("checks the mirror's .sha512 even when the signature is good", async () => {
    await expect(
      trustRelease({ ...base, asc: await rm.sign(data), keys: [rm.keys], mirrorSha512: 'ab'.repeat(64) }),
    ).rejects.toThrow(/does not match its \.sha512/);
  });

  it('takes exactly the bytes zookeeper.sha512 pins, with or without a signature', async () => {
    expect(await trustRelease({ ...base, pin: sha512.toUpperCase(), keys: [] })).toBe('matches zookeeper.sha512');
    await expect(trustRelease({ ...base, pin: 'cd'.repeat(64), keys: [] })).rejects.toThrow(
      /does not match zookeeper\.sha512/,
    );
  });

  it('refuses a zookeeper.keys file that holds no key', async () => {
    const empty = path.join(dir, 'empty.asc');
    writeFileSync(empty, 'nothing here\n');
    await expect(trustRelease({ ...base, asc: await rm.sign(data), keys: [empty] })).rejects.toThrow(
      /holds no OpenPGP public key/,
    );
  });

  it("refuses bytes that differ from zkops's pinned SHA-512 of a release it knows, unless the inventory's own key signed them", async () => {
    // 3.9.3 is in zkops's table; these bytes are not that release. No Apache key signs them, so the table decides.
    const known = { ...base, version: '3.9.3' };
    await expect(trustRelease({ ...known, asc: await rm.sign(data), keys: [other.keys] })).rejects.toThrow(
      /does not verify/,
    );
    // A private build of 3.9.3, signed by the key the inventory names: the table is about Apache's bytes.
    expect(await trustRelease({ ...known, asc: await rm.sign(data), keys: [rm.keys] })).toMatch(/^signed by rm/);
  });
});
