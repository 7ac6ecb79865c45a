import { describe, expect, it } from 'vitest';
import { allocatePseudoPorts, maxBasePort } from '../../src/inventory/ports.js';
import { parseInventory } from '../../src/inventory/load.js';
import { parseSsListeners } from '../../src/hosts/ports.js';

describe('pseudo-cluster port allocation', () => {
  it('gives node i client port base + i - 1 and the classic 2888/3888/8080 family', () => {
    expect([1, 2, 3].map((i) => allocatePseudoPorts(2181, i))).toEqual([
      { clientPort: 2181, quorumPort: 2888, electionPort: 3888, metricsPort: 7000, adminPort: 8080, jmxPort: 9010 },
      { clientPort: 2182, quorumPort: 2889, electionPort: 3889, metricsPort: 7001, adminPort: 8081, jmxPort: 9011 },
      { clientPort: 2183, quorumPort: 2890, electionPort: 3890, metricsPort: 7002, adminPort: 8082, jmxPort: 9012 },
    ]);
  });

  it('never gives two services the same port, even for 255 nodes with everything enabled', () => {
    const text =
      `name: big\npseudo: {count: 255, basePort: ${maxBasePort(255)}}\nmonitoring: {provider: true}\n` +
      `settings: {jmx: {enabled: true}}\n`;
    const { spec } = parseInventory(text, 'big.yaml');
    const all = spec.nodes.flatMap((n) => n.listens.map((p) => p.port));
    expect(all).toHaveLength(255 * 6);
    expect(new Set(all).size).toBe(all.length);
    expect(Math.max(...all)).toBe(65535);
  });

  it('shifts every port with --base-port', () => {
    expect(allocatePseudoPorts(22181, 2)).toMatchObject({
      clientPort: 22182,
      quorumPort: 22889,
      electionPort: 23889,
      adminPort: 28081,
    });
  });
});

describe('ss output parsing', () => {
  it('reads address, port, pid and process name', () => {
    const out = [
      'LISTEN 0      50     [::ffff:127.0.0.1]:2890            *:*    users:(("java",pid=4483,fd=42))',
      'LISTEN 0      50                      *:2181            *:*    users:(("java",pid=4478,fd=35))',
      'LISTEN 0      128              0.0.0.0:22         0.0.0.0:*',
    ].join('\n');
    expect(parseSsListeners(out)).toEqual([
      { address: '[::ffff:127.0.0.1]', port: 2890, pid: 4483, process: 'java' },
      { address: '*', port: 2181, pid: 4478, process: 'java' },
      { address: '0.0.0.0', port: 22, pid: undefined, process: undefined },
    ]);
  });
});
