/**
 * Rendering: ClusterSpec + one node + the facts found on its host → the files
 * that node needs, each with its path and mode. Pure: no disk, no network;
 * golden tests pin the output.
 */
import path from 'node:path';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { renderTemplate } from './templates.js';
import { sh, systemdArg } from '../shell.js';
import { renderSecurity } from './security.js';
import { versionAtLeast } from '../zookeeper/version.js';
import type { RenderedFile } from '../executors/types.js';
import { targetLevels, type SecurityLevels } from '../security/levels.js';

/** What rendering needs to know about a node's host beyond the spec. */
export interface HostFacts {
  javaHome: string;
  /** ZooKeeper's home (for zk.sh) and the JVM class path to run it. */
  zookeeperHome: string;
  classpath: string;
  /** Version of the distribution found, e.g. 3.8.0. */
  zookeeperVersion: string;
  /** The node's address is not on any of its host's interfaces: bind quorum/election to all. */
  bindAll: boolean;
  /** Nodes on this host run as systemd units (else: the supervised start). */
  systemd?: boolean;
  /** The account servers run as, when zkops starts them with root's rights and must drop them. */
  user?: string;
  /** Feature version of the Java that runs the servers (GC logging flags differ before 9). Default: 11. */
  javaMajor?: number;
  /** The address the client port binds to (clientPortAddress); undefined: every address. */
  clientAddress?: string;
}

/**
 * The JVM flags of a node that name no path (java.env's SERVER_JVMFLAGS, word-split by
 * zkServer.sh and zk-run.sh alike): a fixed heap, a heap dump and exit on OutOfMemoryError
 * (so systemd or the container's restart policy brings the node back), JMX on loopback
 * when enabled, then the user's flags (a later flag wins).
 */
export function jvmFlags(spec: ClusterSpec, node: NodeSpec): string[] {
  const flags = [
    `-Xms${spec.java.heap}`,
    `-Xmx${spec.java.heap}`,
    '-XX:+HeapDumpOnOutOfMemoryError',
    '-XX:+ExitOnOutOfMemoryError',
  ];
  if (spec.settings.jmx.enabled) {
    flags.push(
      `-Dcom.sun.management.jmxremote.port=${node.jmxPort}`,
      `-Dcom.sun.management.jmxremote.rmi.port=${node.jmxPort}`,
      '-Dcom.sun.management.jmxremote.host=127.0.0.1',
      '-Djava.rmi.server.hostname=127.0.0.1',
      '-Dcom.sun.management.jmxremote.authenticate=false',
      '-Dcom.sun.management.jmxremote.ssl=false',
    );
  }
  return [...flags, ...node.javaFlags];
}

/** `10MB` → { n: 10, unit: 'M', bytes }: sizes are written as each consumer wants them. */
export function size(s: string): { n: number; unit: 'K' | 'M' | 'G'; bytes: number } {
  const m = /^(\d+)([kKmMgG])/.exec(s);
  const n = Number(m?.[1] ?? 10);
  const unit = (m?.[2]?.toUpperCase() ?? 'M') as 'K' | 'M' | 'G';
  return { n, unit, bytes: n * 1024 ** { K: 1, M: 2, G: 3 }[unit] };
}

/**
 * The JVM flags that name the node's log directory, each one shell word with
 * the directory taken from $ZOO_LOG_DIR at run time (any path survives): the
 * heap dump, and the GC log rotated by the JVM itself (unified logging on
 * Java 9+; the old flags on Java 8).
 */
function logDirFlags(spec: ClusterSpec, javaMajor: number): string[] {
  const flags = ['"-XX:HeapDumpPath=$ZOO_LOG_DIR"'];
  const gc = spec.java.gcLog;
  if (!gc.enabled) return flags;
  const { n, unit } = size(gc.fileSize);
  if (javaMajor >= 9)
    return [
      ...flags,
      `"-Xlog:gc*:file=\\"$ZOO_LOG_DIR/gc.log\\":time,uptime:filecount=${gc.files},filesize=${n}${unit}"`,
    ];
  return [
    ...flags,
    '"-Xloggc:$ZOO_LOG_DIR/gc.log"',
    '-XX:+PrintGCDetails',
    '-XX:+PrintGCDateStamps',
    '-XX:+UseGCLogFileRotation',
    `-XX:NumberOfGCLogFiles=${gc.files}`,
    `-XX:GCLogFileSize=${n}${unit}`,
  ];
}

/** The same log-directory flags for a container, whose log directory is always /logs. */
export function containerLogFlags(spec: ClusterSpec): string[] {
  return logDirFlags(spec, 11).map((f) =>
    f
      .replace(/^"|"$/g, '')
      .replace(/\\"/g, '')
      .replace(/\$ZOO_LOG_DIR/g, '/logs'),
  );
}

/**
 * The server list as this node must see it. A NAT'd node must listen on all
 * addresses: from 3.5.8 on that is `quorumListenOnAllIPs=true` with the server
 * list identical on every node (3.5+ compares it during reconfig); before
 * 3.5.8 wildcard listening hit ZOOKEEPER-2164 (peers could not rejoin), so the
 * classic form, 0.0.0.0 in the node's own server.N entry, is used instead.
 */
function serverList(spec: ClusterSpec, node: NodeSpec, facts: HostFacts) {
  const ownWildcard = facts.bindAll && !versionAtLeast(facts.zookeeperVersion, '3.5.8');
  return spec.nodes.map((n) => ({
    id: n.id,
    address: n.id === node.id && ownWildcard ? '0.0.0.0' : n.peerAddress,
    quorumPort: n.quorumPort,
    electionPort: n.electionPort,
    // Every node's list marks the observers (3.4 and later read the suffix alike).
    suffix: n.role === 'observer' ? ':observer' : '',
  }));
}

/** Every file one node needs, in the order they should be written (myid and configs before the run script). */
export function renderNodeFiles(
  spec: ClusterSpec,
  node: NodeSpec,
  facts: HostFacts,
  extra: { trustEmptySnapshot?: boolean; security?: SecurityLevels } = {},
): RenderedFile[] {
  const javaEnv = path.join(node.confDir, 'java.env');
  const log4jProps = path.join(node.confDir, 'log4j.properties');
  const logbackXml = path.join(node.confDir, 'logback.xml');
  const security = renderSecurity(spec, node, facts, extra.security ?? targetLevels(spec));
  const flags = [...jvmFlags(spec, node), ...security.jvmFlags];
  const log = size(spec.logging.maxFileSize);
  const view = {
    cluster: spec.name,
    id: node.id,
    observer: node.role === 'observer',
    trustEmptySnapshot: extra.trustEmptySnapshot,
    // What each version line understands (the reason is beside each key in templates/zoo.cfg).
    v35: versionAtLeast(facts.zookeeperVersion, '3.5.0'),
    v36: versionAtLeast(facts.zookeeperVersion, '3.6.0'),
    dataDir: node.dataDir,
    dataLogDir: node.dataLogDir,
    clientPort: node.clientPort,
    clientAddress: facts.clientAddress,
    tls: security.tls,
    sasl: security.sasl,
    logging: { ...spec.logging, fileSize: `${log.n}${log.unit}B` },
    logDirFlags: logDirFlags(spec, facts.javaMajor ?? 11).map((flag) => ({ flag })),
    adminPort: node.adminPort,
    metricsPort: node.metricsPort,
    settings: spec.settings,
    admin: spec.settings.adminServer,
    metrics: spec.monitoring.provider && spec.monitoring,
    fourLetterWords: spec.settings.fourLetterWords.join(','),
    quorumListenOnAllIPs: facts.bindAll && versionAtLeast(facts.zookeeperVersion, '3.5.8') && spec.nodes.length > 1,
    extra: Object.entries(spec.settings.extra).map(([key, value]) => ({ key, value: String(value) })),
    servers: spec.nodes.length > 1 ? serverList(spec, node, facts) : [],
    runScript: node.runScript,
    pidFile: node.pidFile,
    user: facts.user,
    javaEnv,
    sh: {
      javaHome: sh(facts.javaHome),
      logDir: sh(node.logDir),
      jvmFlags: sh(flags.join(' ')),
      javaEnv: sh(javaEnv),
      pidFile: sh(node.pidFile),
      log4jProps: sh(log4jProps),
      logbackXml: sh(logbackXml),
      classpath: sh(facts.classpath),
      zooCfg: sh(node.zooCfg),
      restartPending: sh(restartPendingPath(node)),
      user: facts.user && sh(facts.user),
    },
  };
  const unit: RenderedFile[] = facts.systemd
    ? [{ path: unitPath(spec, node), content: renderSystemdUnit(spec, node, facts), mode: 0o644 }]
    : [];
  return [
    { path: path.join(node.dataDir, 'myid'), content: `${node.id}\n`, mode: 0o644 },
    { path: node.zooCfg, content: renderTemplate('zoo.cfg', view), mode: 0o644 },
    { path: javaEnv, content: renderTemplate('java.env', view), mode: 0o644 },
    { path: log4jProps, content: renderTemplate('log4j.properties', view), mode: 0o644 },
    { path: logbackXml, content: renderTemplate('logback.xml', view), mode: 0o644 },
    { path: node.runScript, content: renderTemplate('zk-run.sh', view), mode: 0o755 },
    ...security.files,
    ...unit,
  ];
}

/** The systemd unit of a node: zookeeper-<cluster>-<id>.service (several clusters and nodes may share a host). */
export function unitName(spec: Pick<ClusterSpec, 'name'>, node: Pick<NodeSpec, 'id'>): string {
  return `zookeeper-${spec.name}-${node.id}.service`;
}

/** Where a node's unit is installed. */
export function unitPath(spec: Pick<ClusterSpec, 'name'>, node: Pick<NodeSpec, 'id'>): string {
  return `/etc/systemd/system/${unitName(spec, node)}`;
}

/**
 * Where the record of a node's pending restart lives (hosts/restart-pending.ts): in its data directory, where the
 * server's own account may remove it (zk-run.sh does, as the server starts: also when systemd restarts it, or after
 * a reboot).
 */
export function restartPendingPath(node: Pick<NodeSpec, 'dataDir'>): string {
  return path.posix.join(node.dataDir, 'zkops-restart-pending');
}

/** The systemd unit for a node (for hosts where systemd runs): the same run script, as the service account. */
export function renderSystemdUnit(spec: ClusterSpec, node: NodeSpec, facts: Pick<HostFacts, 'user'>): string {
  return renderTemplate('zookeeper.service', {
    cluster: spec.name,
    id: node.id,
    user: facts.user,
    execStart: `/bin/sh ${systemdArg(node.runScript)}`,
  });
}

/** The profile scripts for a host: java.sh (JAVA_HOME, JRE_HOME, PATH) and zk.sh (ZOOKEEPER_HOME, ZOOCFGDIR). */
export function renderProfileScripts(facts: HostFacts, confDir: string): { javaSh: string; zkSh: string } {
  const view = { sh: { javaHome: sh(facts.javaHome), zkHome: sh(facts.zookeeperHome), confDir: sh(confDir) } };
  return { javaSh: renderTemplate('java.sh', view), zkSh: renderTemplate('zk.sh', view) };
}
