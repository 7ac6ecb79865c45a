#!/usr/bin/env node
// What zkops's defaults cost in time to quorum (issue 20): three JVMs started
// exactly as zkops starts them (each node's rendered bin/zk-run.sh), against
// the same with one default taken away at a time, and against a minimal
// config (tickTime, limits, dataDir, clientPort, the server lines; no
// AdminServer, no heap, GC-log or log flags). Runs alternate; each starts
// from empty data and ends when one node leads and two follow (srvr polled
// every 25 ms from here, not by zkops). Then `zkops init` of the same cluster.
//   node bench/defaults.mjs [runs=5] [version]   # version: 3.9.3 (AdminServer runs: Jetty is in its lib/),
//                                                 # or this machine's ZooKeeper (default; Debian's 3.8.0 has
//                                                 # no Jetty on its class path, so its AdminServer never starts)
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
await zkops('init');
await zkops('stop');

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

/** Each default, as what taking it away does to a node's zoo.cfg, java.env and zk-run.sh. */
const WITHOUT = {
  AdminServer: (f) => ({
    ...f,
    cfg: f.cfg
      .replace(/^admin\.enableServer=true$/m, 'admin.enableServer=false')
      .replace(/^admin\.server\w+=.*\n/gm, ''),
  }),
  'fixed heap (-Xms = -Xmx)': (f) => ({ ...f, env: f.env.replace(/-Xms\S+ -Xmx\S+ ?/, '') }),
  'GC log and heap-dump flags': (f) => ({
    ...f,
    env: f.env.replace(/ ?-XX:\+HeapDumpOnOutOfMemoryError/, '').replace(/ ?-XX:\+ExitOnOutOfMemoryError/, ''),
    run: f.run.replace(/^\s*"-XX:HeapDumpPath=.*\n/m, '').replace(/^\s*"-Xlog:gc.*\n/m, ''),
  }),
  // What zkServer.sh does by default: INFO to the console, which it sends to zookeeper.out.
  'rolling log file (console logging instead)': (f) => ({
    ...f,
    run: f.run
      .replace(/-Dzookeeper\.root\.logger=\S+/, '-Dzookeeper.root.logger=INFO,CONSOLE')
      .replace(/-Dlog4j\.configuration=file:\S+/, `-Dlog4j.configuration=file:${CONSOLE_LOG4J}`)
      .replace(/-Dlogback\.configurationFile=\S+/, `-Dlogback.configurationFile=${CONSOLE_LOGBACK}`),
  }),
  'the other zoo.cfg keys (4lw whitelist, autopurge, clientPortAddress, maxClientCnxns)': (f) => ({
    ...f,
    cfg: f.cfg
      .split('\n')
      .filter((l) => !/^(4lw\.|autopurge\.|clientPortAddress=|maxClientCnxns=)/.test(l))
      .join('\n'),
  }),
};
const all = (f) => Object.values(WITHOUT).reduce((g, take) => take(g), f);
const VARIANTS = {
  'zkops (as rendered)': (f) => f,
  ...Object.fromEntries(Object.entries(WITHOUT).map(([name, take]) => [`without ${name}`, take])),
  'minimal config (logging INFO to the console)': all,
  // No logging configuration at all: log4j 1.2 then logs nothing (slf4j-simple, in some class paths, still does).
  'minimal config, no logging configuration': (f) => {
    const g = all(f);
    return {
      ...g,
      run: g.run
        .replace(/^\s*-Dzookeeper\.log\.dir=.*\n/m, '')
        .replace(/^\s*-Dzookeeper\.root\.logger=.*\n/m, '')
        .replace(/^\s*-Dlog4j\.configuration=.*\n/m, ''),
    };
  },
};

/** Writes variant `v`'s copies of each node's files under node-N/bench/<k>; returns each node's run script. */
function prepare(k, transform) {
  return [1, 2, 3].map((i) => {
    const vdir = path.join(nodeDir(i), 'bench', String(k));
    fs.mkdirpSync(vdir);
    const orig = { cfg: read(i, 'conf/zoo.cfg'), env: read(i, 'conf/java.env'), run: read(i, 'bin/zk-run.sh') };
    const f = transform(orig);
    // A default the templates no longer render as this expects would be measured as costing nothing.
    if (k > 0 && JSON.stringify(f) === JSON.stringify(orig))
      throw new Error(`variant ${k} changes nothing: the rendered files no longer look as bench/defaults.mjs expects`);
    for (const [name, text] of [
      ['zoo.cfg', f.cfg],
      ['java.env', f.env],
    ])
      fs.writeFileSync(path.join(vdir, name), text);
    const script = path.join(vdir, 'zk-run.sh');
    fs.writeFileSync(
      script,
      f.run
        .replaceAll(path.join(nodeDir(i), 'conf/java.env'), path.join(vdir, 'java.env'))
        .replaceAll(path.join(nodeDir(i), 'conf/zoo.cfg'), path.join(vdir, 'zoo.cfg')),
    );
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
  const ms = await Promise.race([waitQuorum(BASE).then(() => performance.now() - t0), early]);
  formed = true;
  // sh execs java in place: each child's pid is its JVM's.
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(exits);
  return ms;
}

const scripts = Object.entries(VARIANTS).map(([name, t], k) => [name, prepare(k, t)]);
const times = Object.fromEntries(scripts.map(([name]) => [name, []]));
const init = [];
for (let r = 0; r < RUNS; r++) {
  // A different order each run, so no variant always follows the same one.
  const order = scripts.map((s, k) => scripts[(k + r) % scripts.length]);
  for (const [name, s] of order) times[name].push(await run(s));
  await zkops('destroy', '--yes');
  const t0 = performance.now();
  await zkops('init');
  init.push(performance.now() - t0);
  await zkops('stop');
  scripts.forEach(([name, t], k) => prepare(k, VARIANTS[name])); // destroy removed the copies
  process.stderr.write(`run ${r + 1}/${RUNS} done\n`);
}
await zkops('destroy', '--yes');
await fs.remove(dir);

const version = VERSION ?? "this machine's ZooKeeper";
const minimal = median(times['minimal config (logging INFO to the console)']);
console.log(`runs: ${RUNS} (alternating), 3 nodes, ZooKeeper ${version}, ${os.cpus().length} cores; to quorum, median`);
for (const [name, ts] of Object.entries(times)) {
  const m = median(ts);
  console.log(`${name.padEnd(70)} ${m.toFixed(0).padStart(5)} ms  (+${(m - minimal).toFixed(0)} vs minimal)`);
}
const z = median(init);
console.log(
  `${'zkops init (whole CLI run, fresh)'.padEnd(70)} ${z.toFixed(0).padStart(5)} ms  (+${(z - minimal).toFixed(0)} vs minimal)`,
);
