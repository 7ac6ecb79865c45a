/**
 * Preflight: everything checked on every host before anything is written or
 * started: ZooKeeper and Java found and runnable, the NAT bind rule decided,
 * this cluster's running processes found, and every port free (or held by
 * this cluster itself). All problems on all hosts are reported together.
 */
import { PreflightError } from '../errors.js';
import type { ClusterSpec } from '../inventory/spec.js';
import type { HostFacts } from '../render/node.js';
import { findZookeeper } from '../distribution/zookeeper.js';
import { tarballInstall, type Tarball } from '../distribution/tarball.js';
import { checkJavaFits, findJava, JAVA_ON_PATH } from '../distribution/java.js';
import { findNodeProcesses, type ZkProcess } from './processes.js';
import { assertPortsFree } from './ports.js';
import { forEachTarget, type HostTarget } from './targets.js';
import { execChecked } from '../executors/helpers.js';
import { sh } from '../render/node.js';

/** Options for preflight. */
export interface PreflightOptions {
  checkPorts: boolean;
  /** A release tarball to install (its place on the host replaces the ZooKeeper search). */
  tarball?: Tarball;
}

/** What preflight learned about one host. */
export interface HostState {
  target: HostTarget;
  facts: HostFacts;
  /** This cluster's running processes on the host, by node id. */
  processes: Map<number, ZkProcess | undefined>;
}

/** Checks every host; throws one PreflightError naming every problem. */
export async function preflight(spec: ClusterSpec, targets: HostTarget[], options: PreflightOptions): Promise<HostState[]> {
  const concurrency = spec.ssh?.concurrency ?? 8;
  const results = await forEachTarget(targets, concurrency, (t) => preflightHost(spec, t, options));
  const problems = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${targets[i]!.host.name}: ${(r.reason as Error).message}`] : [],
  );
  if (problems.length > 0) {
    throw new PreflightError(
      problems.length === 1 ? `Preflight failed; nothing was written or started.\n  ${problems[0]}` : `Preflight failed on ${problems.length} checks; nothing was written or started:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return results.map((r) => (r as PromiseFulfilledResult<HostState>).value);
}

async function preflightHost(spec: ClusterSpec, target: HostTarget, options: PreflightOptions): Promise<HostState> {
  const { ex, host, nodes } = target;
  const env = await readHostEnvironment(target);
  if (!/^Linux /.test(env.system)) {
    throw new PreflightError(`${ex.label} runs ${env.system || 'an unknown system'}; zkops manages ZooKeeper on Linux hosts only.`);
  }
  if (env.freeMiB !== undefined && env.freeMiB < MIN_FREE_MIB) {
    throw new PreflightError(`${ex.label} has only ${env.freeMiB} MiB free for ${target.nodes[0]?.dir}; a node needs at least ${MIN_FREE_MIB} MiB (release, logs, snapshots). Free some space or point dir elsewhere.`);
  }
  // Independent look-ups run together: java -version alone costs a JVM start.
  const [zk, java, processes] = await Promise.all([
    options.tarball ? Promise.resolve(tarballInstall(spec.dir, options.tarball)) : findZookeeper(ex, spec.zookeeper.home, env.zookeeperHome),
    findJava(ex, spec.java.home, env.javaHome, env.pathJavaHome),
    findNodeProcesses(ex, nodes),
  ]);
  const bindAll = host.bindAll === 'auto' ? !env.addressIsLocal : host.bindAll;
  if (spec.zookeeper.version && spec.zookeeper.version !== zk.version) {
    throw new PreflightError(`the inventory asks for ZooKeeper ${spec.zookeeper.version} but ${zk.home} on ${ex.label} is ${zk.version}; change zookeeper.version or zookeeper.home`);
  }
  checkJavaFits(java, zk.version, ex.label);
  if (options.checkPorts) {
    const ownPids = new Set([...processes.values()].flatMap((p) => (p ? [p.pid] : [])));
    await assertPortsFree(ex, spec, nodes.filter((n) => !processes.get(n.id)), ownPids, host.address);
  }
  return {
    target,
    facts: { javaHome: java.home, zookeeperHome: options.tarball ? tarballInstall(spec.dir, options.tarball).link : zk.home, classpath: zk.classpath, zookeeperVersion: zk.version, bindAll },
    processes,
  };
}

/** What one command learns about a host's environment. */
interface HostEnvironment {
  javaHome?: string;
  zookeeperHome?: string;
  pathJavaHome?: string;
  /** The host's address is on one of its own interfaces (false: it is reached through NAT). */
  addressIsLocal: boolean;
  /** `uname -sm`, e.g. "Linux x86_64". */
  system: string;
  /** Free space (MiB) on the file system that will hold the install root. */
  freeMiB?: number;
}

/** Free space a node needs at the least: the release, logs and the first snapshots. */
export const MIN_FREE_MIB = 512;

/** JAVA_HOME, ZOOKEEPER_HOME, the java on PATH and whether the address is local: one round trip. */
async function readHostEnvironment(target: HostTarget): Promise<HostEnvironment> {
  const addr = target.host.address;
  const loopback = /^127\./.test(addr) || addr === 'localhost' || addr === '::1';
  const script = [
    'printf "%s\\n" "$JAVA_HOME" "$ZOOKEEPER_HOME"',
    JAVA_ON_PATH,
    'uname -sm',
    // The install root may not exist yet: measure its nearest existing parent.
    `d=${sh(target.nodes[0]?.dir ?? '/')}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; df -Pm "$d" | awk 'NR==2{print $4}'`,
    loopback
      ? 'echo local'
      : `a=${sh(addr)}; case "$a" in *[!0-9.]*) a=$(getent ahostsv4 "$a" | head -n1 | cut -d' ' -f1);; esac; ip -o addr show | grep -qF " $a/" && echo local || echo remote`,
  ].join('\n');
  const [javaHome, zookeeperHome, pathJavaHome, system = '', free, local] = (await execChecked(target.ex, script)).split('\n').map((l) => l.trim());
  return {
    javaHome: javaHome || undefined,
    zookeeperHome: zookeeperHome || undefined,
    pathJavaHome: pathJavaHome || undefined,
    system,
    freeMiB: free && /^\d+$/.test(free) ? Number(free) : undefined,
    addressIsLocal: local === 'local',
  };
}
