#!/usr/bin/env node
// Rolling upgrades under load: 3.4.13 → 3.8.0 → 3.9.3 with `zkops upgrade`,
// while an independent client (node-zookeeper-client) writes a sequential
// znode every ~10 ms. For each step: wall time of the upgrade command, writes
// acknowledged and failed, the longest stretch without an acknowledged write,
// and acknowledged writes missing on any node afterwards (must be 0).
//  1. a pseudo-cluster on this machine (RUNS fresh clusters);
//  2. three SSH test hosts (network namespaces with their own sshd; needs
//     root, as `scripts/setup.sh --test` sets up), releases from tarballs.
// The 3.4.13 and 3.9.3 releases come from Debian's older and newer suites
// (test/helpers/releases.mjs; cached after the first run). Build first.
//   node bench/upgrade.mjs [runs=3]
import { $, fs, path, os } from 'zx';
import { createLab } from '../test/helpers/hosts.mjs';
import { releaseTarball, unpackRelease } from '../test/helpers/releases.mjs';
import { Writer, writesOn } from '../test/helpers/writer.mjs';
import { labInventory, median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-upgrade-'));

async function zkops(args) {
  const r = await $({ cwd, nothrow: true })`node ${ZKOPS} ${args}`;
  if (r.exitCode !== 0) throw new Error(`zkops ${args.join(' ')} failed (${r.exitCode}):\n${r.stderr}`);
}

/** One `zkops upgrade` while the writer writes; what the writer saw and what every node holds afterwards. */
async function upgradeUnderWrites(inventory, connect) {
  const writer = new Writer(connect);
  await writer.start();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  await zkops(['upgrade', '-i', inventory, '--quiet']);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  const report = await writer.stop();
  let lost = 0;
  for (const server of connect.split(',')) {
    const have = new Set(await writesOn(server, report.acknowledged));
    lost += report.acknowledged.filter((w) => !have.has(w)).length;
  }
  return { ms, acked: report.acknowledged.length, failed: report.failed, gap: report.longestGapMs, lost };
}

const results = { pseudo: { '3.8.0': [], '3.9.3': [] }, ssh: { '3.8.0': [], '3.9.3': [] } };
const record = (where, to, r) => {
  results[where][to].push(r);
  process.stderr.write(
    `${where} → ${to}: ${r.ms.toFixed(0)} ms, ${r.acked} acked, ${r.failed} failed, ` +
      `longest gap ${r.gap} ms, lost ${r.lost}\n`,
  );
};

const releases = path.join(cwd, 'releases');
const homes = { '3.4.13': await unpackRelease('3.4.13', releases), '3.9.3': await unpackRelease('3.9.3', releases) };
const connect = '127.0.0.1:29181,127.0.0.1:29182,127.0.0.1:29183';
for (let run = 0; run < RUNS; run++) {
  const inventory = path.join(cwd, `pseudo-${run}.yaml`);
  const write = (home) =>
    fs.writeFileSync(
      inventory,
      `name: bup${run}\npseudo: { count: 3, basePort: 29181 }\njava: { heap: 128m }\n` +
        (home ? `zookeeper: { home: ${home} }\n` : ''),
    );
  try {
    write(homes['3.4.13']);
    await zkops(['init', '-i', inventory, '--quiet']);
    write();
    record('pseudo', '3.8.0', await upgradeUnderWrites(inventory, connect));
    write(homes['3.9.3']);
    record('pseudo', '3.9.3', await upgradeUnderWrites(inventory, connect));
  } finally {
    await $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes -i ${inventory} --quiet`;
  }
}

const tarballs = Object.fromEntries(
  await Promise.all(['3.4.13', '3.8.0', '3.9.3'].map(async (v) => [v, await releaseTarball(v)])),
);
for (let run = 0; run < RUNS; run++) {
  const lab = await createLab(`bu${run}x`, 3);
  try {
    const inventory = (v) => labInventory(lab, 'bup', cwd, [`zookeeper: { tarball: ${tarballs[v]} }`]);
    const ssh = lab.hosts.map((h) => `${h.ip}:2181`).join(',');
    await zkops(['deploy', '-i', inventory('3.4.13'), '--accept-new-host-keys', '--quiet']);
    record('ssh', '3.8.0', await upgradeUnderWrites(inventory('3.8.0'), ssh));
    record('ssh', '3.9.3', await upgradeUnderWrites(inventory('3.9.3'), ssh));
  } finally {
    await lab.teardown();
  }
}
await fs.remove(cwd);
await fs.remove(path.dirname(tarballs['3.8.0'])); // built for this run; the other two stay cached

console.log(`runs: ${RUNS} per figure, ${os.cpus().length} cores; a write every ~10 ms throughout each upgrade`);
for (const where of ['pseudo', 'ssh'])
  for (const [to, rs] of Object.entries(results[where])) {
    const from = to === '3.8.0' ? '3.4.13' : '3.8.0';
    const label = `${where === 'pseudo' ? 'pseudo-cluster' : 'SSH, 3 hosts '} ${from} → ${to}:`.padEnd(34);
    console.log(
      `${label} median ${median(rs.map((r) => r.ms)).toFixed(0)} ms, longest write gap median ` +
        `${median(rs.map((r) => r.gap))} ms (max ${Math.max(...rs.map((r) => r.gap))}), ` +
        `failed writes ${rs.reduce((a, r) => a + r.failed, 0)}, acknowledged writes lost ` +
        `${rs.reduce((a, r) => a + r.lost, 0)} (must be 0)`,
    );
  }
