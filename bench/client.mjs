#!/usr/bin/env node
// The client commands on a 3-node pseudo-cluster holding 10,000 znodes
// (100 parents × 100 children): `zkops ls -R /` against ZooKeeper's own
// `zkCli.sh ls -R /` (a JVM per call, as operators run it), and `zkops smoke`.
// Wall times of whole commands, medians of RUNS runs.
//   node bench/client.mjs [runs=5]
import { $, fs, path, os } from 'zx';
import zookeeper from 'node-zookeeper-client';
import { median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 5);
const BASE = 29581;
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-client-'));
const server = `127.0.0.1:${BASE}`;

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return { ms: performance.now() - t0, r };
}

/** 100 × 100 znodes, pipelined on one session. */
async function fill() {
  const client = zookeeper.createClient(server);
  await new Promise((r) => {
    client.once('connected', r);
    client.connect();
  });
  const create = (p) => new Promise((res, rej) => client.create(p, (e) => (e ? rej(e) : res())));
  await create('/bench');
  for (let i = 0; i < 100; i++) {
    const parent = `/bench/app-${String(i).padStart(3, '0')}`;
    await create(parent);
    await Promise.all(Array.from({ length: 99 }, (_, j) => create(`${parent}/n-${String(j).padStart(3, '0')}`)));
  }
  client.close();
}

await $({ cwd })`node ${ZKOPS} init --base-port ${BASE} --quiet`;
try {
  await fill();
  const ls = [],
    cli = [],
    smoke = [];
  let count = 0,
    cliCount = 0;
  for (let run = 0; run < RUNS; run++) {
    const a = await timed(() => $({ cwd })`node ${ZKOPS} ls -R /`);
    ls.push(a.ms);
    count = a.r.stdout.split('\n').filter((l) => l.startsWith('/')).length;
    const b = await timed(() => $`/usr/share/zookeeper/bin/zkCli.sh -server ${server} ls -R /`);
    cli.push(b.ms);
    cliCount = b.r.stdout.split('\n').filter((l) => l.startsWith('/')).length;
    smoke.push((await timed(() => $({ cwd })`node ${ZKOPS} smoke --quiet`)).ms);
    process.stderr.write(
      `run ${run + 1}: zkops ls -R ${a.ms.toFixed(0)} ms, zkCli ls -R ${b.ms.toFixed(0)} ms, ` +
        `smoke ${smoke[run].toFixed(0)} ms\n`,
    );
  }
  console.log(`runs: ${RUNS}, ${os.cpus().length} cores, 3-node pseudo-cluster (3.8.0), ${count} znodes listed`);
  console.log(`zkops ls -R /:            median ${median(ls).toFixed(0)} ms`);
  console.log(`zkCli.sh ls -R /:         median ${median(cli).toFixed(0)} ms (${cliCount} lines)`);
  console.log(`zkops smoke (5 checks):   median ${median(smoke).toFixed(0)} ms`);
} finally {
  await $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes --quiet`;
  await fs.remove(cwd);
}
