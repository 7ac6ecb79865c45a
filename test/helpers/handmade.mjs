/**
 * A ZooKeeper ensemble set up by hand, as blog posts teach it: one Apache
 * release copied three times (/opt/zookeeper1..3), a zoo.cfg and a myid
 * edited in each, JAVA_HOME in /etc/profile.d/java.sh, every node started
 * with its own `bin/zkServer.sh start` from a login shell. It lives inside
 * an SSH test host (its own /opt and /etc/profile.d), so faults can be put
 * where operators put them.
 *
 * The release is assembled from Debian's jars and scripts (no download is
 * possible here); its bin/zkEnv.sh is written here and does what a 3.4-era
 * release's did: conf/ and lib/*.jar on the class path, conf/java.env and
 * conf/zookeeper-env.sh sourced, and JAVA taken from JAVA_HOME when it is set.
 */
import { $, fs, path } from 'zx';
import { onHost } from './hosts.mjs';
import { buildTestTarball } from './tarball.mjs';

$.verbose = false;

const ZKENV = `#!/usr/bin/env bash
# The environment of every script of this release (test build, 3.4-era rules).
ZOOBINDIR="\${ZOOBINDIR:-$(cd "$(dirname "\${BASH_SOURCE-$0}")" && pwd)}"
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="\${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
[ -f "$ZOOCFGDIR/zookeeper-env.sh" ] && . "$ZOOCFGDIR/zookeeper-env.sh"
ZOOCFG="$ZOOCFGDIR/\${ZOOCFG:-zoo.cfg}"
[ -f "$ZOOCFGDIR/java.env" ] && . "$ZOOCFGDIR/java.env"
ZOO_LOG_DIR="\${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
if [ -n "$JAVA_HOME" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
CLASSPATH="$ZOOCFGDIR"
for j in "$ZOOKEEPER_PREFIX"/lib/*.jar; do CLASSPATH="$CLASSPATH:$j"; done
export SERVER_JVMFLAGS="-Xmx128m $SERVER_JVMFLAGS"
`;

const LOG4J = `log4j.rootLogger=INFO, ROLLINGFILE
log4j.appender.ROLLINGFILE=org.apache.log4j.RollingFileAppender
log4j.appender.ROLLINGFILE.File=\${zookeeper.log.dir}/\${zookeeper.log.file}
log4j.appender.ROLLINGFILE.MaxFileSize=10MB
log4j.appender.ROLLINGFILE.layout=org.apache.log4j.PatternLayout
log4j.appender.ROLLINGFILE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
`;

/** Ports of node i (1-based): client, quorum, election, admin (node 1 keeps the default 8080). */
export const handPorts = (i) => ({
  client: 28180 + i,
  quorum: 28280 + i,
  election: 28380 + i,
  admin: i === 1 ? 8080 : 28480 + i,
});

/** zoo.cfg of node i, as an operator writes it, with the host's address in every server line. */
export function handZooCfg(host, i, overrides = {}) {
  const p = handPorts(i);
  const lines = {
    tickTime: 2000,
    initLimit: 10,
    syncLimit: 5,
    dataDir: `/opt/zookeeper${i}/data`,
    clientPort: p.client,
    ...(i === 1 ? {} : { 'admin.serverPort': p.admin }),
    ...overrides,
  };
  return [
    '# The number of milliseconds of each tick',
    ...Object.entries(lines).map(([k, v]) => `${k}=${v}`),
    ...[1, 2, 3].map((n) => `server.${n}=${host.ip}:${handPorts(n).quorum}:${handPorts(n).election}`),
    '',
  ].join('\n');
}

/** Installs the three copies in the host's /opt and JAVA_HOME in its /etc/profile.d/java.sh; starts nothing. */
export async function installHandMade(host, javaHome = '/usr/lib/jvm/java-17-openjdk-amd64') {
  const tarball = await buildTestTarball('3.8.0');
  try {
    for (const i of [1, 2, 3]) {
      const dir = path.join(host.root, 'opt', `zookeeper${i}`);
      await fs.mkdirp(dir);
      await $`tar -xzf ${tarball} -C ${dir} --strip-components=1`;
      fs.writeFileSync(path.join(dir, 'bin/zkEnv.sh'), ZKENV, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'conf/log4j.properties'), LOG4J);
      fs.writeFileSync(path.join(dir, 'conf/zoo.cfg'), handZooCfg(host, i));
      await fs.mkdirp(path.join(dir, 'data'));
      fs.writeFileSync(path.join(dir, 'data/myid'), `${i}\n`);
    }
  } finally {
    await fs.remove(path.dirname(tarball));
  }
  writeProfile(host, javaHome);
}

/** /etc/profile.d/java.sh on the host, as the blog post says to write it. */
export function writeProfile(host, javaHome) {
  fs.writeFileSync(
    path.join(host.root, 'profile.d/java.sh'),
    `# Java for ZooKeeper\nexport JAVA_HOME=${javaHome}\nexport PATH=$JAVA_HOME/bin:$PATH\n`,
  );
}

/** `bin/zkServer.sh CMD` of node i, typed by an operator in a login shell on the host; its output (and exit code). */
export async function zkServer(host, i, cmd) {
  try {
    return { code: 0, out: await onHost(host, `bash -lc '/opt/zookeeper${i}/bin/zkServer.sh ${cmd} 2>&1'`) };
  } catch (err) {
    return { code: 1, out: String(err.message) };
  }
}
