/**
 * What the doctor learns about each node where it lives, in one command per
 * node (and one login-shell read per host, hosts/login-env.ts): its zoo.cfg
 * (parsed, with lines), myid as bytes, the pid file,
 * the Java its start script would use (asked of a shell), the space and the
 * snapshots beside its data, whether the server's account may write there,
 * the host's own addresses and how it resolves the peers' names. A node in a
 * container that is not running yields what the engine can read without it.
 */
import path from 'node:path';
import type { NodeSpec } from '../inventory/spec.js';
import { asLogin, loginExports } from '../hosts/login-env.js';
import { sh } from '../shell.js';
import { parseZooCfg, type ZooCfg } from '../zookeeper/zoo-cfg.js';
import type { NodePlace, RunState } from '../runtime/types.js';

/** The Java a node's start script would run, and with which flags. */
export interface JavaFacts {
  javaHome?: string;
  java?: string;
  flags?: string;
  /** Where it came from, for evidence (java.env, zkEnv.sh in a login shell). */
  source: string;
  /** The start script refused outright (zkEnv.sh: "JAVA_HOME is not set and java could not be found in PATH"). */
  error?: string;
  /** Files that set JAVA_HOME, with the line: the login profile, the node's java.env and zookeeper-env.sh. */
  setIn: { file: string; line: number; value: string }[];
  /** JAVA_HOME as a non-login command (ssh HOST cmd, cron) sees it, and as a login shell does. */
  plain?: string;
  login?: string;
}

/** Everything gathered about one node. */
export interface NodeFacts {
  node: NodeSpec;
  place: NodePlace;
  cfg?: ZooCfg;
  myidHex?: string;
  pidFileText?: string;
  java?: JavaFacts;
  freeMiB?: number;
  snapshots?: { count: number; mib: number };
  /** The account the server runs (or would run) as, and whether it may write its directories. */
  writable?: { user: string; dirs: { dir: string; ok: boolean }[] };
  localAddresses: string[];
  /** Peer host names (not addresses) → what this node's host resolves them to. */
  resolves: Map<string, string[]>;
  /** The server's account: from its process, else the owner of its data directory. */
  user?: string;
}

const M = '@@zkops-facts';

function script(
  node: NodeSpec,
  place: NodePlace,
  user: string | undefined,
  peers: string[],
  login: string | undefined,
): string {
  const data = sh(node.dataDir);
  const dirs = [node.dataDir, ...(node.dataLogDir ? [node.dataLogDir] : [])];
  const snapDir = sh(path.posix.join(node.dataLogDir ?? node.dataDir, 'version-2'));
  const env = place.env;
  const java =
    env?.kind === 'java.env'
      ? `( . ${sh(env.file)} >/dev/null 2>&1; ` +
        `printf '%s\\t%s\\t%s\\n' "$JAVA_HOME" "\${JAVA:-$JAVA_HOME/bin/java}" "$SERVER_JVMFLAGS" )`
      : env?.kind === 'zkEnv'
        ? `o=$(${asLogin(
            login,
            `'ZOOBINDIR="$1"; ZOOCFGDIR="$2"; . "$1/zkEnv.sh" >/dev/null; ` +
              `printf "\\n${M}-java\\t%s\\t%s\\t%s\\n" "$JAVA_HOME" "$JAVA" "$SERVER_JVMFLAGS"'`,
            `${sh(env.binDir)} ${sh(env.confDir)}`,
          )} 2>&1 </dev/null); ` +
          `case "$o" in *"${M}-java"*) printf '%s\\n' "$o" | grep "^${M}-java" | cut -f2-;; ` +
          `*) printf 'error\\t%s\\n' "$(printf '%s' "$o" | tail -n 1)";; esac`
        : 'true';
  const owner = user ? `u=${sh(user)}` : `u=$(stat -c %U ${data} 2>/dev/null)`;
  return [
    `echo ${M}-cfg; cat ${sh(node.zooCfg)} 2>/dev/null`,
    `echo ${M}-myid; [ -f ${data}/myid ] && od -An -tx1 -v ${data}/myid; echo`,
    `echo ${M}-pid; head -c 64 ${sh(node.pidFile)} 2>/dev/null; echo`,
    `echo ${M}-java; ${java}`,
    // No Java to ask about in a container (the image brings its own): no login shell there.
    !env
      ? `echo ${M}-javahome`
      : `echo ${M}-javahome; ` +
        `for e in /etc/profile.d/*.sh ${sh(node.confDir)}/java.env ${sh(node.confDir)}/zookeeper-env.sh; do ` +
        `[ -f "$e" ] && grep -n 'JAVA_HOME=' "$e" 2>/dev/null | sed "s|^|$e\t|"; done; ` +
        // The java a start would run, without and with a login profile (3.4-era zkEnv.sh: JAVA_HOME, else PATH).
        `eff='if [ -n "$JAVA_HOME" ]; then readlink -f "$JAVA_HOME/bin/java" || echo "$JAVA_HOME/bin/java"; ` +
        `else readlink -f "$(command -v java)"; fi'; ` +
        `printf 'plain\t%s\n' "$(sh -c "$eff" 2>/dev/null)"` +
        (env.kind === 'zkEnv'
          ? `; printf 'login\t%s\n' "$(${asLogin(login, '"$eff"')} 2>/dev/null </dev/null | tail -n 1)"`
          : ''),
    `echo ${M}-disk; d=${data}; while [ -n "$d" ] && [ ! -d "$d" ]; do d=\${d%/*}; done; ` +
      `df -Pm "\${d:-/}" 2>/dev/null`,
    `echo ${M}-snap; n=0; for f in ${snapDir}/snapshot.*; do [ -f "$f" ] && n=$((n+1)); done; ` +
      `printf '%s\\t' "$n"; du -sm ${snapDir} 2>/dev/null || echo`,
    // Whether the server's account may write its directories (as root: asked as that account, with util-linux's
    // setpriv, else su: busybox's setpriv, as in images built on busybox, cannot change the user).
    `echo ${M}-write; ${owner}; printf '%s\\n' "$u"; for d in ${dirs.map(sh).join(' ')}; do ` +
      `if [ "$(id -u)" = 0 ] && [ -n "$u" ] && [ "$u" != root ]; then ` +
      `if setpriv --reuid=0 --regid=0 --clear-groups true 2>/dev/null; then ` +
      `setpriv --reuid="$u" --regid="$(id -g "$u" 2>/dev/null || echo 0)" --init-groups test -w "$d" 2>/dev/null; ` +
      `else d="$d" su -p -s /bin/sh "$u" -c 'test -w "$d"' 2>/dev/null; fi && echo "ok $d" || echo "no $d"; ` +
      `else [ -w "$d" ] && echo "ok $d" || echo "no $d"; fi; done`,
    `echo ${M}-addr; ip -o addr show 2>/dev/null`,
    `echo ${M}-resolve; command -v getent >/dev/null && for h in ${peers.map(sh).join(' ')}; do ` +
      `printf '@peer %s\\n' "$h"; getent ahostsv4 "$h" 2>/dev/null; done`,
    'true',
  ].join('\n');
}

/** Gathers a node's facts; never throws (a node that cannot be asked yields what could be read). */
export async function gatherFacts(
  place: NodePlace,
  state: RunState | undefined,
  peerHosts: string[],
): Promise<NodeFacts> {
  const node = place.node;
  const base: NodeFacts = { node, place, localAddresses: [], resolves: new Map() };
  const user = state?.state === 'running' ? state.process.user : undefined;
  let out: string | undefined;
  try {
    // A login shell's environment is read once per host and command, shared by the nodes there, and only for
    // servers set up by hand: a node zkops set up names its Java in java.env, which zkServer.sh reads however
    // it is started, so a login profile (0.5 s on a host that initialises pyenv) would change nothing.
    const login = place.env?.kind === 'zkEnv' ? await loginExports(place.ex) : undefined;
    const r = await place.ex.exec(script(node, place, user, peerHosts, login), { timeoutMs: 30_000 });
    out = r.stdout;
  } catch {
    // A container that does not run: the engine still reads its files.
    const [cfg, myid] = await Promise.all([
      place.ex.readFile(node.zooCfg).catch(() => undefined),
      place.ex.readFile(path.posix.join(node.dataDir, 'myid')).catch(() => undefined),
    ]);
    return {
      ...base,
      cfg: cfg === undefined ? undefined : parseZooCfg(cfg, node.zooCfg),
      myidHex: myid === undefined ? undefined : Buffer.from(myid).toString('hex'),
    };
  }
  const part = (name: string) => {
    const a = out!.indexOf(`${M}-${name}\n`);
    if (a < 0) return '';
    const rest = out!.slice(a + M.length + name.length + 2);
    const b = rest.indexOf(`${M}-`);
    return b < 0 ? rest : rest.slice(0, b);
  };
  const cfgText = part('cfg');
  const [javaHome, java, flags] = part('java').trim().split('\t');
  const javaFacts: JavaFacts | undefined =
    place.env === undefined
      ? undefined
      : javaHome === 'error'
        ? { source: 'zkEnv.sh', error: java?.replace(/^Error:\s*/, ''), setIn: [] }
        : {
            javaHome: javaHome || undefined,
            java: java || undefined,
            flags: flags || undefined,
            source: place.env.kind === 'java.env' ? place.env.file : `${place.env.binDir}/zkEnv.sh`,
            setIn: [],
          };
  if (javaFacts) {
    for (const l of part('javahome').split('\n').filter(Boolean)) {
      const [file = '', rest = ''] = l.split('\t');
      if (file === 'plain') javaFacts.plain = rest || undefined;
      else if (file === 'login') javaFacts.login = rest || undefined;
      else {
        const [line = '0', ...text] = rest.split(':');
        const value = text
          .join(':')
          .replace(/^.*JAVA_HOME=/, '')
          .trim()
          .replace(/^["']|["'];?$/g, '');
        javaFacts.setIn.push({ file, line: Number(line), value });
      }
    }
  }
  const [count = '0', mib = ''] = part('snap').trim().split('\t');
  // df -P: a header, then "filesystem blocks used available capacity mount".
  const free = part('disk').split('\n')[1]?.trim().split(/\s+/)[3];
  const [writeUser = '', ...writeLines] = part('write').trim().split('\n');
  return {
    ...base,
    cfg: cfgText.trim() ? parseZooCfg(cfgText.replace(/\n$/, ''), node.zooCfg) : undefined,
    myidHex: part('myid').replace(/\s+/g, '') || undefined,
    pidFileText: part('pid').trim() || undefined,
    java: javaFacts,
    freeMiB: free && /^\d+$/.test(free) ? Number(free) : undefined,
    snapshots: { count: Number(count) || 0, mib: Number(mib) || 0 },
    user: writeUser || undefined,
    writable: writeUser
      ? { user: writeUser, dirs: writeLines.filter(Boolean).map((l) => ({ ok: l.startsWith('ok '), dir: l.slice(3) })) }
      : undefined,
    localAddresses: ipAddresses(part('addr')),
    resolves: resolved(part('resolve')),
  };
}

/** The addresses in `ip -o addr show` ("2: eth0    inet 10.0.0.5/24 brd ..."), without their prefix lengths. */
function ipAddresses(out: string): string[] {
  return out.split('\n').flatMap((l) => {
    const a = l.trim().split(/\s+/)[3];
    return a ? [a.split('/')[0]!] : [];
  });
}

/** Each peer name (a "@peer NAME" line) with the distinct addresses `getent ahostsv4` gave for it. */
function resolved(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let peer: string[] | undefined;
  for (const l of out.split('\n')) {
    if (l.startsWith('@peer ')) map.set(l.slice(6), (peer = []));
    else if (peer && l.trim()) {
      const a = l.trim().split(/\s+/)[0]!;
      if (!peer.includes(a)) peer.push(a);
    }
  }
  for (const addresses of map.values()) addresses.sort();
  return map;
}
