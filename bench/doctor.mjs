#!/usr/bin/env node
// `zkops doctor` on a healthy, settled 3-node pseudo-cluster: wall time of
// the whole command (Node start, every check, one JVM start for the Java
// check). Build first (npm run build).
//   node bench/doctor.mjs [runs=10]
import { $, fs, path, os, sleep } from 'zx';
import { median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 10);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-doctor-'));
try {
  await $({ cwd })`node ${ZKOPS} init --base-port 24581 --quiet`;
  await sleep(5000);
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await $({ cwd, nothrow: true })`node ${ZKOPS} doctor`;
    ms.push(performance.now() - t0);
    if (r.exitCode !== 0) throw new Error(`doctor found problems on a healthy cluster:\n${r.stdout}`);
  }
  console.log(`runs: ${RUNS}, 3 nodes, ${os.cpus().length} cores`);
  console.log(
    `zkops doctor, healthy 3-node pseudo-cluster: median ${median(ms).toFixed(0)} ms, ` +
      `max ${Math.max(...ms).toFixed(0)} ms (target < 1000)`,
  );
} finally {
  await $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes --quiet`;
  await fs.remove(cwd);
}
