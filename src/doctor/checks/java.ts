/**
 * Java: the JAVA_HOME each node's java.env sets must run. A wrong one is the
 * classic cause of "Error contacting service. It is probably not running.",
 * which says nothing about Java. The host's own shell is asked what java.env
 * sets (it is a shell script: no parsing can stand in for sourcing it). Fix
 * (safe: the node cannot run on it anyway): point JAVA_HOME at a Java that runs.
 */
import { findJava, javaOnPath } from '../../distribution/java.js';
import { sh } from '../../shell.js';
import type { NodePlace } from '../../runtime/types.js';
import type { Check, Finding } from '../index.js';

export const javaCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const places = ctx.places.filter((p): p is NodePlace & { javaEnv: string } => p.javaEnv !== undefined);
  await Promise.all(
    places.map(async (place) => {
      const f = sh(place.javaEnv);
      const r = await place.ex.exec(
        `[ -f ${f} ] || exit 3; . ${f} >/dev/null 2>&1; printf '%s\\n' "$JAVA_HOME"; "$JAVA_HOME/bin/java" ` +
          `-version >/dev/null 2>&1 && echo runs`,
        {
          timeoutMs: 20000,
        },
      );
      if (r.code === 3) return;
      const [home = '', runs] = r.stdout.split('\n');
      if (runs === 'runs') return;
      const good = await findGoodJava(ctx.spec.java.home, place).catch(() => undefined);
      const finding: Finding = {
        check: 'java',
        severity: 'error',
        message:
          `node ${place.node.id}: ${place.javaEnv} sets JAVA_HOME=${home || '(nothing)'}, which has no ` +
          `working bin/java; the node cannot start (zkServer.sh would only say "Error contacting service").`,
        fix: good
          ? `set JAVA_HOME=${good} in ${place.javaEnv} (zkops doctor --fix does it)`
          : 'install a JRE and run zkops init/deploy again',
      };
      const text = ctx.fix && good ? await place.ex.readFile(place.javaEnv) : undefined;
      if (text && /^export JAVA_HOME=.*$/m.test(text)) {
        await place.ex.writeFile(
          place.javaEnv,
          text.replace(/^export JAVA_HOME=.*$/m, `export JAVA_HOME=${sh(good!)}`),
          0o644,
        );
        finding.fixed = true;
      }
      findings.push(finding);
    }),
  );
  findings.sort((a, b) => a.message.localeCompare(b.message));
  if (findings.length === 0)
    findings.push({
      check: 'java',
      severity: 'ok',
      message: places.length
        ? "every node's java.env names a Java that runs"
        : 'no java.env to check (the image brings its Java)',
    });
  return findings;
};

/** A Java that runs on the node's host: the inventory's, else JAVA_HOME there, else the one on PATH. */
async function findGoodJava(fromInventory: string | undefined, place: NodePlace): Promise<string> {
  const env = (await place.machine.ex.exec('printf "%s" "$JAVA_HOME"')).stdout.trim();
  return (await findJava(place.machine.ex, fromInventory, env || undefined, await javaOnPath(place.machine.ex))).home;
}
