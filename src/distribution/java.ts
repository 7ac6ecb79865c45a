/**
 * Which Java runs the servers: the inventory's java.home, else JAVA_HOME, else
 * the java on PATH. The choice is verified by running it, so a wrong
 * JAVA_HOME is reported before any JVM starts (instead of ZooKeeper's later
 * "Error contacting service. It is probably not running.").
 */
import { createHash } from 'node:crypto';
import { PreflightError } from '../errors.js';
import type { Executor } from '../executors/types.js';
import { sh } from '../shell.js';

/** A Java that runs. */
export interface JavaInstall {
  home: string;
  /** Feature version: 8, 11, 17, 21... */
  major: number;
  source: 'inventory' | 'JAVA_HOME' | 'PATH';
  /**
   * Set when the JVM was really started this time: the record to keep on the
   * host (see `record`), so the next run can skip the JVM start while the
   * binaries stay the same.
   */
  verified?: string;
}

/** Options for findJava. */
export interface FindJavaOptions {
  /**
   * A file on the host recording the last Java that zkops saw run: its home,
   * the identity (device, inode, size, mtime) of bin/java and libjvm.so, and
   * what `java -version` said. While all of that is unchanged the JVM is not
   * started again (a JVM start is most of a no-change re-deploy's CPU);
   * any change to the binaries means a real run.
   */
  record?: string;
  /** Each set of JVM flags the servers will run with: Java must accept them (`java FLAGS -version`). */
  flags?: string[][];
}

/** Parses `java -version` output ('openjdk version "17.0.15"', '"1.8.0_392"'). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/** Minimum Java feature version for a ZooKeeper version (3.8+ and 3.9 run on 8, but 11+ is what operators use). */
export function minJavaFor(zkVersion: string): number {
  return zkVersion.startsWith('3.4') ? 7 : 8;
}

/** Marks where `java FLAGS -version` refused a set of flags, in the probe's output. */
const FLAGS_REFUSED = '@@zkops-flags-refused';

async function probe(
  ex: Executor,
  home: string,
  record?: string,
  flagSets: string[][] = [],
): Promise<{
  ok: boolean;
  major?: number;
  output: string;
  verified?: string;
  refused?: { flags: string[]; said: string };
}> {
  const java = sh(`${home}/bin/java`);
  // One JVM start on the happy path: `java FLAGS -version` proves both that Java runs and that it
  // takes the servers' flags. Only when that fails does a plain `java -version` tell which it was.
  const withFlags = (set: string[]) => [java, ...set.map(sh), '-version'].join(' ');
  const [first = [], ...others] = flagSets.length ? flagSets : [[]];
  const refuse = (i: number) =>
    `{ echo ${FLAGS_REFUSED} ${i}; ${withFlags(flagSets[i] ?? [])} 2>&1 | head -n 3; exit 3; }`;
  const run = [
    `if out=$(${withFlags(first)} 2>&1); then printf '%s\\n' "$out"; else`,
    `  ${java} -version >/dev/null 2>&1 && ${refuse(0)}`,
    `  ${java} -version 2>&1; exit 1`,
    'fi',
    ...others.map((set, i) => `${withFlags(set)} >/dev/null 2>&1 || ${refuse(i + 1)}`),
  ].join('\n');
  const parse = (code: number, out: string) => {
    const at = out.indexOf(FLAGS_REFUSED);
    if (at < 0) return { ok: code === 0, major: parseJavaMajor(out), output: out.trim() };
    const [, index = '0', ...said] = out.slice(at).split(/[ \n]/);
    return {
      ok: false,
      major: parseJavaMajor(out),
      output: out.slice(0, at).trim(),
      refused: { flags: flagSets[Number(index)] ?? [], said: said.join(' ').trim() },
    };
  };
  if (!record) {
    const r = await ex.exec(`{\n${run}\n}`, { timeoutMs: 20000 });
    return parse(r.code, r.stdout);
  }
  // Prints "cached" or "ran", the identity line, then java -version's output.
  const script = [javaRecordLookup(home, record, flagSets), `echo ran; printf '%s\\n' "$id"`, run].join('\n');
  const r = await ex.exec(script, { timeoutMs: 20000 });
  const [how, id = '', ...rest] = r.stdout.split('\n');
  const p = parse(r.code, rest.join('\n'));
  return { ...p, verified: p.ok && how === 'ran' ? `${id}\n${p.output}\n` : undefined };
}

/**
 * Shell that sets `$id` to the identity of the Java at `home` tried with `flagSets` (the binaries' device, inode,
 * size and mtime, and a hash of the flags), and when `record` on the host holds that identity, prints "cached",
 * the identity and the `java -version` text recorded with it, and exits 0. Otherwise it goes on (see
 * FindJavaOptions.record).
 */
export function javaRecordLookup(home: string, record: string, flagSets: string[][]): string {
  const h = sh(home);
  const java = sh(`${home}/bin/java`);
  const flagsId = createHash('sha256').update(JSON.stringify(flagSets)).digest('hex').slice(0, 16);
  // One process (stat; its lines, one word each, joined by word splitting), the record read with built-ins.
  return [
    `id=$(printf '%s ' ${h} ${flagsId} $(stat -L -c '%d:%i:%s:%Y' ${java} ${h}/lib/server/libjvm.so ` +
      `${h}/jre/lib/*/server/libjvm.so ${h}/lib/*/server/libjvm.so 2>/dev/null))`,
    `r=${sh(record)}`,
    `if [ -f "$r" ]; then { IFS= read -r l; [ "$l" = "$id" ] && { echo cached; printf '%s\\n' "$l"; ` +
      `while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done; exit 0; }; } < "$r"; fi`,
  ].join('\n');
}

/** Shell that prints the home of the `java` on PATH (symlinks resolved), or an empty line. */
export const JAVA_ON_PATH =
  'j=$(command -v java 2>/dev/null) && j=$(readlink -f "$j") && printf \'%s\\n\' "${j%/bin/java}" || echo';

/** The home of the `java` on the host's PATH, if any. */
export async function javaOnPath(ex: Executor): Promise<string | undefined> {
  return (await ex.exec(JAVA_ON_PATH)).stdout.trim() || undefined;
}

/**
 * Finds and verifies Java on the host. `envJavaHome` is JAVA_HOME as the
 * host's shell sees it; `pathHome` the java on its PATH (see JAVA_ON_PATH).
 */
export async function findJava(
  ex: Executor,
  fromInventory: string | undefined,
  envJavaHome: string | undefined,
  pathHome: string | undefined,
  options: FindJavaOptions = {},
): Promise<JavaInstall> {
  const hint =
    pathHome && pathHome !== envJavaHome
      ? ` The java on PATH is ${pathHome}; use that, or`
      : ' Install a JRE (apt-get install openjdk-17-jre-headless), or let zkops ship one (java.tarball: a JDK or ' +
        'JRE .tar.gz on this machine), and';

  let found: JavaInstall | undefined;
  for (const [home, source] of [
    [fromInventory, 'inventory'],
    [envJavaHome, 'JAVA_HOME'],
    [pathHome, 'PATH'],
  ] as const) {
    if (!home) continue;
    const p = await probe(ex, home, options.record, options.flags);
    if (p.refused) {
      throw new PreflightError(
        `Java at ${home} on ${ex.label} refuses the servers' JVM flags (${p.refused.flags.join(' ')}): it said ` +
          `"${p.refused.said}". ` +
          'Fix or remove that flag in java.flags (or nodes[].javaFlags); nothing was written or started.',
      );
    }
    if (p.ok && p.major) {
      found = { home, major: p.major, source, verified: p.verified };
      break;
    }
    const from =
      source === 'inventory'
        ? 'java.home in the inventory'
        : source === 'JAVA_HOME'
          ? 'the JAVA_HOME environment variable'
          : 'PATH';
    throw new PreflightError(
      `Java at ${home} (from ${from}) on ${ex.label} does not run: ${home}/bin/java ` +
        `${p.output ? `said "${firstLine(p.output)}"` : 'is missing'}. ` +
        `ZooKeeper would fail to start with this.${hint} ` +
        `${source === 'JAVA_HOME' ? 'fix or unset JAVA_HOME' : `fix ${from}`}.`,
    );
  }
  if (!found)
    throw new PreflightError(
      `No Java on ${ex.label}: no java.home in the inventory, no JAVA_HOME, no java on PATH. Install a JRE ` +
        `(apt-get install openjdk-17-jre-headless) and set java.home, or let zkops ship one: java.tarball, a JDK ` +
        'or JRE .tar.gz on this machine (an Eclipse Temurin release, say).',
    );
  return found;
}

/** Throws when the Java found is too old for the ZooKeeper found. */
export function checkJavaFits(java: JavaInstall, zkVersion: string, label: string): void {
  const min = minJavaFor(zkVersion);
  if (java.major < min) {
    throw new PreflightError(
      `Java ${java.major} at ${java.home} on ${label} is too old for ZooKeeper ${zkVersion} (needs ${min} or ` +
        `newer). Point java.home at a newer JDK/JRE.`,
    );
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 160);
}
