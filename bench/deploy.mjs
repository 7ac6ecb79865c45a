#!/usr/bin/env node
// Deploy over real SSH to test hosts on this machine (network namespaces with
// their own sshd, from test/helpers/hosts.mjs; needs root, iproute2 and
// openssh-server, as `scripts/setup.sh --test` installs):
//  1. `deploy --no-start` to 1, 3, 5 and 7 fresh hosts: wall time, ratio 7/1;
//  2. a full deploy of a 3-node ensemble to 3 fresh hosts, up to quorum;
//  3. a no-change re-deploy of the same.
// Figures are medians of RUNS runs (fresh hosts each run). Build first (npm run build).
//   node bench/deploy.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { createLab } from '../test/helpers/hosts.mjs';
import { labInventory, median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-deploy-'));

const inventory = (lab, name) => labInventory(lab, name, cwd);

async function timed(args) {
  const t0 = performance.now();
  const r = await $({ cwd, nothrow: true })`node ${ZKOPS} ${args}`;
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`zkops ${args.join(' ')} failed (${r.exitCode}):\n${r.stderr}`);
  return ms;
}

const noStart = {};
for (const n of [1, 3, 5, 7]) {
  noStart[n] = [];
  for (let run = 0; run < RUNS; run++) {
    const lab = await createLab(`b${n}r${run}x`, n);
    try {
      noStart[n].push(
        await timed(['deploy', '-i', inventory(lab, `ns${n}`), '--accept-new-host-keys', '--no-start', '--quiet']),
      );
    } finally {
      await lab.teardown();
    }
  }
  process.stderr.write(`deploy --no-start, ${n} host(s): ${noStart[n].map((x) => x.toFixed(0)).join(', ')} ms\n`);
}

const full = [],
  again = [];
for (let run = 0; run < RUNS; run++) {
  const lab = await createLab(`bf${run}x`, 3);
  try {
    const inv = inventory(lab, 'full');
    full.push(await timed(['deploy', '-i', inv, '--accept-new-host-keys', '--quiet']));
    again.push(await timed(['deploy', '-i', inv, '--quiet']));
  } finally {
    await lab.teardown();
  }
  process.stderr.write(`full deploy ${full[run].toFixed(0)} ms, no-change re-deploy ${again[run].toFixed(0)} ms\n`);
}
await fs.remove(cwd);

console.log(`runs: ${RUNS} per figure, ${os.cpus().length} cores, test hosts = netns + sshd on this machine`);
for (const n of [1, 3, 5, 7])
  console.log(`deploy --no-start to ${n} host(s):       median ${median(noStart[n]).toFixed(0)} ms`);
console.log(
  `ratio 7 hosts / 1 host:                ${(median(noStart[7]) / median(noStart[1])).toFixed(2)} (target <= 1.5)`,
);
console.log(`full deploy, 3 nodes on 3 hosts:       median ${median(full).toFixed(0)} ms (target <= 10000)`);
console.log(`no-change re-deploy:                   median ${median(again).toFixed(0)} ms (target <= 2000)`);
