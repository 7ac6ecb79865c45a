#!/usr/bin/env node
// Membership changes under writes: a 3-node pseudo-cluster grown to 5 and
// shrunk back to 3 with `zkops deploy` (one server at a time), while the
// tests' independent writer (node-zookeeper-client, a sequential znode every
// ~10 ms) writes. Per direction: wall time, the longest stretch without an
// acknowledged write, failed writes, and acknowledged writes missing on any
// node afterwards (must be 0). Medians of RUNS fresh clusters.
//   node bench/membership.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { Writer, writesOn } from '../test/helpers/writer.mjs';
import { median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const BASE = 29681;
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-members-'));
const inventory = path.join(cwd, 'members.yaml');
const servers = (n) => Array.from({ length: n }, (_, i) => `127.0.0.1:${BASE + i}`);
const write = (count) =>
  fs.writeFileSync(inventory, `name: bm\npseudo: { count: ${count}, basePort: ${BASE} }\njava: { heap: 128m }\n`);

async function change(count, from) {
  write(count);
  const writer = new Writer(servers(from).join(','));
  await writer.start();
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  const r = await $({ cwd, nothrow: true })`node ${ZKOPS} deploy -i ${inventory} --quiet`;
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  const report = await writer.stop();
  if (r.exitCode !== 0) throw new Error(`deploy to ${count} failed (${r.exitCode}):\n${r.stderr}`);
  let lost = 0;
  for (const s of servers(count)) {
    const have = new Set(await writesOn(s, report.acknowledged));
    lost += report.acknowledged.filter((w) => !have.has(w)).length;
  }
  return { ms, gap: report.longestGapMs, failed: report.failed, lost };
}

const grow = [],
  shrink = [];
try {
  for (let run = 0; run < RUNS; run++) {
    write(3);
    await $({ cwd })`node ${ZKOPS} init -i ${inventory} --quiet`;
    grow.push(await change(5, 3));
    shrink.push(await change(3, 5));
    await $({ cwd, nothrow: true })`node ${ZKOPS} destroy -i ${inventory} --yes --quiet`;
    process.stderr.write(
      `run ${run + 1}: 3 → 5 ${grow[run].ms.toFixed(0)} ms (gap ${grow[run].gap} ms), ` +
        `5 → 3 ${shrink[run].ms.toFixed(0)} ms (gap ${shrink[run].gap} ms)\n`,
    );
  }
} finally {
  await $({ cwd, nothrow: true })`node ${ZKOPS} destroy -i ${inventory} --yes --quiet`;
  await fs.remove(cwd);
}
console.log(`runs: ${RUNS}, ${os.cpus().length} cores, 3.8.0 pseudo-cluster; a write every ~10 ms throughout`);
for (const [label, xs] of [
  ['3 → 5 (add 4, add 5):', grow],
  ['5 → 3 (remove 4, remove 5):', shrink],
])
  console.log(
    `${label.padEnd(30)} median ${median(xs.map((x) => x.ms)).toFixed(0)} ms, longest write gap median ` +
      `${median(xs.map((x) => x.gap))} ms (max ${Math.max(...xs.map((x) => x.gap))}), failed writes ` +
      `${xs.reduce((a, x) => a + x.failed, 0)}, acknowledged writes lost ${xs.reduce((a, x) => a + x.lost, 0)} (must be 0)`,
  );
