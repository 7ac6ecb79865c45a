#!/usr/bin/env node
// Two builds of zkops side by side, alternating runs on one machine: `zkops status` of a settled 3-node
// pseudo-cluster, and `zkops init` of a fresh one to quorum (destroy between runs). For a change that must
// not cost time (the operations layer: within 5 %), build the old commit into another checkout and compare:
//   git worktree add /tmp/zkops-old <commit> && (cd /tmp/zkops-old && npm ci && npx tsc -p tsconfig.json)
//   node bench/ab.mjs /tmp/zkops-old/bin/zkops.js bin/zkops.js [runs=7]
import { $, fs, path, os, sleep } from 'zx';
import { median } from './lib.mjs';

$.verbose = false;
const [A, B] = [process.argv[2], process.argv[3] ?? 'bin/zkops.js'].map((p) => path.resolve(p));
const RUNS = Number(process.argv[4] ?? 7);
const BASE = 23181;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-ab-'));
const run = (bin, ...args) => $({ cwd: dir })`node ${bin} ${args}`;
const timed = async (fn) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

/** A first on even runs, B first on odd ones: neither always pays for a cold cache. */
const order = (i) =>
  i % 2
    ? [
        ['b', B],
        ['a', A],
      ]
    : [
        ['a', A],
        ['b', B],
      ];
const init = { a: [], b: [] };
for (let i = 0; i < RUNS; i++)
  for (const [k, bin] of order(i)) {
    init[k].push(await timed(() => run(bin, 'init', '--base-port', BASE, '--quiet')));
    await run(bin, 'destroy', '--yes', '--quiet');
  }
await run(B, 'init', '--base-port', BASE, '--quiet');
// Freshly started JVMs spend their first seconds compiling; measure status on a settled cluster.
await sleep(10_000);
const status = { a: [], b: [] };
for (let i = 0; i < RUNS * 3; i++)
  for (const [k, bin] of order(i)) status[k].push(await timed(() => run(bin, 'status')));
await run(B, 'destroy', '--yes', '--quiet');
await fs.remove(dir);

const line = (what, x) => {
  const [a, b] = [median(x.a), median(x.b)];
  console.log(`${what.padEnd(28)} A ${a.toFixed(0)} ms  B ${b.toFixed(0)} ms  B/A ${(b / a).toFixed(3)}`);
};
console.log(`A: ${A}\nB: ${B}\n${RUNS} alternating runs (status: ${RUNS * 3}), ${os.cpus().length} cores`);
line('zkops init, fresh, to quorum', init);
line('zkops status, settled', status);
