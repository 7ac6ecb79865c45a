/**
 * Ports: every port a node listens on (client, quorum, election, AdminServer,
 * metrics, JMX) must be its own: not held by another process (IPv4 or IPv6;
 * a Tomcat on 8080 is the classic), and not shared with another node of the
 * same host (the copied directory that kept its clientPort). A port held by a
 * stray ZooKeeper is left to the leftover-process check.
 */
import { describeClash, findPortClashes } from '../../hosts/ports.js';
import { ownPids, okIfNone, type Check, type Finding } from '../check.js';

export const portsCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const own = ownPids(ctx);
  for (const m of ctx.machines) {
    // Two nodes of this host that want the same port: at most one of them can have it.
    const byPort = new Map<number, string[]>();
    for (const n of m.nodes)
      for (const l of n.listens) byPort.set(l.port, [...(byPort.get(l.port) ?? []), `node ${n.id} ${l.name}`]);
    for (const [port, users] of byPort) {
      if (users.length < 2) continue;
      findings.push({
        check: 'ports',
        severity: 'error',
        message:
          `port ${port} on ${m.machine.label} is wanted by ${users.join(' and ')}: ` +
          `only one of them can listen there`,
        evidence: m.nodes.filter((n) => n.listens.some((l) => l.port === port)).map((n) => `${n.zooCfg}: node ${n.id}`),
        fix:
          'give every node on a host its own ports ' +
          '(each copied directory its own clientPort, quorum/election ports, admin.serverPort)',
      });
    }
    if (!m.listeners) {
      findings.push({
        check: 'ports',
        severity: 'warning',
        message: `${m.machine.label} has no \`ss\`; its ports cannot be checked`,
        fix: 'install iproute2',
      });
      continue;
    }
    const zkPids = new Set(m.zk.map((p) => p.pid));
    // A node's own server holds its ports; in a container the engine's proxy does, which is the node's too:
    // there only a stopped node's ports are looked at.
    const onHost = (id: number) => ctx.places.some((p) => p.node.id === id && p.ex === p.machine.ex);
    const look = m.nodes.filter((n) => onHost(n.id) || ctx.states.get(n.id)?.state !== 'running');
    for (const c of await findPortClashes(m.machine.ex, look, own, m.listeners)) {
      if (c.holder.pid && zkPids.has(c.holder.pid)) continue; // a stray ZooKeeper: leftover-process says it
      const running = ctx.states.get(c.node)?.state === 'running';
      const consequence = running
        ? `; the node's ${c.service} service cannot listen there`
        : '; the node cannot start while it does';
      findings.push({
        check: 'ports',
        node: c.node,
        severity: running ? 'warning' : 'error',
        message: `${describeClash(c, m.machine.address)}${consequence}`,
        evidence: [`ss: ${c.holder.address}:${c.port}${c.holder.pid ? ` pid ${c.holder.pid}` : ''}`],
        fix:
          `stop that process, or give the node another ${c.service} port ` +
          `(inventory or --base-port; admin.serverPort for the AdminServer)`,
      });
    }
  }
  return okIfNone(findings, 'ports', 'every node has its ports to itself');
};
