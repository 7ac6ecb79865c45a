/**
 * Ports a server must bind that lie in the host's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999
 * on Linux by default) and are not reserved (net.ipv4.ip_local_reserved_ports): the kernel hands such a port
 * to any outgoing connection, and a server that starts while one holds it exits with "Address already in
 * use" (seen in zkops's own CI on an election port). Deploy warns; nothing is refused, the port may be free.
 */
import type { NodeSpec } from '../inventory/spec.js';
import { PORT_OFFSETS } from '../inventory/ports.js';

/** The host's ephemeral range and reserved ports, as /proc/sys/net/ipv4 prints them. */
export interface EphemeralPorts {
  low: number;
  high: number;
  /** ip_local_reserved_ports: "8080,32000-32100" (empty when none). */
  reserved: string;
}

/** Parses "32768\t60999" and the reserved list; undefined when the host did not say. */
export function parseEphemeralPorts(range: string, reserved: string): EphemeralPorts | undefined {
  const [low, high] = range.trim().split(/\s+/).map(Number);
  if (!low || !high || !(low <= high)) return undefined;
  return { low, high, reserved: reserved.trim() };
}

function isReserved(port: number, reserved: string): boolean {
  return reserved
    .split(',')
    .filter(Boolean)
    .some((part) => {
      const [a, b = a] = part.split('-').map(Number);
      return a !== undefined && b !== undefined && port >= a && port <= b;
    });
}

/** The warning for `nodes` on one host, or undefined when none of their server ports is at risk. */
export function ephemeralPortWarning(
  hostLabel: string,
  nodes: NodeSpec[],
  range: EphemeralPorts | undefined,
): string | undefined {
  if (!range) return undefined;
  // The ports whose bind failure stops the server.
  const atRisk = nodes.flatMap((n) =>
    (['clientPort', 'quorumPort', 'electionPort'] as const)
      .map((name) => ({ node: n.id, name, port: n[name] }))
      .filter((p) => p.port >= range.low && p.port <= range.high && !isReserved(p.port, range.reserved)),
  );
  if (atRisk.length === 0) return undefined;
  const named = atRisk.map((p) => `node ${p.node}'s ${p.name.replace('Port', '')} port ${p.port}`).join(', ');
  return (
    `${named} on ${hostLabel} lie in its ephemeral port range (${range.low}-${range.high}): an outgoing ` +
    `connection may hold one when the server starts, which then exits with "Address already in use". Use ` +
    `ports below ${range.low} (for a pseudo-cluster of ${nodes.length}: pseudo.basePort ` +
    `${range.low - 1 - PORT_OFFSETS.electionPort - (nodes.length - 1)} or lower), or ` +
    `reserve them (sysctl -w net.ipv4.ip_local_reserved_ports=${atRisk.map((p) => p.port).join(',')}, and the ` +
    `same line in /etc/sysctl.d/ to keep it after a reboot).`
  );
}
