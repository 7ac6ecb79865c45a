/**
 * Finding ZooKeeper servers that zkops did not set up, on one host, in one
 * round trip: the running QuorumPeerMain processes (their command line names
 * their config), the configs given, and the usual places
 * ($ZOOKEEPER_HOME/conf, /etc/zookeeper/conf, /opt/.../conf, /usr/local/.../conf).
 * For each config: its text, its node's myid as bytes (a BOM or a stray space
 * shows), the pid file, and what the node's own zkEnv.sh would run it with
 * (asked of a login shell, as an operator's `zkServer.sh start` would).
 */
import path from 'node:path';
import type { Executor } from '../executors/types.js';
import { execChecked } from '../executors/helpers.js';
import { sh } from '../shell.js';
import { asLogin, loginExports } from '../hosts/login-env.js';
import { LIST_ZK_PROCESSES, parseZkProcesses } from '../hosts/processes.js';
import type { ZkProcess } from '../runtime/types.js';
import { cfgValue, parseZooCfg, type ZooCfg } from '../zookeeper/zoo-cfg.js';

/** What zkServer.sh would start a server with, as its zkEnv.sh and a login shell say. */
export interface ServerEnvironment {
  /** JAVA_HOME after the login profile, zookeeper-env.sh and java.env. */
  javaHome?: string;
  /** The java zkServer.sh would run. */
  java?: string;
  logDir?: string;
  /** zkEnv.sh refused (its own words), e.g. "JAVA_HOME is not set and java could not be found in PATH". */
  error?: string;
  /** What a non-login command (ssh HOST cmd, cron) sees: JAVA_HOME and the java on PATH. */
  plain: { javaHome?: string; java?: string };
  /** What a login shell sees. */
  login: { javaHome?: string; java?: string };
  /** Files that set JAVA_HOME, with the line: /etc/profile.d/*.sh, conf/java.env, conf/zookeeper-env.sh. */
  javaHomeSetIn: { file: string; line: number; value: string }[];
}

/** A server found on a host. */
export interface FoundServer {
  cfg: ZooCfg;
  /** The release it belongs to (the directory above bin/ and conf/), when zkServer.sh is there. */
  home?: string;
  binDir?: string;
  dataDir?: string;
  /** myid's bytes as hex (undefined: no myid). */
  myidHex?: string;
  pidFile: string;
  pidFileText?: string;
  /** Its data directory holds ZooKeeper data (version-2). */
  hasData: boolean;
  /**
   * 3.5+ with dynamicConfigFile: that file, whose server list (the members after any reconfig) replaced the
   * static one in `cfg.servers`; `missing` when zoo.cfg names a file that is not there.
   */
  dynamic?: { file: string; missing?: boolean };
  env: ServerEnvironment;
  process?: ZkProcess;
}

/** Everything found on one host. */
export interface HostScan {
  servers: FoundServer[];
  /** Every live QuorumPeerMain, whether or not its config was found. */
  processes: ZkProcess[];
}

const MARK = '@@zkops-scan';

/** The usual places of hand-made installs, as shell globs. */
const USUAL = [
  '"$ZOOKEEPER_HOME"/conf/zoo*.cfg',
  '/etc/zookeeper/conf/zoo*.cfg',
  '/opt/*/conf/zoo*.cfg',
  '/opt/*/*/conf/zoo*.cfg',
  '/usr/local/*/conf/zoo*.cfg',
  '/usr/local/*/*/conf/zoo*.cfg',
];

/** Scans a host; `given`: config paths the operator named (absolute). `usual`: also look in the usual places. */
export async function scanHost(ex: Executor, given: string[], usual: boolean): Promise<HostScan> {
  // What a login shell sees, read once per host and command (not once per config found).
  const login = await loginExports(ex);
  const script = [
    `echo ${MARK}-processes`,
    LIST_ZK_PROCESSES,
    // This host's own servers: those in its network namespace (a container's, or a test host's neighbour's, are not).
    `echo ${MARK}-here`,
    `me=$(readlink /proc/self/ns/net); for c in $(grep -a -l -F QuorumPeerMain /proc/[0-9]*/cmdline 2>/dev/null); do ` +
      `d=\${c%/cmdline}; [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$me" ] && printf '%s ' "\${d#/proc/}"; done; echo`,
    `echo ${MARK}-configs`,
    // Every candidate config, as a canonical path, once: given, named by a process, usual places.
    `{ for f in ${given.map(sh).join(' ')} ${usual ? USUAL.join(' ') : ''}; do printf '%s\\n' "$f"; done`,
    `  grep -a -H -F QuorumPeerMain /proc/[0-9]*/cmdline 2>/dev/null | while IFS= read -r l; do`,
    `    d=\${l%%/cmdline:*}; [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] || continue`,
    `    c=$(tr '\\0' '\\n' < "$d/cmdline" 2>/dev/null | tail -n 1)`,
    `    case "$c" in /*) printf '%s\\n' "$c";; ` +
      `*.cfg) printf '%s/%s\\n' "$(cd "$d/cwd" 2>/dev/null && pwd -P)" "$c";; esac`,
    '  done; } | while IFS= read -r f; do ' +
      '[ -f "$f" ] && printf \'%s/%s\\n\' "$(cd "${f%/*}" && pwd -P)" "${f##*/}"; done | sort -u |',
    'while IFS= read -r f; do',
    `  echo "${MARK}-cfg $f"; cat "$f"; echo; echo "${MARK}-details"`,
    `  d=$(sed -n 's/^[[:space:]]*dataDir[[:space:]]*[=:][[:space:]]*//p' "$f" | tail -n 1 | sed 's/[[:space:]]*$//')`,
    '  printf \'myid\\t\'; [ -f "$d/myid" ] && od -An -tx1 -v "$d/myid" | tr -d \' \\n\'; echo',
    '  printf \'pid\\t\'; cat "$d/zookeeper_server.pid" 2>/dev/null | head -c 64; echo',
    '  [ -d "$d/version-2" ] && printf \'data\\tyes\\n\'',
    // The dynamic configuration (3.5+): ZooKeeper rewrites its name in zoo.cfg on every reconfig.
    `  y=$(sed -n 's/^[[:space:]]*dynamicConfigFile[[:space:]]*[=:][[:space:]]*//p' "$f" | tail -n 1 | ` +
      `sed 's/[[:space:]]*$//'); case "$y" in ''|/*) ;; *) y="\${f%/*}/$y";; esac`,
    `  [ -n "$y" ] && { printf 'dynfile\\t%s\\n' "$y"; [ -f "$y" ] && { sed 's/^/dyn\\t/' "$y"; echo; }; }`,
    '  c=${f%/*}; h=${c%/*}; b=$h/bin; ' +
      '[ "$c" = /etc/zookeeper/conf ] && [ -x /usr/share/zookeeper/bin/zkServer.sh ] && b=/usr/share/zookeeper/bin',
    '  [ -f "$b/zkServer.sh" ] && printf \'bin\\t%s\\n\' "$b"',
    // Who sets JAVA_HOME where: the login profile, and the node's own env files.
    `  for e in /etc/profile.d/*.sh "$c/java.env" "$c/zookeeper-env.sh"; do ` +
      `[ -f "$e" ] && grep -n 'JAVA_HOME=' "$e" | sed "s|^|set\\t$e\\t|"; done 2>/dev/null`,
    `  printf 'plain\\t%s\\t%s\\n' "$JAVA_HOME" "$(command -v java)"`,
    `  printf 'login\\t%s\\n' "$(${asLogin(login, `'printf "%s\\t%s" "$JAVA_HOME" "$(command -v java)"'`)} ` +
      `2>/dev/null </dev/null | tail -n 1)"`,
    // zkEnv.sh in a login shell, as `zkServer.sh start` typed by an operator would run it.
    '  if [ -f "$b/zkEnv.sh" ]; then',
    `    o=$(${asLogin(
      login,
      `'ZOOBINDIR="$1"; ZOOCFGDIR="$2"; . "$1/zkEnv.sh" >/dev/null; ` +
        `printf "\\n${MARK}-env\\t%s\\t%s\\t%s\\n" "$JAVA_HOME" "$JAVA" "$ZOO_LOG_DIR"'`,
      '"$b" "$c"',
    )} 2>&1 </dev/null)`,
    `    case "$o" in *"${MARK}-env"*) printf '%s\\n' "$o" | grep "^${MARK}-env" | sed 's/^[^\\t]*\\t/env\\t/';; ` +
      `*) printf 'enverr\\t%s\\n' "$(printf '%s' "$o" | tail -n 1)";; esac`,
    '  fi',
    'done',
    'true',
  ].join('\n');
  const out = await execChecked(ex, script, { timeoutMs: 60_000 });
  const here = new Set(section(out, `${MARK}-here`, `${MARK}-configs`).trim().split(' ').map(Number));
  const processes = parseZkProcesses(section(out, `${MARK}-processes`, `${MARK}-here`)).filter((p) => here.has(p.pid));
  const named = new Set(given.map((g) => path.posix.normalize(g)));
  const servers = out
    .split(`${MARK}-cfg `)
    .slice(1)
    .map((chunk) => parseChunk(chunk, processes))
    // A config in a usual place counts when it is a server's: named, running, in an ensemble, or with data
    // (Debian's unused example config, say, does not).
    .filter(
      (s) => named.has(s.cfg.file) || s.process || s.cfg.servers.length > 0 || s.hasData || s.myidHex !== undefined,
    );
  return { servers, processes };
}

function section(out: string, from: string, to: string): string {
  const a = out.indexOf(`${from}\n`);
  const b = out.indexOf(`${to}\n`);
  return a < 0 ? '' : out.slice(a + from.length + 1, b < 0 ? undefined : b);
}

function parseChunk(chunk: string, processes: ZkProcess[]): FoundServer {
  const file = chunk.slice(0, chunk.indexOf('\n'));
  const [text = '', details = ''] = chunk.slice(file.length + 1).split(`${MARK}-details\n`);
  const cfg = parseZooCfg(text.replace(/\n$/, ''), file);
  const fields = details.split('\n').map((l) => l.split('\t'));
  const one = (k: string) => fields.find((f) => f[0] === k);
  const dataDir = cfgValue(cfg, 'dataDir');
  const bin = one('bin')?.[1];
  const env: ServerEnvironment = {
    plain: { javaHome: one('plain')?.[1] || undefined, java: one('plain')?.[2] || undefined },
    login: { javaHome: one('login')?.[1] || undefined, java: one('login')?.[2] || undefined },
    javaHomeSetIn: fields
      .filter((f) => f[0] === 'set')
      .map((f) => {
        const [line = '0', ...rest] = (f[2] ?? '').split(':');
        return {
          file: f[1] ?? '',
          line: Number(line),
          value: rest
            .join(':')
            .replace(/^.*JAVA_HOME=/, '')
            .replace(/^["']|["']$/g, ''),
        };
      }),
  };
  const e = one('env');
  if (e) Object.assign(env, { javaHome: e[1] || undefined, java: e[2] || undefined, logDir: e[3] || undefined });
  const err = one('enverr');
  if (err)
    env.error = err
      .slice(1)
      .join('\t')
      .replace(/^Error:\s*/, '');
  // Where zoo.cfg names a dynamic file, its server list is the membership (ZooKeeper reads no other).
  const dynFile = one('dynfile')?.[1];
  let dynamic: FoundServer['dynamic'];
  if (dynFile) {
    const lines = fields.filter((f) => f[0] === 'dyn').map((f) => f.slice(1).join('\t'));
    const dyn = parseZooCfg(lines.join('\n'), dynFile);
    dynamic = { file: dynFile, ...(lines.length ? {} : { missing: true }) };
    if (dyn.servers.length) cfg.servers = dyn.servers;
  }
  return {
    cfg,
    ...(dynamic ? { dynamic } : {}),
    binDir: bin,
    home: bin ? path.posix.dirname(bin) : undefined,
    dataDir,
    myidHex: one('myid')?.[1] || undefined,
    pidFile: path.posix.join(dataDir ?? '.', 'zookeeper_server.pid'),
    pidFileText: one('pid')?.[1]?.trim() || undefined,
    hasData: one('data')?.[1] === 'yes',
    env,
    process: processes.find((p) => samePath(p.config, file)),
  };
}

/** Paths equal once `..` and `.` are resolved (zkServer.sh names configs as bin/../conf/zoo.cfg). */
export function samePath(a: string, b: string): boolean {
  return path.posix.normalize(a) === path.posix.normalize(b);
}

/**
 * myid as ZooKeeper reads it: the first line, parsed as a number with nothing
 * trimmed (QuorumPeerConfig: Long.parseLong(readLine())), so a byte-order mark
 * or a space makes the server refuse to start ("serverid ... is not a number").
 */
export function readMyid(hex: string | undefined): { id?: number; text?: string; problem?: string } {
  if (hex === undefined) return { problem: 'is missing' };
  const bytes = Buffer.from(hex, 'hex');
  const text = bytes.toString('utf8');
  const first = text.split(/\r?\n|\r/)[0] ?? '';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text, problem: 'starts with a UTF-8 byte-order mark (bytes EF BB BF, from an editor that adds one)' };
  if (/^\d+$/.test(first)) return { id: Number(first), text };
  const shown = JSON.stringify(first).slice(0, 30);
  if (first.trim() && /^\d+$/.test(first.trim()))
    return { text, problem: `has spaces around the number (first line ${shown})` };
  return { text, problem: first ? `is not a number (first line ${shown})` : 'has an empty first line' };
}
