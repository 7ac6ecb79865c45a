/**
 * The inventory schema: the single source of truth for what an inventory may
 * say. Validation, defaults and the JSON Schema file editors use
 * (schema/inventory.schema.json) all come from here.
 */
import { z } from 'zod';
import { FOUR_LETTER_WORDS, REQUIRED_FOUR_LETTER_WORDS } from './four-letter-words.js';

const port = z.number().int().min(1, 'expected a port 1–65535').max(65535, 'expected a port 1–65535');
/** A path as it reaches a shell, a unit file and a config: no control characters. */
const absOrRelPath = z
  .string()
  .min(1, 'expected a non-empty path')
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), 'expected a path without control characters (newlines, tabs)');
/** Where zkops creates and later deletes directories: no "..", so the path says where that is. */
const dirPath = absOrRelPath.refine(
  (p) => !p.split('/').includes('..'),
  'expected a path without ".." (write the directory it means)',
);
/** An IP address or a DNS name: what a host is reached at, and nothing a shell or a config could misread. */
const address = z
  .string()
  .regex(
    /^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]+)$/,
    'expected an IP address or a host name (letters, digits, "." and "-")',
  );
/** One JVM option, passed as one word: starts with "-", no whitespace. */
const jvmFlag = z
  .string()
  .regex(/^-[^\s'"\\]+$/, 'expected one JVM flag starting with "-" (no spaces or quotes), like -XX:+UseG1GC');
/** A file size as log4j and the JVM write them: a number and a unit. */
const fileSize = z.string().regex(/^\d+(KB|MB|GB|K|M|G|k|m|g|kb|mb|gb)$/, 'expected a size like 10MB, 512KB or 1GB');
const role = z
  .enum(['participant', 'observer'])
  .default('participant')
  .describe('participant: votes; observer: serves reads and forwards writes without a vote (peerType=observer).');

export { FOUR_LETTER_WORDS, REQUIRED_FOUR_LETTER_WORDS };

const settings = z
  .strictObject({
    tickTime: z.number().int().min(100).max(60000).default(2000).describe('Basic time unit in ms.'),
    initLimit: z.number().int().min(1).default(10).describe('Ticks a follower may take to connect and sync.'),
    syncLimit: z.number().int().min(1).default(5).describe('Ticks a follower may lag behind the leader.'),
    maxClientCnxns: z.number().int().min(0).default(60),
    autopurge: z
      .strictObject({
        snapRetainCount: z.number().int().min(3, 'expected at least 3 (ZooKeeper minimum)').default(3),
        purgeInterval: z.number().int().min(0).default(24).describe('Hours between purges; 0 disables.'),
      })
      .prefault({}),
    fourLetterWords: z
      .array(z.enum(FOUR_LETTER_WORDS))
      .default([...REQUIRED_FOUR_LETTER_WORDS])
      .describe('4lw.commands.whitelist; srvr, ruok, mntr and conf are always added.'),
    adminServer: z
      .strictObject({
        enabled: z.boolean().default(true),
        address: address.default('127.0.0.1').describe('Bind address; loopback unless you need remote access.'),
      })
      .prefault({}),
    metrics: z
      .strictObject({ enabled: z.boolean().default(false).describe('Prometheus metrics provider (needs its jar).') })
      .prefault({}),
    jmx: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
    extra: z
      .record(
        z.string().regex(/^[A-Za-z][\w.]*$/, 'expected a zoo.cfg key'),
        z.union([z.string(), z.number(), z.boolean()]),
      )
      .default({})
      .describe('Further zoo.cfg keys, written verbatim.'),
  })
  .prefault({});

const host = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'expected a host name of letters, digits, ".", "-" or "_"'),
  address: address.describe('Address zkops and the peers use to reach the host.'),
  bindAll: z
    .union([z.boolean(), z.literal('auto')])
    .default('auto')
    .describe('Bind quorum/election to all addresses. auto: when `address` is not on any local interface (cloud NAT).'),
  sshPort: port.optional(),
  user: z.string().optional(),
});

const node = z.strictObject({
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
  role,
  javaFlags: z.array(jvmFlag).optional().describe("This node's JVM flags, instead of java.flags."),
});

const pseudo = z.strictObject({
  count: z.number().int().min(1).max(255, 'expected 1–255 nodes').default(3),
  basePort: port.default(2181).describe('Node i serves clients on basePort + i - 1.'),
  host: z.string().default('127.0.0.1'),
  observers: z.number().int().min(0).default(0).describe('The last N nodes are observers (no vote).'),
});

const logging = z
  .strictObject({
    level: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    maxFileSize: fileSize.default('10MB').describe('zookeeper.log rolls over at this size (log4j and logback alike).'),
    maxFiles: z.number().int().min(1).max(100).default(5).describe('Rolled files kept besides the current one.'),
  })
  .describe("The servers' own logs, rotated the same way on 3.4–3.9; zookeeper.out (console output) too.");

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

/** The inventory as a user writes it. */
export const InventorySchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'expected letters, digits, ".", "-" or "_"')
      .max(64, 'expected at most 64 characters (it names units, containers and directories)')
      .describe('Cluster name.'),
    executor: z.enum(['local', 'ssh', 'docker']).default('local'),
    dir: dirPath
      .optional()
      .describe(
        'local: where node directories live (default .zkops/<name>). ssh: install root on each host (default ' +
          '/opt/zookeeper).',
      ),
    zookeeper: z
      .strictObject({
        version: z
          .string()
          .regex(/^\d+\.\d+\.\d+$/, 'expected a version like 3.8.4')
          .optional()
          .describe(
            'Without home or tarball: the release zkops fetches (on this machine, its .asc checked against ' +
              "Apache ZooKeeper's KEYS and its .sha512, cached) and ships to every host. With home: the version it " +
              'must be.',
          ),
        mirror: z
          .string()
          .regex(/^https?:\/\/\S+$/, 'expected an http(s) URL like https://dlcdn.apache.org/zookeeper/')
          .optional()
          .describe(
            "Where zookeeper.version is fetched from, in Apache's layout (zookeeper-X.Y.Z/apache-zookeeper-X.Y.Z-" +
              'bin.tar.gz, .asc and .sha512). Default: dlcdn.apache.org, then archive.apache.org.',
          ),
        home: absOrRelPath
          .optional()
          .describe('An unpacked ZooKeeper (Apache bin tarball layout, or Debian /usr/share/zookeeper).'),
        tarball: absOrRelPath.optional().describe('apache-zookeeper-X.Y.Z-bin.tar.gz on the machine running zkops.'),
        sha512: z
          .string()
          .regex(/^[0-9a-f]{128}$/i, 'expected 128 hex digits')
          .optional()
          .describe(
            'The SHA-512 zookeeper.tarball, or the release fetched by zookeeper.version, must have (then a mirror ' +
              'needs no .asc).',
          ),
        keys: absOrRelPath
          .optional()
          .describe(
            'A file of OpenPGP public keys (gpg --armor --export) whose signatures zkops also accepts on a release ' +
              "fetched by version, besides Apache ZooKeeper's KEYS: for a private build on a private mirror.",
          ),
      })
      .prefault({}),
    java: z
      .strictObject({
        home: absOrRelPath.optional().describe('JAVA_HOME for the servers. Default: $JAVA_HOME, then java on PATH.'),
        tarball: absOrRelPath
          .optional()
          .describe(
            'A JDK or JRE .tar.gz on the machine running zkops (e.g. an Eclipse Temurin release): shipped to every ' +
              'host once, checked, unpacked into dir, and the servers run with it.',
          ),
        sha512: z
          .string()
          .regex(/^[0-9a-f]{128}$/i, 'expected 128 hex digits')
          .optional()
          .describe('The SHA-512 java.tarball must have.'),
        install: z
          .enum(['package'])
          .optional()
          .describe(
            "package: where no Java runs, install a headless JRE with the host's package manager (apt-get, dnf or " +
              'zypper; needs root or ssh.sudo).',
          ),
        heap: z
          .string()
          .regex(/^\d+[mMgG]$/, 'expected a size like 256m or 1g')
          .default('256m')
          .describe('-Xms and -Xmx (equal: the heap never resizes under load).'),
        flags: z
          .array(jvmFlag)
          .default([])
          .describe(
            "More JVM flags for every server, after zkops's own (a later flag wins); " +
              'checked by running java with them.',
          ),
        gcLog: z
          .strictObject({
            enabled: z.boolean().default(true),
            files: z.number().int().min(1).max(100).default(5),
            fileSize: fileSize.default('20M'),
          })
          .prefault({})
          .describe("GC log in the node's log directory, rotated by the JVM (gc.log, gc.log.0, ...)."),
      })
      .prefault({}),
    logging: logging.prefault({}),
    settings,
    security: z
      .strictObject({
        tls: z
          .boolean()
          .default(false)
          .describe(
            'TLS for clients and between servers (3.6+): a cluster CA on this machine, a certificate per node, ' +
              'plain-text clients refused. Turned on or off on a running ensemble by rolling restarts.',
          ),
        quorumAuth: z
          .boolean()
          .default(false)
          .describe('SASL (DIGEST-MD5) between servers: a server without the shared secret cannot join.'),
        superUser: z
          .boolean()
          .default(false)
          .describe('A "super" digest user that may read and change every znode whatever its ACL.'),
        certDays: z
          .number()
          .int()
          .min(1, 'expected 1–3650 days')
          .max(3650, 'expected 1–3650 days')
          .default(365)
          .describe('How long node certificates zkops issues are valid.'),
        dir: dirPath
          .optional()
          .describe(
            'Where the CA, keys and secrets live on this machine (mode 700). Default: ' +
              '$XDG_DATA_HOME/zkops/<name>, else ~/.local/share/zkops/<name>.',
          ),
      })
      .prefault({}),
    ssh: SshSchema.optional(),
    service: ServiceSchema.optional(),
    docker: DockerSchema.optional(),
    hosts: z.array(host).optional(),
    nodes: z.array(node).min(1).optional(),
    pseudo: pseudo.optional(),
  })
  .describe('A zkops inventory: one ZooKeeper ensemble.');

export type Inventory = z.infer<typeof InventorySchema>;
export type InventoryNode = z.infer<typeof node>;
export type InventoryHost = z.infer<typeof host>;
export type Settings = z.infer<typeof settings>;
export type SshSettings = z.infer<typeof SshSchema>;
export type ServiceSettings = z.infer<typeof ServiceSchema>;
export type DockerSettings = z.infer<typeof DockerSchema>;
export type LoggingSettings = z.infer<typeof logging>;
export type SecuritySettings = Inventory['security'];

/** The JSON Schema (draft 2020-12) editors use to check inventories as you type. */
export function inventoryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(InventorySchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
