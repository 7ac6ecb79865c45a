/**
 * What TLS and quorum SASL add to a node at a given level (security/levels.ts):
 * zoo.cfg's view, the JVM flags, and the files (the node's PEM key store,
 * the cluster CA, the JAAS file). Pure, like the rest of rendering.
 */
import path from 'node:path';
import { ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { digest, QUORUM_USER, requireTlsSecrets, secretsDir } from '../security/secrets.js';
import type { SecurityLevels } from '../security/levels.js';
import type { RenderedFile } from '../executors/types.js';

export interface RenderedSecurity {
  tls?: { keyStore: string; trustStore: string; quorum: boolean; unified: boolean; secureOnly: boolean };
  sasl?: { learnerRequires: boolean; serverRequires: boolean };
  jvmFlags: string[];
  files: RenderedFile[];
}

export function renderSecurity(
  spec: ClusterSpec,
  node: NodeSpec,
  /** The account the servers run as (render/node.ts's HostFacts.user), when zkops drops root's rights. */
  facts: { user?: string },
  levels: SecurityLevels,
): RenderedSecurity {
  const out: RenderedSecurity = { jvmFlags: [], files: [] };
  // Readable by the servers' account through its group, by nobody else.
  const secret = (file: string, content: string): RenderedFile =>
    facts.user ? { path: file, content, mode: 0o640, group: facts.user } : { path: file, content, mode: 0o600 };
  if (levels.tls > 0) {
    const s = requireTlsSecrets(spec);
    const pair = s.nodes[node.id]!;
    const [keyStore, trustStore] = securityFileNames(node).tls;
    out.files.push(secret(keyStore, `${pair.key.trim()}\n${pair.cert.trim()}\n`), {
      path: trustStore,
      content: s.ca!.cert,
      mode: 0o644,
    });
    out.tls = { keyStore, trustStore, quorum: levels.tls >= 2, unified: levels.tls < 3, secureOnly: levels.tls === 3 };
  }
  if (levels.sasl > 0) {
    const pw = spec.secrets?.quorumPassword;
    if (!pw) throw missing(spec, 'quorum.password');
    const [jaas] = securityFileNames(node).sasl;
    out.files.push(
      secret(
        jaas,
        [
          '// Rendered by zkops (security.quorumAuth): the quorum secret, for servers only.',
          'QuorumServer {',
          '  org.apache.zookeeper.server.auth.DigestLoginModule required',
          `  user_${QUORUM_USER}="${pw}";`,
          '};',
          'QuorumLearner {',
          '  org.apache.zookeeper.server.auth.DigestLoginModule required',
          `  username="${QUORUM_USER}"`,
          `  password="${pw}";`,
          '};',
          '',
        ].join('\n'),
      ),
    );
    out.jvmFlags.push(`-Djava.security.auth.login.config=${jaas}`);
    out.sasl = { learnerRequires: levels.sasl >= 2, serverRequires: levels.sasl === 3 };
  }
  if (spec.security.superUser) {
    const pw = spec.secrets?.superPassword;
    if (!pw) throw missing(spec, 'super.password');
    // The digest, not the password: what ZooKeeper compares a client's "super:password" against.
    out.jvmFlags.push(`-Dzookeeper.DigestAuthenticationProvider.superDigest=${digest('super', pw)}`);
  }
  return out;
}

function missing(spec: ClusterSpec, file: string): ZkopsError {
  return new ZkopsError(
    `${path.join(secretsDir(spec), file)} is missing: zkops deploy makes it. If the cluster was set up from ` +
      'another machine, copy its secrets directory here or set security.dir to it.',
  );
}

/** The files TLS and quorum SASL put in a node's conf directory, by feature. */
function securityFileNames(node: Pick<NodeSpec, 'confDir'>): { tls: [string, string]; sasl: [string] } {
  const at = (f: string) => path.join(node.confDir, f);
  return { tls: [at('node.pem'), at('ca.pem')], sasl: [at('jaas.conf')] };
}

/** Every file TLS and quorum SASL may put on a node. */
export function securityFiles(node: Pick<NodeSpec, 'confDir'>): string[] {
  const f = securityFileNames(node);
  return [...f.tls, ...f.sasl];
}

/** The security files a node no longer needs at these levels (TLS or SASL switched off): removed from its host. */
export function obsoleteSecurityFiles(node: NodeSpec, levels: SecurityLevels): string[] {
  const f = securityFileNames(node);
  return [...(levels.tls === 0 ? f.tls : []), ...(levels.sasl === 0 ? f.sasl : [])];
}
