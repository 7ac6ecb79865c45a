#!/usr/bin/env node
// What TLS costs and what switching it takes, on a 3-node pseudo-cluster:
// `zkops status` (every probe a TLS handshake with zkops's client
// certificate) against the same cluster in plain text, alternating; `zkops
// smoke` likewise; and the rolling switch plain → TLS + quorum SASL and back
// under the tests' independent writer (through a TLS tunnel that falls back to
// plain text for servers not yet switched): time, longest write gap, failed
// and lost writes.
//   node bench/tls.mjs [runs=5]
import { $, fs, path, os, sleep } from 'zx';
import { tlsTunnels } from '../test/helpers/tls-tunnel.mjs';
import { missingWrites, Writer } from '../test/helpers/writer.mjs';
import { median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 5);
const BASE = 29581;
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-tls-'));
const servers = [0, 1, 2].map((i) => `127.0.0.1:${BASE + i}`);
const inventory = path.join(cwd, 'tls.yaml');
const write = (on) =>
  fs.writeFileSync(
    inventory,
    `name: benchtls\npseudo: { count: 3, basePort: ${BASE} }\njava: { heap: 128m }\n` +
      `security: { tls: ${on}, quorumAuth: ${on}, dir: ./secrets }\n`,
  );

async function timed(args) {
  const t0 = performance.now();
  const r = await $({ cwd, nothrow: true })`node ${ZKOPS} ${args} -i ${inventory}`;
  if (r.exitCode !== 0) throw new Error(`zkops ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return performance.now() - t0;
}

async function switchUnderWrites(on) {
  write(on);
  const material = path.join(cwd, 'writer');
  const tunnels = await tlsTunnels(
    servers,
    {
      ca: fs.readFileSync(path.join(cwd, 'secrets/ca.crt')),
      key: fs.readFileSync(path.join(material, 'writer.key')),
      cert: fs.readFileSync(path.join(material, 'writer.crt')),
    },
    { fallback: true },
  );
  const writer = new Writer(tunnels.servers.join(','));
  await writer.start();
  await sleep(300);
  const ms = await timed(['deploy']);
  await sleep(300);
  const report = await writer.stop();
  const lost = Object.values(await missingWrites(tunnels.servers, report.acknowledged)).flat().length;
  await tunnels.close();
  return { ms, gap: report.longestGapMs, failed: report.failed, acked: report.acknowledged.length, lost };
}

const status = { plain: [], tls: [] };
const smoke = { plain: [], tls: [] };
const switches = { on: [], off: [] };
try {
  write(true);
  await timed(['deploy']); // makes the CA (and a cluster to issue the writer's certificate from)
  await timed(['certs', 'client', 'writer', '-o', path.join(cwd, 'writer')]);
  write(false);
  await timed(['deploy']);
  for (let i = 0; i < RUNS; i++) {
    for (const on of [false, true]) {
      if (on) switches.on.push(await switchUnderWrites(true));
      const key = on ? 'tls' : 'plain';
      for (let j = 0; j < 3; j++) status[key].push(await timed(['status']));
      smoke[key].push(await timed(['smoke']));
      if (on) switches.off.push(await switchUnderWrites(false));
    }
  }
} finally {
  await $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes -i ${inventory}`;
}
const ms = (v) => `${Math.round(v)} ms`;
console.log(`zkops status, 3 nodes: plain ${ms(median(status.plain))}, TLS ${ms(median(status.tls))} (medians)`);
console.log(`zkops smoke, 5 checks: plain ${ms(median(smoke.plain))}, TLS ${ms(median(smoke.tls))} (medians)`);
for (const [what, runs] of Object.entries(switches)) {
  const pick = (k) => median(runs.map((r) => r[k]));
  console.log(
    `switch ${what === 'on' ? 'plain → TLS + quorum SASL (5 rolling steps)' : 'back to plain (4 steps)'}: ` +
      `${(pick('ms') / 1000).toFixed(1)} s, longest write gap ${ms(pick('gap'))} ` +
      `(max ${ms(Math.max(...runs.map((r) => r.gap)))}), failed writes ${runs.map((r) => r.failed).join('/')}, ` +
      `lost ${runs.map((r) => r.lost).join('/')}`,
  );
}
