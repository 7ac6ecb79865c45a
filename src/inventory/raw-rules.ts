/**
 * Semantic rules the schema cannot express, first kind: rules over the
 * inventory as written. They read it defensively (it may not have passed the
 * schema) and always run, so their problems show beside the schema's; the
 * second kind, over the normalised spec, is spec-rules.ts. Each rule is a
 * small function returning every problem it finds, with the inventory path
 * to blame.
 */
import path from 'node:path';

/** A rule's finding: where in the inventory, and what is wrong. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** The inventory as written: any shape (each rule checks what it reads). */
type Raw = Record<string, unknown>;

/** zoo.cfg keys zkops writes itself; `settings.extra` may not override them. */
const MANAGED_KEYS = new RegExp(
  '^(dataDir|dataLogDir|clientPort|clientPortAddress|server\\.\\d+|4lw\\.commands\\.whitelist|' +
    'admin\\.(enableServer|serverAddress|serverPort)|metricsProvider\\..*|' +
    'quorumListenOnAllIPs|standaloneEnabled|peerType|snapshot\\.trust\\.empty)$',
);

/**
 * Keys zkops writes when security.tls is on. Without it they stay the inventory's own (TLS set up by hand,
 * Netty without TLS).
 */
const TLS_KEYS = new RegExp(
  '^(secureClientPort(Address)?|sslQuorum|(client\\.)?portUnification|serverCnxnFactory|authProvider\\.x509|' +
    'ssl\\.(quorum\\.)?(keyStore|trustStore)\\..*|ssl\\.clientAuth|ssl\\.quorum\\.hostnameVerification)$',
);
/** Keys zkops writes when security.quorumAuth is on. */
const SASL_KEYS = /^quorum\.auth\./;

const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {})) : [];
const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Rules over the inventory as written. */
const RAW_RULES: ((raw: Raw) => RuleIssue[])[] = [
  function nodesOrPseudo(raw) {
    if (raw.nodes !== undefined && raw.pseudo !== undefined)
      return [
        { path: ['pseudo'], message: 'give either `nodes` (explicit) or `pseudo` (N nodes on one host), not both' },
      ];
    if (raw.nodes === undefined && raw.pseudo === undefined)
      return [
        { path: [], message: 'no nodes: add a `nodes` list, or `pseudo: {count: 3}` for a pseudo-cluster on one host' },
      ];
    return [];
  },
  function uniqueNodeIds(raw) {
    const seen = new Map<number, number>();
    return list(raw.nodes).flatMap((n, i) => {
      if (typeof n.id !== 'number') return [];
      const first = seen.get(n.id);
      if (first === undefined) return (seen.set(n.id, i), []);
      return [
        {
          path: ['nodes', i, 'id'],
          message: `duplicate server id ${n.id} (also nodes[${first}].id); every node needs its own id 1–255`,
        },
      ];
    });
  },
  function uniqueHostNames(raw) {
    const seen = new Set<unknown>();
    return list(raw.hosts).flatMap((h, i) => {
      if (typeof h.name !== 'string' || !seen.has(h.name)) return (seen.add(h.name), []);
      return [{ path: ['hosts', i, 'name'], message: `duplicate host name "${h.name}"` }];
    });
  },
  function sshNodesNeedKnownHosts(raw) {
    if (raw.executor !== 'ssh') return [];
    const names = new Set(list(raw.hosts).map((h) => h.name));
    return list(raw.nodes).flatMap((n, i) =>
      typeof n.host !== 'string' || names.has(n.host)
        ? []
        : [
            {
              path: ['nodes', i, 'host'],
              message:
                `"${n.host}" is not in \`hosts\`; with executor ssh every node's host must be listed there ` +
                `with its address`,
            },
          ],
    );
  },
  function hostPathsAreAbsolute(raw) {
    if (raw.executor !== 'ssh') return [];
    const issues: RuleIssue[] = [];
    const relative = (v: unknown) => typeof v === 'string' && v !== '' && !path.isAbsolute(v);
    if (relative(raw.dir))
      issues.push({ path: ['dir'], message: `expected an absolute path on the hosts, got "${String(raw.dir)}"` });
    for (const [section, key] of [
      ['java', 'home'],
      ['zookeeper', 'home'],
    ] as const) {
      const v = record(raw[section])[key];
      if (relative(v))
        issues.push({ path: [section, key], message: `expected an absolute path on the hosts, got "${String(v)}"` });
    }
    list(raw.nodes).forEach((n, i) => {
      for (const key of ['dir', 'dataDir', 'dataLogDir'] as const) {
        if (relative(n[key]))
          issues.push({
            path: ['nodes', i, key],
            message: `expected an absolute path on the host, got "${String(n[key])}"`,
          });
      }
    });
    return issues;
  },
  function serviceIsForSshHosts(raw) {
    if (raw.executor === 'ssh' || raw.service === undefined) return [];
    return [
      {
        path: ['service'],
        message:
          'service applies to executor: ssh only (a local pseudo-cluster runs as you, a container as its image ' +
          'says). Remove the service section',
      },
    ];
  },
  function dockerRunsPseudoClusters(raw) {
    const issues: RuleIssue[] = [];
    if (raw.executor !== 'docker') {
      if (raw.docker !== undefined)
        issues.push({
          path: ['docker'],
          message: 'docker applies to executor: docker only; set executor: docker or remove this section',
        });
      return issues;
    }
    if (raw.nodes !== undefined)
      issues.push({
        path: ['nodes'],
        message:
          'with executor docker, describe the ensemble as pseudo: {count, basePort}; each node becomes a container ' +
          'and its client port is published on 127.0.0.1',
      });
    if (raw.hosts !== undefined)
      issues.push({
        path: ['hosts'],
        message:
          "with executor docker there are no hosts to list: the nodes are containers on this machine's Docker engine",
      });
    const host = record(raw.pseudo).host;
    if (host !== undefined && host !== '127.0.0.1')
      issues.push({
        path: ['pseudo', 'host'],
        message: 'with executor docker client ports are published on 127.0.0.1 only; remove pseudo.host',
      });
    return issues;
  },
  function providerNeeds36(raw) {
    const monitoring = record(raw.monitoring);
    const version = record(raw.zookeeper).version;
    const issues: RuleIssue[] = [];
    if (record(raw.settings).metrics !== undefined)
      issues.push({
        path: ['settings', 'metrics'],
        message: 'settings.metrics became monitoring.provider: write `monitoring: {provider: true}` instead',
      });
    if (monitoring.provider !== true || typeof version !== 'string') return issues;
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major > 3 || (major === 3 && minor >= 6)) return issues;
    issues.push({
      path: ['monitoring', 'provider'],
      message:
        `ZooKeeper's Prometheus provider came with 3.6.0 and zookeeper.version is ${version}; remove it (zkops ` +
        'exporter serves the same names from mntr on any version) or upgrade first',
    });
    return issues;
  },
  function extraKeysAreNotManaged(raw) {
    const security = record(raw.security);
    const switchOf = (k: string) =>
      security.tls === true && TLS_KEYS.test(k)
        ? 'security.tls'
        : security.quorumAuth === true && SASL_KEYS.test(k)
          ? 'security.quorumAuth'
          : undefined;
    return Object.keys(record(record(raw.settings).extra)).flatMap((k) => {
      const by = switchOf(k);
      if (by)
        return [
          {
            path: ['settings', 'extra', k],
            message:
              `"${k}" is set by zkops while ${by} is on (it makes the keys, certificates and secrets); ` +
              'remove it here',
          },
        ];
      // 3.5+ reconfig keeps the members in a file ZooKeeper rewrites; zkops writes the server list itself.
      if (k === 'dynamicConfigFile')
        return [
          {
            path: ['settings', 'extra', k],
            message:
              'zkops writes the members into zoo.cfg itself (static server lines), while ZooKeeper rewrites a ' +
              'dynamic configuration file on every reconfig: make the ensemble static first (zkops adopt says ' +
              'how), then remove it here',
          },
        ];
      if (!MANAGED_KEYS.test(k)) return [];
      return [
        {
          path: ['settings', 'extra', k],
          message: `"${k}" is set by zkops from the inventory; use the matching inventory field instead`,
        },
      ];
    });
  },
];

/** Runs the rules over the inventory as written; every problem found. */
export function checkRawRules(raw: unknown): RuleIssue[] {
  const r = record(raw);
  return RAW_RULES.flatMap((rule) => rule(r));
}
