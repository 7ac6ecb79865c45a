/**
 * Java from the host's package manager (java.install: package): which
 * package, how to install it, and where it lands, for apt-get (Debian,
 * Ubuntu), dnf (Fedora, RHEL and kin) and zypper (SUSE). On apt systems the
 * distribution's default headless JRE (default-jre-headless, at
 * /usr/lib/jvm/default-java on every release: Debian 12 gives 17, 13 gives
 * 21, and a fixed openjdk-N is missing from one or the other); elsewhere a
 * headless JRE of the feature version the ZooKeeper release supports: 17
 * for 3.8 and later, 11 before.
 */
import { versionAtLeast } from '../zookeeper/version.js';

export type PackageManager = 'apt-get' | 'dnf' | 'zypper';

export interface JavaPackagePlan {
  manager: PackageManager;
  pkg: string;
  major: number;
  /** JAVA_HOME once installed (the distributions' own stable paths). */
  home: string;
  /** The command that installs it, as root. */
  command: string;
}

/** The plan for a host with `manager` that is to run `zookeeperVersion`. */
export function javaPackagePlan(manager: PackageManager, zookeeperVersion: string): JavaPackagePlan {
  const major = versionAtLeast(zookeeperVersion, '3.8.0') ? 17 : 11;
  switch (manager) {
    case 'apt-get': {
      const pkg = 'default-jre-headless';
      return {
        manager,
        pkg,
        major,
        home: '/usr/lib/jvm/default-java',
        command:
          // A fresh VM's unattended upgrades may hold dpkg's lock for a while: wait for it.
          'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && ' +
          `apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends ${pkg}`,
      };
    }
    case 'dnf': {
      const pkg = `java-${major}-openjdk-headless`;
      return { manager, pkg, major, home: `/usr/lib/jvm/jre-${major}-openjdk`, command: `dnf install -y -q ${pkg}` };
    }
    case 'zypper': {
      const pkg = `java-${major}-openjdk-headless`;
      return {
        manager,
        pkg,
        major,
        home: `/usr/lib64/jvm/jre-${major}-openjdk`,
        command: `zypper --non-interactive install --no-recommends ${pkg}`,
      };
    }
  }
}

/**
 * Every JAVA_HOME a plan may name (each manager, each feature version): where a Java that zkops installed on an
 * earlier run is looked for, so later runs keep that stable path (see preflight).
 */
export const PACKAGE_JAVA_HOMES: readonly string[] = [
  ...new Set(
    (['apt-get', 'dnf', 'zypper'] as const).flatMap((m) => ['3.7.0', '3.8.0'].map((v) => javaPackagePlan(m, v).home)),
  ),
];
