#!/usr/bin/env node
// Status and doctor with a host down, on three SSH test hosts (network
// namespaces with their own sshd, from test/helpers/hosts.mjs; needs root):
// a healthy 3-node ensemble, then a packet filter in host 2's namespace that
// drops (1) only its SSH port, (2) everything. Prints the wall time of
// `zkops status` and `zkops doctor` in each case, with the default
// ssh.connectTimeout (5 s; budget: connectTimeout + 0.5 s), and the remote
// shells each started on the busiest reachable host — for hosts with the slow
// login profile (root's .bashrc here, ~0.5 s a shell) and with Debian's
// default one. Build first (npm run build).
//   node bench/faults.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { createLab, remoteShells } from '../test/helpers/hosts.mjs';
import { labInventory, median, withRoundTrips } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve('bin/zkops.js');

async function profile(slow) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-faults-'));
  const lab = await createLab(slow ? 'bfs' : 'bff', 3, { slowProfile: slow });
  const inventory = labInventory(lab, 'faults', cwd);
  const rows = [];
  /** Median wall time of `zkops ARGS`, the exit code it gave, the most remote shells on one host. */
  async function timed(what, args) {
    const ms = [];
    let code;
    let shells = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await withRoundTrips(
        lab,
        remoteShells,
        () => $({ cwd, nothrow: true })`node ${ZKOPS} ${args} -i ${inventory}`,
      );
      ms.push(performance.now() - t0 - 150);
      code = r.value.exitCode;
      shells = Math.max(shells, r.shells);
    }
    rows.push({ what, ms: median(ms), code, shells });
  }
  const ns = lab.hosts[1].netns;
  try {
    await $({ cwd })`node ${ZKOPS} deploy -i ${inventory} --accept-new-host-keys --quiet`;
    await timed('status, all hosts up', ['status']);
    await $`ip netns exec ${ns} iptables -I INPUT -p tcp --dport 22 -j DROP`;
    await timed("status, host 2's SSH port dropped", ['status']);
    await timed("doctor, host 2's SSH port dropped", ['doctor']);
    await $`ip netns exec ${ns} iptables -I INPUT -j DROP`;
    await timed('status, host 2 cut off altogether', ['status']);
    await timed('doctor, host 2 cut off altogether', ['doctor']);
  } finally {
    await lab.teardown();
    await fs.remove(cwd);
  }
  return rows;
}

const slow = await profile(true);
const fast = await profile(false);
console.log(`runs: ${RUNS} per figure (median), 3 SSH test hosts, ssh.connectTimeout 5 s (default; budget 5.5 s)`);
console.log('| case | remote shells, busiest host (slow / fast) | wall, slow profile | wall, fast profile |');
console.log('|---|---|---|---|');
for (const [i, r] of slow.entries())
  console.log(
    `| ${r.what} | ${r.shells} / ${fast[i].shells} | ${(r.ms / 1000).toFixed(2)} s (exit ${r.code}) | ` +
      `${(fast[i].ms / 1000).toFixed(2)} s (exit ${fast[i].code}) |`,
  );
