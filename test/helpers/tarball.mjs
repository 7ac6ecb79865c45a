// Assembles an Apache-layout release tarball (apache-zookeeper-X.Y.Z-bin.tar.gz:
// bin/, conf/, lib/) from Debian's ZooKeeper jars, for tests of the tarball
// path (the Apache download itself cannot be reached from here). Debian's
// zookeeper.jar names absolute /usr/share/java jars in its manifest; that
// Class-Path is stripped so the release is self-contained.
import { $, fs, path, os } from 'zx';

$.verbose = false;

/** Debian's ZooKeeper jar's dependencies, as its manifest names them, plus log4j and its slf4j binding. */
export async function debianZookeeperDeps() {
  const readManifest =
    "import zipfile;print(zipfile.ZipFile('/usr/share/java/zookeeper.jar')" + ".read('META-INF/MANIFEST.MF').decode())";
  const manifest = (await $`python3 -c ${readManifest}`).stdout.replace(/\r?\n /g, '');
  const deps = /^Class-Path: (.*)$/m.exec(manifest)[1].trim().split(/\s+/);
  // Logging, and the Netty jars the manifest leaves out that an Apache release ships (TLS needs them).
  const more = ['slf4j-log4j12', 'log4j-1.2', 'netty-codec', 'netty-resolver', 'netty-transport-native-unix-common'];
  return [...deps, ...more.map((j) => `/usr/share/java/${j}.jar`)].filter((j) => fs.existsSync(j));
}

/** Copies a jar without its manifest's Class-Path (Debian's name absolute /usr/share/java jars; a release must not). */
export async function copyJarWithoutClassPath(src, dst) {
  // Drops the Class-Path header and its continuation lines; every other line stays as it is
  // (manifest lines are wrapped at 72 bytes, and the JVM ignores a jar whose manifest is not).
  const strip = [
    'import zipfile,sys',
    'src,dst=sys.argv[1:3]',
    'def clean(d):',
    '  out,skip=[],False',
    '  for l in d.splitlines(True):',
    '    if l.startswith(b"Class-Path:"): skip=True; continue',
    '    if skip and l.startswith(b" "): continue',
    '    skip=False; out.append(l)',
    '  return b"".join(out)',
    'with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst,"w",zipfile.ZIP_DEFLATED) as b:',
    '  for i in a.infolist():',
    '    d=a.read(i.filename)',
    '    b.writestr(i, clean(d) if i.filename=="META-INF/MANIFEST.MF" else d)',
  ].join('\n');
  await $`python3 -c ${strip} ${fs.realpathSync(src)} ${dst}`;
}

/** Builds the tarball in a temp dir and returns its path. */
export async function buildTestTarball(version = '3.8.0') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-tarball-'));
  const top = `apache-zookeeper-${version}-bin`;
  const root = path.join(dir, top);
  for (const d of ['bin', 'conf', 'lib']) await fs.mkdirp(path.join(root, d));
  const copyJar = (src, name) => copyJarWithoutClassPath(src, path.join(root, 'lib', name));
  for (const jar of await debianZookeeperDeps()) {
    const name = path.basename(jar) === 'zookeeper-jute.jar' ? `zookeeper-jute-${version}.jar` : path.basename(jar);
    await copyJar(jar, name);
  }
  await copyJar('/usr/share/java/zookeeper.jar', `zookeeper-${version}.jar`);
  for (const s of ['zkServer.sh', 'zkCli.sh'])
    await fs.copy(`/usr/share/zookeeper/bin/${s}`, path.join(root, 'bin', s));
  const file = path.join(dir, `${top}.tar.gz`);
  await $`tar -C ${dir} -czf ${file} ${top}`;
  await fs.remove(root);
  return file;
}
