#!/usr/bin/env node
// Fresh VMs against prepared ones: a full deploy of a 3-node ensemble to 3
// SSH test hosts that have neither Java nor ZooKeeper (zkops ships a jlink'ed
// Java runtime with java.tarball and the release with zookeeper.tarball),
// against the same deploy to hosts with both preinstalled (this machine's
// Java and Debian's ZooKeeper). Fresh hosts each run; to a healthy quorum.
// Needs root, as `scripts/setup.sh --test` sets up. Build first.
//   node bench/bare.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { createLab } from '../test/helpers/hosts.mjs';
import { jreTarball } from '../test/helpers/jre.mjs';
import { buildTestTarball } from '../test/helpers/tarball.mjs';
import { labInventory, median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-bare-'));
const jre = await jreTarball();
const zk = await buildTestTarball('3.8.0');

async function deploy(bare, run) {
  const lab = await createLab(`${bare ? 'bb' : 'bn'}${run}x`, 3, { bare });
  try {
    const inventory = labInventory(lab, `bare${run}`, cwd, bare ? [`zookeeper: { tarball: ${zk} }`] : []);
    if (bare)
      fs.writeFileSync(
        inventory,
        fs.readFileSync(inventory, 'utf8').replace('java: { heap: 128m }', `java: { heap: 128m, tarball: ${jre} }`),
      );
    const t0 = performance.now();
    const r = await $({ cwd, nothrow: true })`node ${ZKOPS} deploy -i ${inventory} --accept-new-host-keys --quiet`;
    const ms = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`deploy failed (${r.exitCode}):\n${r.stderr}`);
    return ms;
  } finally {
    await lab.teardown();
  }
}

const bare = [],
  ready = [];
try {
  for (let run = 0; run < RUNS; run++) {
    bare.push(await deploy(true, run));
    ready.push(await deploy(false, run));
    process.stderr.write(`run ${run + 1}: bare ${bare[run].toFixed(0)} ms, preinstalled ${ready[run].toFixed(0)} ms\n`);
  }
} finally {
  await fs.remove(cwd);
  await fs.remove(path.dirname(jre));
  await fs.remove(path.dirname(zk));
}
console.log(`runs: ${RUNS}, ${os.cpus().length} cores, 3 test hosts (netns + sshd on this machine) per deploy`);
console.log(`deploy to 3 bare hosts, Java and ZooKeeper shipped: median ${median(bare).toFixed(0)} ms`);
console.log(`deploy to 3 hosts with both preinstalled:          median ${median(ready).toFixed(0)} ms`);
