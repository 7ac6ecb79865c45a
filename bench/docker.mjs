#!/usr/bin/env node
// Docker clusters against a real engine, with the test image (built from this
// machine's files, see test/helpers/docker.mjs; no registry is reachable):
//  1. `zkops init --docker` of 3 nodes, fresh, to a healthy quorum, against
//     the same 3 containers created and started by hand with `docker run`
//     (configs written the same way), alternating runs;
//  2. a no-change re-run of init;
//  3. on the healthy cluster: `zkops status` (yardstick: `docker ps`), a
//     no-change re-run, `doctor` and `logs -n 5`, each with the `exec`s it
//     started in the busiest container (the engine's own exec_start events:
//     round trips, which a quiet machine hides in milliseconds).
// Needs root (starts dockerd when none runs). Build first (npm run build).
//   node bench/docker.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { median, waitQuorum } from './lib.mjs';
import { buildZookeeperImage, ensureDockerd } from '../test/helpers/docker.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const BASE = 25181;
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-docker-'));

await ensureDockerd();
const image = await buildZookeeperImage();
const zkopsInit = () => $({ cwd })`node ${ZKOPS} init --docker --image ${image} --base-port ${BASE} --name bd --quiet`;
const zkopsDestroy = () => $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes --quiet`;

// The hand-made equivalent: a network, three containers with the same zoo.cfg and myid, started together.
const cfg = (id) =>
  [
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    'dataDir=/data',
    'dataLogDir=/datalog',
    'clientPort=2181',
    '4lw.commands.whitelist=srvr,ruok,mntr,conf',
    'admin.serverAddress=127.0.0.1',
    ...[1, 2, 3].map((i) => `server.${i}=raw-${i}:2888:3888`),
    '',
  ].join('\n');
async function rawUp() {
  await $`docker network create raw-bench`;
  for (const i of [1, 2, 3]) {
    const publish = `127.0.0.1:${BASE + i - 1}:2181`;
    const env = ['-e', 'JVMFLAGS=-Xms256m -Xmx256m -Dnetworkaddress.cache.negative.ttl=0', '-e', `ZOO_MY_ID=${i}`];
    await $`docker create --name raw-${i} --hostname raw-${i} --network raw-bench -p ${publish} ${env} ${image}`;
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raw-'));
    fs.writeFileSync(path.join(d, 'zoo.cfg'), cfg(i));
    await $`docker cp ${path.join(d, 'zoo.cfg')} raw-${i}:/conf/zoo.cfg`;
    await fs.remove(d);
  }
  await Promise.all([1, 2, 3].map((i) => $`docker start raw-${i}`));
}
const rawDown = () => $({ nothrow: true })`docker rm -f raw-1 raw-2 raw-3; docker network rm raw-bench`;

/** Runs `fn`; returns its wall time and the most exec_start events the engine saw in one of our containers. */
async function withExecs(fn) {
  const since = (Date.now() / 1000).toFixed(3);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  const until = (Date.now() / 1000).toFixed(3);
  const names = (
    await $`docker events --since ${since} --until ${until} --filter event=exec_start --format ${'{{.Actor.Attributes.name}}'}`
  ).stdout
    .split('\n')
    .filter((n) => n.startsWith('zkops-bd-'));
  const per = {};
  for (const n of names) per[n] = (per[n] ?? 0) + 1;
  return { ms, execs: Math.max(0, ...Object.values(per)) };
}
const day2 = { status: [], again: [], doctor: [], logs: [], dockerPs: [] };
const execs = { status: 0, again: 0, doctor: 0, logs: 0 };

const zk = [],
  raw = [],
  again = [],
  status = [];
for (let run = 0; run < RUNS; run++) {
  let t0 = performance.now();
  await zkopsInit();
  zk.push(performance.now() - t0);
  t0 = performance.now();
  await zkopsInit();
  again.push(performance.now() - t0);
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    await $`docker ps`;
    day2.dockerPs.push(performance.now() - t0);
    const commands = {
      status: ['status'],
      again: ['init', '--docker', '--image', image, '--base-port', BASE, '--name', 'bd', '--quiet'],
      doctor: ['doctor'],
      logs: ['logs', '-n', '5'],
    };
    for (const [what, args] of Object.entries(commands)) {
      const r = await withExecs(() => $({ cwd, nothrow: true })`node ${ZKOPS} ${args}`);
      day2[what].push(r.ms);
      execs[what] = Math.max(execs[what], r.execs);
    }
  }
  status.push(...day2.status.slice(-3));
  await zkopsDestroy();

  t0 = performance.now();
  await rawUp();
  await waitQuorum(BASE);
  raw.push(performance.now() - t0);
  await rawDown();
  process.stderr.write(
    `run ${run + 1}: zkops init --docker ${zk[run].toFixed(0)} ms, by hand ${raw[run].toFixed(0)} ms, no-change ` +
      `re-run ${again[run].toFixed(0)} ms\n`,
  );
}
await fs.remove(cwd);

console.log(`runs: ${RUNS}, ${os.cpus().length} cores, image ${image}`);
console.log(`zkops init --docker, 3 nodes, fresh, to quorum:  median ${median(zk).toFixed(0)} ms`);
console.log(
  `same 3 containers by hand (docker create/cp/start): median ${median(raw).toFixed(0)} ms  (ratio ` +
    `${(median(zk) / median(raw)).toFixed(2)})`,
);
console.log(`no-change re-run of init:                          median ${median(again).toFixed(0)} ms`);
console.log(
  `zkops status (healthy):                            median ${median(status).toFixed(0)} ms ` +
    `(docker ps ${median(day2.dockerPs).toFixed(0)} ms; budget 300 ms or docker ps + 150 ms)`,
);
console.log('| command, healthy cluster | wall (median) | execs, busiest container |');
console.log('|---|---|---|');
for (const [what, label] of [
  ['status', 'status'],
  ['again', 'init, nothing changed'],
  ['doctor', 'doctor'],
  ['logs', 'logs -n 5'],
])
  console.log(`| ${label} | ${median(day2[what]).toFixed(0)} ms | ${execs[what]} |`);
