/**
 * The cluster CA's certificates: the list with the days each has left, and a
 * client key and certificate (with a Java client configuration) for an
 * application. Their renewal is a bring-up (ops/up.ts with renewCerts).
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import { quietContext, Reporter, type OpContext } from '../events.js';
import { connectString } from '../inventory/spec.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { certInfo, type CertInfo } from '../security/certs.js';
import { issue } from '../security/pki.js';
import { caKeyPair, secretsDir, writePrivate } from '../security/secrets.js';
import { resolveCluster, type ClusterFlags } from './cluster.js';

/** The cluster's spec and inventory file, refused with what to do when it has no TLS. */
export async function tlsCluster(flags: ClusterFlags, report = new Reporter()) {
  const { spec, file } = await resolveCluster(flags, undefined, report);
  if (!spec.security.tls)
    throw new ZkopsError(
      `Cluster ${spec.name} does not use TLS (security.tls is not true in ${file}): it has no certificates. ` +
        'Set security: { tls: true } and run zkops deploy to turn it on.',
      ExitCode.usage,
    );
  return { spec, file };
}

/** Every certificate zkops issued for the cluster (CA, nodes, its own client), and where they are kept. */
export async function certsList(
  ref: ClusterFlags,
  ctx: OpContext = quietContext,
): Promise<{ cluster: string; dir: string; certificates: ({ cert: string } & CertInfo)[] }> {
  const { spec } = await tlsCluster(ref, new Reporter(ctx));
  const s = spec.secrets;
  const certificates = [
    ...(s?.ca ? [{ cert: 'CA', pem: s.ca.cert }] : []),
    ...spec.nodes.flatMap((n) => (s?.nodes[n.id] ? [{ cert: `node ${n.id}`, pem: s.nodes[n.id]!.cert }] : [])),
    ...(s?.client ? [{ cert: 'zkops client', pem: s.client.cert }] : []),
  ].map((r) => ({ cert: r.cert, ...certInfo(r.pem) }));
  return { cluster: spec.name, dir: secretsDir(spec), certificates };
}

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/** The files `certsClient` writes. */
export interface ClientCertFiles {
  key: string;
  cert: string;
  keyStore: string;
  ca: string;
  properties: string;
}

/** Writes a client key and certificate from the cluster CA, the CA certificate and a Java client configuration. */
export async function certsClient(
  ref: ClusterFlags,
  name: string,
  flags: { output?: string; force?: boolean },
  ctx: OpContext = quietContext,
): Promise<{ cluster: string; name: string; files: ClientCertFiles; expires: Date; connectString: string }> {
  if (!NAME.test(name))
    throw new ZkopsError(
      `"${name}" cannot name a client certificate: use letters, digits, ".", "-" or "_" (at most 64), e.g. ` +
        'orders-service.',
      ExitCode.usage,
    );
  if (!flags.output)
    throw new ZkopsError(`Say where to write the files: zkops certs client ${name} -o DIR`, ExitCode.usage);
  const { spec } = await tlsCluster(ref, new Reporter(ctx));
  const ca = await caKeyPair(spec);
  const dir = path.resolve(flags.output);
  const file = (ext: string) => path.join(dir, `${name}${ext}`);
  const files = {
    key: file('.key'),
    cert: file('.crt'),
    keyStore: file('.pem'),
    ca: path.join(dir, 'ca.crt'),
    properties: file('.properties'),
  };
  if (!flags.force) {
    const there = await Promise.all(
      Object.values(files).map((f) =>
        access(f).then(
          () => f,
          () => undefined,
        ),
      ),
    );
    const taken = there.filter(Boolean);
    if (taken.length)
      throw new ZkopsError(
        `${taken.join(', ')} already exist${taken.length > 1 ? '' : 's'}: nothing was written. Choose another ` +
          'directory or name, or pass --force to replace them.',
        ExitCode.usage,
      );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = issue(ca, name, 'client', [], spec.security.certDays);
  const info = certInfo(pair.cert);
  const properties = [
    `# ZooKeeper client configuration for "${name}" (cluster ${spec.name}), written by zkops certs client.`,
    `# zkCli.sh -client-configuration ${files.properties} -server ${connectString(spec)}`,
    '# Java: new ZooKeeper(connectString, timeout, watcher, new ZKClientConfig(thisFile)).',
    'zookeeper.client.secure=true',
    'zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
    `zookeeper.ssl.keyStore.location=${files.keyStore}`,
    'zookeeper.ssl.keyStore.type=PEM',
    `zookeeper.ssl.trustStore.location=${files.ca}`,
    'zookeeper.ssl.trustStore.type=PEM',
    '',
  ].join('\n');
  await writePrivate(files.key, pair.key);
  await writePrivate(files.keyStore, `${pair.key.trim()}\n${pair.cert.trim()}\n`);
  await writeFileAtomic(files.cert, pair.cert);
  await writeFileAtomic(files.ca, (await caKeyPair(spec)).cert);
  await writeFileAtomic(files.properties, properties);
  return { cluster: spec.name, name, files, expires: info.notAfter, connectString: connectString(spec) };
}
