/**
 * The cluster's small PKI: one CA per cluster, and certificates it signs for
 * nodes (server and client use: quorum peers are both), for zkops's own
 * probes and for applications. Keys are RSA 2048 made by Node's crypto
 * (native, PKCS#8 PEM, which ZooKeeper's PEM key store reads); certificates
 * are built and signed with node-forge, since Node can parse X.509 but not
 * issue it. Loaded only when something is issued (node-forge is large); reading
 * certificates is in certs.ts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

import type { KeyPair } from '../inventory/spec.js';

export type CertUse = 'node' | 'client';

const DAY_MS = 86_400_000;

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return privateKey;
}

/** A random positive serial (the top bit clear: DER integers are signed). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function build(subjectCn: string, key: string, days: number) {
  const cert = forge.pki.createCertificate();
  const priv = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey;
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  cert.serialNumber = serial();
  // Valid from an hour ago: clocks of hosts and this machine differ a little.
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject([{ shortName: 'CN', value: subjectCn }]);
  return cert;
}

/** A new CA for cluster `name`, valid for `days` (its key never leaves this machine). */
export function createCa(name: string, days = 3650): KeyPair {
  const key = newKey();
  const cert = build(`zkops CA for ${name}`, key, days);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { key, cert: forge.pki.certificateToPem(cert) };
}

/**
 * A certificate signed by `ca`. Nodes get serverAuth and clientAuth (a peer connects and is connected to)
 * and their addresses and names as subject alternative names; clients get clientAuth.
 */
export function issue(ca: KeyPair, cn: string, use: CertUse, sans: string[], days: number): KeyPair {
  const key = newKey();
  const cert = build(cn, key, days);
  const caCert = forge.pki.certificateFromPem(ca.cert);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(sans)].map((s) => (isIP(s) ? { type: 7, ip: s } : { type: 2, value: s }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: use === 'node', clientAuth: true },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { key, cert: forge.pki.certificateToPem(cert) };
}
