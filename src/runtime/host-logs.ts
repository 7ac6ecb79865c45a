/**
 * A host node's logs as the runtime reads them: the end that explains a
 * server that died (for the quorum wait and run states), and the last lines
 * of its server log (for zkops logs).
 */
import type { NodeSpec } from '../inventory/spec.js';
import type { Executor } from '../executors/types.js';
import { problemLines } from '../health/log.js';
import { sh } from '../shell.js';

/**
 * The end of the node's newest logs (zookeeper.log and .out as zkops names them;
 * zookeeper-USER-server-HOST.log/.out as zkServer.sh does), oldest first;
 * problemLines picks what matters from the current run.
 */
export async function logTail(ex: Executor, node: NodeSpec): Promise<string> {
  const dir = sh(node.logDir);
  const r = await ex.exec(
    `ls -tr ${dir}/zookeeper*.log ${dir}/zookeeper*.out 2>/dev/null | tail -n 2 | ` +
      `while IFS= read -r f; do tail -n 1000 "$f"; done; true`,
  );
  return problemLines(r.stdout);
}

/**
 * The last `lines` lines of the server's own log (zookeeper.log, or zkServer.sh's
 * zookeeper-USER-server-HOST.log); the console's .out only where there is none (a
 * server that never got as far as its logger).
 */
export async function logLines(ex: Executor, node: NodeSpec, lines: number): Promise<string> {
  const dir = sh(node.logDir);
  const r = await ex.exec(
    `f=$(ls -t ${dir}/zookeeper*.log 2>/dev/null | head -n 1); [ -n "$f" ] || f=$(ls -t ${dir}/zookeeper*.out ` +
      `2>/dev/null | head -n 1); [ -z "$f" ] || tail -n ${Math.trunc(lines)} "$f"`,
  );
  return r.stdout;
}
