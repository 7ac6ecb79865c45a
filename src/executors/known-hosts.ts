/**
 * OpenSSH known_hosts: look a host key up (plain and hashed entries,
 * `[host]:port` for ports other than 22) and append new ones. Host keys are
 * always verified; recording a first-seen key needs the caller's explicit
 * opt-in.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Result of checking a presented key. */
export type HostKeyMatch = 'known' | 'unknown' | 'changed';

/** The name known_hosts uses for a host and port. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The algorithm name inside an SSH wire-format public key blob (e.g. ssh-ed25519). */
export function keyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('ascii');
}

/** `SHA256:…` as ssh-keygen -l prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function hostMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern.split(',').some((p) => p === name);
}

/** Checks `blob` for host `name` against a known_hosts text. */
export function matchHostKey(text: string, name: string, blob: Buffer): HostKeyMatch {
  const type = keyType(blob);
  const b64 = blob.toString('base64');
  let sameTypeDiffers = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    if (fields[0]?.startsWith('@')) {
      if (fields[0] === '@revoked' && fields[3] === b64) return 'changed';
      continue;
    }
    const [hosts, t, key] = fields;
    if (!hosts || !t || !key || !hostMatches(hosts, name)) continue;
    if (key === b64) return 'known';
    if (t === type) sameTypeDiffers = true;
  }
  return sameTypeDiffers ? 'changed' : 'unknown';
}

/** Looks up a key in a known_hosts file (a missing file knows no hosts). */
export async function checkKnownHost(file: string, name: string, blob: Buffer): Promise<HostKeyMatch> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return matchHostKey(text, name, blob);
}

/** Appends a host key (first contact, with the user's opt-in). */
export async function recordKnownHost(file: string, name: string, blob: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${name} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
