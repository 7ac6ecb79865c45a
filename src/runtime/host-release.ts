/**
 * The ZooKeeper release a host cluster runs from a tarball: which one
 * (zookeeper.tarball, or zookeeper.version fetched on this machine once and
 * cached), and shipping it to every host.
 */
import type { ClusterSpec } from '../inventory/spec.js';
import { ZkopsError } from '../errors.js';
import { APACHE_MIRRORS, DEFAULT_RELEASE, fetchRelease } from '../distribution/download.js';
import { findZookeeper, type ZookeeperInstall } from '../distribution/zookeeper.js';
import { inspectTarball, installTarball, type DistributionOutcome, type Tarball } from '../distribution/tarball.js';
import { LocalExecutor } from '../executors/local.js';
import type { HostPlace } from '../hosts/places.js';
import { settleAll } from '../util/settle.js';
import { asStep, type RuntimeProgress } from './progress.js';

/**
 * The release to ship, if any: zookeeper.tarball; else, for zookeeper.version without a home, that release
 * fetched on this machine (once: then from the cache). `here`: the ZooKeeper this machine has, when a local
 * cluster's search found it (preflight takes it instead of searching again).
 */
export async function releaseTarball(
  spec: ClusterSpec,
  progress?: RuntimeProgress,
): Promise<{ tarball?: Tarball; here?: ZookeeperInstall }> {
  const zk = spec.zookeeper;
  if (zk.tarball) return { tarball: await inspectTarball(zk.tarball, zk.sha512) };
  if (zk.home) return {};
  let version = zk.version;
  // A cluster on this machine, which has no ZooKeeper at all: the same path, with the default release.
  // (A ZOOKEEPER_HOME that names nothing is a mistake to report, not a machine without ZooKeeper.)
  if (!version && spec.executor === 'local' && !process.env.ZOOKEEPER_HOME) {
    const here = await findZookeeper(new LocalExecutor(), undefined, undefined).catch(() => undefined);
    if (here) return { here };
    version = DEFAULT_RELEASE;
  }
  if (!version) return {};
  const wanted = version;
  const mirror = zk.mirror ?? process.env.ZKOPS_ZOOKEEPER_MIRROR;
  const keys = zk.keys ?? process.env.ZKOPS_ZOOKEEPER_KEYS;
  const got = await asStep(
    progress,
    'fetch',
    () =>
      fetchRelease(wanted, mirror ? [mirror] : APACHE_MIRRORS, {
        note: (t) => progress?.note(t),
        sha512: zk.sha512,
        keys: keys ? [keys] : [],
      }),
    (r) => `${wanted} from ${r.source}, ${r.verifiedBy}`,
  );
  return { tarball: await inspectTarball(got.file, got.sha512) };
}

/** Installs the release on every host (in place already: left alone); per host, which of the two. */
export async function distributeRelease(
  spec: ClusterSpec,
  places: HostPlace[],
  tarball: Tarball,
  progress?: RuntimeProgress,
): Promise<Record<string, DistributionOutcome>> {
  const run = async () => {
    const outcomes = await settleAll(places, (t) => installTarball(t.ex, spec.dir, tarball), {
      limit: spec.ssh.concurrency,
      name: (t) => t.host.name,
      error: (_, listed) =>
        new ZkopsError(
          `Installing ${tarball.topDir} failed (nothing was started; run deploy again to converge):\n${listed}`,
        ),
    });
    return Object.fromEntries(outcomes.map((o, i) => [places[i]!.host.name, o]));
  };
  const describe = (d: Record<string, DistributionOutcome>) => {
    const n = Object.values(d).filter((v) => v === 'installed').length;
    return n ? `${tarball.topDir} installed on ${n} host(s)` : `${tarball.topDir} already in place`;
  };
  return asStep(progress, 'distribute', run, describe);
}
