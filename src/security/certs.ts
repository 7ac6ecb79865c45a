/**
 * Reading certificates (Node's own X.509): when one ends, the names it holds,
 * who signed it. Cheap to load: every command that talks to a TLS cluster uses
 * it; issuing (pki.ts, node-forge) is loaded only to issue.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

const DAY_MS = 86_400_000;

/** What operators ask of a certificate: when it ends, which names it holds, who signed it. */
export interface CertInfo {
  subject: string;
  notAfter: Date;
  daysLeft: number;
  sans: string[];
}

export function certInfo(pem: string, now = Date.now()): CertInfo {
  const x = new X509Certificate(pem);
  const notAfter = new Date(x.validTo);
  const sans = (x.subjectAltName ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((s) => canonicalName(s.replace(/^(DNS|IP Address):/, '')));
  return { subject: x.subject, notAfter, daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS), sans };
}

/**
 * A name as certificates are compared by it: IPv6 addresses in their short lower-case form (Node spells a
 * certificate's "::1" as "0:0:0:0:0:0:0:1"; unequal spellings would reissue every node's certificate on each
 * deploy, and restart every node).
 */
export function canonicalName(name: string): string {
  return isIP(name) === 6 ? new URL(`http://[${name}]/`).hostname.slice(1, -1) : name;
}

/** True when `cert` was signed by `caCert`'s key. */
export function signedBy(cert: string, caCert: string): boolean {
  return new X509Certificate(cert).verify(new X509Certificate(caCert).publicKey);
}
