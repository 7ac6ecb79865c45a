/**
 * The inventory schema's sections about where nodes run and how zkops
 * reaches them: hosts, nodes, pseudo-clusters, SSH, Docker and the service
 * manager on SSH hosts. Assembled in schema.ts.
 */
import { z } from 'zod';
import { absOrRelPath, dirPath, jvmFlag, port, address } from './schema-values.js';

/** A node's role in the ensemble. */
const RoleSchema = z
  .enum(['participant', 'observer'])
  .default('participant')
  .describe('participant: votes; observer: serves reads and forwards writes without a vote (peerType=observer).');

/** hosts[]: a machine nodes run on, and how it is reached. */
export const HostSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'expected a host name of letters, digits, ".", "-" or "_"'),
  address: address.describe('Address zkops and the peers use to reach the host.'),
  bindAll: z
    .union([z.boolean(), z.literal('auto')])
    .default('auto')
    .describe('Bind quorum/election to all addresses. auto: when `address` is not on any local interface (cloud NAT).'),
  sshPort: port.optional(),
  user: z.string().optional(),
});

/** nodes[]: one server, on a host of `hosts` (or an address). */
export const NodeSchema = z.strictObject({
  id: z.number().int().min(1, 'expected a server id 1–255').max(255, 'expected a server id 1–255'),
  host: z.string().min(1).describe('A host name from `hosts`, or an address.'),
  clientPort: port.default(2181),
  quorumPort: port.default(2888),
  electionPort: port.default(3888),
  adminPort: port.default(8080),
  metricsPort: port.default(7000),
  jmxPort: port.default(9010),
  dir: dirPath.optional().describe('Node directory (conf/, data/, logs/). Default: <cluster dir>/node-<id>.'),
  dataDir: dirPath.optional(),
  dataLogDir: dirPath.optional(),
  role: RoleSchema,
  javaFlags: z.array(jvmFlag).optional().describe("This node's JVM flags, instead of java.flags."),
});

/** pseudo: N nodes on one host, ports counted up from a base. */
export const PseudoSchema = z.strictObject({
  count: z.number().int().min(1).max(255, 'expected 1–255 nodes').default(3),
  basePort: port.default(2181).describe('Node i serves clients on basePort + i - 1.'),
  host: z.string().default('127.0.0.1'),
  observers: z.number().int().min(0).default(0).describe('The last N nodes are observers (no vote).'),
});

/** ssh: how zkops reaches SSH hosts. */
export const SshSchema = z.strictObject({
  user: z.string().default('root'),
  port: port.default(22),
  identityFile: absOrRelPath.optional().describe('Private key file; never copied or logged. Default: the SSH agent.'),
  knownHosts: absOrRelPath.optional().describe('Default: ~/.ssh/known_hosts.'),
  sudo: z.boolean().default(false).describe('Run privileged steps through sudo -n.'),
  jumpHost: z.string().optional().describe('user@host[:port] to connect through.'),
  concurrency: z.number().int().min(1).max(64).default(8),
  connectTimeout: z
    .number()
    .int()
    .min(1)
    .max(300)
    .default(5)
    .describe("Seconds to wait for a host's SSH handshake; status and doctor report a host that misses it and go on."),
});

/** docker: the image and network of a Docker cluster. */
export const DockerSchema = z
  .strictObject({
    image: z
      .string()
      .regex(/^[a-z0-9][\w.\/:@-]*$/i, 'expected an image reference like zookeeper:3.8')
      .default('zookeeper:3.8')
      .describe(
        'An image with the official zookeeper image conventions (/conf/zoo.cfg, /data/myid, /datalog, zkServer.sh ' +
          'start-foreground). Pulled when the engine lacks it.',
      ),
    network: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a Docker network name')
      .optional()
      .describe('User-defined bridge network the nodes share (created when missing). Default: zkops-<name>.'),
  })
  .describe(
    "executor docker: each node is a container on this machine's Docker engine " +
      '(DOCKER_HOST, else /var/run/docker.sock).',
  );

/** service: how nodes run on SSH hosts. */
export const ServiceSchema = z
  .strictObject({
    systemd: z
      .union([z.boolean(), z.literal('auto')], { error: 'expected true, false or "auto"' })
      .default('auto')
      .describe(
        'Run each node as a systemd unit (enabled, restarted on failure). auto: where systemd runs; false: always ' +
          'the supervised start with a pid file.',
      ),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'expected a user name of lower-case letters, digits, "_" or "-"')
      .optional()
      .describe(
        'Account the servers run as; created as a system account without login when missing. Default: zookeeper ' +
          'when zkops has root on the host (ssh.user root, or ssh.sudo), else the SSH user itself.',
      ),
  })
  .describe('How nodes run on SSH hosts.');
