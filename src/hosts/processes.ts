/**
 * Finding, starting and stopping ZooKeeper server processes on a host, built
 * on the Executor interface so local and SSH hosts behave the same.
 *
 * A process belongs to a node only if it is a QuorumPeerMain whose config
 * argument is that node's zoo.cfg: zkops never signals anyone else's JVM.
 * Zombies (state Z) count as gone, since `kill -0` still succeeds on them.
 */
import path from 'node:path';
import type { NodeSpec } from '../inventory/spec.js';
import type { Executor } from '../executors/types.js';
import { execChecked } from '../executors/helpers.js';
import { LocalExecutor } from '../executors/local.js';
import { listLocalZkProcesses } from './local-processes.js';
import { pollUntil } from '../util/poll.js';
import type { StopOutcome, ZkProcess } from '../runtime/types.js';

export type { StopOutcome, ZkProcess };

// Lists live QuorumPeerMain JVMs as "pid<TAB>user<TAB>unit<TAB>argv" (argv joined by \x1f), one
// per line. One grep reads every command line; state, account (/proc/PID/status, /etc/passwd)
// and systemd unit (/proc/PID/cgroup) are read with shell built-ins only, so the whole scan
// costs three processes however many there are.
export const LIST_ZK_PROCESSES =
  `grep -a -H -F QuorumPeerMain /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\037' |
while IFS= read -r l; do
  f=\${l%%:*}; d=\${f%/cmdline}
  read -r st < "$d/stat" 2>/dev/null || continue
  s=\${st##*) }; s=\${s%% *}
  [ "$s" = Z ] && continue
  uid=; while read -r k v _; do [ "$k" = Uid: ] && { uid=$v; break; }; done 2>/dev/null < "$d/status"
  user=$uid; while IFS=: read -r n _ i _; do [ "$i" = "$uid" ] && { user=$n; break; }; done < /etc/passwd
  unit=; while IFS= read -r c; do case "$c" in *.service) ` +
  `u=\${c##*/}; case "$u" in zookeeper-*) unit=$u;; esac;; esac; done 2>/dev/null < "$d/cgroup"
  printf '%s\\t%s\\t%s\\t%s\\n' "\${d#/proc/}" "$user" "$unit" "\${l#*:}"
done`;

/** Every live QuorumPeerMain on the host, whoever started it (this machine's read from /proc directly). */
export async function listZkProcesses(ex: Executor): Promise<ZkProcess[]> {
  return parseZkProcesses(
    ex instanceof LocalExecutor ? listLocalZkProcesses() : await execChecked(ex, LIST_ZK_PROCESSES),
  );
}

/** The output of LIST_ZK_PROCESSES, parsed. */
export function parseZkProcesses(out: string): ZkProcess[] {
  return (
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [pid, user, unit, cmd = ''] = line.split('\t');
        const args = cmd.split('\x1f').filter(Boolean);
        const proc: ZkProcess & { args: string[] } = {
          pid: Number(pid),
          args,
          config: args[args.length - 1] ?? '',
          command: args.join(' '),
          by: unit ? 'systemd' : startedBy(args),
          user: user || undefined,
          unit: unit || undefined,
        };
        return proc;
      })
      // Only real servers: the main class as an argument of its own (not a shell whose script mentions it).
      .filter((p) => p.args.includes('org.apache.zookeeper.server.quorum.QuorumPeerMain'))
      .map(({ args: _args, ...p }) => p)
  );
}

/**
 * Who started a server without a systemd unit, read from its command line: zkops's zk-run.sh passes
 * -Dzookeeper.log.file=zookeeper.log and -Dnetworkaddress.cache.negative.ttl=0 (no ZooKeeper script does);
 * zkServer.sh (3.4 to 3.9) always passes -Dzookeeper.log.dir; anything else is a java command typed by hand.
 */
export function startedBy(args: string[]): ZkProcess['by'] {
  if (args.includes('-Dnetworkaddress.cache.negative.ttl=0') && args.includes('-Dzookeeper.log.file=zookeeper.log'))
    return 'zkops';
  return args.some((a) => a.startsWith('-Dzookeeper.log.dir=')) ? 'zkServer.sh' : 'by hand';
}

/** The process of each node on this host (undefined: not running). */
export async function findNodeProcesses(ex: Executor, nodes: NodeSpec[]): Promise<Map<number, ZkProcess | undefined>> {
  return nodeProcesses(await listZkProcesses(ex), nodes);
}

/** Which of `procs` is each node's: the one started with that node's zoo.cfg. */
export function nodeProcesses(procs: ZkProcess[], nodes: NodeSpec[]): Map<number, ZkProcess | undefined> {
  return new Map(nodes.map((n) => [n.id, procs.find((p) => sameConfig(p.config, n.zooCfg))]));
}

/** True while `pid` is a live (non-zombie) process. */
export async function isAlive(ex: Executor, pid: number): Promise<boolean> {
  const r = await ex.exec(`s=$(sed 's/^.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1); [ -n "$s" ] && [ "$s" != Z ]`);
  return r.code === 0;
}

/**
 * Stops a node: TERM, wait up to `graceMs`, then KILL, and returns only once
 * the process is gone, so a restart never finds its ports still held.
 */
export async function stopNodeProcess(
  ex: Executor,
  node: NodeSpec,
  proc: ZkProcess | undefined,
  graceMs = 15000,
): Promise<StopOutcome> {
  if (!proc || !sameConfig(proc.config, node.zooCfg)) return { status: 'not-running' };
  await ex.exec(`kill -TERM ${proc.pid}`);
  if (await waitGone(ex, proc.pid, graceMs)) return { status: 'stopped', pid: proc.pid, forced: false };
  await ex.exec(`kill -KILL ${proc.pid}`);
  if (await waitGone(ex, proc.pid, 10000)) return { status: 'stopped', pid: proc.pid, forced: true };
  throw new Error(`node ${node.id}: process ${proc.pid} survived SIGKILL for 10 s; check it with ps -fp ${proc.pid}`);
}

/** True once `pid` is gone, false when it still runs after `ms`. */
async function waitGone(ex: Executor, pid: number, ms: number): Promise<boolean> {
  const gone = async () => !(await isAlive(ex, pid));
  return (await pollUntil(gone, { until: (g) => g, timeoutMs: ms, intervalMs: 100, orLast: true })).met;
}

/** Config paths as the same file: zkServer.sh starts servers with bin/../conf/zoo.cfg. */
export function sameConfig(a: string, b: string): boolean {
  return path.posix.normalize(a) === path.posix.normalize(b);
}
