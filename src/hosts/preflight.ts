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
import { findZookeeper } from '../distribution/zookeeper.js';
import type { JdkArchive } from '../distribution/jdk.js';
import { javaPackagePlan, type JavaPackagePlan, type PackageManager } from '../distribution/java-package.js';
import { tarballInstall, type Tarball } from '../distribution/tarball.js';
import { checkJavaFits, findJava, JAVA_ON_PATH, type JavaInstall } from '../distribution/java.js';
import { LIST_ZK_PROCESSES, nodeProcesses, parseZkProcesses, type ZkProcess } from './processes.js';
import { assertPortsFree, noSs, parseSsListeners, type Listener } from './ports.js';
import { forEachTarget, type HostTarget } from './targets.js';
import { execChecked } from '../executors/helpers.js';
import { sh } from '../shell.js';
import { userCacheDir } from '../user-cache.js';

/** Options for preflight. */
export interface PreflightOptions {
  checkPorts: boolean;
  /** A release tarball to install (its place on the host replaces the ZooKeeper search). */
  tarball?: Tarball;
  /** A Java runtime to ship (its place on the host replaces the Java search; it is run once installed). */
  jdk?: JdkArchive;
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
  target: HostTarget;
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
}

/** Checks every host; throws one PreflightError naming every problem. */
export async function preflight(
  spec: ClusterSpec,
  targets: HostTarget[],
  options: PreflightOptions,
): Promise<HostState[]> {
  const results = await forEachTarget(targets, spec.ssh.concurrency, (t) => preflightHost(spec, t, options));
  const problems = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${targets[i]!.host.name}: ${(r.reason as Error).message}`] : [],
  );
  if (problems.length > 0) {
    throw new PreflightError(
      problems.length === 1
        ? `Preflight failed; nothing was written or started.\n  ${problems[0]}`
        : `Preflight failed on ${problems.length} checks; nothing was written or ` +
            `started:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return results.map((r) => (r as PromiseFulfilledResult<HostState>).value);
}

async function preflightHost(spec: ClusterSpec, target: HostTarget, options: PreflightOptions): Promise<HostState> {
  const { ex, host, nodes } = target;
  const env = await readHostEnvironment(spec, target, options);
  if (!/^Linux /.test(env.system)) {
    throw new PreflightError(
      `${ex.label} runs ${env.system || 'an unknown system'}; zkops manages ZooKeeper on Linux hosts only.`,
    );
  }
  if (env.freeMiB !== undefined && env.freeMiB < MIN_FREE_MIB) {
    throw new PreflightError(
      `${ex.label} has only ${env.freeMiB} MiB free for ${target.nodes[0]?.dir}; a node needs at least ` +
        `${MIN_FREE_MIB} MiB (release, logs, snapshots). Free some space or point dir elsewhere.`,
    );
  }
  // Independent look-ups run together: java -version alone costs a JVM start.
  const [zk, found] = await Promise.all([
    options.tarball
      ? Promise.resolve(tarballInstall(spec.dir, options.tarball))
      : findZookeeper(ex, spec.zookeeper.home, env.zookeeperHome),
    options.jdk
      ? Promise.resolve<JavaInstall>({
          home: path.posix.join(spec.dir, options.jdk.topDir),
          major: options.jdk.major,
          source: 'inventory',
        })
      : findJava(ex, spec.java.home, env.javaHome, env.pathJavaHome, {
          record: javaRecordPath(spec, target.remote),
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
  } else java = found;
  const processes = nodeProcesses(env.zkProcesses, nodes);
  const bindAll = host.bindAll === 'auto' ? !env.addressIsLocal : host.bindAll;
  if (spec.zookeeper.version && spec.zookeeper.version !== zk.version) {
    throw new PreflightError(
      `the inventory asks for ZooKeeper ${spec.zookeeper.version} but ${zk.home} on ${ex.label} is ${zk.version}; ` +
        `change zookeeper.version or zookeeper.home`,
    );
  }
  checkJavaFits(java, zk.version, ex.label);
  if (target.remote && env.uid !== 0 && !env.writable) {
    throw new PreflightError(
      `${env.login} on ${ex.label} cannot write ${env.installParent}, where ${target.nodes[0]?.dir} would be ` +
        `created. Set ssh.sudo: true (with passwordless sudo for ${env.login}), ` +
        `or choose a dir that ${env.login} can write (under its home, say).`,
    );
  }
  const { systemd, user } = decideService(spec, target, env);
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
    target,
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
    root: env.uid === 0,
  };
}

/** The account servers default to when zkops has root on the host. */
export const DEFAULT_SERVICE_USER = 'zookeeper';

/**
 * How nodes run on an SSH host: as systemd units where systemd runs and zkops
 * has root (or where the inventory insists), else the supervised start; and
 * as which account (never root by default: the service user is created when
 * missing). Local pseudo-clusters run as the caller, without systemd.
 */
function decideService(
  spec: ClusterSpec,
  target: HostTarget,
  env: HostEnvironment,
): { systemd: boolean; user?: string } {
  if (!target.remote) return { systemd: false };
  const label = target.ex.label;
  const root = env.uid === 0;
  const wanted = spec.service.systemd;
  if (wanted === true && !env.systemd) {
    throw new PreflightError(
      `service.systemd is true, but systemd does not run on ${label} (no /run/systemd/system). Set service.systemd ` +
        `to auto to use zkops's supervised start there.`,
    );
  }
  if (wanted === true && !root) {
    throw new PreflightError(
      `service.systemd is true, but ${label} logs in as ${env.login} without root, so zkops cannot install units. ` +
        `Use ssh.user root or ssh.sudo: true, or set service.systemd to auto.`,
    );
  }
  const systemd = wanted === 'auto' ? env.systemd && root : wanted;
  if (!systemd && env.systemd && env.units.length > 0) {
    throw new PreflightError(
      `${label} runs this cluster's nodes as systemd units (${env.units.join(', ')}), but this run would start ` +
        `them without systemd (service.systemd: ${wanted}${root ? '' : `, and ${env.login} has no root`}). ` +
        `Nothing was changed. To leave systemd: zkops stop, then on the host systemctl disable ` +
        `${env.units.join(' ')} and remove them from /etc/systemd/system; or set service.systemd back to auto.`,
    );
  }
  const account = spec.service.user ?? (root ? DEFAULT_SERVICE_USER : env.login);
  if (account === env.login) return { systemd };
  if (!root) {
    throw new PreflightError(
      `service.user is ${account}, but ${label} logs in as ${env.login} without root, so zkops cannot run servers ` +
        `as another account. Use ssh.user root or ssh.sudo: true, or remove service.user to run them as ${env.login}.`,
    );
  }
  if (env.account === 'none') {
    throw new PreflightError(
      `the account ${account} does not exist on ${label} and there is no useradd to create it. Create it yourself ` +
        `(a system account, no login), or set service.user to an existing one.`,
    );
  }
  if (env.closedDirs.length > 0) {
    throw new PreflightError(
      `the servers would run as ${account}, which cannot enter ${env.closedDirs.join(', ')} (not searchable by ` +
        `other accounts) on the way to ${target.nodes[0]?.dir}. ` +
        `Install elsewhere (dir; the default is /opt/zookeeper), or open the directory (chmod o+x), or set ` +
        `service.user: root (not recommended).`,
    );
  }
  if (!systemd && !env.setpriv) {
    throw new PreflightError(
      `${label} has no setpriv (util-linux), which zkops needs to start servers as ${account} without systemd. ` +
        `Install util-linux, or set service.user: root to run them as root (not recommended).`,
    );
  }
  return { systemd, user: account };
}

/** What one command learns about a host's environment. */
interface HostEnvironment {
  /** The host's package manager, if one zkops can drive. */
  packageManager?: PackageManager;
  /** Who commands run as: uid (0 with ssh.sudo) and name. */
  uid: number;
  login: string;
  /** systemd runs (sd_booted: /run/systemd/system exists) and systemctl is there. */
  systemd: boolean;
  /** This cluster's units already installed on the host. */
  units: string[];
  setpriv: boolean;
  /** The service account: exists, can be created (useradd), or neither. */
  account: 'exists' | 'create' | 'none';
  /** Directories above the install root that other accounts cannot enter. */
  closedDirs: string[];
  /** The install root's nearest existing directory, and whether the login may write there. */
  installParent: string;
  writable: boolean;
  /** Every live QuorumPeerMain on the host. */
  zkProcesses: ZkProcess[];
  /** Listening TCP sockets (undefined: the host has no ss); only when ports are checked. */
  listeners?: Listener[];
  /** Per node: its myid, whether its data directory holds data, and the server lines of its zoo.cfg. */
  nodes: Map<number, { myid?: string; hasData: boolean; snapshots: boolean; txnLogs: boolean; servers: string }>;
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

/** Marks between the parts of the host look-up's output. */
const SECTION = {
  processes: '@@zkops-processes',
  listeners: '@@zkops-listeners',
  noSs: '@@zkops-no-ss',
  nodes: '@@zkops-nodes',
} as const;

/** Free space a node needs at the least: the release, logs and the first snapshots. */
export const MIN_FREE_MIB = 512;

/** JAVA_HOME, ZOOKEEPER_HOME, the java on PATH and whether the address is local: one round trip. */
async function readHostEnvironment(
  spec: ClusterSpec,
  target: HostTarget,
  options: PreflightOptions,
): Promise<HostEnvironment> {
  const addr = target.host.address;
  const loopback = /^127\./.test(addr) || addr === 'localhost' || addr === '::1';
  // Process starts are the dear part on small hosts: loops use shell built-ins only.
  const script = [
    'printf "%s\\n" "$JAVA_HOME" "$ZOOKEEPER_HOME"',
    JAVA_ON_PATH,
    'uname -sm',
    // The install root may not exist yet: its nearest existing ancestor ($d) is measured and walked.
    `d=${sh(target.nodes[0]?.dir ?? '/')}; while [ -n "$d" ] && [ ! -d "$d" ]; do d=\${d%/*}; done; [ -n "$d" ] || d=/`,
    `df -Pm "$d" | { read -r _; read -r _ _ _ a _; echo "$a"; }`,
    'printf "%s\\n" "$d"; [ -w "$d" ] && echo writable || echo readonly',
    loopback
      ? 'echo local'
      : `a=${sh(addr)}; case "$a" in *[!0-9.]*) a=$(getent ahostsv4 "$a" | head -n1 | cut -d' ' -f1);; esac; ip -o ` +
        `addr show | grep -qF " $a/" && echo local || echo remote`,
    'id',
    '[ -d /run/systemd/system ] && command -v systemctl >/dev/null && echo systemd || echo none',
    `for f in ${sh(`/etc/systemd/system/zookeeper-${spec.name}-`)}*.service; do [ -f "$f" ] && printf '%s ' ` +
      `"\${f##*/}"; done; echo`,
    'command -v setpriv >/dev/null && echo setpriv || echo none',
    `u=${sh(spec.service.user ?? DEFAULT_SERVICE_USER)}; if getent passwd "$u" >/dev/null; then echo exists; elif ` +
      `command -v useradd >/dev/null; then echo create; else echo none; fi`,
    // Directories from there up to / that other accounts cannot enter (a home directory, mode 700, say).
    `set --; p=$d; while :; do set -- "$@" "$p"; [ "$p" = / ] && break; p=\${p%/*}; [ -n "$p" ] || p=/; done`,
    `stat -c '%A %n' "$@" | while read -r m n; do case "$m" in *[xt]) ;; *) printf '%s ' "$n";; esac; done; echo`,
    // For java.install: package: the package manager (shell built-ins only).
    'for m in apt-get dnf zypper; do command -v $m >/dev/null && { echo $m; break; }; done || echo none',
    // In the same round trip: this host's ZooKeeper processes, its listening sockets, each node's myid.
    `echo ${SECTION.processes}`,
    LIST_ZK_PROCESSES,
    `echo ${SECTION.listeners}`,
    options.checkPorts ? `if command -v ss >/dev/null; then ss -Hltnp; else echo ${SECTION.noSs}; fi` : '',
    `echo ${SECTION.nodes}`,
    // Per node, with built-ins only: "id<TAB>myid<TAB>data|none", then "id<TAB>key=value" lines of its zoo.cfg.
    // (A myid written without a final newline still counts.)
    ...target.nodes.map(
      (n) =>
        `m=; { read -r m || [ -n "$m" ]; } 2>/dev/null < ${sh(path.join(n.dataDir, 'myid'))}; ` +
        `[ -d ${sh(path.join(n.dataDir, 'version-2'))} ] && d=data || d=none; ` +
        // Snapshots and transaction logs (3.5+ refuses logs without a snapshot).
        `s=no; for f in ${sh(path.join(n.dataDir, 'version-2'))}/snapshot.*; do [ -e "$f" ] && s=yes; break; done; ` +
        `l=no; for f in ${sh(path.join(n.dataLogDir ?? n.dataDir, 'version-2'))}/log.*; ` +
        `do [ -e "$f" ] && l=yes; break; done; ` +
        `printf '%s\t%s\t%s\t%s\t%s\n' ${n.id} "$m" "$d" "$s" "$l"; ` +
        // The membership, and where TLS and quorum SASL stand (security/levels.ts).
        `while IFS= read -r l; do case "$l" in server.*|clientPort=*|secureClientPort=*|sslQuorum=*|` +
        `ssl.keyStore.location=*|quorum.auth.*) printf '%s\t%s\n' ${n.id} "$l";; esac; done 2>/dev/null < ` +
        // The config its server runs with: the one a pending restart recorded, else the file.
        `"$([ -f ${sh(restartPendingPath(n))} ] && echo ${sh(restartPendingPath(n))} || echo ${sh(n.zooCfg)})"`,
    ),
    'true',
  ].join('\n');
  const all = await execChecked(target.ex, script);
  const cut = (from: string, to?: string) =>
    all.slice(all.indexOf(`${from}\n`) + from.length + 1, to ? all.indexOf(`${to}\n`) : undefined);
  const listenersOut = cut(SECTION.listeners, SECTION.nodes);
  const nodes = new Map<
    number,
    { myid?: string; hasData: boolean; snapshots: boolean; txnLogs: boolean; servers: string }
  >();
  for (const line of cut(SECTION.nodes).split('\n').filter(Boolean)) {
    const [id = '', a = '', b, snap, logs] = line.split('\t');
    const n = Number(id);
    if (b !== undefined)
      nodes.set(n, {
        myid: a.trim() || undefined,
        hasData: b === 'data',
        snapshots: snap === 'yes',
        txnLogs: logs === 'yes',
        servers: '',
      });
    else if (nodes.has(n)) nodes.get(n)!.servers += `${a}\n`;
  }
  const [
    javaHome,
    zookeeperHome,
    pathJavaHome,
    system = '',
    free,
    installParent = '/',
    writable,
    local,
    id = '',
    systemd,
    units = '',
    setpriv,
    account,
    closed = '',
    packageManager = '',
  ] = all
    .slice(0, all.indexOf(`${SECTION.processes}\n`))
    .split('\n')
    .map((l) => l.trim());
  const [, uid = '', login = ''] = /uid=(\d+)\(([^)]*)\)/.exec(id) ?? [];
  return {
    uid: Number(uid),
    login,
    systemd: systemd === 'systemd',
    units: units.split(' ').filter(Boolean),
    setpriv: setpriv === 'setpriv',
    account: account === 'exists' || account === 'create' ? account : 'none',
    closedDirs: closed.split(' ').filter(Boolean),
    packageManager: ['apt-get', 'dnf', 'zypper'].includes(packageManager)
      ? (packageManager as PackageManager)
      : undefined,
    installParent,
    writable: writable === 'writable',
    zkProcesses: parseZkProcesses(cut(SECTION.processes, SECTION.listeners)),
    listeners: options.checkPorts && !listenersOut.includes(SECTION.noSs) ? parseSsListeners(listenersOut) : undefined,
    nodes,
    javaHome: javaHome || undefined,
    zookeeperHome: zookeeperHome || undefined,
    pathJavaHome: pathJavaHome || undefined,
    system,
    freeMiB: free && /^\d+$/.test(free) ? Number(free) : undefined,
    addressIsLocal: local === 'local',
  };
}
