/**
 * From servers found on hosts to ensembles zkops can reason about: servers
 * whose configs list the same members belong together; each becomes a
 * ClusterSpec whose nodes point at the paths the operator chose (their
 * zoo.cfg, data and log directories, the release's zkServer.sh), so the
 * doctor's checks run on them unchanged; and `adopt` writes the inventory
 * that makes `deploy` manage them without changing their settings.
 */
import path from 'node:path';
import type { Executor } from '../executors/types.js';
import { hostExecutor, type ClusterSpec, type HostSpec, type NodeSpec } from '../inventory/spec.js';
import type { HostPlace } from '../hosts/places.js';
import { FOUR_LETTER_WORDS, REQUIRED_FOUR_LETTER_WORDS } from '../zookeeper/four-letter-words.js';
import { readMyid, type FoundServer, type HostScan } from './scan.js';
import { cfgValue, type ServerEntry } from '../zookeeper/zoo-cfg.js';

/** One host that was scanned, and how it was reached. */
export interface ScannedHost {
  host: HostSpec;
  ex: Executor;
  remote: boolean;
  scan: HostScan;
}

/** An ensemble put together from what was found. */
export interface Adopted {
  spec: ClusterSpec;
  /** Each host as a place (named `targets` for commands/doctor.ts, which passes it to HostRuntime). */
  targets: HostPlace[];
  /** Each node's server as found. */
  found: Map<number, FoundServer>;
}

/** zoo.cfg keys zkops writes from the inventory (not carried over as settings.extra). */
const MANAGED = new RegExp(
  '^(dataDir|dataLogDir|clientPort|clientPortAddress|server\\.\\d+|4lw\\.commands\\.whitelist|' +
    'admin\\.(enableServer|serverAddress|serverPort)|metricsProvider\\..*|quorumListenOnAllIPs|standaloneEnabled|' +
    'peerType|tickTime|initLimit|syncLimit|maxClientCnxns|autopurge\\..*)$',
);

const isLoopback = (a: string) => /^127\./.test(a) || a === 'localhost' || a === '::1';

/**
 * Groups found servers into ensembles and builds a spec for each. Servers
 * whose member lists share a member belong together, even where the lists
 * disagree (that disagreement is what the doctor must then point out).
 */
export function adoptEnsembles(hosts: ScannedHost[], name?: string): Adopted[] {
  // Reached over SSH, or this machine itself: how the hosts were found says where the nodes run.
  const remote = hosts.some((h) => h.remote);
  const all = hosts.flatMap((h) => h.scan.servers.map((s) => ({ h, s })));
  const members = (s: FoundServer) =>
    s.cfg.servers.length ? s.cfg.servers.map((e) => `${e.id}@${e.host}:${e.quorumPort}`) : [`standalone:${s.cfg.file}`];
  // Union-find over shared members.
  const parent = all.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const owner = new Map<string, number>();
  all.forEach((x, i) => {
    for (const m of members(x.s)) {
      const j = owner.get(m);
      if (j === undefined) owner.set(m, i);
      else parent[root(i)] = root(j);
    }
  });
  const groups = new Map<number, typeof all>();
  all.forEach((x, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), x]));
  return [...groups.values()].map((group, i) =>
    adoptOne(group, remote, name ?? (groups.size > 1 ? `adopted-${i + 1}` : 'adopted')),
  );
}

function adoptOne(group: { h: ScannedHost; s: FoundServer }[], remote: boolean, name: string): Adopted {
  const taken = new Set<number>();
  const found = new Map<number, FoundServer>();
  const nodes: NodeSpec[] = [];
  // Servers with a readable myid first: the others get the entries left on their host.
  const ordered = [...group].sort(
    (a, b) => Number(readMyid(b.s.myidHex).id !== undefined) - Number(readMyid(a.s.myidHex).id !== undefined),
  );
  for (const { h, s } of ordered) {
    const entry = identify(s, h.host, taken);
    const id = entry?.id ?? readMyid(s.myidHex).id ?? (s.cfg.servers.length ? undefined : 1);
    if (id === undefined || taken.has(id)) continue;
    taken.add(id);
    found.set(id, s);
    nodes.push(nodeFrom(id, entry, s, h.host));
  }
  nodes.sort((a, b) => a.id - b.id);
  // One HostSpec per host name, shared by its nodes.
  const hostsUsed: HostSpec[] = [];
  for (const n of nodes) {
    const known = hostsUsed.find((h) => h.name === n.host.name);
    if (known) n.host = known;
    else hostsUsed.push(n.host);
  }
  const homes = nodes.map((n) => n.dir);
  const spec: ClusterSpec = {
    name,
    executor: hostExecutor(remote),
    onThisMachine: !remote,
    dir: commonParent(homes),
    zookeeper: { home: group[0]?.s.home },
    java: {
      home: group[0]?.s.env.javaHome,
      heap: '256m',
      flags: [],
      gcLog: { enabled: true, files: 5, fileSize: '20M' },
    },
    settings: settingsFrom(group[0]!.s),
    monitoring: monitoringFrom(group[0]!.s),
    logging: { level: 'INFO', maxFileSize: '10MB', maxFiles: 5 },
    // A hand-made server's TLS and SASL are left as found (adopting turns nothing on).
    security: { tls: false, quorumAuth: false, superUser: false, certDays: 365 },
    ssh: { user: 'root', port: 22, sudo: false, concurrency: 8, connectTimeout: 5 },
    service: { systemd: 'auto' },
    hosts: hostsUsed,
    nodes,
  };
  const targets: HostPlace[] = hostsUsed.map((host) => {
    const h = group.find((x) => x.h.host.name === host.name)!.h;
    return { host, ex: h.ex, remote: h.remote, nodes: nodes.filter((n) => n.host === host) };
  });
  return { spec, targets, found };
}

/** Which server entry a found server is: the one its myid names, else the only one left that is on its host. */
function identify(s: FoundServer, host: HostSpec, taken: Set<number>): ServerEntry | undefined {
  const myid = readMyid(s.myidHex).id;
  const byId = s.cfg.servers.find((e) => e.id === myid);
  if (byId) return byId;
  const here = s.cfg.servers.filter(
    (e) => !taken.has(e.id) && (isLoopback(e.host) || e.host === host.address || e.host === host.name),
  );
  return here.length >= 1 ? here[0] : undefined;
}

function nodeFrom(id: number, entry: ServerEntry | undefined, s: FoundServer, host: HostSpec): NodeSpec {
  const cfg = s.cfg;
  const confDir = path.posix.dirname(cfg.file);
  const home = s.home ?? path.posix.dirname(confDir);
  const clientPort = entry?.clientPort ?? Number(cfgValue(cfg, 'clientPort') ?? 2181);
  const adminOn = cfgValue(cfg, 'admin.enableServer') !== 'false';
  const adminPort = Number(cfgValue(cfg, 'admin.serverPort') ?? 8080);
  const metricsOn = cfgValue(cfg, 'metricsProvider.className') !== undefined;
  const metricsPort = Number(cfgValue(cfg, 'metricsProvider.httpPort') ?? 7000);
  const quorumPort = entry?.quorumPort ?? 2888;
  const electionPort = entry?.electionPort ?? 3888;
  const dataDir = cfgValue(cfg, 'dataDir') ?? '/tmp/zookeeper';
  const dataLogDir = cfgValue(cfg, 'dataLogDir');
  // Clients reach a pseudo-cluster through the address its configs name (localhost, 127.0.0.1).
  const clientAddress = cfgValue(cfg, 'clientPortAddress') ?? entry?.clientAddress;
  const address = host.address === '127.0.0.1' && entry && isLoopback(entry.host) ? entry.host : host.address;
  return {
    id,
    role: entry?.role === 'observer' || cfgValue(cfg, 'peerType') === 'observer' ? 'observer' : 'participant',
    javaFlags: [],
    host: { ...host, address: clientAddress && clientAddress !== '0.0.0.0' ? clientAddress : address },
    place: host.name,
    peerAddress: entry?.host ?? address,
    clientPort,
    quorumPort,
    electionPort,
    adminPort,
    metricsPort,
    jmxPort: 9010,
    listens: [
      { name: 'client', port: clientPort },
      ...(cfg.servers.length > 1
        ? [
            { name: 'quorum' as const, port: quorumPort },
            { name: 'election' as const, port: electionPort },
          ]
        : []),
      ...(adminOn ? [{ name: 'admin' as const, port: adminPort }] : []),
      ...(metricsOn ? [{ name: 'metrics' as const, port: metricsPort }] : []),
    ],
    dir: home,
    confDir,
    dataDir,
    ...(dataLogDir ? { dataLogDir } : {}),
    logDir: s.env.logDir ?? path.posix.join(home, 'logs'),
    pidFile: s.pidFile,
    zooCfg: cfg.file,
    runScript: s.binDir ? path.posix.join(s.binDir, 'zkServer.sh') : cfg.file,
    ...(s.binDir ? { handMade: { binDir: s.binDir, confDir } } : {}),
  };
}

/** ZooKeeper's own provider as the found zoo.cfg sets it up. */
function monitoringFrom(s: FoundServer): ClusterSpec['monitoring'] {
  return {
    provider: cfgValue(s.cfg, 'metricsProvider.className') !== undefined,
    exportJvmInfo: cfgValue(s.cfg, 'metricsProvider.exportJvmInfo') !== 'false',
  };
}

/** The settings of a found zoo.cfg, as the inventory's settings section says them. */
function settingsFrom(s: FoundServer): ClusterSpec['settings'] {
  const cfg = s.cfg;
  const num = (k: string, d: number) => Number(cfgValue(cfg, k) ?? d);
  const words = (cfgValue(cfg, '4lw.commands.whitelist') ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter((w): w is (typeof FOUR_LETTER_WORDS)[number] => (FOUR_LETTER_WORDS as readonly string[]).includes(w));
  const extra: Record<string, string> = {};
  for (const [k, v] of cfg.entries) if (!MANAGED.test(k)) extra[k] = v.value;
  return {
    tickTime: num('tickTime', 2000),
    initLimit: num('initLimit', 10),
    syncLimit: num('syncLimit', 5),
    maxClientCnxns: num('maxClientCnxns', 60),
    autopurge: {
      snapRetainCount: Math.max(3, num('autopurge.snapRetainCount', 3)),
      purgeInterval: num('autopurge.purgeInterval', 0),
    },
    fourLetterWords: [...new Set([...REQUIRED_FOUR_LETTER_WORDS, ...words])],
    adminServer: {
      enabled: cfgValue(cfg, 'admin.enableServer') !== 'false',
      address: cfgValue(cfg, 'admin.serverAddress') ?? '0.0.0.0',
    },
    jmx: { enabled: false },
    extra,
  };
}

function commonParent(dirs: string[]): string {
  if (dirs.length === 0) return '/';
  const parts = dirs.map((d) => d.split('/'));
  const out: string[] = [];
  for (let i = 0; parts.every((p) => p[i] !== undefined && p[i] === parts[0]![i]); i++) out.push(parts[0]![i]!);
  const common = out.join('/') || '/';
  return dirs.length === 1 ? path.posix.dirname(common) : common;
}
