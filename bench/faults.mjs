#!/usr/bin/env node
// Status and doctor with a host down, on three SSH test hosts (network
// namespaces with their own sshd, from test/helpers/hosts.mjs; needs root):
// a healthy 3-node ensemble, then a packet filter in host 2's namespace that
// drops (1) only its SSH port, (2) everything. Prints the wall time of
// `zkops status` and `zkops doctor` in each case, with the default
// ssh.connectTimeout (5 s). Build first (npm run build).
//   node bench/faults.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { createLab } from '../test/helpers/hosts.mjs';
import { labInventory, median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-faults-'));
const lab = await createLab('bf', 3);
const inventory = labInventory(lab, 'faults', cwd);

/** Median wall time of `zkops ARGS`, and the exit code it gave. */
async function timed(args) {
  const ms = [];
  let code;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    code = (await $({ cwd, nothrow: true })`node ${ZKOPS} ${args} -i ${inventory}`).exitCode;
    ms.push(performance.now() - t0);
  }
  return `median ${median(ms).toFixed(0)} ms (exit ${code})`;
}

const ns = lab.hosts[1].netns;
try {
  await $({ cwd })`node ${ZKOPS} deploy -i ${inventory} --accept-new-host-keys --quiet`;
  console.log(`runs: ${RUNS} per figure, 3 SSH test hosts, ssh.connectTimeout 5 s (default)`);
  console.log(`status, all hosts up:                ${await timed(['status'])}`);
  await $`ip netns exec ${ns} iptables -I INPUT -p tcp --dport 22 -j DROP`;
  console.log(`status, host 2's SSH port dropped:   ${await timed(['status'])}`);
  console.log(`doctor, host 2's SSH port dropped:   ${await timed(['doctor'])}`);
  await $`ip netns exec ${ns} iptables -I INPUT -j DROP`;
  console.log(`status, host 2 cut off altogether:   ${await timed(['status'])}`);
  console.log(`doctor, host 2 cut off altogether:   ${await timed(['doctor'])}`);
} finally {
  await lab.teardown();
  await fs.remove(cwd);
}
