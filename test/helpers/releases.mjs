/**
 * Real ZooKeeper releases other than this machine's 3.8.0, for the version
 * matrix: 3.4.13 (Debian bullseye) and 3.9.3 (Debian trixie), fetched from
 * Debian's mirror without touching this machine's own apt state (a private
 * sources list, lists and cache; nothing installed), and assembled in
 * Apache's release layout (bin/, conf/, lib/ with zookeeper-X.Y.Z.jar) with
 * the class paths checked to form a quorum on Java 17. Built once, kept in
 * ~/.cache/zkops-test/releases (a cache, like the test image), and packed as
 * apache-zookeeper-X.Y.Z-bin.tar.gz for the tarball path.
 */
import { $, fs, path, os } from 'zx';
import { buildTestTarball, copyJarWithoutClassPath } from './tarball.mjs';

$.verbose = false;

const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'zkops-test', 'releases');

/** What each release needs from Debian: its suite, its packages, and the jars of its class path. */
const RELEASES = {
  '3.4.13': {
    suite: 'bullseye',
    packages: ['libzookeeper-java', 'zookeeper', 'libslf4j-java', 'liblog4j1.2-java', 'libjline-java'],
    jars: ['slf4j-api.jar', 'slf4j-log4j12.jar', 'log4j-1.2.jar', 'jline.jar'],
  },
  '3.9.3': {
    suite: 'trixie',
    packages: [
      'libzookeeper-java',
      'zookeeper',
      'libnetty-java',
      'libslf4j-java',
      'libdropwizard-metrics-java',
      'libsnappy-java',
      'libcommons-cli-java',
      'libcommons-io-java',
      'libjetty9-java',
      'libjackson2-core-java',
      'libjackson2-databind-java',
      'libjackson2-annotations-java',
      'libservlet-api-java',
    ],
    jars: [
      ...[
        'buffer',
        'codec',
        'common',
        'handler',
        'resolver',
        'transport',
        'transport-native-epoll',
        'transport-native-unix-common',
      ].map((n) => `netty-${n}.jar`),
      'slf4j-api.jar',
      'slf4j-simple.jar',
      'metrics-core.jar',
      'snappy-java.jar',
      'commons-cli.jar',
      'commons-io.jar',
      ...['server', 'servlet', 'http', 'io', 'util', 'security', 'util-ajax'].map((n) => `jetty9-${n}.jar`),
      'jackson-core.jar',
      'jackson-databind.jar',
      'jackson-annotations.jar',
      'servlet-api.jar',
    ],
  },
};

const LOG4J = `log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
`;

/** Debian's mirror with a private apt state under `dir`: `apt-get <args>` as if only `suite` existed (in `options.cwd`). */
async function privateApt(dir, suite, args, options = {}) {
  const conf = path.join(dir, 'apt.conf');
  fs.writeFileSync(
    conf,
    '#clear APT::Update::Pre-Invoke;\n#clear APT::Update::Post-Invoke;\n#clear APT::Update::Post-Invoke-Success;\n',
  );
  const sources = path.join(dir, 'sources.list');
  fs.writeFileSync(
    sources,
    `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${suite} main\n`,
  );
  await fs.mkdirp(path.join(dir, 'lists/partial'));
  await fs.mkdirp(path.join(dir, 'cache/archives/partial'));
  const o = [
    '-c',
    conf,
    '-o',
    `Dir::Etc::SourceList=${sources}`,
    '-o',
    'Dir::Etc::SourceParts=/dev/null',
    '-o',
    `Dir::State::Lists=${dir}/lists`,
    '-o',
    `Dir::Cache=${dir}/cache`,
    '-o',
    'APT::Sandbox::User=root',
  ];
  return $({ cwd: options.cwd ?? dir })`apt-get -qq ${o} ${args}`;
}

/** The release tarball of `version` (apache-zookeeper-X.Y.Z-bin.tar.gz), built once and cached. */
export async function releaseTarball(version) {
  if (version === '3.8.0') return buildTestTarball('3.8.0');
  const release = RELEASES[version];
  if (!release) throw new Error(`no recipe for ZooKeeper ${version}`);
  const top = `apache-zookeeper-${version}-bin`;
  const tarball = path.join(CACHE, `${top}.tar.gz`);
  if (fs.existsSync(tarball)) return tarball;
  await fs.mkdirp(CACHE);
  const work = fs.mkdtempSync(path.join(CACHE, `build-${version}-`));
  try {
    await privateApt(work, release.suite, ['update']);
    const debs = path.join(work, 'debs');
    await fs.mkdirp(debs);
    const packages = release.packages.map((p) => `${p}/${release.suite}`);
    await privateApt(work, release.suite, ['download', ...packages], { cwd: debs });
    const root = path.join(work, 'root');
    for (const deb of fs.readdirSync(debs)) await $`dpkg-deb -x ${path.join(debs, deb)} ${root}`;
    const java = path.join(root, 'usr/share/java');
    const home = path.join(work, top);
    for (const d of ['bin', 'conf', 'lib', 'logs']) await fs.mkdirp(path.join(home, d));
    await copyJarWithoutClassPath(path.join(java, 'zookeeper.jar'), path.join(home, 'lib', `zookeeper-${version}.jar`));
    if (fs.existsSync(path.join(java, 'zookeeper-jute.jar')))
      await fs.copy(
        fs.realpathSync(path.join(java, 'zookeeper-jute.jar')),
        path.join(home, 'lib', `zookeeper-jute-${version}.jar`),
      );
    for (const jar of release.jars) await fs.copy(fs.realpathSync(path.join(java, jar)), path.join(home, 'lib', jar));
    for (const s of ['zkServer.sh', 'zkCli.sh', 'zkCleanup.sh']) {
      const from = path.join(root, 'usr/share/zookeeper/bin', s);
      if (fs.existsSync(from)) await fs.copy(from, path.join(home, 'bin', s));
    }
    fs.writeFileSync(path.join(home, 'conf/log4j.properties'), LOG4J);
    const tmp = `${tarball}.${process.pid}.tmp`;
    await $`tar -C ${work} -czf ${tmp} ${top}`;
    fs.renameSync(tmp, tarball);
    return tarball;
  } finally {
    await fs.remove(work);
  }
}

/** The release of `version` unpacked in `dir` (a `zookeeper.home`); returns its path. */
export async function unpackRelease(version, dir) {
  const tarball = await releaseTarball(version);
  await fs.mkdirp(dir);
  await $`tar -C ${dir} -xzf ${tarball}`;
  if (version === '3.8.0') await fs.remove(path.dirname(tarball));
  return path.join(dir, `apache-zookeeper-${version}-bin`);
}
