#!/usr/bin/env node
// What zkops's defaults cost in time to quorum (issue 20): three JVMs started
// exactly as zkops starts them (each node's rendered bin/zk-run.sh), against
// the same with one default taken away at a time, against a minimal config
// (tickTime, limits, dataDir, clientPort, the server lines; no AdminServer, no
// heap or GC flags, INFO logged to the console as zkServer.sh does), and
// `zkops init` of the same cluster, all in turn. Each start is from empty data
// and ends when one node leads and two follow (srvr polled every 25 ms from
// here, not by zkops).
//   node bench/defaults.mjs [runs=5] [version]
// version: this machine's ZooKeeper by default (Debian's 3.8.0: no Jetty on its class path, so its AdminServer
// never starts; log4j 1.2), or 3.9.3 as test/helpers/releases.mjs assembles it from Debian trixie's jars
// (Jetty 9, so the AdminServer runs; slf4j-simple, which logs INFO to the console whatever the log flags say).
import { spawn } from 'node:child_process';
import { $, fs, path, os } from 'zx';
import { median, waitQuorum } from './lib.mjs';

$.verbose = false;
const RUNS = Number(process.argv[2] ?? 5);
const VERSION = process.argv[3];
const BASE = 27181;
const ZKOPS = path.resolve('bin/zkops.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-bench-defaults-'));
const clusterDir = path.join(dir, '.zkops/zk');
const inventory = path.join(dir, 'zk.yaml');
let home;
if (VERSION) {
  const { unpackRelease } = await import('../test/helpers/releases.mjs');
  home = await unpackRelease(VERSION, path.join(dir, 'release'));
}
fs.writeFileSync(
  inventory,
  `name: zk\npseudo: { count: 3, basePort: ${BASE} }\n${home ? `zookeeper: { home: ${home} }\n` : ''}`,
);
const zkops = (...args) => $({ cwd: dir })`node ${ZKOPS} ${args} -i ${inventory} --quiet`;

// Console logging as ZooKeeper's own conf/ files set it up (log4j 1.2 for 3.4-3.7, logback for 3.8+).
const CONSOLE_LOG4J = path.join(dir, 'console-log4j.properties');
const CONSOLE_LOGBACK = path.join(dir, 'console-logback.xml');
const PATTERN = '%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n';
fs.writeFileSync(
  CONSOLE_LOG4J,
  [
    'log4j.rootLogger=INFO, CONSOLE',
    'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
    'log4j.appender.CONSOLE.Threshold=INFO',
    'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
    `log4j.appender.CONSOLE.layout.ConversionPattern=${PATTERN}`,
    '',
  ].join('\n'),
);
fs.writeFileSync(
  CONSOLE_LOGBACK,
  '<configuration><appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender"><encoder>' +
    `<pattern>${PATTERN}</pattern></encoder></appender><root level="INFO"><appender-ref ref="CONSOLE" /></root>` +
    '</configuration>\n',
);

const nodeDir = (i) => path.join(clusterDir, `node-${i}`);
const read = (i, f) => fs.readFileSync(path.join(nodeDir(i), f), 'utf8');

/** `text` with `re` replaced; a pattern that no longer matches stops the bench (it would measure nothing). */
function must(text, re, by, what) {
  if (!re.test(text))
    throw new Error(`${what}: ${re} matches nothing in the rendered files; update bench/defaults.mjs`);
  return text.replace(re, by);
}

/** Each default, as what taking it away does to a node's zoo.cfg, java.env and zk-run.sh. */
const WITHOUT = {
  AdminServer: (f) => ({
    ...f,
    cfg: must(
      must(f.cfg, /^admin\.enableServer=true$/m, 'admin.enableServer=false', 'AdminServer'),
      /^admin\.server\w+=.*\n/gm,
      '',
      'AdminServer',
    ),
  }),
  'fixed heap (-Xms = -Xmx)': (f) => ({ ...f, env: must(f.env, /-Xms\S+ -Xmx\S+ ?/, '', 'heap') }),
  'GC log and out-of-memory flags': (f) => ({
    ...f,
    env: must(
      must(f.env, / ?-XX:\+HeapDumpOnOutOfMemoryError/, '', 'OOM'),
      / ?-XX:\+ExitOnOutOfMemoryError/,
      '',
      'OOM',
    ),
    run: must(must(f.run, /^\s*"-XX:HeapDumpPath=.*\n/m, '', 'OOM'), /^\s*"-Xlog:gc.*\n/m, '', 'GC log'),
  }),
  // What zkServer.sh does by default: INFO to the console, which it sends to zookeeper.out.
  'rolling log file (console logging instead)': (f) => ({
    ...f,
    run: [
      [/-Dzookeeper\.root\.logger=\S+/, '-Dzookeeper.root.logger=INFO,CONSOLE'],
      [/-Dlog4j\.configuration=file:\S+/, `-Dlog4j.configuration=file:${CONSOLE_LOG4J}`],
      [/-Dlogback\.configurationFile=\S+/, `-Dlogback.configurationFile=${CONSOLE_LOGBACK}`],
    ].reduce((run, [re, by]) => must(run, re, by, 'logging'), f.run),
  }),
  'the other zoo.cfg keys (4lw whitelist, autopurge, clientPortAddress, maxClientCnxns)': (f) => ({
    ...f,
    cfg: must(f.cfg, /^(4lw\.|autopurge\.|clientPortAddress=|maxClientCnxns=).*\n/gm, '', 'zoo.cfg keys'),
  }),
};
const all = (f) => Object.values(WITHOUT).reduce((g, take) => take(g), f);
const VARIANTS = {
  'zkops (as rendered)': (f) => f,
  ...Object.fromEntries(Object.entries(WITHOUT).map(([name, take]) => [`without ${name}`, take])),
  'minimal config (logging INFO to the console)': all,
  // No logging configuration at all: log4j 1.2 then logs nothing (slf4j-simple, where it is the binding, still does).
  'minimal config, no logging configuration': (f) => {
    const g = all(f);
    return {
      ...g,
      run: [
        /^\s*-Dzookeeper\.log\.dir=.*\n/m,
        /^\s*-Dzookeeper\.root\.logger=.*\n/m,
        /^\s*-Dlog4j\.configuration=.*\n/m,
      ].reduce((run, re) => must(run, re, '', 'no logging'), g.run),
    };
  },
};

/** Writes variant `v`'s copies of each node's files under node-N/bench/<k>; returns each node's run script. */
function prepare(k, transform) {
  return [1, 2, 3].map((i) => {
    const vdir = path.join(nodeDir(i), 'bench', String(k));
    fs.mkdirpSync(vdir);
    const f = transform({ cfg: read(i, 'conf/zoo.cfg'), env: read(i, 'conf/java.env'), run: read(i, 'bin/zk-run.sh') });
    fs.writeFileSync(path.join(vdir, 'zoo.cfg'), f.cfg);
    fs.writeFileSync(path.join(vdir, 'java.env'), f.env);
    const script = path.join(vdir, 'zk-run.sh');
    // The copy of zk-run.sh reads this variant's java.env and zoo.cfg, not the node's own.
    let text = f.run;
    for (const name of ['java.env', 'zoo.cfg']) {
      const rendered = path.join(nodeDir(i), 'conf', name);
      if (!text.includes(rendered)) throw new Error(`zk-run.sh no longer names ${rendered}; update bench/defaults.mjs`);
      text = text.replaceAll(rendered, path.join(vdir, name));
    }
    fs.writeFileSync(script, text);
    return script;
  });
}

async function run(scripts) {
  await Promise.all([1, 2, 3].map((i) => fs.remove(path.join(nodeDir(i), 'data/version-2'))));
  const t0 = performance.now();
  const children = scripts.map((script, i) => {
    const out = fs.openSync(path.join(nodeDir(i + 1), 'logs/bench.out'), 'w');
    const child = spawn('sh', [script], { stdio: ['ignore', out, out], cwd: nodeDir(i + 1) });
    fs.closeSync(out);
    return child;
  });
  const exits = children.map((c) => new Promise((resolve) => c.on('exit', resolve)));
  let formed = false;
  const early = Promise.race(exits).then(() => {
    if (!formed) throw new Error(`a server exited before the quorum formed: see ${nodeDir(1)}/logs/bench.out`);
  });
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('no quorum within 60 s')), 60_000);
  });
  let ms;
  try {
    ms = await Promise.race([waitQuorum(BASE).then(() => performance.now() - t0), early, deadline]);
  } finally {
    formed = true;
    clearTimeout(timer);
    // sh execs java in place: each child's pid is its JVM's.
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(exits);
  }
  return ms;
}

const INIT = 'zkops init (whole CLI run, fresh)';
const times = Object.fromEntries([...Object.keys(VARIANTS), INIT].map((name) => [name, []]));
let scripts = {};
const prepareAll = () =>
  (scripts = Object.fromEntries(Object.entries(VARIANTS).map(([name, t], k) => [name, prepare(k, t)])));
async function timedInit() {
  await zkops('destroy', '--yes');
  const t0 = performance.now();
  await zkops('init');
  const ms = performance.now() - t0;
  await zkops('stop');
  prepareAll(); // destroy removed the copies
  return ms;
}
try {
  await zkops('init');
  await zkops('stop');
  prepareAll();
  const names = Object.keys(times);
  for (let r = 0; r < RUNS; r++) {
    // A different order each run, so that nothing always follows the same thing.
    for (const name of names.map((_, k) => names[(k + r) % names.length]))
      times[name].push(name === INIT ? await timedInit() : await run(scripts[name]));
    process.stderr.write(`run ${r + 1}/${RUNS} done\n`);
  }
} finally {
  await $({ cwd: dir, nothrow: true })`node ${ZKOPS} destroy --yes -i ${inventory} --quiet`;
  await fs.remove(dir);
}

const version = VERSION ?? "this machine's ZooKeeper";
const minimal = median(times['minimal config (logging INFO to the console)']);
const rendered = median(times['zkops (as rendered)']);
console.log(`runs: ${RUNS} (alternating), 3 nodes, ZooKeeper ${version}, ${os.cpus().length} cores; to quorum, median`);
for (const [name, ts] of Object.entries(times)) {
  const m = median(ts);
  console.log(
    `${name.padEnd(70)} ${m.toFixed(0).padStart(5)} ms  (${m >= minimal ? '+' : ''}${(m - minimal).toFixed(0)} vs ` +
      `minimal; ${(m / rendered).toFixed(2)}x the servers started as rendered)`,
  );
}
