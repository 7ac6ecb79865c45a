/**
 * Java brought to hosts by zkops before anything else is written: the package
 * manager's Java (java.install: package) where none runs, or the JDK archive
 * of java.tarball shipped to every host. Either is then run with the servers'
 * flags, so a Java that cannot run them is said before a file changes.
 */
import path from 'node:path';
import type { ClusterSpec } from '../inventory/spec.js';
import { ZkopsError } from '../errors.js';
import { findJava } from '../distribution/java.js';
import type { JdkArchive } from '../distribution/jdk.js';
import { installArchive } from '../distribution/tarball.js';
import { execChecked } from '../executors/helpers.js';
import { javaRecordPath, serverFlagSets, type HostState } from '../hosts/preflight.js';
import type { HostPlace } from '../hosts/places.js';
import { settleAll } from '../util/settle.js';
import { asStep, type RuntimeProgress } from './progress.js';

/**
 * java.install: package on the hosts where no Java runs: the package manager's command, then that Java is run
 * with the servers' flags. On a dry run, only what would run. Returns the commands as "host: command".
 */
export async function installJavaPackages(
  spec: ClusterSpec,
  hosts: HostState[],
  dryRun: boolean,
  progress?: RuntimeProgress,
): Promise<string[]> {
  const planned = hosts.filter((h) => h.javaPlan);
  const actions = planned.map((h) => `${h.place.host.name}: ${h.javaPlan!.command}`);
  if (dryRun || planned.length === 0) return actions;
  const run = async () => {
    await settleAll(
      planned,
      async (h) => {
        const plan = h.javaPlan!;
        await execChecked(h.place.ex, plan.command, { timeoutMs: 15 * 60_000 });
        await findJava(h.place.ex, plan.home, undefined, undefined, {
          record: javaRecordPath(spec, h.place.remote),
          flags: serverFlagSets(spec, h.place.nodes),
        });
      },
      {
        name: (h) => h.place.host.name,
        error: (_, listed) =>
          new ZkopsError(
            `Installing Java with the package manager failed (nothing else was written or started):\n${listed}`,
          ),
      },
    );
    return planned.length;
  };
  await asStep(progress, 'java', run, (n) => `${planned[0]!.javaPlan!.pkg} installed on ${n} host(s)`);
  return actions;
}

/**
 * java.tarball on every host, then run there with the servers' flags: a runtime that does not run on a host
 * (another architecture, a missing library) is said before anything else is written.
 */
export async function shipJava(
  spec: ClusterSpec,
  places: HostPlace[],
  jdk: JdkArchive,
  progress?: RuntimeProgress,
): Promise<void> {
  const run = async () => {
    const outcomes = await settleAll(
      places,
      async (t) => {
        const outcome = await installArchive(t.ex, spec.dir, jdk);
        await findJava(t.ex, path.posix.join(spec.dir, jdk.topDir), undefined, undefined, {
          record: javaRecordPath(spec, t.remote),
          flags: serverFlagSets(spec, t.nodes),
        });
        return outcome;
      },
      {
        limit: spec.ssh.concurrency,
        name: (t) => t.host.name,
        error: (_, listed) =>
          new ZkopsError(
            `Shipping Java ${jdk.topDir} failed (nothing was started; run deploy again to converge):\n${listed}`,
          ),
      },
    );
    return outcomes.filter((o) => o === 'installed').length;
  };
  const describe = (n: number) => (n ? `${jdk.topDir} installed on ${n} host(s)` : `${jdk.topDir} already in place`);
  await asStep(progress, 'java', run, describe);
}
