/**
 * A support bundle: what a colleague (or a mailing list) needs to see about
 * an ensemble, in one .tar.gz, gathered from any runtime the same way: each
 * node's configuration files as the server reads them, its myid, the end of
 * its log, srvr / conf / mntr, the listening ports of each machine, the
 * versions, the status and the doctor's findings. Secrets are left out:
 * every value of a key that names a password, secret or digest is replaced
 * before anything is written.
 */
import { clientTlsOf } from '../client/tls.js';
import { createWriteStream } from 'node:fs';
import { replaceFile } from '../util/atomic-file.js';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { runDoctor } from '../doctor/index.js';
import { probeCluster } from '../health/cluster.js';
import { fourLetterWord } from '../health/probe.js';
import { listListeners } from '../hosts/ports.js';
import type { Runtime } from '../runtime/types.js';
import { clusterStatus } from '../health/status.js';
import { readAudit } from './audit.js';

/** key=value, key: value, -Dkey=value and "key": "value" whose key says it holds a secret. */
const SECRET =
  /((?:^|[\s"'-])[\w.-]*(?:password|passwd|secret|credential|digest|token)[\w.-]*["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',]+)/gim;

/** `text` with every secret value replaced by <redacted> (in the value's own quotes, so JSON stays JSON). */
export function redact(text: string): string {
  // A properties line (zoo.cfg, jaas options) holds its value to the end of the line, spaces included.
  const lines = text.replace(
    /^(\s*[\w.-]*(?:password|passwd|secret|credential|digest|token)[\w.-]*\s*[=:]\s*)(?!["'])(.+)$/gim,
    '$1<redacted>',
  );
  return lines.replace(SECRET, (_all, key: string, value: string) => {
    const quote = /^["']/.test(value) ? value[0] : '';
    return `${key}${quote}<redacted>${quote}`;
  });
}

export interface BundleSummary {
  file: string;
  files: string[];
  bytes: number;
}

/** Gathers the bundle of `rt`'s cluster into `file` (written beside it, then renamed: never half a bundle). */
export async function writeBundle(rt: Runtime, file: string, version: string): Promise<BundleSummary> {
  const spec = rt.spec;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const top = `zkops-bundle-${spec.name}-${stamp}`;
  const entries: { name: string; text: string }[] = [];
  const add = (name: string, text: string) => entries.push({ name: `${top}/${name}`, text: redact(text) });

  const reports = probeCluster(spec);
  const [places, processes, findings] = await Promise.all([
    rt.places(),
    rt.processes().catch(() => new Map()),
    runDoctor(rt, { fix: false, reports }).catch((e: Error) => [
      { check: 'doctor', severity: 'error' as const, message: e.message },
    ]),
  ]);
  add('status.json', JSON.stringify(clusterStatus(spec, await reports, processes, rt.unreachable), null, 2));
  // Who changed the cluster, how and when, from this machine (the audit log; redacted like the rest).
  const audit = await readAudit(spec);
  if (audit.length) add('audit.jsonl', audit.map((e) => JSON.stringify(e)).join('\n') + '\n');
  add('doctor.json', JSON.stringify(findings, null, 2));
  add(
    'cluster.json',
    JSON.stringify(
      {
        name: spec.name,
        executor: spec.executor,
        nodes: spec.nodes.map((n) => ({
          id: n.id,
          role: n.role,
          host: n.host.name,
          address: n.host.address,
          listens: n.listens,
          dataDir: n.dataDir,
          dataLogDir: n.dataLogDir,
          logDir: n.logDir,
        })),
        settings: spec.settings,
      },
      null,
      2,
    ),
  );
  await Promise.all(
    spec.nodes.map(async (node) => {
      const dir = `node-${node.id}`;
      const place = places.find((p) => p.node === node);
      const words = await Promise.all(
        ['srvr', 'conf', 'mntr'].map(async (w) => {
          const said = await fourLetterWord(node.host.address, node.clientPort, w, 2000, clientTlsOf(spec)).catch(
            (e: Error) => `(no answer: ${e.message})`,
          );
          return [w, said || '(empty: not whitelisted, or not serving)'] as const;
        }),
      );
      for (const [w, said] of words) add(`${dir}/${w}.txt`, said);
      if (!place) {
        add(`${dir}/UNREACHABLE.txt`, 'Its host could not be reached: no files or logs from it.\n');
        return;
      }
      const files = [
        node.zooCfg,
        path.posix.join(node.confDir, 'java.env'),
        path.posix.join(node.dataDir, 'myid'),
        path.posix.join(node.dataDir, 'version-2', 'currentEpoch'),
      ];
      for (const f of files) {
        const text = await place.ex.readFile(f).catch(() => undefined);
        add(`${dir}/${path.posix.basename(f)}`, text ?? `(missing: ${f})\n`);
      }
      add(`${dir}/server.log`, await rt.logLines(node, 2000).catch((e: Error) => `(cannot read: ${e.message})\n`));
    }),
  );
  const machines = new Map(places.map((p) => [p.machine.ex, p.machine]));
  for (const m of machines.values()) {
    const listeners = await listListeners(m.ex).catch((e: Error) => e.message);
    add(
      `listening-${m.label.replace(/[^\w.-]+/g, '_')}.txt`,
      typeof listeners === 'string'
        ? `${listeners}\n`
        : listeners.map((l) => `${l.address}:${l.port}\t${l.pid ?? ''}\t${l.process ?? ''}`).join('\n') + '\n',
    );
  }
  add(
    'README.txt',
    `Support bundle of ZooKeeper ensemble "${spec.name}" (${spec.executor}), by zkops ${version} at ` +
      `${new Date().toISOString()}.\n\nstatus.json   every node's mode, zxid, version, pid\n` +
      'doctor.json   what zkops doctor found\ncluster.json  the nodes and settings zkops manages\n' +
      'node-N/       zoo.cfg, java.env, myid, currentEpoch as the server reads them; srvr/conf/mntr; the last ' +
      '2000 lines of its log\nlistening-*   the listening TCP ports of each machine\n\n' +
      'Values of keys that name a password, secret, credential, digest or token are replaced by <redacted>.\n',
  );

  entries.sort((a, b) => a.name.localeCompare(b.name));
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, mode: 0o644, mtime: new Date() }, e.text);
  pack.finalize();
  await replaceFile(file, (tmp) => pipeline(pack, createGzip(), createWriteStream(tmp, { mode: 0o600 })), {
    mode: 0o600,
  });
  const bytes = entries.reduce((a, e) => a + Buffer.byteLength(e.text), 0);
  return { file, files: entries.map((e) => e.name), bytes };
}
