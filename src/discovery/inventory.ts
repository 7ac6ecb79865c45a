/**
 * The inventory `zkops adopt` writes for an ensemble it found: every setting
 * its zoo.cfg has, every node at the ports and directories it already uses,
 * so that `zkops deploy` manages it from then on without changing what the
 * operator set (the dry run shows any zoo.cfg setting it would change).
 */
import { stringify } from 'yaml';
import type { Adopted } from './adopt.js';
import { describeFound } from './found.js';

/** The inventory YAML for an adopted ensemble. */
export function adoptedInventory(
  a: Adopted,
  sources: string[],
  ssh?: { user: string; port: number; identityFile?: string; knownHosts?: string },
): string {
  const { spec } = a;
  const s = spec.settings;
  const doc = {
    name: spec.name,
    executor: spec.executor,
    dir: spec.dir,
    ...(spec.zookeeper.home ? { zookeeper: { home: spec.zookeeper.home } } : {}),
    ...(spec.java.home ? { java: { home: spec.java.home } } : {}),
    settings: {
      tickTime: s.tickTime,
      initLimit: s.initLimit,
      syncLimit: s.syncLimit,
      maxClientCnxns: s.maxClientCnxns,
      autopurge: s.autopurge,
      fourLetterWords: s.fourLetterWords,
      adminServer: s.adminServer,
      ...(Object.keys(s.extra).length ? { extra: s.extra } : {}),
    },
    ...(spec.monitoring.provider ? { monitoring: spec.monitoring } : {}),
    ...(ssh ? { ssh: Object.fromEntries(Object.entries(ssh).filter(([, v]) => v !== undefined && v !== 22)) } : {}),
    // Nodes on other machines: each host named with its address.
    ...(!spec.onThisMachine ? { hosts: spec.hosts.map((h) => ({ name: h.name, address: h.address })) } : {}),
    nodes: spec.nodes.map((n) => ({
      id: n.id,
      host: spec.onThisMachine ? n.peerAddress : n.place,
      ...(n.role === 'observer' ? { role: 'observer' } : {}),
      clientPort: n.clientPort,
      quorumPort: n.quorumPort,
      electionPort: n.electionPort,
      adminPort: n.adminPort,
      ...(spec.monitoring.provider ? { metricsPort: n.metricsPort } : {}),
      dir: n.dir,
      dataDir: n.dataDir,
      ...(n.dataLogDir ? { dataLogDir: n.dataLogDir } : {}),
    })),
  };
  const header = [
    '# yaml-language-server: $schema=https://raw.githubusercontent.com/zkops/zkops/main/schema/inventory.schema.json',
    `# Adopted by zkops from ${sources.join(', ')}.`,
    '# Every setting its zoo.cfg had, every node at its own ports and directories: `zkops deploy --dry-run -i`',
    '# this file shows what zkops would change before it manages the ensemble.',
    ...describeFound(a)
      .split('\n')
      .map((l) => `# ${l}`),
  ];
  return `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}
