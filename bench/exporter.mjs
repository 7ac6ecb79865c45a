#!/usr/bin/env node
// zkops exporter on a real 5-node pseudo-cluster: time of one scrape (every node polled, the cache left to
// expire between scrapes), the exporter's memory (RSS) and CPU at 1 scrape/s, against scraping by hand
// (`mntr` per node from a shell, one after the other, as `echo mntr | nc` loops do), and a scrape with one
// node that accepts and never answers (the per-node limit bounds it). Build first.
//   node bench/exporter.mjs [scrapes=30] [base-port=33181]
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { $, fs, path, os, sleep } from 'zx';
import { median } from './lib.mjs';

$.verbose = false;
const SCRAPES = Number(process.argv[2] ?? 30);
const BASE = Number(process.argv[3] ?? 33181);
const ZKOPS = path.resolve('bin/zkops.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-exporter-'));
const ports = [0, 1, 2, 3, 4].map((i) => BASE + i);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Starts an exporter; resolves with its URL and process once it prints where it listens. */
async function startExporter(args) {
  const child = $({ cwd, nothrow: true })`node ${ZKOPS} exporter --listen 127.0.0.1:0 --doctor-interval 0 ${args}`;
  for await (const line of child.stdout) {
    const m = /on (http:\S+)\/metrics/.exec(line);
    if (m) return { url: m[1], child, pid: child.child.pid };
  }
  throw new Error(`the exporter did not start: ${(await child).stderr}`);
}

/** utime+stime (ticks) and RSS (KiB) of a process. */
function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { ticks: Number(stat[11]) + Number(stat[12]), rssKiB: rss };
}

async function timedScrape(url) {
  const t0 = performance.now();
  const text = await (await fetch(`${url}/metrics`)).text();
  return { ms: performance.now() - t0, text };
}

const init = await $({ cwd, nothrow: true })`node ${ZKOPS} init --nodes 5 --base-port ${BASE} --quiet`;
if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stderr}`);
try {
  const ex = await startExporter([]);
  for (let i = 0; i < 3; i++) await timedScrape(ex.url); // warm the JIT and the nodes' first conf
  const before = usage(ex.pid);
  const t0 = performance.now();
  const times = [];
  const nodeMs = [];
  let series = 0;
  let peakRss = before.rssKiB;
  for (let i = 0; i < SCRAPES; i++) {
    const next = t0 + (i + 1) * 1000;
    const s = await timedScrape(ex.url);
    if (!s.text.includes('zkops_cluster_quorum')) throw new Error(`not a scrape: ${s.text.slice(0, 200)}`);
    times.push(s.ms);
    nodeMs.push(Number(/^zkops_poll_duration_seconds\{[^}]*\} (\S+)$/m.exec(s.text)?.[1]) * 1000);
    series = s.text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    peakRss = Math.max(peakRss, usage(ex.pid).rssKiB);
    await sleep(Math.max(0, next - performance.now()));
  }
  const after = usage(ex.pid);
  const wall = (performance.now() - t0) / 1000;
  const cpu = (after.ticks - before.ticks) / 100 / wall; // USER_HZ is 100 on Linux
  ex.child.kill('SIGTERM');
  await ex.child;

  // By hand: one shell connection per node, one after the other.
  const hand = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await $`bash -c ${ports.map((p) => `exec 3<>/dev/tcp/127.0.0.1/${p}; printf mntr >&3; cat <&3 >/dev/null; exec 3<&-`).join('; ')}`;
    hand.push(performance.now() - t);
  }

  // A node that accepts and never answers: the scrape waits for the per-node limit, not longer.
  const hung = net.createServer(() => {});
  await new Promise((r) => hung.listen(0, '127.0.0.1', r));
  const servers = [...ports.map((p) => `127.0.0.1:${p}`), `127.0.0.1:${hung.address().port}`].join(',');
  const ex2 = await startExporter(['--server', servers, '--node-timeout', '500']);
  const hungTimes = [];
  for (let i = 0; i < 5; i++) {
    hungTimes.push((await timedScrape(ex2.url)).ms);
    await sleep(1100);
  }
  ex2.child.kill('SIGTERM');
  await ex2.child;
  hung.close();

  console.log(
    `zkops exporter, 5-node pseudo-cluster (Debian's ZooKeeper 3.8.0), ${SCRAPES} scrapes at 1/s, ` +
      `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores:`,
  );
  console.log(
    `  scrape (all 5 nodes polled): median ${median(times).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms, ${series} series`,
  );
  console.log(`    of which the nodes' own answers (all polled in parallel): median ${median(nodeMs).toFixed(1)} ms`);
  console.log(
    `  exporter RSS: ${(before.rssKiB / 1024).toFixed(1)} MiB after warm-up, peak ${(peakRss / 1024).toFixed(1)} MiB`,
  );
  console.log(`  exporter CPU at 1 scrape/s: ${(cpu * 100).toFixed(1)} % of one core`);
  console.log(`  by hand (mntr per node from bash, one after the other): median ${median(hand).toFixed(1)} ms`);
  console.log(`  with one node hanging (--node-timeout 500): median scrape ${median(hungTimes).toFixed(0)} ms`);
} finally {
  await $({ cwd, nothrow: true })`node ${ZKOPS} destroy --yes --quiet`;
  fs.rmSync(cwd, { recursive: true, force: true });
}
