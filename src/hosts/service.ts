/**
 * Starting and stopping a node the way its host runs it: through the node's
 * systemd unit when that unit is installed and systemd runs there, else
 * zkops's supervised start (setsid, pid file) and TERM→KILL stop.
 *
 * Which one applies is read off the host at each call (is the unit there, does
 * systemd run), in the same round trip as the start itself, so start, stop and
 * restart need no state beyond the host, and a node that an older zkops
 * started without systemd is still stopped correctly after its unit appears.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import type { Executor } from '../executors/types.js';
import { ExecError } from '../errors.js';
import { sh } from '../shell.js';
import { detachedCommand } from '../executors/helpers.js';
import { size, unitName, unitPath } from '../render/node.js';
import { isAlive, stopNodeProcess, type StopOutcome, type ZkProcess } from './processes.js';
import { clearRestartPending } from './restart-pending.js';

/** Shell test: systemd runs on the host and manages this node. */
function managedBySystemd(spec: ClusterSpec, node: NodeSpec): string {
  return `[ -d /run/systemd/system ] && [ -f ${sh(unitPath(spec, node))} ]`;
}

/**
 * Keeps a supervised server's console output bounded: at each start, an
 * output file past logging.maxFileSize moves to .1 (.1 to .2, ...), keeping
 * logging.maxFiles of them, as log4j does with zookeeper.log.
 */
function rotateCommand(file: string, spec: ClusterSpec): string {
  const f = sh(file);
  const keep = spec.logging.maxFiles;
  return (
    `if [ -f ${f} ] && [ "$(stat -c %s ${f} 2>/dev/null || echo 0)" -gt ${size(spec.logging.maxFileSize).bytes} ]; then ` +
    `i=${keep}; while [ $i -gt 1 ]; do j=$((i-1)); [ -f ${f}.$j ] && mv -f ${f}.$j ${f}.$i; i=$j; done; mv -f ${f} ` +
    `${f}.1; fi`
  );
}

/** Starts a node and returns its server's pid (one round trip either way). */
export async function startNode(ex: Executor, spec: ClusterSpec, node: NodeSpec): Promise<number> {
  const unit = sh(unitName(spec, node));
  const out = `${node.logDir}/zookeeper.out`;
  const supervised =
    `${rotateCommand(out, spec)}; ` + `${detachedCommand(['sh', node.runScript], { cwd: node.dir, logFile: out })}`;
  // reset-failed: a unit that gave up restarting (start limit) must start again when asked. The server starts
  // with the files in place: a restart that an interrupted run left pending is done.
  const cmd =
    `${clearRestartPending(node)}; if ${managedBySystemd(spec, node)}; then systemctl reset-failed ${unit} ` +
    `2>/dev/null; systemctl start ${unit} && systemctl show -p MainPID --value ${unit}; else ${supervised}; fi`;
  const r = await ex.exec(cmd);
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new ExecError(
      `start node ${node.id} (${unitName(spec, node)} or ${node.runScript})`,
      ex.label,
      r.code,
      `${r.stderr || r.stdout}\n(if systemd runs it: journalctl -u ${unitName(spec, node)})`,
    );
  }
  return pid;
}

/**
 * Stops a node and returns once its process is gone: `systemctl stop` when
 * systemd manages it (systemd escalates to KILL after the unit's
 * TimeoutStopSec), then TERM→KILL for a server systemd does not own.
 */
export async function stopNode(
  ex: Executor,
  spec: ClusterSpec,
  node: NodeSpec,
  proc: ZkProcess | undefined,
): Promise<StopOutcome> {
  const unit = sh(unitName(spec, node));
  const r = await ex.exec(`if ${managedBySystemd(spec, node)}; then systemctl stop ${unit} && echo systemd; fi`);
  if (r.code !== 0)
    throw new ExecError(`systemctl stop ${unitName(spec, node)}`, ex.label, r.code, r.stderr || r.stdout);
  if (r.stdout.trim() === 'systemd' && proc && !(await isAlive(ex, proc.pid)))
    return { status: 'stopped', pid: proc.pid, forced: false };
  return stopNodeProcess(ex, node, proc);
}
