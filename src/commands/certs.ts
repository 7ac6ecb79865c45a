/**
 * `zkops certs`: the terminal front of ops/certs.ts (list, client) and of a
 * bring-up that renews every node's certificate (rotate).
 */
import { ExitCode } from '../errors.js';
import { validatedInventory } from '../inventory/cache.js';
import { certsClient, certsList, tlsCluster } from '../ops/certs.js';
import { readInventoryText, type ClusterFlags } from '../ops/cluster.js';
import { up } from '../ops/up.js';
import { printJson, table, terminalContext, type OutputOptions } from '../output.js';
import { renderUp } from './up.js';

export interface CertsFlags extends ClusterFlags {
  output?: string;
  force?: boolean;
  timeout?: number;
  acceptNewHostKeys?: boolean;
}

export async function certsListCommand(flags: CertsFlags, out: OutputOptions): Promise<number> {
  const r = await certsList(flags, terminalContext(out));
  const rows = r.certificates;
  if (out.json) printJson(r);
  else if (rows.length === 0)
    process.stdout.write(
      `No certificates in ${r.dir}: zkops deploy makes them; if the cluster was deployed from ` +
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
      ) + `\nKept in ${r.dir} (private keys mode 600).\n`,
    );
  return ExitCode.ok;
}

export async function certsClientCommand(name: string, flags: CertsFlags, out: OutputOptions): Promise<number> {
  const r = await certsClient(flags, name, flags, terminalContext(out));
  const { files } = r;
  if (out.json) printJson(r);
  else
    process.stdout.write(
      `Client certificate "${name}" for cluster ${r.cluster}, signed by its CA, valid until ` +
        `${r.expires.toISOString().slice(0, 10)}:\n` +
        Object.entries(files)
          .map(([what, f]) => `  ${f}  (${DESCRIBE[what as keyof typeof files]})\n`)
          .join('') +
        `Connect: zkCli.sh -client-configuration ${files.properties} -server ${r.connectString}\n`,
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
  const outcome = await up(
    {
      inventory: loaded,
      timeoutMs: (flags.timeout ?? 60) * 1000,
      acceptNewHostKeys: flags.acceptNewHostKeys,
      force: flags.force,
      renewCerts: true,
    },
    terminalContext(out),
  );
  return renderUp(outcome, out);
}
