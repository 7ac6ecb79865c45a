/**
 * java.install: package for real. Hosts 1 and 2 are fresh Debian systems with
 * a root file system and package database of their own (mmdebstrap's minbase
 * from Debian's mirror, no Java; test/helpers/debroot.mjs), host 3 an ordinary
 * test host whose Java runs. zkops runs apt-get on the two hosts without Java
 * (the packages come from the mirror, through the lab's proxy), none on host 3,
 * and the three nodes form a quorum; a second deploy installs nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { fourLetters, modeOf } from '../helpers/four-letters.js';
import { onHost, type TestHost } from '../helpers/hosts.mjs';
import { labInventory, useLab } from '../helpers/lab.js';
import { buildTestTarball } from '../helpers/tarball.mjs';

/** What dpkg on a host says of a package: its status line, or 'not installed'. */
const dpkgStatus = (h: TestHost, pkg: string) =>
  onHost(h, `dpkg-query -W -f '\${Status}' ${pkg} 2>/dev/null || echo not installed`);

/** The apt-get runs recorded on a Debian test host (apt's own history, in the host's overlay). */
function aptRuns(h: TestHost): string[] {
  const file = path.join(h.debian!.upper, 'var/log/apt/history.log');
  return existsSync(file) ? (readFileSync(file, 'utf8').match(/^Commandline: .*$/gm) ?? []) : [];
}

describe('java.install: package on hosts with their own package database', () => {
  const ctx = useLab('pk', 3, { debian: [1, 2] });

  it('installs the JRE with apt-get where no Java runs, forms a quorum, and installs nothing the second time', async () => {
    const [h1, h2] = ctx.lab.hosts as [TestHost, TestHost, TestHost];
    const fresh = [h1, h2];
    for (const h of fresh) {
      expect(await onHost(h, 'command -v java || echo none')).toBe('none\n');
      expect(await dpkgStatus(h, 'default-jre-headless')).toBe('not installed\n');
      expect(aptRuns(h)).toEqual([]);
    }
    const inventory = path.join(ctx.cwd, 'pkg.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'pkg',
        java: 'java: { heap: 128m, install: package }',
        extra: [`zookeeper: { tarball: ${await buildTestTarball('3.8.0')} }`],
      }),
    );
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.healthy).toBe(true);
    // apt-get ran on the two hosts without Java, and only there; the outcome says so.
    expect(up.json.actions).toEqual(
      fresh.map((h) => expect.stringMatching(new RegExp(`^${h.name}: .*apt-get install .*default-jre-headless$`))),
    );
    for (const [i, h] of fresh.entries()) {
      expect(aptRuns(h)).toEqual([expect.stringContaining('apt-get install')]);
      expect(await dpkgStatus(h, 'default-jre-headless')).toBe('install ok installed');
      expect(await dpkgStatus(h, 'openjdk-17-jre-headless')).toBe('install ok installed');
      const env = readFileSync(path.join(h.debian!.upper, 'opt/zookeeper', `node-${i + 1}`, 'conf/java.env'), 'utf8');
      expect(env).toContain('export JAVA_HOME=/usr/lib/jvm/default-java\n');
      // The server runs on the Java apt-get brought.
      const pid = `/opt/zookeeper/node-${i + 1}/data/zookeeper_server.pid`;
      expect(await onHost(h, `readlink -f /proc/$(cat ${pid})/exe`)).toBe(
        '/usr/lib/jvm/java-17-openjdk-amd64/bin/java\n',
      );
    }
    // apt downloaded the JRE's packages (through the lab's proxy: from the mirror, or its cache on a rerun).
    expect(ctx.lab.aptProxy!.fetched).toContainEqual(expect.stringMatching(/^openjdk-17-jre-headless_.*\.deb$/));
    const modes = await Promise.all(ctx.lab.hosts.map(async (h) => modeOf(await fourLetters(h.ip, 2181, 'srvr'))));
    expect(modes.sort()).toEqual(['follower', 'follower', 'leader']);

    const fetched = ctx.lab.aptProxy!.fetched.length;
    const again = await zkops(ctx.cwd, ['deploy', '-i', inventory]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing changed');
    expect(again.stdout).not.toContain('Ran first');
    for (const h of fresh) expect(aptRuns(h)).toHaveLength(1);
    expect(ctx.lab.aptProxy!.fetched).toHaveLength(fetched);
    expect((await zkops(ctx.cwd, ['stop', '-i', inventory])).code).toBe(0);
  });
});
