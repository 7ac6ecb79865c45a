/**
 * Normalisation: a schema-valid inventory → the ClusterSpec everything else
 * works from, built once with every default filled in and every path resolved.
 */
import path from 'node:path';
import {
  DockerSchema,
  ServiceSchema,
  SshSchema,
  type DockerSettings,
  type Inventory,
  type InventoryHost,
  type Settings,
} from './schema.js';
import { REQUIRED_FOUR_LETTER_WORDS } from '../zookeeper/four-letter-words.js';
import { allocatePseudoPorts, type NodePorts } from './ports.js';
import { containerName, type ClusterSpec, type HostSpec, type NodeSpec } from './spec.js';

/** The pid file's name, as zkServer.sh names it. */
const PID_FILE = 'zookeeper_server.pid';

/** Default install root on remote hosts. */
export const DEFAULT_REMOTE_DIR = '/opt/zookeeper';

/** Inside every container: the official image's paths and ZooKeeper's standard ports. */
const IN_CONTAINER = {
  ports: { clientPort: 2181, quorumPort: 2888, electionPort: 3888, adminPort: 8080, metricsPort: 7000, jmxPort: 9010 },
  paths: {
    dir: '/',
    confDir: '/conf',
    dataDir: '/data',
    dataLogDir: '/datalog',
    logDir: '/logs',
    pidFile: `/data/${PID_FILE}`,
    zooCfg: '/conf/zoo.cfg',
    runScript: '/docker-entrypoint.sh',
  },
} as const;

/**
 * Builds the spec from a schema-valid inventory. Paths on this machine
 * (local node directories, java.home and zookeeper.home of a local cluster,
 * the tarball, SSH key files) resolve against `cwd`; paths on SSH hosts must
 * already be absolute (a rule says so).
 */
export function buildClusterSpec(inv: Inventory, cwd: string): ClusterSpec {
  const onThisMachine = inv.executor !== 'ssh';
  const here = (p: string) => path.resolve(cwd, p);
  const dir = onThisMachine ? here(inv.dir ?? path.join('.zkops', inv.name)) : (inv.dir ?? DEFAULT_REMOTE_DIR);
  const ssh = SshSchema.parse(inv.ssh ?? {});
  const docker = inv.executor === 'docker' ? (DockerSchema.parse(inv.docker ?? {}) as DockerSettings) : undefined;
  const words = new Set<string>([...REQUIRED_FOUR_LETTER_WORDS, ...inv.settings.fourLetterWords]);
  const spec: ClusterSpec = {
    name: inv.name,
    executor: inv.executor,
    onThisMachine,
    dir,
    zookeeper: {
      ...inv.zookeeper,
      ...(inv.zookeeper.tarball ? { tarball: here(inv.zookeeper.tarball) } : {}),
      ...(inv.zookeeper.keys ? { keys: here(inv.zookeeper.keys) } : {}),
      ...(inv.zookeeper.home && onThisMachine ? { home: here(inv.zookeeper.home) } : {}),
    },
    java: {
      ...inv.java,
      ...(inv.java.home && onThisMachine ? { home: here(inv.java.home) } : {}),
      ...(inv.java.tarball ? { tarball: here(inv.java.tarball) } : {}),
    },
    settings: { ...inv.settings, fourLetterWords: [...words] as Settings['fourLetterWords'] },
    monitoring: inv.monitoring,
    logging: inv.logging,
    security: { ...inv.security, ...(inv.security.dir ? { dir: expandHome(inv.security.dir, here) } : {}) },
    ssh: {
      ...ssh,
      ...(ssh.identityFile ? { identityFile: expandHome(ssh.identityFile, here) } : {}),
      ...(ssh.knownHosts ? { knownHosts: expandHome(ssh.knownHosts, here) } : {}),
    },
    service: ServiceSchema.parse(inv.service ?? {}),
    docker: docker && { image: docker.image, network: docker.network ?? `zkops-${inv.name}` },
    hosts: (inv.hosts ?? []).map(hostSpec),
    nodes: [],
  };
  spec.nodes = (inv.pseudo ? pseudoNodes(spec, inv) : listedNodes(spec, inv, here)).sort((a, b) => a.id - b.id);
  const used = new Set(spec.nodes.map((n) => n.host));
  spec.hosts = spec.hosts.filter((h) => used.has(h) || (inv.hosts ?? []).some((ih) => ih.name === h.name));
  for (const h of used) if (!spec.hosts.includes(h)) spec.hosts.push(h);
  fillListens(spec);
  return spec;
}

/** `~/x` → the user's home (inventories are shared between users, so key files are named that way). */
function expandHome(p: string, here: (p: string) => string): string {
  const home = process.env.HOME ?? '/root';
  return p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : here(p);
}

function hostSpec(h: InventoryHost): HostSpec {
  return { name: h.name, address: h.address, bindAll: h.bindAll, sshPort: h.sshPort, user: h.user };
}

/** The host a node names: one from `hosts`, or an address used as its own host. */
function hostFor(spec: ClusterSpec, ref: string): HostSpec {
  const known = spec.hosts.find((h) => h.name === ref);
  if (known) return known;
  const adhoc = spec.nodes.map((n) => n.host).find((h) => h.name === ref);
  return adhoc ?? { name: ref, address: ref, bindAll: 'auto' };
}

function pseudoNodes(spec: ClusterSpec, inv: Inventory): NodeSpec[] {
  const pseudo = inv.pseudo!;
  const host = hostFor(spec, pseudo.host);
  return Array.from({ length: pseudo.count }, (_, i) => {
    const id = i + 1;
    const ports = allocatePseudoPorts(pseudo.basePort, id);
    const role = id > pseudo.count - pseudo.observers ? 'observer' : 'participant';
    const javaFlags = inv.java.flags;
    if (spec.executor !== 'docker')
      return { ...hostNode(spec, id, host, ports, path.join(spec.dir, `node-${id}`)), role, javaFlags };
    // A container: its own ports and the official image's paths inside; only the client port is
    // published here (clientPort is where clients reach it: the published port).
    const name = containerName(spec, id);
    return {
      id,
      role,
      javaFlags,
      host,
      place: name,
      peerAddress: name,
      ...IN_CONTAINER.ports,
      clientPort: ports.clientPort,
      listens: [{ name: 'client', port: ports.clientPort }],
      ...IN_CONTAINER.paths,
    };
  });
}

function listedNodes(spec: ClusterSpec, inv: Inventory, here: (p: string) => string): NodeSpec[] {
  const abs = (p: string) => (spec.executor === 'ssh' ? path.posix.resolve('/', p) : here(p));
  const nodes: NodeSpec[] = [];
  for (const n of inv.nodes ?? []) {
    const node = hostNode(
      spec,
      n.id,
      hostFor(spec, n.host),
      n,
      n.dir ? abs(n.dir) : path.join(spec.dir, `node-${n.id}`),
    );
    if (n.dataDir) {
      node.dataDir = abs(n.dataDir);
      node.pidFile = path.join(node.dataDir, PID_FILE);
    }
    if (n.dataLogDir) node.dataLogDir = abs(n.dataLogDir);
    node.role = n.role;
    node.javaFlags = n.javaFlags ?? inv.java.flags;
    nodes.push(node);
    spec.nodes = nodes; // later nodes find ad-hoc hosts of earlier ones
  }
  return nodes;
}

/** A node on a host: its directory layout and the ports it opens there. */
function hostNode(spec: ClusterSpec, id: number, host: HostSpec, ports: NodePorts, dir: string): NodeSpec {
  const node: NodeSpec = {
    id,
    role: 'participant',
    javaFlags: [],
    host,
    place: host.name,
    peerAddress: host.address,
    clientPort: ports.clientPort,
    quorumPort: ports.quorumPort,
    electionPort: ports.electionPort,
    adminPort: ports.adminPort,
    metricsPort: ports.metricsPort,
    jmxPort: ports.jmxPort,
    listens: [],
    dir,
    confDir: path.join(dir, 'conf'),
    dataDir: path.join(dir, 'data'),
    logDir: path.join(dir, 'logs'),
    pidFile: path.join(dir, 'data', PID_FILE),
    zooCfg: path.join(dir, 'conf', 'zoo.cfg'),
    runScript: path.join(dir, 'bin', 'zk-run.sh'),
  };
  return node;
}

/** Each host node's `listens`, once the whole node list is known (quorum ports only in an ensemble). */
function fillListens(spec: ClusterSpec): void {
  for (const node of spec.nodes) {
    if (spec.executor === 'docker') continue;
    const l: NodeSpec['listens'] = [{ name: 'client', port: node.clientPort }];
    if (spec.nodes.length > 1)
      l.push({ name: 'quorum', port: node.quorumPort }, { name: 'election', port: node.electionPort });
    if (spec.settings.adminServer.enabled) l.push({ name: 'admin', port: node.adminPort });
    if (spec.monitoring.provider) l.push({ name: 'metrics', port: node.metricsPort });
    if (spec.settings.jmx.enabled) l.push({ name: 'jmx', port: node.jmxPort });
    node.listens = l;
  }
}
