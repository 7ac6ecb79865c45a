/**
 * Java: the JAVA_HOME each node's java.env names must run. A wrong one is the
 * classic cause of "Error contacting service. It is probably not running.",
 * which says nothing about Java. Fix (safe, nodes are not running on it):
 * rewrite JAVA_HOME in java.env to a Java that runs.
 */
import path from 'node:path';
import { findJava, javaOnPath } from '../../distribution/java.js';
import { sh } from '../../render/node.js';
import type { Check, Finding } from '../index.js';

export const javaCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  for (const t of ctx.targets) {
    const env = (await t.ex.exec('printf "%s" "$JAVA_HOME"')).stdout.trim();
    let good: string | undefined;
    try {
      good = (await findJava(t.ex, ctx.spec.java.home, env || undefined, await javaOnPath(t.ex))).home;
    } catch (err) {
      findings.push({ check: 'java', severity: 'error', message: (err as Error).message });
    }
    for (const node of t.nodes) {
      const file = path.join(node.confDir, 'java.env');
      const text = await t.ex.readFile(file);
      const home = text && /^export JAVA_HOME=(.*)$/m.exec(text)?.[1]?.replace(/^'(.*)'$/, '$1');
      if (!home) continue;
      const runs = (await t.ex.exec(`${sh(`${home}/bin/java`)} -version`, { timeoutMs: 20000 })).code === 0;
      if (runs) continue;
      const finding: Finding = {
        check: 'java',
        severity: 'error',
        message: `node ${node.id}: ${file} sets JAVA_HOME=${home}, which has no working bin/java; the node cannot start (zkServer.sh would only say "Error contacting service").`,
        fix: good ? `set JAVA_HOME=${good} in ${file} (zkops doctor --fix does it)` : 'install a JRE and run zkops init/deploy again',
      };
      if (ctx.fix && good && text) {
        await t.ex.writeFile(file, text.replace(/^export JAVA_HOME=.*$/m, `export JAVA_HOME=${sh(good)}`), 0o644);
        finding.fixed = true;
      }
      findings.push(finding);
    }
    if (good && !findings.some((f) => f.severity === 'error')) findings.push({ check: 'java', severity: 'ok', message: `${t.host.name}: Java at ${good} runs` });
  }
  return findings;
};
