/**
 * Semantic rules the schema cannot express. Each rule is a small function
 * returning every problem it finds, with the inventory path to blame; all
 * rules always run so the user sees every problem at once.
 */
import path from 'node:path';
import type { Inventory } from './schema.js';
import { maxBasePort } from './ports.js';
import { buildClusterSpec, listeningPorts, type ClusterSpec } from './spec.js';

/** A rule's finding: where in the inventory, and what is wrong. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

type Rule = (inv: Inventory, spec: ClusterSpec) => RuleIssue[];

/** zoo.cfg keys zkops writes itself; `settings.extra` may not override them. */
const MANAGED_KEYS = /^(dataDir|dataLogDir|clientPort|clientPortAddress|server\.\d+|4lw\.commands\.whitelist|admin\.(enableServer|serverAddress|serverPort)|metricsProvider\..*|quorumListenOnAllIPs|standaloneEnabled)$/;

const rules: Rule[] = [
  function nodesOrPseudo(inv) {
    if (inv.nodes && inv.pseudo) return [{ path: ['pseudo'], message: 'give either `nodes` (explicit) or `pseudo` (N nodes on one host), not both' }];
    if (!inv.nodes && !inv.pseudo) return [{ path: [], message: 'no nodes: add a `nodes` list, or `pseudo: {count: 3}` for a pseudo-cluster on one host' }];
    return [];
  },
  function uniqueNodeIds(inv) {
    const seen = new Map<number, number>();
    return (inv.nodes ?? []).flatMap((n, i) => {
      const first = seen.get(n.id);
      if (first === undefined) {
        seen.set(n.id, i);
        return [];
      }
      return [{ path: ['nodes', i, 'id'], message: `duplicate server id ${n.id} (also nodes[${first}].id); every node needs its own id 1–255` }];
    });
  },
  function uniqueHostNames(inv) {
    const seen = new Set<string>();
    return (inv.hosts ?? []).flatMap((h, i) => {
      if (!seen.has(h.name)) return (seen.add(h.name), []);
      return [{ path: ['hosts', i, 'name'], message: `duplicate host name "${h.name}"` }];
    });
  },
  function sshNodesNeedKnownHosts(inv) {
    if (inv.executor !== 'ssh') return [];
    const names = new Set((inv.hosts ?? []).map((h) => h.name));
    return (inv.nodes ?? []).flatMap((n, i) =>
      names.has(n.host) ? [] : [{ path: ['nodes', i, 'host'], message: `"${n.host}" is not in \`hosts\`; with executor ssh every node's host must be listed there with its address` }],
    );
  },
  function remoteDirIsAbsolute(inv) {
    if (inv.executor !== 'ssh') return [];
    const issues: RuleIssue[] = [];
    if (inv.dir && !path.isAbsolute(inv.dir)) issues.push({ path: ['dir'], message: `expected an absolute path on the hosts, got "${inv.dir}"` });
    (inv.nodes ?? []).forEach((n, i) => {
      for (const key of ['dir', 'dataDir', 'dataLogDir'] as const) {
        const v = n[key];
        if (v && !path.isAbsolute(v)) issues.push({ path: ['nodes', i, key], message: `expected an absolute path on the host, got "${v}"` });
      }
    });
    return issues;
  },
  function pseudoPortsFit(inv) {
    if (!inv.pseudo) return [];
    const max = maxBasePort(inv.pseudo.count);
    return inv.pseudo.basePort > max
      ? [{ path: ['pseudo', 'basePort'], message: `with ${inv.pseudo.count} nodes the highest service port would pass 65535; expected a base port ≤ ${max}, got ${inv.pseudo.basePort}` }]
      : [];
  },
  function portsDoNotClash(inv, spec) {
    const owner = new Map<string, string>();
    const issues: RuleIssue[] = [];
    spec.nodes.forEach((node) => {
      for (const { name, port } of listeningPorts(spec, node)) {
        const key = `${node.host.address}:${port}`;
        const what = `node ${node.id} ${name} port`;
        const taken = owner.get(key);
        if (taken) {
          const idx = (inv.nodes ?? []).findIndex((n) => n.id === node.id);
          issues.push({
            path: inv.pseudo ? ['pseudo', 'basePort'] : ['nodes', idx, `${name}Port`],
            message: `${what} ${key} is also the ${taken}; give every service on a host its own port`,
          });
        } else owner.set(key, what);
      }
    });
    return issues;
  },
  function dirsDoNotOverlap(inv, spec) {
    const issues: RuleIssue[] = [];
    const dirs = spec.nodes.flatMap((n) => [
      { node: n, key: 'dir', p: n.dir },
      ...(n.dataDir.startsWith(n.dir + path.sep) ? [] : [{ node: n, key: 'dataDir', p: n.dataDir }]),
      ...(n.dataLogDir && !n.dataLogDir.startsWith(n.dir + path.sep) ? [{ node: n, key: 'dataLogDir', p: n.dataLogDir }] : []),
    ]);
    for (let i = 0; i < dirs.length; i++) {
      for (let j = i + 1; j < dirs.length; j++) {
        const a = dirs[i]!;
        const b = dirs[j]!;
        if (a.node === b.node || a.node.host.address !== b.node.host.address) continue;
        if (a.p === b.p || a.p.startsWith(b.p + path.sep) || b.p.startsWith(a.p + path.sep)) {
          const idx = (inv.nodes ?? []).findIndex((n) => n.id === b.node.id);
          issues.push({
            path: idx >= 0 ? ['nodes', idx, b.key] : ['dir'],
            message: `node ${b.node.id} ${b.key} ${b.p} overlaps node ${a.node.id} ${a.key} ${a.p} on the same host; each node needs its own directories`,
          });
        }
      }
    }
    return issues;
  },
  function serviceIsForSshHosts(inv) {
    if (inv.executor === 'ssh' || !inv.service) return [];
    return [{ path: ['service'], message: 'service applies to executor: ssh only (a local pseudo-cluster runs as you, a container as its image says). Remove the service section' }];
  },
  function dockerRunsPseudoClusters(inv) {
    const issues: RuleIssue[] = [];
    if (inv.executor !== 'docker') {
      if (inv.docker) issues.push({ path: ['docker'], message: 'docker applies to executor: docker only; set executor: docker or remove this section' });
      return issues;
    }
    if (inv.nodes) issues.push({ path: ['nodes'], message: 'with executor docker, describe the ensemble as pseudo: {count, basePort}; each node becomes a container and its client port is published on 127.0.0.1' });
    if (inv.hosts) issues.push({ path: ['hosts'], message: 'with executor docker there are no hosts to list: the nodes are containers on this machine\'s Docker engine' });
    if (inv.pseudo && inv.pseudo.host !== '127.0.0.1') issues.push({ path: ['pseudo', 'host'], message: 'with executor docker client ports are published on 127.0.0.1 only; remove pseudo.host' });
    return issues;
  },
  function extraKeysAreNotManaged(inv) {
    return Object.keys(inv.settings.extra)
      .filter((k) => MANAGED_KEYS.test(k))
      .map((k) => ({ path: ['settings', 'extra', k], message: `"${k}" is set by zkops from the inventory; use the matching inventory field instead` }));
  },
];

/** Runs every rule and returns all problems found (empty when the inventory is sound). */
export function checkInventoryRules(inv: Inventory, cwd = process.cwd()): RuleIssue[] {
  const [shape, ...rest] = rules;
  const shapeIssues = shape!(inv, undefined as never);
  // Without a sound node list there is no spec; rules that need none still run.
  if (shapeIssues.length > 0) return [...shapeIssues, ...rest.filter((r) => r.length < 2).flatMap((rule) => rule(inv, undefined as never))];
  const spec = buildClusterSpec(inv, cwd);
  return rest.flatMap((rule) => rule(inv, spec));
}
