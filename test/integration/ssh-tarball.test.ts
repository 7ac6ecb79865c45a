/**
 * ZooKeeper from an Apache release tarball, deployed over SSH to three test
 * hosts: checksum checked before any host is touched, uploaded once,
 * unpacked into a versioned directory with a stable link, and the servers
 * provably run from the release's own jars.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onHost } from '../helpers/hosts.mjs';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';
import { buildTestTarball } from '../helpers/tarball.mjs';

const LAB = 't';

const ctx = useLab(LAB, 3);

describe('ZooKeeper from a release tarball', () => {
  let tarball: string;
  const tarInventory = (sha512?: string) => {
    const file = path.join(ctx.cwd, 'tar.yaml');
    writeFileSync(
      file,
      labInventory(ctx.lab, {
        name: 'tar',
        dir: '/opt/tar',
        extra: [`zookeeper: { tarball: ${tarball}${sha512 ? `, sha512: "${sha512}"` : ''} }`],
      }),
    );
    return file;
  };
  beforeAll(async () => {
    tarball = await buildTestTarball('3.8.0');
  });

  it('refuses a tarball whose SHA-512 does not match the inventory, before touching any host', async () => {
    const r = await zkops(ctx.cwd, ['deploy', '-i', tarInventory('0'.repeat(128)), '--accept-new-host-keys']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('does not match zookeeper.sha512');
    expect(await onHost(ctx.lab.hosts[0]!, 'ls /opt')).not.toContain('tar');
  });

  it('installs the release into a versioned directory with a stable link, and the servers run from it', async () => {
    const sha512 = createHash('sha512').update(readFileSync(tarball)).digest('hex');
    const inv = tarInventory(sha512);
    const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inv, '--accept-new-host-keys']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(r.json.distribution).toEqual(Object.fromEntries(ctx.lab.hosts.map((h) => [h.name, 'installed'])));
    const h = ctx.lab.hosts[1]!;
    expect((await onHost(h, 'readlink /opt/tar/current')).trim()).toBe('/opt/tar/apache-zookeeper-3.8.0-bin');
    expect(await onHost(h, 'sha512sum /opt/tar/dist/apache-zookeeper-3.8.0-bin.tar.gz')).toContain(sha512);
    const pid = r.json.nodes[1].pid;
    const jars = await onHost(h, `ls -l /proc/${pid}/fd | grep -o '/[^ ]*\\.jar' | sort -u`);
    expect(jars).toContain('/opt/tar/apache-zookeeper-3.8.0-bin/lib/zookeeper-3.8.0.jar');
    expect(jars).not.toContain('/usr/share/java/');
    expect(await onHost(h, '. /etc/profile.d/zk.sh; echo $ZOOKEEPER_HOME')).toBe('/opt/tar/current\n');

    const again = await zkopsJson(ctx.cwd, ['deploy', '-i', inv]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.changed).toBe(false);
    expect(again.json.distribution).toEqual(Object.fromEntries(ctx.lab.hosts.map((h) => [h.name, 'unchanged'])));
    expect(again.json.nodes.map((n: any) => n.pid)).toEqual(r.json.nodes.map((n: any) => n.pid));
    await zkops(ctx.cwd, ['stop', '-i', inv]);
  });
});
