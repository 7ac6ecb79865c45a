#!/usr/bin/env node
// Time from "start" to a healthy 3-node quorum: `zkops init` (whole CLI run,
// Node start and preflight included) against three raw QuorumPeerMain JVMs
// started by hand on the very same configs, alternating runs on one machine.
// Then `zkops status` wall time on the healthy cluster.
//   node bench/init-vs-raw.mjs [runs=5]
import { $, fs, path, os, sleep } from 'zx';
import { median, waitQuorum } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 5);
const BASE = 24181;
const ZKOPS = path.resolve('bin/zkops.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-'));
const clusterDir = path.join(dir, '.zkops/zk');

const wipeData = () => Promise.all([1, 2, 3].map((i) => fs.remove(path.join(clusterDir, `node-${i}/data/version-2`))));

// One init to render the configs both sides use, then stop it.
await $({ cwd: dir })`node ${ZKOPS} init --base-port ${BASE} --quiet`;
await $({ cwd: dir })`node ${ZKOPS} stop --quiet`;
const javaEnv = fs.readFileSync(path.join(clusterDir, 'node-1/conf/java.env'), 'utf8');
const javaHome = /JAVA_HOME=(\S+)/.exec(javaEnv)[1].replace(/'/g, '');
const classpath = /-cp (\S+)/
  .exec(fs.readFileSync(path.join(clusterDir, 'node-1/bin/zk-run.sh'), 'utf8'))[1]
  .replace(/'/g, '');

async function rawRun() {
  await wipeData();
  const t0 = performance.now();
  const procs = [1, 2, 3].map((i) => {
    const n = path.join(clusterDir, `node-${i}`);
    const logDir = `-Dzookeeper.log.dir=${n}/logs`;
    const log4j = `-Dlog4j.configuration=file:${n}/conf/log4j.properties`;
    const main = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
    return $({
      nothrow: true,
    })`${javaHome}/bin/java -Xms256m -Xmx256m ${logDir} ${log4j} -cp ${classpath} ${main} ${n}/conf/zoo.cfg`;
  });
  await waitQuorum(BASE);
  const ms = performance.now() - t0;
  for (const p of procs) await p.kill('SIGKILL').catch(() => {});
  await Promise.all(procs);
  return ms;
}

async function zkopsRun() {
  await wipeData();
  const t0 = performance.now();
  await $({ cwd: dir })`node ${ZKOPS} start --quiet`;
  const ms = performance.now() - t0;
  await $({ cwd: dir })`node ${ZKOPS} stop --quiet`;
  return ms;
}

async function zkopsInitRun() {
  await $({ cwd: dir })`node ${ZKOPS} destroy --yes --quiet`;
  const t0 = performance.now();
  await $({ cwd: dir })`node ${ZKOPS} init --base-port ${BASE} --quiet`;
  const ms = performance.now() - t0;
  await $({ cwd: dir })`node ${ZKOPS} stop --quiet`;
  return ms;
}

const raw = [],
  init = [],
  start = [];
for (let i = 0; i < RUNS; i++) {
  raw.push(await rawRun());
  init.push(await zkopsInitRun());
  start.push(await zkopsRun());
  process.stderr.write(
    `run ${i + 1}/${RUNS}: raw ${raw[i].toFixed(0)} ms, zkops init ${init[i].toFixed(0)} ms, zkops start ` +
      `${start[i].toFixed(0)} ms\n`,
  );
}

await $({ cwd: dir })`node ${ZKOPS} start --quiet`;
// Freshly started JVMs spend their first seconds compiling; measure status on a settled cluster.
await sleep(10_000);
const status = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  await $({ cwd: dir })`node ${ZKOPS} status`;
  status.push(performance.now() - t0);
}
await $({ cwd: dir })`node ${ZKOPS} destroy --yes --quiet`;
await fs.remove(dir);

const r = median(raw),
  z = median(init),
  s = median(start);
console.log(`runs: ${RUNS} (alternating), 3 nodes, ${os.cpus().length} cores`);
console.log(`raw QuorumPeerMain x3 to quorum:   median ${r.toFixed(0)} ms`);
console.log(
  `zkops init (fresh) to quorum:      median ${z.toFixed(0)} ms  ratio ${(z / r).toFixed(2)} (target <= 1.15)`,
);
console.log(`zkops start (existing) to quorum:  median ${s.toFixed(0)} ms  ratio ${(s / r).toFixed(2)}`);
console.log(
  `zkops status, settled 3 nodes:     median ${median(status).toFixed(0)} ms wall (target < 300), max ` +
    `${Math.max(...status).toFixed(0)} ms`,
);
