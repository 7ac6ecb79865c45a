/**
 * A real Docker engine for the tests, and a ZooKeeper image for it. No image
 * registry is reachable from the test machines, so the image is assembled
 * here from this machine's own files with the official `zookeeper` image's
 * conventions (JAVA_HOME /opt/java/openjdk, /conf/zoo.cfg, /data/myid,
 * /datalog, /logs, `docker-entrypoint.sh` + `zkServer.sh start-foreground`):
 * busybox-static for the shell, a jlink'ed JRE (java.desktop for log4j 1.2's
 * java.beans) with the libraries it links,
 * and Debian's ZooKeeper jars (their absolute Class-Path stripped), or for
 * another version the jars of its release (test/helpers/releases.mjs). As in
 * the official image, the release lives in /apache-zookeeper-X.Y.Z-bin and
 * PATH names it (zkops reads the version from there), and the server runs as
 * the `zookeeper` account (uid 1000): the entrypoint, started as root with
 * `zkServer.sh`, gives it the data and log directories and drops to it, so
 * files only root may read (keys, secrets) are not readable by the server.
 *
 * A built image is reused only when its label zkops.inputs carries the hash of
 * what it is built from (these helpers' source, the version, the JDK's jlink,
 * the jars and busybox): a tag alone may name an older or foreign image.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { $, fs, path, os } from 'zx';
import { unpackRelease } from './releases.mjs';
import { copyJarWithoutClassPath, debianZookeeperDeps } from './tarball.mjs';

$.verbose = false;

export const TEST_IMAGE = 'zkops-test/zookeeper:3.8.0';
/** The test image of ZooKeeper `version` (3.8.0 from this machine, 3.4.13 and 3.9.3 from their releases). */
export const testImage = (version) => `zkops-test/zookeeper:${version}`;

/** Starts dockerd when no engine answers on /var/run/docker.sock; throws if none comes up. */
export async function ensureDockerd() {
  if ((await $({ nothrow: true })`docker info --format '{{.ServerVersion}}'`).exitCode === 0) return;
  if ((await $({ nothrow: true })`command -v dockerd`).exitCode !== 0)
    throw new Error('dockerd is not installed: run scripts/setup.sh --test (it installs docker.io)');
  await $`setsid dockerd >> /var/log/zkops-test-dockerd.log 2>&1 < /dev/null &`;
  for (let i = 0; i < 300; i++) {
    if ((await $({ nothrow: true })`docker info --format '{{.ServerVersion}}'`).exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `dockerd did not come up in 30 s:\n${fs.readFileSync('/var/log/zkops-test-dockerd.log', 'utf8').slice(-2000)}`,
  );
}

const ENTRYPOINT =
  `#!/bin/sh
# As the official image: keep a zoo.cfg and myid that are there, else make defaults.
set -e
mkdir -p "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
if [ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]; then
  printf 'dataDir=%s\\ndataLogDir=%s\\nclientPort=2181\\ntickTime=2000\\ninitLimit=5\\nsyncLimit=2\\n' ` +
  `"$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" > "$ZOO_CONF_DIR/zoo.cfg"
fi
[ -f "$ZOO_DATA_DIR/myid" ] || echo "\${ZOO_MY_ID:-1}" > "$ZOO_DATA_DIR/myid"
# As the official image: the server itself runs as zookeeper (gosu there; busybox su, which execs, here).
if [ "$1" = zkServer.sh ] && [ "$(id -u)" = 0 ]; then
  chown -R zookeeper:zookeeper "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  exec su -p zookeeper -s /bin/sh -c 'exec "$0" "$@"' "$@"
fi
exec "$@"
`;

const zkServer = (home) => `#!/bin/sh
# The part of zkServer.sh the image's CMD uses: start-foreground.
[ "$1" = start-foreground ] || { echo "this image's zkServer.sh knows only start-foreground" >&2; exit 2; }
[ -f "$ZOO_CONF_DIR/java.env" ] && . "$ZOO_CONF_DIR/java.env"
exec "$JAVA_HOME/bin/java" -Dzookeeper.log.dir="$ZOO_LOG_DIR" -Dzookeeper.root.logger=INFO,CONSOLE \\
  -Dlog4j.configuration=file:"$ZOO_CONF_DIR/log4j.properties" $JVMFLAGS $SERVER_JVMFLAGS \\
  -cp "${home}/lib/*:$ZOO_CONF_DIR" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZOO_CONF_DIR/zoo.cfg"
`;

const LOG4J = `log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
`;

/** A hash of everything the image of `version` is built from (files by content or by size and time). */
async function imageInputs(version) {
  const hash = createHash('sha256').update(`${version}\n`);
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const f of ['docker.mjs', 'tarball.mjs', 'releases.mjs']) hash.update(fs.readFileSync(path.join(here, f)));
  const stamp = (f) => {
    const st = fs.statSync(f);
    return `${fs.realpathSync(f)} ${st.size} ${st.mtimeMs}\n`;
  };
  const jlink = (await $`command -v jlink`).stdout.trim();
  for (const f of [jlink, '/bin/busybox', '/usr/share/java/zookeeper.jar', ...(await debianZookeeperDeps())])
    hash.update(stamp(f));
  return hash.digest('hex').slice(0, 32);
}

/** Builds the test image of `version` unless the engine has one built from the same inputs; returns its tag. */
export async function buildZookeeperImage(version = '3.8.0') {
  const image = testImage(version);
  const inputs = await imageInputs(version);
  const label = await $({
    nothrow: true,
    quiet: true,
  })`docker image inspect --format ${'{{index .Config.Labels "zkops.inputs"}}'} ${image}`;
  if (label.exitCode === 0 && label.stdout.trim() === inputs) return image;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-image-'));
  const root = path.join(dir, 'root');
  const home = `/apache-zookeeper-${version}-bin`;
  try {
    for (const d of [
      'bin',
      'tmp',
      'conf',
      'data',
      'datalog',
      'logs',
      `${home.slice(1)}/lib`,
      `${home.slice(1)}/bin`,
      'usr/local/bin',
      'etc',
      'opt/java',
    ])
      await fs.mkdirp(path.join(root, d));
    await $`chmod 1777 ${root}/tmp`;
    await fs.copy('/bin/busybox', path.join(root, 'bin/busybox'));
    for (const applet of (await $`${root}/bin/busybox --list`).stdout.trim().split('\n')) {
      if (!fs.existsSync(path.join(root, 'bin', applet))) await fs.symlink('busybox', path.join(root, 'bin', applet));
    }
    const modules =
      'java.base,java.desktop,java.management,java.naming,java.security.jgss,' +
      'java.security.sasl,jdk.unsupported,jdk.management,' +
      // TLS's key exchange (ECDHE), as in the official image's full JRE.
      'jdk.crypto.ec';
    const slim = ['--strip-debug', '--no-header-files', '--no-man-pages'];
    await $`jlink --add-modules ${modules} ${slim} --output ${root}/opt/java/openjdk`;
    // Every library the JRE's ELF files link, from this machine, at the same paths.
    const elves = (
      await $`find ${root}/opt/java/openjdk -type f ${['(', '-name', '*.so', '-o', '-path', '*/bin/*', ')']}`
    ).stdout
      .trim()
      .split('\n');
    const libs = new Set(['/lib64/ld-linux-x86-64.so.2']);
    for (const f of elves) {
      for (const m of (await $({ nothrow: true })`ldd ${f}`).stdout.matchAll(/=> (\/\S+)/g)) libs.add(m[1]);
    }
    for (const lib of libs) {
      await fs.mkdirp(path.join(root, path.dirname(lib)));
      await fs.copy(fs.realpathSync(lib), path.join(root, lib));
    }
    await $`ldconfig -r ${root}`.nothrow();
    if (version === '3.8.0') await copyZookeeperJars(path.join(root, home, 'lib'));
    else
      await fs.copy(
        path.join(await unpackRelease(version, path.join(dir, 'release')), 'lib'),
        path.join(root, home, 'lib'),
      );
    fs.writeFileSync(path.join(root, 'conf/log4j.properties'), LOG4J);
    fs.writeFileSync(path.join(root, 'docker-entrypoint.sh'), ENTRYPOINT, { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'usr/local/bin/zkServer.sh'), zkServer(home), { mode: 0o755 });
    // The official image's account (its Dockerfile: groupadd/useradd -r zookeeper, uid and gid 1000).
    fs.writeFileSync(
      path.join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nzookeeper:x:1000:1000::/home/zookeeper:/bin/sh\n',
    );
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nzookeeper:x:1000:\n');
    for (const d of ['data', 'datalog', 'logs', 'conf']) await $`chown 1000:1000 ${path.join(root, d)}`;
    const changes = [
      'ENV JAVA_HOME=/opt/java/openjdk',
      `ENV PATH=/usr/local/bin:/bin:/opt/java/openjdk/bin:${home}/bin`,
      'ENV ZOO_CONF_DIR=/conf',
      'ENV ZOO_DATA_DIR=/data',
      'ENV ZOO_DATA_LOG_DIR=/datalog',
      'ENV ZOO_LOG_DIR=/logs',
      'EXPOSE 2181 2888 3888 8080',
      'ENTRYPOINT ["/docker-entrypoint.sh"]',
      'CMD ["zkServer.sh", "start-foreground"]',
      `LABEL zkops.inputs=${inputs}`,
    ].flatMap((c) => ['--change', c]);
    await $`tar --numeric-owner -C ${root} -c . | docker import ${changes} - ${image}`;
    return image;
  } finally {
    await fs.remove(dir);
  }
}

/** Debian's ZooKeeper jars with the absolute Class-Path dropped from their manifests (see tarball.mjs). */
async function copyZookeeperJars(libDir) {
  for (const jar of [...(await debianZookeeperDeps()), '/usr/share/java/zookeeper.jar'])
    await copyJarWithoutClassPath(jar, path.join(libDir, path.basename(jar)));
}

/** The image name inventories get by default (docker.image), as the official image is called. */
export const DEFAULT_IMAGE = 'zookeeper:3.8';

/**
 * Tags the 3.8.0 test image as the default image name, so a test can run an inventory that names no image
 * (no registry is reachable to pull the official one). An image of that name that is not a test image is left
 * alone, and the test stops with why.
 */
export async function tagAsDefaultImage() {
  const image = await buildZookeeperImage('3.8.0');
  const there = await $({
    nothrow: true,
    quiet: true,
  })`docker image inspect --format ${'{{index .Config.Labels "zkops.inputs"}}'} ${DEFAULT_IMAGE}`;
  if (there.exitCode === 0 && !/^[0-9a-f]{32}$/.test(there.stdout.trim()))
    throw new Error(
      `${DEFAULT_IMAGE} on this engine is not a zkops test image (no zkops.inputs label): remove or retag it ` +
        '(docker rmi) to run the test that uses the default image name',
    );
  await $`docker tag ${image} ${DEFAULT_IMAGE}`;
  return DEFAULT_IMAGE;
}
