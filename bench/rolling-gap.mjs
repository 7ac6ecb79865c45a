#!/usr/bin/env node
// The longest stretch a writing client cannot write during a rolling restart
// of a 3-node pseudo-cluster: `zkops restart` against the same restart done
// by hand (TERM the JVM, wait until it is gone, start it again, wait until
// srvr says it serves; followers first, the leader last), alternating runs on
// one cluster. The client is the tests' independent writer
// (node-zookeeper-client, a sequential znode every ~10 ms).
//   node bench/rolling-gap.mjs [runs=5]
import { $, fs, path, os, sleep } from 'zx';
import { Writer } from '../test/helpers/writer.mjs';
import { median, srvrMode } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 5);
const BASE = 29481;
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-gap-'));
const ports = [BASE, BASE + 1, BASE + 2];
const connect = ports.map((p) => `127.0.0.1:${p}`).join(',');
const nodeDir = (id) => path.join(cwd, '.zkops/zk', `node-${id}`);

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** What an operator does by hand, node by node: stop, start, wait for srvr. */
async function byHand() {
  const status = JSON.parse((await $({ cwd })`node ${ZKOPS} status --json`).stdout);
  const modes = await Promise.all(ports.map(srvrMode));
  const order = [1, 2, 3].sort((a, b) => (modes[a - 1] === 'leader') - (modes[b - 1] === 'leader'));
  for (const id of order) {
    const pid = status.nodes.find((n) => n.id === id).pid;
    process.kill(pid, 'SIGTERM');
    while (alive(pid)) await sleep(25);
    const run = path.join(nodeDir(id), 'bin/zk-run.sh');
    await $`setsid sh ${run} >> ${path.join(nodeDir(id), 'logs/zookeeper.out')} 2>&1 < /dev/null &`;
    for (;;) {
      const now = await Promise.all(ports.map(srvrMode));
      if (now.filter((m) => m === 'leader').length === 1 && now.filter((m) => m === 'follower').length === 2) break;
      await sleep(25);
    }
  }
}

async function gapDuring(fn) {
  const writer = new Writer(connect);
  await writer.start();
  await sleep(300);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  await sleep(300);
  const report = await writer.stop();
  return { ms, gap: report.longestGapMs, failed: report.failed };
}

await $({ cwd })`node ${ZKOPS} init --base-port ${BASE} --quiet`;
const zk = [],
  hand = [];
try {
  for (let run = 0; run < RUNS; run++) {
    zk.push(await gapDuring(() => $({ cwd })`node ${ZKOPS} restart --quiet`));
    hand.push(await gapDuring(byHand));
    process.stderr.write(
      `run ${run + 1}: zkops restart ${zk[run].ms.toFixed(0)} ms, gap ${zk[run].gap} ms; ` +
        `by hand ${hand[run].ms.toFixed(0)} ms, gap ${hand[run].gap} ms\n`,
    );
  }
} finally {
  await $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes --quiet`;
  await fs.remove(cwd);
}
const line = (label, xs) =>
  console.log(
    `${label.padEnd(28)} wall median ${median(xs.map((x) => x.ms)).toFixed(0)} ms, longest write gap median ` +
      `${median(xs.map((x) => x.gap))} ms (min ${Math.min(...xs.map((x) => x.gap))}, ` +
      `max ${Math.max(...xs.map((x) => x.gap))}), failed writes ${xs.reduce((a, x) => a + x.failed, 0)}`,
  );
console.log(`runs: ${RUNS}, alternating, ${os.cpus().length} cores, ZooKeeper 3.8.0 pseudo-cluster`);
line('zkops restart (rolling):', zk);
line('by hand (TERM, start, srvr):', hand);
