/**
 * ClusterSpec: the inventory normalised once (see normalize.ts). Every default
 * is filled in (from the schema, never restated), every path a node or this
 * machine uses is resolved, and each node carries where it runs, the ports it
 * opens there and the address its peers use. The rules, rendering, runtimes,
 * health and the doctor all work from this, never from the raw inventory.
 * Types and small helpers only: loading this costs no schema library.
 */
import type {
  DockerSettings,
  Inventory,
  LoggingSettings,
  MonitoringSettings,
  SecuritySettings,
  ServiceSettings,
  Settings,
  SshSettings,
} from './schema.js';
import type { NodePorts } from './ports.js';

/** One host nodes run on. `bindAll` is decided later for 'auto' (it needs a look at the host). */
export interface HostSpec {
  name: string;
  address: string;
  bindAll: boolean | 'auto';
  sshPort?: number;
  user?: string;
}

/** The services a node may listen for. */
export type ServiceName = 'client' | 'quorum' | 'election' | 'admin' | 'metrics' | 'jmx';

/** One ZooKeeper server: its id, where it runs, its ports and its paths (as seen where it runs). */
export interface NodeSpec extends NodePorts {
  id: number;
  /** Participants vote; observers follow the leader without a vote (they scale reads, not the quorum). */
  role: 'participant' | 'observer';
  /** The user's JVM flags for this node (its own list, else the cluster's). */
  javaFlags: string[];
  /** The machine whose address clients use and whose ports the node needs (for a container: this machine). */
  host: HostSpec;
  /** Where the node runs, for people: its host's name, or its container's. */
  place: string;
  /** The address peers reach its quorum and election ports at (its host's, or its container's name). */
  peerAddress: string;
  /** The ports it opens on `host`, with their services (disabled services and a container's own ports left out). */
  listens: { name: ServiceName; port: number }[];
  dir: string;
  confDir: string;
  dataDir: string;
  dataLogDir?: string;
  logDir: string;
  /** In the data directory, as zkServer.sh keeps it: the one place the server's account may write. */
  pidFile: string;
  zooCfg: string;
  runScript: string;
  /**
   * A server zkops did not set up (found by the doctor or adopt): its release's bin/ and conf/,
   * where zkServer.sh and zkEnv.sh say how it starts. Never set from an inventory.
   */
  handMade?: { binDir: string; confDir: string };
}

/** The whole ensemble, ready to render and deploy. */
export interface ClusterSpec {
  name: string;
  executor: 'local' | 'ssh' | 'docker';
  /** The nodes run on this machine (as processes or containers), not on hosts reached over SSH. */
  onThisMachine: boolean;
  /** Cluster directory: node directories and state (local, docker) or the install root (ssh). */
  dir: string;
  zookeeper: Inventory['zookeeper'];
  java: Inventory['java'];
  settings: Settings;
  /** ZooKeeper's own Prometheus provider (metricsProvider.* in zoo.cfg). */
  monitoring: MonitoringSettings;
  logging: LoggingSettings;
  ssh: SshSettings;
  /**
   * TLS and authentication switches; `dir`, when given, resolved (the default depends on the environment,
   * so it is found when secrets are loaded: security/secrets.ts).
   */
  security: SecuritySettings;
  /**
   * The CA, certificates and secrets those switches need, loaded from `security.dir` by the command
   * (security/secrets.ts), never cached with the spec nor written anywhere but the nodes' files.
   */
  secrets?: ClusterSecrets;
  /** How nodes run on SSH hosts (systemd or supervised; which account). */
  service: ServiceSettings;
  /** executor docker: the image and the network of the node containers. */
  docker?: Required<DockerSettings>;
  hosts: HostSpec[];
  nodes: NodeSpec[];
}

/** executor docker: node `id`'s container, also its host name on the cluster's network. */
export function containerName(spec: Pick<ClusterSpec, 'name'>, id: number): string {
  return `zkops-${spec.name}-${id}`;
}

/**
 * The executor of nodes on hosts reached by a shell: each over SSH (`remote`), else this machine. For specs
 * built from hosts found rather than from an inventory (adopt): the inventory layer names the kinds.
 */
export function hostExecutor(remote: boolean): 'local' | 'ssh' {
  return remote ? 'ssh' : 'local';
}

/** `127.0.0.1:2181,127.0.0.1:2182,...`: what clients pass to connect. */
export function connectString(spec: ClusterSpec): string {
  return spec.nodes.map((n) => `${n.host.address}:${n.clientPort}`).join(',');
}

/** A node's ports by service (for the status table and JSON). */
export function portOf(node: NodeSpec, name: ServiceName): number | null {
  return node.listens.find((l) => l.name === name)?.port ?? null;
}

/** A private key and its certificate, both PEM. */
export interface KeyPair {
  key: string;
  cert: string;
}

/**
 * Everything the security switches need, as loaded by security/secrets.ts from `security.dir`: carried by the
 * spec, so its type lives with the spec.
 */
export interface ClusterSecrets {
  dir: string;
  ca?: { cert: string };
  nodes: Record<number, KeyPair>;
  /** zkops's own client certificate (probes, status, smoke, the doctor). */
  client?: KeyPair;
  quorumPassword?: string;
  superPassword?: string;
}
