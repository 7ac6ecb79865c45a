/**
 * `zkops certs`: the cluster CA's certificates, for people and applications.
 *   certs list            every certificate zkops issued for the cluster, and how long it has left
 *   certs client NAME -o DIR
 *                         a client key and certificate signed by the cluster CA, the CA certificate, and a
 *                         client configuration ZooKeeper's Java client (and zkCli.sh) reads as it is
 *   certs rotate          new keys and certificates for every node, rolled out one node at a time
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import { validatedInventory } from '../inventory/cache.js';
import { connectString } from '../inventory/spec.js';
import { printJson, table, type OutputOptions } from '../output.js';
import { certInfo } from '../security/certs.js';
import { issue } from '../security/pki.js';
import { caKeyPair, secretsDir, writePrivate } from '../security/secrets.js';
import { readInventoryText, resolveCluster, type ClusterFlags } from './cluster-ref.js';
import { runUp } from './up-command.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export interface CertsFlags extends ClusterFlags {
  output?: string;
  force?: boolean;
  timeout: number;
  acceptNewHostKeys?: boolean;
}

async function tlsCluster(flags: ClusterFlags) {
  const { spec, file } = await resolveCluster(flags);
  if (!spec.security.tls)
    throw new ZkopsError(
      `Cluster ${spec.name} does not use TLS (security.tls is not true in ${file}): it has no certificates. ` +
        'Set security: { tls: true } and run zkops deploy to turn it on.',
      ExitCode.usage,
    );
  return { spec, file };
}

export async function certsListCommand(flags: CertsFlags, out: OutputOptions): Promise<number> {
  const { spec } = await tlsCluster(flags);
  const s = spec.secrets;
  const rows = [
    ...(s?.ca ? [{ cert: 'CA', pem: s.ca.cert }] : []),
    ...spec.nodes.flatMap((n) => (s?.nodes[n.id] ? [{ cert: `node ${n.id}`, pem: s.nodes[n.id]!.cert }] : [])),
    ...(s?.client ? [{ cert: 'zkops client', pem: s.client.cert }] : []),
  ].map((r) => ({ cert: r.cert, ...certInfo(r.pem) }));
  if (out.json) printJson({ cluster: spec.name, dir: secretsDir(spec), certificates: rows });
  else if (rows.length === 0)
    process.stdout.write(
      `No certificates in ${secretsDir(spec)}: zkops deploy makes them; if the cluster was deployed from ` +
        'another machine, copy that directory here or set security.dir to it.\n',
    );
  else
    process.stdout.write(
      table(
        ['CERTIFICATE', 'SUBJECT', 'EXPIRES', 'DAYS LEFT', 'NAMES'],
        rows.map((r) => [
          r.cert,
          r.subject.replace(/^CN=/, ''),
          r.notAfter.toISOString().slice(0, 10),
          String(r.daysLeft),
          r.sans.join(', '),
        ]),
      ) + `\nKept in ${secretsDir(spec)} (private keys mode 600).\n`,
    );
  return ExitCode.ok;
}

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

export async function certsClientCommand(name: string, flags: CertsFlags, out: OutputOptions): Promise<number> {
  if (!NAME.test(name))
    throw new ZkopsError(
      `"${name}" cannot name a client certificate: use letters, digits, ".", "-" or "_" (at most 64), e.g. ` +
        'orders-service.',
      ExitCode.usage,
    );
  if (!flags.output)
    throw new ZkopsError(`Say where to write the files: zkops certs client ${name} -o DIR`, ExitCode.usage);
  const { spec } = await tlsCluster(flags);
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
  if (out.json)
    printJson({ cluster: spec.name, name, files, expires: info.notAfter, connectString: connectString(spec) });
  else
    process.stdout.write(
      `Client certificate "${name}" for cluster ${spec.name}, signed by its CA, valid until ` +
        `${info.notAfter.toISOString().slice(0, 10)}:\n` +
        Object.entries(files)
          .map(([what, f]) => `  ${f}  (${DESCRIBE[what as keyof typeof files]})\n`)
          .join('') +
        `Connect: zkCli.sh -client-configuration ${files.properties} -server ${connectString(spec)}\n`,
    );
  return ExitCode.ok;
}

const DESCRIBE = {
  key: 'private key, mode 600',
  cert: 'certificate',
  keyStore: 'key and certificate in one PEM file, for Java clients, mode 600',
  ca: "the cluster CA's certificate: trust this",
  properties: 'Java client / zkCli.sh configuration',
};

export async function certsRotateCommand(flags: CertsFlags, out: OutputOptions): Promise<number> {
  const { file } = await tlsCluster(flags);
  const loaded = await validatedInventory(await readInventoryText(file), file, process.cwd());
  return runUp(loaded, out, {
    timeoutSeconds: flags.timeout,
    acceptNewHostKeys: flags.acceptNewHostKeys,
    force: flags.force,
    renewCerts: true,
  });
}
