/**
 * Port allocation for pseudo-clusters. Node i gets base + i - 1 for clients
 * (2181, 2182, 2183 as operators expect) and every other service keeps the
 * same distance from the client port that ZooKeeper's defaults have from 2181
 * (2888, 3888, 8080, 7000), so a default pseudo-cluster looks exactly like the
 * hand-made one in ZooKeeper's docs and any base port shifts all of them.
 */

/** Distance of each service's port from the client port. With 255 nodes at most, ranges never overlap. */
export const PORT_OFFSETS = {
  clientPort: 0,
  quorumPort: 2888 - 2181,
  electionPort: 3888 - 2181,
  metricsPort: 7000 - 2181,
  adminPort: 8080 - 2181,
  jmxPort: 9010 - 2181,
} as const;

export type PortName = keyof typeof PORT_OFFSETS;
export type NodePorts = Record<PortName, number>;

/** The ports of node `id` (1-based) in a pseudo-cluster starting at `basePort`. */
export function allocatePseudoPorts(basePort: number, id: number): NodePorts {
  const client = basePort + id - 1;
  return Object.fromEntries(Object.entries(PORT_OFFSETS).map(([name, off]) => [name, client + off])) as NodePorts;
}

/** The highest base port for which `count` nodes still fit below 65536. */
export function maxBasePort(count: number): number {
  return 65535 - Math.max(...Object.values(PORT_OFFSETS)) - (count - 1);
}
