/**
 * Preflight: everything checked on every host before anything is written or
 * started: ZooKeeper and Java found and runnable, the NAT bind rule decided,
 * this cluster's running processes found, and every port free (or held by
 * this cluster itself). All problems on all hosts are reported together.
 */
import path from 'node:path';
import { PreflightError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { jvmFlags, restartPendingPath, type HostFacts } from '../render/node.js';
import type { NodeSurvey } from '../runtime/types.js';
import { findZookeeper, type ZookeeperInstall } from '../distribution/zookeeper.js';
import type { JdkArchive } from '../distribution/jdk.js';
import { javaPackagePlan, type JavaPackagePlan } from '../distribution/java-package.js';
import { tarballInstall, type Tarball } from '../distribution/tarball.js';
import { checkJavaFits, findJava, type JavaInstall } from '../distribution/java.js';
import {
  findProviderJar,
  providerMissing,
  providerTooOld,
  tarballHasProvider,
} from '../distribution/metrics-provider.js';
import { versionAtLeast } from '../zookeeper/version.js';
import { nodeProcesses, type ZkProcess } from './processes.js';
import { assertPortsFree, noSs } from './ports.js';
import type { HostPlace } from './places.js';
import { readHostEnvironment, type HostEnvironment } from './host-probe.js';
import { DEFAULT_SERVICE_USER, decideService } from './service-policy.js';
import { settleAll } from '../util/settle.js';
import { ephemeralPortWarning } from './ephemeral-ports.js';
import { userCacheDir } from '../user-cache.js';

/** Options for preflight. */
export interface PreflightOptions {
  checkPorts: boolean;
  /** A release tarball to install (its place on the host replaces the ZooKeeper search). */
  tarball?: Tarball;
  /** A Java runtime to ship (its place on the host replaces the Java search; it is run once installed). */
  jdk?: JdkArchive;
  /** The ZooKeeper this machine has, already found (releaseTarball): not searched for again here. */
  here?: ZookeeperInstall;
}

/** Each distinct set of JVM flags `nodes` run with. */
export function serverFlagSets(spec: ClusterSpec, nodes: NodeSpec[]): string[][] {
  return [...new Set(nodes.map((n) => JSON.stringify(jvmFlags(spec, n))))].map((f) => JSON.parse(f) as string[]);
}

/**
 * Where a host keeps the record of the Java zkops last saw run (see findJava):
 * on a remote host beside its nodes; on this machine in the user's cache, so
 * it outlives `destroy` and a fresh init needs no JVM start either.
 */
export function javaRecordPath(spec: ClusterSpec, remote: boolean): string {
  if (remote) return path.join(spec.dir, '.zkops-java-verified');
  return userCacheDir('java-verified');
}

/** What preflight learned about one host. */
export interface HostState {
  place: HostPlace;
  facts: HostFacts;
  /** A fresh record of the Java that just ran, to keep on the host once files are written. */
  javaRecord?: string;
  /** This cluster's running processes on the host, by node id. */
  processes: Map<number, ZkProcess | undefined>;
  /** java.install: package, where no Java runs: what to install before anything else is written. */
  javaPlan?: JavaPackagePlan;
  /** zkops has root there (ssh.user root, or sudo): it may write /etc/profile.d and create accounts. */
  root: boolean;
  /** Each node's myid, data and current server list, as found. */
  nodes: NodeSurvey[];
  /** What deploy should say but not refuse (server ports in the host's ephemeral range). */
  warnings: string[];
}

/** Free space a node needs at the least: the release, logs and the first snapshots. */
export const MIN_FREE_MIB = 512;

/** Checks every host; throws one PreflightError naming every problem. */
export async function preflight(
  spec: ClusterSpec,
  places: HostPlace[],
  options: PreflightOptions,
): Promise<HostState[]> {
  return settleAll(places, (t) => preflightHost(spec, t, options), {
    limit: spec.ssh.concurrency,
    name: (t) => t.host.name,
    error: (problems) =>
      new PreflightError(
        problems.length === 1
          ? `Preflight failed; nothing was written or started.\n  ${problems[0]}`
          : `Preflight failed on ${problems.length} checks; nothing was written or ` +
              `started:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      ),
  });
}

async function preflightHost(spec: ClusterSpec, place: HostPlace, options: PreflightOptions): Promise<HostState> {
  const { ex, host, nodes } = place;
  const env = await readHostEnvironment(spec, place, {
    checkPorts: options.checkPorts,
    serviceUser: spec.service.user ?? DEFAULT_SERVICE_USER,
  });
  if (!/^Linux /.test(env.system)) {
    throw new PreflightError(
      `${ex.label} runs ${env.system || 'an unknown system'}; zkops manages ZooKeeper on Linux hosts only.`,
    );
  }
  if (env.freeMiB !== undefined && env.freeMiB < MIN_FREE_MIB) {
    throw new PreflightError(
      `${ex.label} has only ${env.freeMiB} MiB free for ${place.nodes[0]?.dir}; a node needs at least ` +
        `${MIN_FREE_MIB} MiB (release, logs, snapshots). Free some space or point dir elsewhere.`,
    );
  }
  // Independent look-ups run together: java -version alone costs a JVM start.
  const [zk, found] = await Promise.all([
    options.tarball
      ? Promise.resolve(tarballInstall(spec.dir, options.tarball))
      : options.here && !place.remote
        ? Promise.resolve(options.here)
        : findZookeeper(ex, spec.zookeeper.home, env.zookeeperHome),
    options.jdk
      ? Promise.resolve<JavaInstall>({
          home: path.posix.join(spec.dir, options.jdk.topDir),
          major: options.jdk.major,
          source: 'inventory',
        })
      : findJava(ex, spec.java.home, env.javaHome, env.pathJavaHome, {
          record: javaRecordPath(spec, place.remote),
          flags: serverFlagSets(spec, nodes),
        }).catch((err: Error) => {
          // No Java that runs: with java.install: package, the host's package manager brings one.
          if (spec.java.install === 'package' && err instanceof PreflightError) return err;
          throw err;
        }),
  ]);
  let java: JavaInstall;
  let javaPlan: JavaPackagePlan | undefined;
  if (found instanceof Error) {
    if (!env.packageManager)
      throw new PreflightError(
        `${found.message} (java.install: package cannot help: ${ex.label} has none of apt-get, dnf or zypper.)`,
      );
    if (env.uid !== 0)
      throw new PreflightError(
        `${found.message} (java.install: package needs root on ${ex.label}: ssh.user root, or ssh.sudo: true.)`,
      );
    javaPlan = javaPackagePlan(env.packageManager, zk.version);
    java = { home: javaPlan.home, major: javaPlan.major, source: 'inventory' };
  } else java = packagedHome(spec, env, zk.version, found);
  const processes = nodeProcesses(env.zkProcesses, nodes);
  const bindAll = host.bindAll === 'auto' ? !env.addressIsLocal : host.bindAll;
  if (spec.zookeeper.version && spec.zookeeper.version !== zk.version) {
    throw new PreflightError(
      `the inventory asks for ZooKeeper ${spec.zookeeper.version} but ${zk.home} on ${ex.label} is ${zk.version}; ` +
        `change zookeeper.version or zookeeper.home`,
    );
  }
  checkJavaFits(java, zk.version, ex.label);
  if (spec.monitoring.provider) {
    if (!versionAtLeast(zk.version, '3.6.0'))
      throw new PreflightError(
        providerTooOld(
          nodes.map((n) => n.id),
          zk.version,
        ),
      );
    const has = options.tarball
      ? await tarballHasProvider(options.tarball.file)
      : (await findProviderJar(ex, zk.classpath)) !== undefined;
    if (!has) throw new PreflightError(providerMissing(zk.version, options.tarball?.file ?? zk.home));
  }
  if (place.remote && env.uid !== 0 && !env.writable) {
    throw new PreflightError(
      `${env.login} on ${ex.label} cannot write ${env.installParent}, where ${place.nodes[0]?.dir} would be ` +
        `created. Set ssh.sudo: true (with passwordless sudo for ${env.login}), ` +
        `or choose a dir that ${env.login} can write (under its home, say).`,
    );
  }
  const { systemd, user } = decideService(spec, place, env);
  if (options.checkPorts) {
    const ownPids = new Set([...processes.values()].flatMap((p) => (p ? [p.pid] : [])));
    if (!env.listeners) throw noSs(ex.label);
    await assertPortsFree(
      ex,
      nodes.filter((n) => !processes.get(n.id)),
      ownPids,
      host.address,
      env.listeners,
    );
  }
  return {
    place,
    facts: {
      javaHome: java.home,
      zookeeperHome: options.tarball ? tarballInstall(spec.dir, options.tarball).link : zk.home,
      classpath: zk.classpath,
      zookeeperVersion: zk.version,
      bindAll,
      systemd,
      user,
      javaMajor: java.major,
      // Clients are served where the inventory says the node is; a NAT'd host's address is not its own.
      clientAddress: bindAll ? undefined : host.address,
    },
    processes,
    javaPlan,
    nodes: nodes.map((node) => {
      const process = processes.get(node.id);
      const found = env.nodes.get(node.id);
      return {
        node,
        process,
        myid: found?.myid,
        hasData: found?.hasData ?? false,
        snapshots: found?.snapshots ?? false,
        txnLogs: found?.txnLogs ?? false,
        runningZooCfg: process ? found?.servers : undefined,
      };
    }),
    javaRecord: java.verified,
    warnings: [ephemeralPortWarning(place.remote ? ex.label : 'this machine', nodes, env.ephemeralPorts)].filter(
      (w): w is string => Boolean(w),
    ),
    root: env.uid === 0,
  };
}

/**
 * With java.install: package, a Java found on PATH that is the package manager's (its stable home, e.g.
 * /usr/lib/jvm/default-java, resolves to it) is named by that home, as on the run that installed it: else every
 * later deploy would see another JAVA_HOME and restart the nodes for nothing.
 */
function packagedHome(spec: ClusterSpec, env: HostEnvironment, zkVersion: string, found: JavaInstall): JavaInstall {
  if (spec.java.install !== 'package' || found.source === 'inventory' || !env.packageManager) return found;
  const home = javaPackagePlan(env.packageManager, zkVersion).home;
  return env.packageJavaHomes.get(home) === found.home ? { ...found, home } : found;
}
