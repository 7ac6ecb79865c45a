/**
 * Fresh VMs with neither Java nor ZooKeeper (test hosts whose /usr/lib/jvm
 * and /usr/share/zookeeper are empty): preflight says what is missing and how
 * zkops can bring it; with java.tarball and zookeeper.tarball, zkops ships
 * both and the ensemble forms; a second deploy ships nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { jreTarball } from '../helpers/jre.mjs';
import { labInventory, useLab } from '../helpers/lab.js';
import { buildTestTarball } from '../helpers/tarball.mjs';

describe('bare hosts: zkops brings Java and ZooKeeper', () => {
  const ctx = useLab('bv', 3, { bare: true });

  it('says that a host has no Java and how zkops can ship one, and writes nothing', async () => {
    const inventory = path.join(ctx.cwd, 'nojava.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'nojava',
        dir: '/opt/zk-nojava',
        extra: [`zookeeper: { tarball: ${await buildTestTarball('3.8.0')} }`],
      }),
    );
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/No Java on|does not run/);
    expect(r.stderr).toContain('java.tarball');
    for (const h of ctx.lab.hosts) expect(existsSync(path.join(h.root, 'opt', 'zk-nojava'))).toBe(false);
  });

  it('ships Java and ZooKeeper to every host and forms a quorum; a second deploy ships nothing', async () => {
    const jre = await jreTarball();
    const top = path.basename(jre, '.tar.gz');
    const inventory = path.join(ctx.cwd, 'bare.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'bare',
        java: `java: { heap: 128m, tarball: ${jre} }`,
        extra: [`zookeeper: { tarball: ${await buildTestTarball('3.8.0')} }`],
      }),
    );
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.healthy).toBe(true);
    expect(up.json.nodes.map((n: any) => n.version)).toEqual(['3.8.0', '3.8.0', '3.8.0']);
    for (const [i, h] of ctx.lab.hosts.entries()) {
      const env = readFileSync(path.join(h.root, 'opt', 'zookeeper', `node-${i + 1}`, 'conf', 'java.env'), 'utf8');
      expect(env).toContain(`export JAVA_HOME=/opt/zookeeper/${top}\n`);
    }
    const again = await zkops(ctx.cwd, ['deploy', '-i', inventory]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing changed');
    expect((await zkops(ctx.cwd, ['stop', '-i', inventory])).code).toBe(0);
  });
});

describe('bare hosts: Java from the package manager', () => {
  const ctx = useLab('bp', 1, { bare: true });

  it('shows on a dry run which package each host would get and how, and changes nothing', async () => {
    const inventory = path.join(ctx.cwd, 'pkg.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'pkg',
        dir: '/opt/zk-pkg',
        java: 'java: { heap: 128m, install: package }',
        extra: [`zookeeper: { tarball: ${await buildTestTarball('3.8.0')} }`],
      }),
    );
    const dry = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--dry-run', '--accept-new-host-keys']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Would run first:');
    expect(dry.stdout).toContain(
      `${ctx.lab.hosts[0]!.name}: export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y ` +
        '-qq -o DPkg::Lock::Timeout=300 --no-install-recommends default-jre-headless',
    );
    const json = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--dry-run']);
    expect(json.json.actions).toHaveLength(1);
    expect(existsSync(path.join(ctx.lab.hosts[0]!.root, 'opt', 'zk-pkg'))).toBe(false);
  });
});
