/**
 * The host probe: one shell round trip that tells preflight everything it
 * needs about a host (system, free space, accounts, systemd, Java and
 * ZooKeeper hints, processes, listening ports, each node's data). Single
 * values come back as `key=value` lines and are read by key; the lists
 * (processes, sockets, nodes) follow in marked sections.
 */
import path from 'node:path';
import type { ClusterSpec } from '../inventory/spec.js';
import { PACKAGE_JAVA_HOMES, type PackageManager } from '../distribution/java-package.js';
import { JAVA_ON_PATH } from '../distribution/java.js';
import { execChecked } from '../executors/helpers.js';
import { sh } from '../shell.js';
import { restartPendingPath } from '../render/node.js';
import { LIST_ZK_PROCESSES, listZkProcesses, parseZkProcesses, type ZkProcess } from './processes.js';
import { parseSsListeners, type Listener } from './ports.js';
import type { HostPlace } from './places.js';
import { parseEphemeralPorts, type EphemeralPorts } from './ephemeral-ports.js';

/** What one command learns about a host's environment. */
export interface HostEnvironment {
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
  nodes: Map<number, ProbedNode>;
  javaHome?: string;
  zookeeperHome?: string;
  pathJavaHome?: string;
  /** java.install: package: the package managers' Java homes that exist there, each with its real path. */
  packageJavaHomes: Map<string, string>;
  /** The host's address is on one of its own interfaces (false: it is reached through NAT). */
  addressIsLocal: boolean;
  /** `uname -sm`, e.g. "Linux x86_64". */
  system: string;
  /** Free space (MiB) on the file system that will hold the install root. */
  freeMiB?: number;
  /** The ports the kernel hands to outgoing connections, and those reserved from it (Linux). */
  ephemeralPorts?: EphemeralPorts;
}

/** Marks between the parts of the host look-up's output. */
const SECTION = {
  processes: '@@zkops-processes',
  listeners: '@@zkops-listeners',
  noSs: '@@zkops-no-ss',
  nodes: '@@zkops-nodes',
} as const;

/** What the probe looks at besides the host itself. */
export interface ProbeOptions {
  /** List the listening sockets (for the port check). */
  checkPorts: boolean;
  /** The account servers would run as: whether it exists, or can be created, is asked. */
  serviceUser: string;
}

/** Per node, as the probe found it: its myid, whether it holds data, and the server lines of its zoo.cfg. */
export interface ProbedNode {
  myid?: string;
  hasData: boolean;
  snapshots: boolean;
  txnLogs: boolean;
  servers: string;
}

/**
 * The probe script: each single value as one `key=value` line (printf's key, then the command that prints the
 * value and its newline: no extra process), then the sections. Process starts are the dear part on small hosts:
 * loops use shell built-ins only.
 */
export function hostProbeScript(spec: ClusterSpec, place: HostPlace, options: ProbeOptions): string {
  const addr = place.host.address;
  const loopback = /^127\./.test(addr) || addr === 'localhost' || addr === '::1';
  return [
    `printf 'javaHome=%s\\nzookeeperHome=%s\\n' "$JAVA_HOME" "$ZOOKEEPER_HOME"`,
    `printf 'pathJavaHome='; ${JAVA_ON_PATH}`,
    `printf 'system='; uname -sm`,
    // cat, not the shell's read: a sysctl file cannot be read byte by byte, as read does.
    `printf 'ephemeral='; cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo`,
    `printf 'reservedPorts='; cat /proc/sys/net/ipv4/ip_local_reserved_ports 2>/dev/null || echo`,
    // The install root may not exist yet: its nearest existing ancestor ($d) is measured and walked.
    `d=${sh(place.nodes[0]?.dir ?? '/')}; while [ -n "$d" ] && [ ! -d "$d" ]; do d=\${d%/*}; done; [ -n "$d" ] || d=/`,
    `printf 'freeMiB='; df -Pm "$d" | { read -r _; read -r _ _ _ a _; echo "$a"; }`,
    `printf 'installParent=%s\\nwritable=' "$d"; [ -w "$d" ] && echo yes || echo no`,
    loopback
      ? 'echo address=local'
      : `printf 'address='; a=${sh(addr)}; case "$a" in *[!0-9.]*) a=$(getent ahostsv4 "$a" | head -n1 | cut -d' ' ` +
        `-f1);; esac; ip -o addr show | grep -qF " $a/" && echo local || echo remote`,
    `printf 'id='; id`,
    `printf 'systemd='; [ -d /run/systemd/system ] && command -v systemctl >/dev/null && echo yes || echo no`,
    `printf 'units='; for f in ${sh(`/etc/systemd/system/zookeeper-${spec.name}-`)}*.service; do [ -f "$f" ] && ` +
      `printf '%s ' "\${f##*/}"; done; echo`,
    `printf 'setpriv='; command -v setpriv >/dev/null && echo yes || echo no`,
    `printf 'account='; u=${sh(options.serviceUser)}; if getent passwd "$u" >/dev/null; then ` +
      `echo exists; elif command -v useradd >/dev/null; then echo create; else echo none; fi`,
    // Directories from there up to / that other accounts cannot enter (a home directory, mode 700, say).
    `set --; p=$d; while :; do set -- "$@" "$p"; [ "$p" = / ] && break; p=\${p%/*}; [ -n "$p" ] || p=/; done`,
    `printf 'closedDirs='; stat -c '%A %n' "$@" | while read -r m n; do case "$m" in *[xt]) ;; *) printf '%s ' ` +
      `"$n";; esac; done; echo`,
    // For java.install: package: the package manager (shell built-ins only).
    `printf 'packageManager='; for m in apt-get dnf zypper; do command -v $m >/dev/null && { echo $m; break; }; ` +
      `done || echo none`,
    // ... and where its Java lands, if it is there already (installed by an earlier deploy): "home>real path".
    spec.java.install === 'package'
      ? `printf 'packageJavaHomes='; for d in ${PACKAGE_JAVA_HOMES.map(sh).join(' ')}; do [ -x "$d/bin/java" ] && ` +
        `printf '%s>%s ' "$d" "$(readlink -f "$d")"; done; echo`
      : '',
    // In the same round trip: this host's ZooKeeper processes (this machine's are read from /proc directly), its
    // listening sockets, each node's myid.
    `echo ${SECTION.processes}`,
    place.remote ? LIST_ZK_PROCESSES : '',
    `echo ${SECTION.listeners}`,
    options.checkPorts ? `if command -v ss >/dev/null; then ss -Hltnp; else echo ${SECTION.noSs}; fi` : '',
    `echo ${SECTION.nodes}`,
    // Per node, with built-ins only: "id<TAB>myid<TAB>data|none<TAB>snapshots<TAB>logs", then "id<TAB>key=value"
    // lines of its zoo.cfg. (A myid written without a final newline still counts.)
    ...place.nodes.map(
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
}

/** The host's environment: the probe run on `place`, its answer parsed. */
export async function readHostEnvironment(
  spec: ClusterSpec,
  place: HostPlace,
  options: ProbeOptions,
): Promise<HostEnvironment> {
  const env = parseHostProbe(await execChecked(place.ex, hostProbeScript(spec, place, options)), options);
  return place.remote ? env : { ...env, zkProcesses: await listZkProcesses(place.ex) };
}

/** Reads the probe's answer: single values by key (an unknown or missing key is ignored), then the sections. */
export function parseHostProbe(all: string, options: { checkPorts: boolean }): HostEnvironment {
  const cut = (from: string, to?: string) => {
    const at = all.indexOf(`${from}\n`);
    if (at < 0) return '';
    return all.slice(at + from.length + 1, to && all.includes(`${to}\n`) ? all.indexOf(`${to}\n`) : undefined);
  };
  const head = all.includes(`${SECTION.processes}\n`) ? all.slice(0, all.indexOf(`${SECTION.processes}\n`)) : all;
  const values = new Map<string, string>();
  for (const line of head.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const value = (key: string) => values.get(key) ?? '';
  const listenersOut = cut(SECTION.listeners, SECTION.nodes);
  const [, uid = '', login = ''] = /uid=(\d+)\(([^)]*)\)/.exec(value('id')) ?? [];
  const account = value('account');
  const packageManager = value('packageManager');
  const free = value('freeMiB');
  return {
    uid: Number(uid),
    login,
    systemd: value('systemd') === 'yes',
    units: value('units').split(' ').filter(Boolean),
    setpriv: value('setpriv') === 'yes',
    account: account === 'exists' || account === 'create' ? account : 'none',
    closedDirs: value('closedDirs').split(' ').filter(Boolean),
    packageManager: ['apt-get', 'dnf', 'zypper'].includes(packageManager)
      ? (packageManager as PackageManager)
      : undefined,
    installParent: value('installParent') || '/',
    writable: value('writable') === 'yes',
    zkProcesses: parseZkProcesses(cut(SECTION.processes, SECTION.listeners)),
    listeners: options.checkPorts && !listenersOut.includes(SECTION.noSs) ? parseSsListeners(listenersOut) : undefined,
    nodes: parseProbedNodes(cut(SECTION.nodes)),
    javaHome: value('javaHome') || undefined,
    zookeeperHome: value('zookeeperHome') || undefined,
    pathJavaHome: value('pathJavaHome') || undefined,
    packageJavaHomes: new Map(
      value('packageJavaHomes')
        .split(' ')
        .filter((pair) => pair.includes('>'))
        .map((pair) => pair.split('>', 2) as [string, string]),
    ),
    system: value('system'),
    freeMiB: /^\d+$/.test(free) ? Number(free) : undefined,
    addressIsLocal: value('address') === 'local',
    ephemeralPorts: parseEphemeralPorts(value('ephemeral'), value('reservedPorts')),
  };
}

/** The nodes section: "id<TAB>myid<TAB>data<TAB>snapshots<TAB>logs", then "id<TAB>zoo.cfg line" lines. */
function parseProbedNodes(section: string): Map<number, ProbedNode> {
  const nodes = new Map<number, ProbedNode>();
  for (const line of section.split('\n').filter(Boolean)) {
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
  return nodes;
}
