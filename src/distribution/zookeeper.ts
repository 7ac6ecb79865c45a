/**
 * Where ZooKeeper comes from on a host: the inventory's home, ZOOKEEPER_HOME,
 * or a system install (Debian's `zookeeper` package). The result is what the
 * run script needs: a home, a JVM class path and the version.
 */
import { PreflightError } from '../errors.js';
import type { Executor } from '../executors/types.js';
import { sh } from '../shell.js';

/** A usable ZooKeeper on a host. */
export interface ZookeeperInstall {
  home: string;
  classpath: string;
  version: string;
  source: 'inventory' | 'ZOOKEEPER_HOME' | 'system';
}

// Prints "home<TAB>classpath<TAB>version" for the first usable candidate, or nothing.
// Apache layout: HOME/lib/zookeeper-X.Y.Z.jar. Debian: /usr/share/java/zookeeper.jar,
// whose manifest names its dependencies; log4j + its slf4j binding are added for logging, and
// the Netty jars the manifest leaves out (codec, resolver, unix-common), without which the Netty
// connection factory TLS needs fails on its first connection (NoClassDefFoundError). The version is
// read from a jar's name by globs and shell built-ins (Debian keeps a versioned link to its jar);
// dpkg-query (some 30 ms) only where there is none. Every command `init` and `deploy` run asks this.
function probeScript(candidates: string[]): string {
  return (
    `for h in ${candidates.map(sh).join(' ')}; do
  [ -n "$h" ] || continue
  j=; for f in "$h"/lib/zookeeper-[0-9]*.jar; do [ -e "$f" ] && { j=$f; break; }; done
  if [ -n "$j" ]; then v=\${j##*/zookeeper-}; printf '%s\\t%s\\t%s\\n' "$h" "$h/conf:$h/lib/*" "\${v%.jar}"; exit 0; fi
  if [ "$h" = /usr/share/zookeeper ] && [ -f /usr/share/java/zookeeper.jar ]; then
    v=; for f in /usr/share/java/zookeeper-[0-9]*.jar; do [ -e "$f" ] && { v=\${f##*/zookeeper-}; v=\${v%.jar}; break; }; done
    [ -n "$v" ] || v=$(dpkg-query -W -f '\${Version}' zookeeper 2>/dev/null | sed 's/-.*//')
    printf '%s\\t%s\\t%s\\n' "$h" ` +
    `"/usr/share/java/zookeeper.jar:` +
    `/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar:/usr/share/java/netty-codec.jar:` +
    `/usr/share/java/netty-resolver.jar:/usr/share/java/netty-transport-native-unix-common.jar" ` +
    `"\${v:-3.8.0}"; exit 0
  fi
done`
  );
}

/** Finds ZooKeeper on the host, or says exactly what to install or set. */
export async function findZookeeper(
  ex: Executor,
  fromInventory: string | undefined,
  envHome: string | undefined,
): Promise<ZookeeperInstall> {
  const candidates: [string, ZookeeperInstall['source']][] = [];
  if (fromInventory) candidates.push([fromInventory, 'inventory']);
  else {
    if (envHome) candidates.push([envHome, 'ZOOKEEPER_HOME']);
    candidates.push(['/usr/share/zookeeper', 'system']);
  }
  for (const [home, source] of candidates) {
    const r = await ex.exec(probeScript([home]));
    const [h, classpath, version] = r.stdout.trim().split('\t');
    if (r.code === 0 && h && classpath && version) return { home: h, classpath, version, source };
    if (source !== 'system') {
      throw new PreflightError(
        `ZooKeeper not found at ${home} (from ` +
          `${source === 'inventory' ? 'zookeeper.home in the inventory' : 'ZOOKEEPER_HOME'}) on ${ex.label}: ` +
          `expected an unpacked release with lib/zookeeper-X.Y.Z.jar (apache-zookeeper-X.Y.Z-bin). Fix the path, ` +
          `or remove it to use the system package.`,
      );
    }
  }
  throw new PreflightError(
    `ZooKeeper is not installed on ${ex.label}. Install Debian's package (apt-get install zookeeper), ` +
      `or unpack an Apache release (apache-zookeeper-3.8.x-bin.tar.gz) and set ZOOKEEPER_HOME to it, or set ` +
      `zookeeper.home in the inventory.`,
  );
}
