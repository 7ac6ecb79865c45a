/**
 * The inventory schema's sections about what the servers run: the release,
 * Java, zoo.cfg settings, logs and security. Assembled in schema.ts.
 */
import { z } from 'zod';
import { FOUR_LETTER_WORDS, REQUIRED_FOUR_LETTER_WORDS } from '../zookeeper/four-letter-words.js';
import { absOrRelPath, address, dirPath, fileSize, jvmFlag } from './schema-values.js';

/** zookeeper: where the release comes from (a home, a tarball, or a version fetched). */
export const ZookeeperSchema = z.strictObject({
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
});

/** java: the Java the servers run with, and their JVM flags. */
export const JavaSchema = z.strictObject({
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
      "More JVM flags for every server, after zkops's own (a later flag wins); " + 'checked by running java with them.',
    ),
  gcLog: z
    .strictObject({
      enabled: z.boolean().default(true),
      files: z.number().int().min(1).max(100).default(5),
      fileSize: fileSize.default('20M'),
    })
    .prefault({})
    .describe("GC log in the node's log directory, rotated by the JVM (gc.log, gc.log.0, ...)."),
});

/** settings: zoo.cfg values that are the same on every node. */
export const SettingsSchema = z
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

/** monitoring: ZooKeeper's own Prometheus provider on each node (zkops exporter needs nothing here). */
export const MonitoringSchema = z
  .strictObject({
    provider: z
      .boolean()
      .default(false)
      .describe(
        "ZooKeeper's PrometheusMetricsProvider (3.6+) on each node's metricsPort, bound like the AdminServer " +
          '(settings.adminServer.address); the release must ship lib/zookeeper-prometheus-metrics-*.jar.',
      ),
    exportJvmInfo: z
      .boolean()
      .default(true)
      .describe("metricsProvider.exportJvmInfo: JVM memory, GC and thread series beside ZooKeeper's own."),
  })
  .describe("ZooKeeper's own metrics endpoint; zkops exporter serves the same names from mntr without it.");

/** logging: the servers' own logs and their rotation. */
export const LoggingSchema = z
  .strictObject({
    level: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    maxFileSize: fileSize.default('10MB').describe('zookeeper.log rolls over at this size (log4j and logback alike).'),
    maxFiles: z.number().int().min(1).max(100).default(5).describe('Rolled files kept besides the current one.'),
  })
  .describe("The servers' own logs, rotated the same way on 3.4–3.9; zookeeper.out (console output) too.");

/** security: TLS, quorum SASL and the super user, with where their keys live. */
export const SecuritySchema = z.strictObject({
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
});
