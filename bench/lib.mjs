// What the benchmarks share: the median, an independent quorum check
// (srvr over TCP, not zkops's own code) for the runs started by hand, and
// the SSH inventory for a lab of test hosts.
import net from 'node:net';
import { fs, path, sleep } from 'zx';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The Mode line of `srvr` on 127.0.0.1:port, or down / not-serving. */
export function srvrMode(port) {
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect({ host: '127.0.0.1', port }, () => s.end('srvr'));
    s.on('data', (d) => (out += d));
    s.on('error', () => resolve('down'));
    s.on('close', () => resolve(/Mode: (\w+)/.exec(out)?.[1] ?? 'not-serving'));
    s.setTimeout(1000, () => s.destroy());
  });
}

/** Returns once the 3 nodes from `base` have one leader and two followers (polled every 25 ms). */
export async function waitQuorum(base) {
  for (;;) {
    const modes = await Promise.all([0, 1, 2].map((i) => srvrMode(base + i)));
    if (modes.filter((m) => m === 'leader').length === 1 && modes.filter((m) => m === 'follower').length === 2) return;
    await sleep(25);
  }
}

/**
 * An `executor: ssh` inventory for the test hosts of `lab`, one node each, 128 MiB heaps, plus the YAML lines in
 * `extra`; returns its path.
 */
export function labInventory(lab, name, dir, extra = []) {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    file,
    [
      `name: ${name}`,
      'executor: ssh',
      `ssh: { identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts} }`,
      'hosts:',
      ...lab.hosts.map((h) => `  - { name: ${h.name}, address: ${h.ip} }`),
      'nodes:',
      ...lab.hosts.map((h, i) => `  - { id: ${i + 1}, host: ${h.name} }`),
      'java: { heap: 128m }',
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Runs `fn` and returns what it returned with the remote shells it started on the busiest host of `lab` (counted by
 * the hosts' own sshd, test/helpers/hosts.mjs remoteShells): the round trips a command costs, which a quiet machine
 * hides in milliseconds.
 */
export async function withRoundTrips(lab, remoteShells, fn) {
  const before = lab.hosts.map((h) => remoteShells(h).total);
  const value = await fn();
  // sshd writes its log line as the channel opens; a moment lets the last lines land.
  await sleep(150);
  const shells = Math.max(...lab.hosts.map((h, i) => remoteShells(h).total - before[i]));
  return { value, shells };
}

/**
 * Runs `node ZKOPS args` in `cwd` under bash and returns its wall time and the CPU (user + system) of the zkops
 * process, from bash's `times` (children's figures).
 */
export async function runMeasured($, cwd, zkops, args) {
  const t0 = performance.now();
  const r = await $({
    cwd,
    nothrow: true,
  })`bash -c ${'node "$0" "$@" >/dev/null 2>/tmp/zkops-bench-err.txt; rc=$?; times; exit $rc'} ${zkops} ${args}`;
  const ms = performance.now() - t0;
  const child = r.stdout.trim().split('\n').at(-1).split(/\s+/);
  const secs = (s) => {
    const m = /(\d+)m([\d.]+)s/.exec(s);
    return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  };
  const cpuMs = (secs(child[0]) + secs(child[1])) * 1000;
  if (r.exitCode !== 0)
    throw new Error(
      `zkops ${args.join(' ')} failed (${r.exitCode}):\n${fs.readFileSync('/tmp/zkops-bench-err.txt', 'utf8')}`,
    );
  return { ms, cpuMs };
}
