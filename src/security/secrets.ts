/**
 * Where a cluster's secrets live on the operator's machine, and getting them:
 * the CA, each node's key and certificate, zkops's own client certificate,
 * the quorum's SASL password and the super user's password. One directory
 * per cluster (mode 700; every private file mode 600, written atomically),
 * never inside an inventory, never printed. Made on first need by deploy and
 * init; other commands only read them.
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, chmod } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import type { ClusterSecrets, ClusterSpec, KeyPair, NodeSpec } from '../inventory/spec.js';
import { userDataDir } from '../user-cache.js';
import { canonicalName, certInfo, signedBy } from './certs.js';

/** The user name of the quorum's SASL identity (DIGEST-MD5). */
export const QUORUM_USER = 'zkquorum';

export function secretsDir(spec: Pick<ClusterSpec, 'name' | 'security'>): string {
  return spec.security.dir ?? userDataDir(spec.name);
}

/** True when the inventory turns on anything that needs secrets. */
export function usesSecrets(spec: Pick<ClusterSpec, 'security'>): boolean {
  const s = spec.security;
  return s.tls || s.quorumAuth || s.superUser;
}

/** The names a node's certificate must hold: the addresses and names clients and peers reach it at. */
export function nodeNames(node: NodeSpec): string[] {
  const loopback = /^(127\.|::1$|localhost$)/.test(node.host.address);
  return [
    ...new Set([node.host.address, node.peerAddress, node.host.name, ...(loopback ? ['127.0.0.1', 'localhost'] : [])]),
  ];
}

/** ZooKeeper's digest form of a password: base64(SHA-1("user:password")). */
export function digest(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ZkopsError(
      `Cannot read ${file} (${err.code}): zkops keeps the cluster's secrets there. Make it (and its directory) ` +
        'readable by the account running zkops, or point security.dir at a directory that is.',
      ExitCode.usage,
    );
  });
}

/** Writes a private file: temp file with mode 600 in the same directory, then rename. */
export function writePrivate(file: string, content: string): Promise<void> {
  return writeFileAtomic(file, content, 0o600);
}

async function readPair(dir: string, base: string): Promise<KeyPair | undefined> {
  const [key, cert] = await Promise.all([
    readOptional(path.join(dir, `${base}.key`)),
    readOptional(path.join(dir, `${base}.crt`)),
  ]);
  if (!key || !cert) return undefined;
  // A damaged file is named, with what to do, rather than failing later inside OpenSSL.
  for (const [file, parse] of [
    [`${base}.key`, () => createPrivateKey(key)],
    [`${base}.crt`, () => new X509Certificate(cert)],
  ] as const)
    try {
      parse();
    } catch {
      throw new ZkopsError(
        `${path.join(dir, file)} is not a readable PEM ${file.endsWith('.key') ? 'key' : 'certificate'}. ` +
          (base === 'ca'
            ? 'Restore the CA from a backup: a new CA would not be trusted by the running servers.'
            : `Remove ${base}.key and ${base}.crt there; zkops deploy issues new ones from the cluster CA.`),
        ExitCode.usage,
      );
    }
  return { key, cert };
}

async function writePair(dir: string, base: string, pair: KeyPair): Promise<void> {
  // The key first: a pair is only read back when both files exist.
  await writePrivate(path.join(dir, `${base}.key`), pair.key);
  await writePrivate(path.join(dir, `${base}.crt`), pair.cert);
}

const password = () => randomBytes(24).toString('base64url');

export interface LoadOptions {
  /** Make what is missing (deploy, init); else only read. */
  create: boolean;
  /** Issue every node certificate anew (certs rotate). */
  renew?: boolean;
  /** false (a dry run): what is made stays in memory. */
  persist?: boolean;
}

/**
 * The cluster's secrets. With `create`: the CA, node certificates (also when a node's names changed or its
 * certificate is not from this CA), zkops's client certificate and passwords are made when missing.
 */
export async function loadSecrets(spec: ClusterSpec, options: LoadOptions): Promise<ClusterSecrets | undefined> {
  const dir = secretsDir(spec);
  // Switched off: what is there is still read (a rolling switch-off passes through TLS and SASL levels), and
  // nothing is made.
  if (!usesSecrets(spec)) {
    const ca = await readPair(dir, 'ca');
    const quorumPassword = (await readOptional(path.join(dir, 'quorum.password')))?.trim();
    if (!ca && !quorumPassword) return undefined;
    options = { create: false };
  }
  const persist = options.persist !== false;
  const savePair = (base: string, pair: KeyPair) => (persist ? writePair(dir, base, pair) : Promise.resolve());
  if (options.create && persist) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
  const secrets: ClusterSecrets = { dir, nodes: {} };
  const s = spec.security;
  // What exists is always read: a feature being switched off still passes through its TLS or SASL levels
  // while the others stay on. Only what the inventory turns on is made.
  let ca = await readPair(dir, 'ca');
  const makeTls = options.create && s.tls;
  // Issuing needs node-forge, loaded only when something is issued.
  const pki = () => import('./pki.js');
  if (!ca && makeTls) {
    ca = (await pki()).createCa(spec.name);
    await savePair('ca', ca);
  }
  if (ca) {
    secrets.ca = { cert: ca.cert };
    for (const node of spec.nodes) {
      const base = `node-${node.id}`;
      let pair = await readPair(dir, base);
      const names = nodeNames(node).map(canonicalName);
      const stale =
        !pair ||
        options.renew ||
        !signedBy(pair.cert, ca.cert) ||
        names.some((n) => !certInfo(pair!.cert).sans.includes(n));
      if (stale && makeTls) {
        pair = (await pki()).issue(ca, `${spec.name} node ${node.id}`, 'node', nodeNames(node), s.certDays);
        await savePair(base, pair);
      }
      if (pair) secrets.nodes[node.id] = pair;
    }
    let client = await readPair(dir, 'zkops-client');
    if ((!client || !signedBy(client.cert, ca.cert) || certInfo(client.cert).daysLeft < 30) && makeTls) {
      client = (await pki()).issue(ca, `zkops (${spec.name})`, 'client', [], s.certDays);
      await savePair('zkops-client', client);
    }
    secrets.client = client;
  }
  for (const [field, file, on] of [
    ['quorumPassword', 'quorum.password', s.quorumAuth],
    ['superPassword', 'super.password', s.superUser],
  ] as const) {
    let value = (await readOptional(path.join(dir, file)))?.trim();
    if (!value && on && options.create) {
      value = password();
      if (persist) await writePrivate(path.join(dir, file), `${value}\n`);
    }
    secrets[field] = value;
  }
  return secrets;
}

/** The CA's key, for issuing client certificates on request (certs client). */
export async function caKeyPair(spec: ClusterSpec): Promise<KeyPair> {
  const dir = secretsDir(spec);
  const ca = await readPair(dir, 'ca');
  if (!ca)
    throw new ZkopsError(
      `No cluster CA in ${dir}: zkops makes it when it deploys a cluster with security.tls: true. ` +
        'Set it in the inventory and run zkops deploy first (or point security.dir at where the CA is).',
      ExitCode.usage,
    );
  return ca;
}

/** Fails with what to do when a command needs TLS material that is not there. */
export function requireTlsSecrets(spec: ClusterSpec): ClusterSecrets {
  const s = spec.secrets;
  const missing = spec.nodes.filter((n) => !s?.nodes[n.id]).map((n) => n.id);
  if (!s?.ca || !s.client || missing.length) {
    const lacks = !s?.ca
      ? 'the cluster CA'
      : missing.length
        ? `certificates of node(s) ${missing.join(', ')}`
        : "zkops's client certificate";
    throw new ZkopsError(
      `${spec.security.tls ? 'security.tls is on' : 'TLS is being switched off'} but ${secretsDir(spec)} lacks ` +
        `${lacks}. zkops deploy makes them; if the cluster was set up from another machine, copy that directory ` +
        'here or set security.dir to it.',
      ExitCode.usage,
    );
  }
  return s;
}
