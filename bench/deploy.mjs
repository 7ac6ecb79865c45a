#!/usr/bin/env node
// Deploy over real SSH to test hosts on this machine (network namespaces with
// their own sshd, from test/helpers/hosts.mjs; needs root, iproute2 and
// openssh-server, as `scripts/setup.sh --test` installs):
//  1. `deploy --no-start` to 1, 5 and 15 fresh hosts (a fleet): wall time, CPU
//     of the zkops process and CPU per added host, remote shells on the
//     busiest host;
//  2. a full deploy of a 3-node ensemble to 3 fresh hosts, up to quorum;
//  3. a no-change re-deploy of the same.
// Figures are medians of RUNS runs (fresh hosts each run). Build first (npm run build).
//   node bench/deploy.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { createLab, remoteShells } from '../test/helpers/hosts.mjs';
import { labInventory, median, runMeasured, withRoundTrips } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-deploy-'));
const FLEETS = [1, 5, 15];

const inventory = (lab, name) => labInventory(lab, name, cwd);
const measured = (lab, args) => withRoundTrips(lab, remoteShells, () => runMeasured($, cwd, ZKOPS, args));

const noStart = {};
for (const n of FLEETS) {
  noStart[n] = { ms: [], cpu: [], shells: 0 };
  for (let run = 0; run < RUNS; run++) {
    const lab = await createLab(`b${n}r${run}x`, n);
    try {
      const args = ['deploy', '-i', inventory(lab, `ns${n}`), '--accept-new-host-keys', '--no-start', '--quiet'];
      const { value, shells } = await measured(lab, args);
      noStart[n].ms.push(value.ms);
      noStart[n].cpu.push(value.cpuMs);
      noStart[n].shells = Math.max(noStart[n].shells, shells);
    } finally {
      await lab.teardown();
    }
  }
  process.stderr.write(
    `deploy --no-start, ${n} host(s): ${noStart[n].ms.map((x) => x.toFixed(0)).join(', ')} ms, ` +
      `CPU ${noStart[n].cpu.map((x) => x.toFixed(0)).join(', ')} ms\n`,
  );
}

const full = { ms: [], shells: 0 };
const again = { ms: [], shells: 0 };
for (let run = 0; run < RUNS; run++) {
  const lab = await createLab(`bf${run}x`, 3);
  try {
    const inv = inventory(lab, 'full');
    const f = await measured(lab, ['deploy', '-i', inv, '--accept-new-host-keys', '--quiet']);
    full.ms.push(f.value.ms);
    full.shells = Math.max(full.shells, f.shells);
    const a = await measured(lab, ['deploy', '-i', inv, '--quiet']);
    again.ms.push(a.value.ms);
    again.shells = Math.max(again.shells, a.shells);
  } finally {
    await lab.teardown();
  }
  process.stderr.write(
    `full deploy ${full.ms[run].toFixed(0)} ms, no-change re-deploy ${again.ms[run].toFixed(0)} ms\n`,
  );
}
await fs.remove(cwd);

const [first, last] = [FLEETS[0], FLEETS.at(-1)];
const perHost = (median(noStart[last].cpu) - median(noStart[first].cpu)) / (last - first);
console.log(`runs: ${RUNS} per figure, ${os.cpus().length} cores, test hosts = netns + sshd on this machine`);
console.log('| deploy | hosts | wall (median) | zkops CPU (median) | remote shells, busiest host |');
console.log('|---|---|---|---|---|');
for (const n of FLEETS)
  console.log(
    `| --no-start | ${n} | ${median(noStart[n].ms).toFixed(0)} ms | ${median(noStart[n].cpu).toFixed(0)} ms | ` +
      `${noStart[n].shells} |`,
  );
console.log(`| full, to quorum | 3 | ${median(full.ms).toFixed(0)} ms | – | ${full.shells} |`);
console.log(`| no change | 3 | ${median(again.ms).toFixed(0)} ms | – | ${again.shells} |`);
console.log(`zkops CPU per added host (${first} → ${last} hosts): ${perHost.toFixed(0)} ms (target <= 100)`);
console.log(
  `wall ${last} hosts / ${first} host: ${(median(noStart[last].ms) / median(noStart[first].ms)).toFixed(2)} ` +
    `(hosts served in parallel up to ssh.concurrency, 8 by default)`,
);
