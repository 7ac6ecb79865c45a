/**
 * TLS: the certificates the servers actually use (read from their hosts, as
 * the zoo.cfg they run names them) are valid now, for at least another 30
 * days, and (for clusters zkops secures) signed by the cluster's CA; zkops's
 * own client certificate too. Also the hand-made ensembles' PEM key stores.
 * PKCS12 and JKS stores are named but not opened (they need their passwords).
 */
import { cfgValue } from '../../zookeeper/zoo-cfg.js';
import { certInfo, signedBy } from '../../security/certs.js';
import { secretsDir } from '../../security/secrets.js';
import { okIfNone, type Check, type Finding } from '../check.js';

/** Certificates that end within this many days are reported. */
export const EXPIRY_WARNING_DAYS = 30;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export const tlsCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const managed = ctx.spec.security?.tls;
  const ca = ctx.spec.secrets?.ca?.cert;
  const rotate = 'zkops certs rotate (new node certificates, one node at a time)';
  const judge = (what: string, pem: string, node?: number, where?: string) => {
    const info = certInfo(pem);
    const evidence = [`${where ?? what}: ${info.subject}, valid until ${info.notAfter.toISOString()}`];
    const f = (severity: Finding['severity'], message: string, fix?: string) =>
      findings.push({ check: 'tls', node, severity, message, evidence, ...(fix ? { fix } : {}) });
    if (info.daysLeft < 0) f('error', `${what} expired on ${info.notAfter.toISOString().slice(0, 10)}`, rotate);
    else if (info.daysLeft < EXPIRY_WARNING_DAYS)
      f('warning', `${what} expires in ${info.daysLeft} day${info.daysLeft === 1 ? '' : 's'}`, rotate);
    if (managed && ca && node !== undefined && !signedBy(pem, ca))
      f(
        'error',
        `${what} is not signed by the cluster's CA (${secretsDir(ctx.spec)}): its peers and clients refuse it`,
        'zkops deploy (writes the certificate the CA issued for this node, then restarts it)',
      );
  };
  await Promise.all(
    ctx.facts.map(async (facts) => {
      const location = facts.cfg && cfgValue(facts.cfg, 'ssl.quorum.keyStore.location');
      const clientStore = facts.cfg && cfgValue(facts.cfg, 'ssl.keyStore.location');
      for (const store of [...new Set([location, clientStore].filter((s): s is string => Boolean(s)))]) {
        const type = (facts.cfg && cfgValue(facts.cfg, 'ssl.keyStore.type')) ?? '';
        if (!/\.pem$/i.test(store) && type.toUpperCase() !== 'PEM') continue;
        const text = await facts.place.ex.readFile(store).catch(() => undefined);
        if (text === undefined) {
          findings.push({
            check: 'tls',
            node: facts.node.id,
            severity: 'error',
            message: `its key store ${store} cannot be read: the server cannot start TLS`,
            fix: managed ? 'zkops deploy' : `put the node's PEM key and certificate at ${store}`,
          });
          continue;
        }
        const cert = text.match(PEM_CERT)?.[0];
        if (cert) judge(`the certificate of node ${facts.node.id}`, cert, facts.node.id, store);
      }
    }),
  );
  if (managed) {
    if (ca) judge("the cluster's CA certificate", ca, undefined, `${secretsDir(ctx.spec)}/ca.crt`);
    const client = ctx.spec.secrets?.client?.cert;
    if (client) judge("zkops's client certificate", client, undefined, `${secretsDir(ctx.spec)}/zkops-client.crt`);
  }
  const any = managed || ctx.facts.some((f) => f.cfg && cfgValue(f.cfg, 'ssl.keyStore.location'));
  return okIfNone(
    findings,
    'tls',
    any
      ? `every certificate valid for more than ${EXPIRY_WARNING_DAYS} days${managed ? ", signed by the cluster's CA" : ''}`
      : 'TLS is off (clients and peers talk plain text; security.tls turns it on)',
  );
};
