/**
 * A Java runtime as a .tar.gz, the way Eclipse Temurin ships one (one top
 * directory with bin/java and a `release` file), made from this machine's
 * JDK with jlink (the modules ZooKeeper needs), for tests that ship Java to
 * hosts that have none. Built once per test run.
 */
import { $, fs, path, os } from 'zx';

$.verbose = false;

let built;

/** The runtime tarball's path (jre-zkops-test-<feature version>.tar.gz). */
export function jreTarball() {
  built ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-jre-'));
    const major = (await $`java -XshowSettings:properties -version 2>&1`).stdout.match(
      /java\.specification\.version = (\d+)/,
    )[1];
    const top = `jre-zkops-test-${major}`;
    const modules =
      'java.base,java.desktop,java.management,java.naming,java.security.jgss,' +
      'java.security.sasl,jdk.unsupported,jdk.management';
    await $`jlink --add-modules ${modules} --strip-debug --no-header-files --no-man-pages --output ${path.join(dir, top)}`;
    const file = path.join(dir, `${top}.tar.gz`);
    await $`tar -C ${dir} -czf ${file} ${top}`;
    return file;
  })();
  return built;
}
