#!/usr/bin/env node
// Round trips (issue 20): remote shells each command starts per host, counted
// by the hosts' own sshd (DEBUG1 log: exec, shell and subsystem channel
// requests), and wall time, for status / logs / a no-change deploy / doctor
// on a healthy 3-node ensemble on three SSH test hosts (network namespaces
// with their own sshd, test/helpers/hosts.mjs; needs root). Two profiles:
// "slow", root's .bashrc is this machine's (pyenv initialised before its
// guard, ~0.5 s per shell: many real hosts), and "fast", Debian's default.
// `ssh host true` is timed as the yardstick, alone and on the three hosts at
// once (they share this machine's cores). Build first (npm run build).
//   node bench/round-trips.mjs [runs=3]
//   ZKOPS_BIN=/path/to/other/bin/zkops.js node bench/round-trips.mjs   # the same on another build
import { $, fs, path, os } from 'zx';
import { createLab, remoteShells } from '../test/helpers/hosts.mjs';
import { labInventory, median } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 3);
const ZKOPS = path.resolve(process.env.ZKOPS_BIN ?? 'bin/zkops.js');
const COMMANDS = [['status'], ['logs', '-n', '5'], ['deploy'], ['doctor']];

async function profile(slow) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-rt-'));
  const lab = await createLab(slow ? 'rs' : 'rf', 3, { slowProfile: slow });
  const inventory = labInventory(lab, 'rt', cwd);
  const rows = [];
  try {
    const d = await $({ cwd, nothrow: true })`node ${ZKOPS} deploy -i ${inventory} --accept-new-host-keys --quiet`;
    if (d.exitCode !== 0) throw new Error(`deploy failed:\n${d.stderr}`);
    const h = lab.hosts[0];
    const ssh = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await $`ssh -i ${lab.identityFile} -o UserKnownHostsFile=${lab.knownHosts} -o BatchMode=yes root@${h.ip} true`;
      ssh.push(performance.now() - t0);
    }
    rows.push({ command: 'ssh host true', ms: median(ssh), shells: 1, code: 0 });
    // The same on the three hosts at once: what one shell on each costs while they share this machine's cores
    // (real hosts each have their own), the floor for a command that asks every host.
    const all = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await Promise.all(
        lab.hosts.map(
          (x) =>
            $`ssh -i ${lab.identityFile} -o UserKnownHostsFile=${lab.knownHosts} -o BatchMode=yes root@${x.ip} true`,
        ),
      );
      all.push(performance.now() - t0);
    }
    rows.push({ command: 'ssh host true, 3 hosts at once', ms: median(all), shells: 1, code: 0 });
    for (const args of COMMANDS) {
      const ms = [];
      let shells = 0;
      let code = 0;
      for (let i = 0; i < RUNS; i++) {
        const before = lab.hosts.map(remoteShells);
        const t0 = performance.now();
        code = (await $({ cwd, nothrow: true })`node ${ZKOPS} ${args} -i ${inventory}`).exitCode;
        ms.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 200));
        const per = lab.hosts.map((x, j) => remoteShells(x).total - before[j].total);
        shells = Math.max(shells, ...per);
      }
      rows.push({ command: args.join(' '), ms: median(ms), shells, code });
    }
  } finally {
    await lab.teardown();
    await fs.remove(cwd);
  }
  return rows;
}

const slow = await profile(true);
const fast = await profile(false);
console.log(`runs: ${RUNS} per figure (median), ${os.cpus().length} cores, ${ZKOPS}`);
console.log('| command | remote shells, busiest host | wall, slow profile | wall, fast profile |');
console.log('|---|---|---|---|');
for (const [i, r] of slow.entries())
  console.log(
    `| \`${r.command}\` | ${r.shells} / ${fast[i].shells} | ${(r.ms / 1000).toFixed(2)} s${r.code ? ` (exit ${r.code})` : ''} ` +
      `| ${(fast[i].ms / 1000).toFixed(2)} s${fast[i].code ? ` (exit ${fast[i].code})` : ''} |`,
  );
