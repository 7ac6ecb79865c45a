/**
 * ClusterSpec: the inventory with every default filled in and every node's
 * paths and ports decided. Everything after validation (render, executors,
 * health, doctor) works from this, never from the raw inventory.
 */
import path from 'node:path';
import type { DockerSettings, Inventory, InventoryHost, ServiceSettings, Settings, SshSettings } from './schema.js';
import { REQUIRED_FOUR_LETTER_WORDS } from './four-letter-words.js';
import { allocatePseudoPorts } from './ports.js';

/** One host nodes run on. `bindAll` is decided later for 'auto' (it needs a look at the host). */
export interface HostSpec {
  name: string;
  address: string;
  bindAll: boolean | 'auto';
  sshPort?: number;
  user?: string;
}

/** One ZooKeeper server: its id, where it runs, its ports and its paths. */
export interface NodeSpec {
  id: number;
  host: HostSpec;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  adminPort: number;
  metricsPort: number;
  jmxPort: number;
  dir: string;
  confDir: string;
  dataDir: string;
  dataLogDir?: string;
  logDir: string;
  /** In the data directory, as zkServer.sh keeps it: the one place the server's account may write. */
  pidFile: string;
  zooCfg: string;
  runScript: string;
}

/** The whole ensemble, ready to render and deploy. */
export interface ClusterSpec {
  name: string;
  executor: 'local' | 'ssh' | 'docker';
  /** Cluster directory: node directories (local) or the install root (ssh). */
  dir: string;
  zookeeper: Inventory['zookeeper'];
  java: Inventory['java'];
  settings: Settings;
  ssh?: SshSettings;
  /** How nodes run on SSH hosts (systemd or supervised; which account). */
  service: ServiceSettings;
  /** executor docker: the image and the network of the node containers. */
  docker?: Required<Pick<DockerSettings, 'image'>> & { network: string };
  hosts: HostSpec[];
  nodes: NodeSpec[];
}

/** The pid file's name, as zkServer.sh names it. */
const PID_FILE = 'zookeeper_server.pid';

/** Default install root on remote hosts. */
export const DEFAULT_REMOTE_DIR = '/opt/zookeeper';

/** Builds the spec from a schema-valid, rule-checked inventory. Relative local paths resolve against `cwd`. */
export function buildClusterSpec(inv: Inventory, cwd: string): ClusterSpec {
  // Docker clusters keep their state (saved inventory) here like local ones; nodes live in containers.
  const local = inv.executor !== 'ssh';
  const dir = local ? path.resolve(cwd, inv.dir ?? path.join('.zkops', inv.name)) : (inv.dir ?? DEFAULT_REMOTE_DIR);
  const hosts: HostSpec[] = (inv.hosts ?? []).map(hostSpec);
  const hostFor = (ref: string): HostSpec => {
    const known = hosts.find((h) => h.name === ref);
    if (known) return known;
    const adhoc: HostSpec = { name: ref, address: ref, bindAll: 'auto' };
    hosts.push(adhoc);
    return adhoc;
  };
  const nodeDir = (id: number, given?: string) => (given ? path.resolve(local ? cwd : '/', given) : path.join(dir, `node-${id}`));

  const nodes: NodeSpec[] = inv.pseudo
    ? Array.from({ length: inv.pseudo.count }, (_, i) => {
        const id = i + 1;
        return nodeSpec(id, hostFor(inv.pseudo!.host), allocatePseudoPorts(inv.pseudo!.basePort, id), nodeDir(id));
      })
    : (inv.nodes ?? []).map((n) => {
        const spec = nodeSpec(n.id, hostFor(n.host), n, nodeDir(n.id, n.dir));
        const abs = (p: string) => path.resolve(local ? cwd : '/', p);
        if (n.dataDir) {
          spec.dataDir = abs(n.dataDir);
          spec.pidFile = path.join(spec.dataDir, PID_FILE);
        }
        if (n.dataLogDir) spec.dataLogDir = abs(n.dataLogDir);
        return spec;
      });

  const words = new Set<string>([...REQUIRED_FOUR_LETTER_WORDS, ...inv.settings.fourLetterWords]);
  return {
    name: inv.name,
    executor: inv.executor,
    dir,
    zookeeper: inv.zookeeper,
    java: inv.java,
    settings: { ...inv.settings, fourLetterWords: [...words] as Settings['fourLetterWords'] },
    ssh: inv.ssh,
    service: inv.service ?? { systemd: 'auto' },
    docker: inv.executor === 'docker' ? { image: inv.docker?.image ?? 'zookeeper:3.8', network: inv.docker?.network ?? `zkops-${inv.name}` } : undefined,
    hosts: hosts.filter((h) => nodes.some((n) => n.host === h) || (inv.hosts ?? []).some((ih) => ih.name === h.name)),
    nodes: nodes.sort((a, b) => a.id - b.id),
  };
}

function hostSpec(h: InventoryHost): HostSpec {
  return { name: h.name, address: h.address, bindAll: h.bindAll, sshPort: h.sshPort, user: h.user };
}

function nodeSpec(id: number, host: HostSpec, ports: Omit<NodeSpec, 'id' | 'host' | 'dir' | 'confDir' | 'dataDir' | 'logDir' | 'pidFile' | 'zooCfg' | 'runScript' | 'dataLogDir'>, dir: string): NodeSpec {
  return {
    id,
    host,
    clientPort: ports.clientPort,
    quorumPort: ports.quorumPort,
    electionPort: ports.electionPort,
    adminPort: ports.adminPort,
    metricsPort: ports.metricsPort,
    jmxPort: ports.jmxPort,
    dir,
    confDir: path.join(dir, 'conf'),
    dataDir: path.join(dir, 'data'),
    logDir: path.join(dir, 'logs'),
    pidFile: path.join(dir, 'data', PID_FILE),
    zooCfg: path.join(dir, 'conf', 'zoo.cfg'),
    runScript: path.join(dir, 'bin', 'zk-run.sh'),
  };
}

/** The ports a node actually listens on, with the services they belong to (disabled services left out). */
export function listeningPorts(spec: Pick<ClusterSpec, 'settings' | 'nodes' | 'executor'>, node: NodeSpec): { name: string; port: number }[] {
  // A container listens inside its own network namespace; only the client port is published on the host.
  if (spec.executor === 'docker') return [{ name: 'client', port: node.clientPort }];
  const ports = [
    { name: 'client', port: node.clientPort },
    ...(spec.nodes.length > 1
      ? [
          { name: 'quorum', port: node.quorumPort },
          { name: 'election', port: node.electionPort },
        ]
      : []),
  ];
  if (spec.settings.adminServer.enabled) ports.push({ name: 'admin', port: node.adminPort });
  if (spec.settings.metrics.enabled) ports.push({ name: 'metrics', port: node.metricsPort });
  if (spec.settings.jmx.enabled) ports.push({ name: 'jmx', port: node.jmxPort });
  return ports;
}

/** `127.0.0.1:2181,127.0.0.1:2182,...`: what clients pass to connect. */
export function connectString(spec: ClusterSpec): string {
  return spec.nodes.map((n) => `${n.host.address}:${n.clientPort}`).join(',');
}

/** executor docker: node `id`'s container, also its host name on the cluster's network. */
export function containerName(spec: Pick<ClusterSpec, 'name'>, id: number): string {
  return `zkops-${spec.name}-${id}`;
}
