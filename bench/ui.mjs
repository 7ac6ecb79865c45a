#!/usr/bin/env node
// The dashboard's figures (issue 22's targets): first page load on loopback, the load in a new tab, and
// `zkops ui`'s own CPU while idle with one tab open on a cluster page, against a real 3-node pseudo-cluster,
// in Debian's Chromium driven by playwright-core.
//   node bench/ui.mjs [idle seconds=15]
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { chromium } from 'playwright-core';
import { $, fs, path, os, sleep } from 'zx';

$.verbose = false;
const IDLE_S = Number(process.argv[2] ?? 15);
const ZKOPS = path.resolve('bin/zkops.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-ui-'));
await $({ cwd: dir })`node ${ZKOPS} init --base-port 22181 --name uibench --quiet`;
const ui = spawn('node', [ZKOPS, 'ui', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => readline.createInterface({ input: ui.stdout }).once('line', resolve));
const cpu = () => {
  const f = fs.readFileSync(`/proc/${ui.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('#overview-rows tr');
  const first = Date.now() - t0;
  const origin = new URL(url).origin;
  const tab = await page.context().newPage();
  await tab.goto(`${origin}/`);
  await tab.waitForSelector('#overview-rows tr');
  const load = await tab.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  await tab.close();
  await page.goto(`${origin}/#/c/uibench/nodes`);
  await sleep(2000);
  const c0 = cpu();
  await sleep(IDLE_S * 1000);
  const idle = ((cpu() - c0) / IDLE_S) * 100;
  console.log(`first load (cold browser) to the overview's rows: ${first} ms`);
  console.log(`page load in a new tab (load event): ${Math.round(load)} ms (target <= 300)`);
  console.log(`zkops ui idle, one tab on a cluster page: ${idle.toFixed(2)} % of one core (target <= 3)`);
} finally {
  await browser.close();
  ui.kill('SIGTERM');
  await $({ cwd: dir })`node ${ZKOPS} destroy --yes --quiet`;
  await fs.remove(dir);
}
