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
