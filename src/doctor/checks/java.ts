/**
 * Java: the Java each node's start script would run must run, accept the
 * server's flags, and suit its ZooKeeper version. A wrong JAVA_HOME is the
 * classic cause of "Error contacting service. It is probably not running.",
 * which says nothing about Java. A shell is asked what the node's java.env (or
 * its release's zkEnv.sh, in a login shell, for servers set up by hand) sets:
 * no parsing stands in for sourcing a script. Also: a non-login command (ssh
 * HOST zkServer.sh start, cron) that sees another JAVA_HOME than a login.
 * Fix (safe: the node cannot run on it anyway; the old file is kept as
 * .zkops-bak): point the line that sets JAVA_HOME at a Java that runs.
 */
import { findJava, javaOnPath, javaRecordLookup, parseJavaMajor } from '../../distribution/java.js';
import { javaRecordPath, serverFlagSets } from '../../hosts/preflight.js';
import { jvmFlags } from '../../render/node.js';
import { sh } from '../../shell.js';
import type { NodeFacts } from '../facts.js';
import { okIfNone, type Check, type DoctorContext, type Finding } from '../check.js';

/**
 * Where a node zkops set up is running, on the Java its last deploy saw run with the same flags, unchanged since
 * (the record deploy keeps on the host, see findJava), the shell that reads that record and prints it instead of
 * starting a JVM: three JVM starts at once are most of a doctor's time on a small host. Undefined where the record
 * cannot speak for the node: set up by hand, flags or Java other than zkops rendered, or a server that is not
 * running (the doctor is what is run when one will not start: a heap the host can no longer give, a JDK file
 * gone, need a real JVM start to show).
 */
function recordedRun(ctx: DoctorContext, facts: NodeFacts): string | undefined {
  const j = facts.java!;
  if (ctx.states.get(facts.node.id)?.state !== 'running') return undefined;
  if (facts.place.env?.kind !== 'java.env' || !j.javaHome || j.java !== `${j.javaHome}/bin/java`) return undefined;
  if ((j.flags ?? '').split(/\s+/).filter(Boolean).join(' ') !== jvmFlags(ctx.spec, facts.node).join(' '))
    return undefined;
  const hostNodes = ctx.places.filter((p) => p.machine.ex === facts.place.machine.ex).map((p) => p.node);
  const record = javaRecordPath(ctx.spec, facts.place.machine.remote);
  return javaRecordLookup(j.javaHome, record, serverFlagSets(ctx.spec, hostNodes));
}

/** Runs `java [flags] -version` once per distinct (host, java, flags); results shared by the nodes. */
function javaRunner(ctx: DoctorContext) {
  const seen = new Map<string, Promise<{ plain: string | undefined; flagsOk: boolean; flagsSaid: string }>>();
  return (facts: NodeFacts) => {
    const j = facts.java!;
    const key = `${facts.place.machine.label}\0${j.java}\0${j.flags ?? ''}`;
    let run = seen.get(key);
    if (!run) {
      const java = sh(j.java ?? 'java');
      const flags = j.flags ?? '';
      const recorded = recordedRun(ctx, facts);
      // With the flags first: one JVM start when all is well.
      run = facts.place.ex
        .exec(
          (recorded ? `${recorded}\n` : '') +
            `if o=$(${java} ${flags} -version 2>&1); then echo '@@ok'; printf '%s\\n' "$o"; ` +
            `else echo '@@flags'; printf '%s\\n' "$o" | head -n 2; ` +
            `echo '@@plain'; ${java} -version 2>&1 && echo '@@plain-ok'; fi`,
          { timeoutMs: 20_000 },
        )
        .then((r) => {
          const out = r.stdout;
          // From the record: "cached", the identity, then what java -version said when it ran.
          if (out.startsWith('cached\n'))
            return { plain: out.split('\n').slice(2).join('\n'), flagsOk: true, flagsSaid: '' };
          if (out.startsWith('@@ok')) return { plain: out.slice(5), flagsOk: true, flagsSaid: '' };
          const [flagsPart = '', plainPart = ''] = out.split('@@plain\n');
          return {
            plain: plainPart.includes('@@plain-ok') ? plainPart.replace('@@plain-ok', '') : undefined,
            flagsOk: false,
            flagsSaid: flagsPart.replace('@@flags\n', '').trim().split('\n')[0] ?? '',
          };
        });
      seen.set(key, run);
    }
    return run;
  };
}

export const javaCheck: Check = async (ctx) => {
  const run = javaRunner(ctx);
  const withJava = ctx.facts.filter((f) => f.java);
  // Nodes of one host often share the file that sets JAVA_HOME: it is rewritten once.
  const rewrites = new Map<string, Promise<boolean>>();
  const findings = (await Promise.all(withJava.map((f) => checkNode(ctx, f, run, rewrites)))).flat();
  return okIfNone(findings, 'java', withJava.length ? '' : 'no start script to ask (the image brings its Java)').map(
    (f) => (f.message ? f : { ...f, message: 'every node runs a Java that works' }),
  );
};

async function checkNode(
  ctx: DoctorContext,
  facts: NodeFacts,
  run: ReturnType<typeof javaRunner>,
  rewrites: Map<string, Promise<boolean>>,
): Promise<Finding[]> {
  const j = facts.java!;
  const node = facts.node;
  const f = (severity: Finding['severity'], message: string, more: Partial<Finding> = {}): Finding => ({
    check: 'java',
    node: node.id,
    severity,
    message,
    ...more,
  });
  const setIn = j.setIn.map((s) => `${s.file}:${s.line} sets JAVA_HOME=${s.value}`);
  const findings: Finding[] = [];
  // What a non-login command would see differs from a login shell's: a start over `ssh host cmd` or cron differs.
  if (j.login !== undefined && j.plain !== j.login && facts.place.env?.kind === 'zkEnv') {
    findings.push(
      f(
        'warning',
        `a login shell would start it with ${j.login || '(no java)'}, ` +
          `a non-login command (ssh HOST zkServer.sh start, cron) with ${j.plain || '(no java)'}`,
        {
          evidence: setIn,
          fix: 'set JAVA_HOME in conf/java.env, which zkServer.sh reads however it is started',
        },
      ),
    );
  }
  if (j.error) {
    return [
      ...findings,
      f('error', `${j.source} refuses to start it: ${j.error}`, {
        evidence: setIn,
        fix: 'install a JRE, or set JAVA_HOME to one in conf/java.env',
      }),
    ];
  }
  const r = await run(facts);
  if (r.plain === undefined) {
    const bad = j.setIn.find((s) => s.value === j.javaHome);
    const finding = f(
      'error',
      `${bad ? bad.file : j.source} sets JAVA_HOME=${j.javaHome ?? '(unset)'}, which has no working bin/java; ` +
        `the node cannot start (zkServer.sh would only say "Error contacting service").`,
      { evidence: [...setIn, `${j.java ?? 'java'} -version fails`] },
    );
    // A Java that runs there: the inventory's (for nodes zkops set up), else the one on PATH.
    const fromInventory = facts.place.env?.kind === 'java.env' ? ctx.spec.java.home : undefined;
    const good = await findJava(facts.place.ex, fromInventory, undefined, await javaOnPath(facts.place.ex)).then(
      (x) => x.home,
      () => undefined,
    );
    const file = bad?.file ?? (facts.place.env?.kind === 'java.env' ? facts.place.env.file : undefined);
    finding.fix = good
      ? `set JAVA_HOME=${good} in ${file ?? 'the file that sets it'} (zkops doctor --fix does it)`
      : 'install a JRE and point JAVA_HOME at it';
    if (ctx.fix && good && file) {
      const key = `${facts.place.machine.label}\0${file}`;
      if (!rewrites.has(key)) rewrites.set(key, rewriteJavaHome(facts, file, good));
      finding.fixed = await rewrites.get(key)!;
    }
    return [...findings, finding];
  }
  if (!r.flagsOk) {
    findings.push(
      f('error', `Java refuses the server's JVM flags: "${r.flagsSaid}"`, {
        evidence: [`flags: ${j.flags ?? ''}`],
        fix: 'fix or remove that flag (java.flags in the inventory, or SERVER_JVMFLAGS in java.env)',
      }),
    );
  }
  const major = parseJavaMajor(r.plain);
  const version = ctx.reports.find((x) => x.node === node)?.health.version;
  if (major && version) {
    if (version.startsWith('3.4.') && major > 8)
      findings.push(
        f(
          'warning',
          `ZooKeeper ${version} on Java ${major}: ` +
            `3.4 was never tested beyond Java 8, and its own zkCli fails on Java 14+ (ZOOKEEPER-3779)`,
          {
            fix: 'upgrade ZooKeeper (3.8+ runs on Java 8 to 21), or use a newer client',
          },
        ),
      );
    if (!version.startsWith('3.4.') && major < 8)
      findings.push(
        f('error', `ZooKeeper ${version} needs Java 8 or newer; ${j.java} is Java ${major}`, {
          fix: 'point JAVA_HOME at Java 11 or 17',
        }),
      );
  }
  if (findings.length === 0)
    findings.push(
      f(
        'ok',
        `Java ${major ?? '?'} at ${j.javaHome ?? j.java} runs${j.flags ? ' with its flags' : ''} (from ${j.source})`,
      ),
    );
  return findings;
}

/** Points the JAVA_HOME line of `file` at `home`, keeping the old file as .zkops-bak. */
async function rewriteJavaHome(facts: NodeFacts, file: string, home: string): Promise<boolean> {
  const ex = facts.place.ex;
  const text = await ex.readFile(file);
  if (text === undefined || !/^(\s*(?:export\s+)?)JAVA_HOME=.*$/m.test(text)) return false;
  await ex.writeFile(`${file}.zkops-bak`, text, 0o644);
  await ex.writeFile(file, text.replace(/^(\s*(?:export\s+)?)JAVA_HOME=.*$/m, `$1JAVA_HOME=${sh(home)}`), 0o644);
  return true;
}
