/**
 * ZooKeeper release versions (x.y.z), as zkops compares them: what a release
 * line understands (zoo.cfg keys, quorum SASL, reconfig) and which Java it
 * needs are decided by the version it reports or ships.
 */

/** True when `version` (x.y.z) is at least `min`; missing parts count as 0. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}
