import { describe, expect, it } from 'vitest';
import { ephemeralPortWarning, parseEphemeralPorts } from '../../src/hosts/ephemeral-ports.js';
import { allocatePseudoPorts } from '../../src/inventory/ports.js';
import type { NodeSpec } from '../../src/inventory/spec.js';

const pseudo = (base: number) => [1, 2, 3].map((id) => ({ id, ...allocatePseudoPorts(base, id) }) as NodeSpec);
const linux = parseEphemeralPorts('32768 60999', '');

describe("server ports in the host's ephemeral range", () => {
  it('reads the range and the reserved ports as /proc prints them, and nothing from a host that says nothing', () => {
    expect(parseEphemeralPorts('32768\t60999\n', '8080,32000-32100\n')).toEqual({
      low: 32768,
      high: 60999,
      reserved: '8080,32000-32100',
    });
    expect(parseEphemeralPorts('', '')).toBeUndefined();
  });

  it('says nothing for the default ports, and names every port at risk with a base port that avoids them', () => {
    expect(ephemeralPortWarning('this machine', pseudo(2181), linux)).toBeUndefined();
    const w = ephemeralPortWarning('this machine', pseudo(31181), linux)!;
    expect(w).toContain("node 1's election port 32888, node 2's election port 32889, node 3's election port 32890");
    expect(w).toContain('ephemeral port range (32768-60999)');
    expect(w).toContain('pseudo.basePort 31058 or lower');
    expect(w).toContain('net.ipv4.ip_local_reserved_ports=32888,32889,32890');
    // 31058 + 1707 + 2 = 32767: the last port below the range.
    expect(ephemeralPortWarning('this machine', pseudo(31058), linux)).toBeUndefined();
  });

  it('leaves out reserved ports', () => {
    const reserved = parseEphemeralPorts('32768 60999', '32888-32889,32890');
    expect(ephemeralPortWarning('this machine', pseudo(31181), reserved)).toBeUndefined();
  });
});
