// What the benchmarks share: the median, and an independent quorum check
// (srvr over TCP, not zkops's own code) for the runs started by hand.
import net from 'node:net';
import { sleep } from 'zx';

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
