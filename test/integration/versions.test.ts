/**
 * Every ZooKeeper line for real: 3.4.13 and 3.9.3 (from Debian's older and
 * newer suites, test/helpers/releases.mjs) next to this machine's 3.8.0.
 * The core lifecycle on each (a pseudo-cluster: init, status, rolling
 * restart, doctor; SSH test hosts: deploy from the release tarball), and
 * rolling upgrades 3.4.13 → 3.8.0 → 3.9.3 while an independent client keeps
 * writing: afterwards every acknowledged write is on every node, and every
 * node answers with the new version.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkops, zkopsJson } from '../helpers/cli.js';
import { buildZookeeperImage, ensureDockerd } from '../helpers/docker.mjs';
import { labInventory, useLab } from '../helpers/lab.js';
import { releaseTarball, unpackRelease } from '../helpers/releases.mjs';
import { missingWrites, Writer } from '../helpers/writer.mjs';
import { execa } from 'execa';
import { until } from '../helpers/poll.js';

/** One scrape of `zkops exporter` over a running cluster (mntr on its version), the exporter stopped after. */
async function scrapeOnce(cwd: string, inventory: string): Promise<string> {
  const bin = path.resolve('bin/zkops.js');
  const exporter = execa(
    'node',
    [bin, 'exporter', '-i', inventory, '--listen', '127.0.0.1:0', '--doctor-interval', '0'],
    {
      cwd,
      reject: false,
      env: { NO_COLOR: '1' },
    },
  );
  let printed = '';
  exporter.stdout!.on('data', (d) => (printed += d));
  try {
    const { value: url } = await until(
      'the exporter prints its address',
      20_000,
      async () => /on (http:\S+)/.exec(printed)?.[1],
    );
    const { value } = await until('three serving nodes', 10_000, async () => {
      const t = await (await fetch(url)).text();
      return (t.match(/^zkops_node_serving\{[^}]*\} 1$/gm) ?? []).length === 3 ? t : undefined;
    });
    return value;
  } finally {
    exporter.kill('SIGTERM');
    await exporter;
  }
}

/**
 * Upgrades `inventory` (already rewritten to the new release) while a client writes; checks every write landed
 * everywhere.
 */
async function upgradeUnderWrites(cwd: string, inventory: string, connect: string, to: string) {
  const writer = new Writer(connect);
  await writer.start();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  const r = await zkopsJson(cwd, ['upgrade', '-i', inventory]);
  const ms = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  const report = await writer.stop();
  expect(r.code, r.stderr).toBe(0);
  expect(r.json.healthy).toBe(true);
  expect(r.json.nodes.map((n: any) => n.version)).toEqual([to, to, to]);
  expect(r.json.upgrades.map((u: any) => u.to)).toEqual([to, to, to]);
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(await missingWrites(connect.split(','), report.acknowledged), 'acknowledged writes missing').toEqual({});
  console.log(
    `upgrade to ${to}: ${ms} ms, ${report.acknowledged.length} writes acknowledged, ` +
      `${report.failed} failed, longest gap ${report.longestGapMs} ms`,
  );
  return r.json;
}

describe('the lifecycle on each version (pseudo-cluster), and the upgrades between them', () => {
  // One ensemble walks the whole way (3.4.13, then 3.8.0, then 3.9.3): each version's lifecycle is checked on it
  // where it stands, so the file starts one ensemble instead of three.
  let cwd = '';
  let inventory = '';
  const homes: Record<string, string> = {};
  const connect = '127.0.0.1:28081,127.0.0.1:28082,127.0.0.1:28083';
  const write = (home?: string) =>
    writeFileSync(
      inventory,
      `name: up\npseudo: { count: 3, basePort: 28081 }\n` +
        `java: { heap: 128m }\n${home ? `zookeeper: { home: ${home} }\n` : ''}`,
    );
  beforeAll(async () => {
    cwd = workdir('versions');
    inventory = path.join(cwd, 'upgrade.yaml');
    for (const v of ['3.4.13', '3.9.3']) homes[v] = await unpackRelease(v, path.join(cwd, 'releases'));
  });
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
  });

  /** Status with mode, zxid and version; a rolling restart (when asked); the doctor's findings that are not "ok". */
  async function lifecycle(version: string, restart: boolean) {
    const status = await zkopsJson(cwd, ['status', '-i', inventory]);
    expect(status.json.healthy).toBe(true);
    expect(status.json.nodes.map((n: any) => n.version)).toEqual([version, version, version]);
    expect(status.json.nodes.every((n: any) => /^0x[0-9a-f]+$/.test(n.zxid))).toBe(true);
    expect(status.json.nodes.map((n: any) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    if (restart) {
      const r = await zkopsJson(cwd, ['restart', '-i', inventory]);
      expect(r.code, r.stderr).toBe(0);
    }
    // The exporter on this version's mntr: every node's figures under the provider's names.
    const text = await scrapeOnce(cwd, inventory);
    for (let id = 0; id < 3; id++) {
      const instance = `instance="127\\.0\\.0\\.1:${28081 + id}"`;
      for (const name of ['znode_count', 'avg_latency', 'num_alive_connections', 'zkops_node_mntr_available'])
        expect(text).toMatch(new RegExp(`^${name}\\{cluster="[^"]+",${instance}\\} \\d+(\\.\\d+)?$`, 'm'));
      expect(text).toMatch(new RegExp(`^zkops_node_mntr_available\\{[^}]*${instance}\\} 1$`, 'm'));
      expect(text).toMatch(
        new RegExp(`^zkops_node_info\\{[^}]*${instance}[^}]*version="${version.replace(/\./g, '\\.')}[^"]*"`, 'm'),
      );
    }
    expect(text).toMatch(/^synced_followers\{[^}]*\} 2$/m);
    expect(text).toMatch(/^zkops_cluster_quorum\{[^}]*\} 1$/m);
    const doctor = await zkopsJson(cwd, ['doctor', '-i', inventory]);
    return { code: doctor.code, open: doctor.json.findings.filter((f: any) => f.severity !== 'ok') };
  }

  // No restart on 3.4 here: it would give the followers the snapshot whose absence the upgrade must handle (3.4's
  // rolling restart is the SSH hosts' test below).
  it('3.4.13: init, status with mode, zxid and version, doctor', async () => {
    write(homes['3.4.13']);
    const up = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
    const { code, open } = await lifecycle('3.4.13', false);
    // The truth about 3.4 on this machine's Java 17, and nothing else.
    expect(
      open
        .map((f: any) => `${f.check}: ${f.message}`)
        .every((m: string) => /^java: ZooKeeper 3\.4\.13 on Java 17/.test(m)),
      JSON.stringify(open),
    ).toBe(true);
    expect(code).toBe(1);
  });

  it('upgrades 3.4.13 → 3.8.0 → 3.9.3 one node at a time under writes, 3.4 data included', async () => {
    // 3.4 data without a snapshot on its followers: the classic 3.5+ refusal, taken care of.
    write();
    const dry = await zkops(cwd, ['upgrade', '-i', inventory, '--dry-run']);
    expect(dry.stdout).toMatch(/node \d: 3\.4\.13 → 3\.8\.0/);
    const to38 = await upgradeUnderWrites(cwd, inventory, connect, '3.8.0');
    expect(to38.upgrades.some((u: any) => u.trustEmptySnapshot)).toBe(true);
    write(homes['3.9.3']);
    await upgradeUnderWrites(cwd, inventory, connect, '3.9.3');
    // The trust of empty snapshots was for the upgrade only.
    const cfgs = await zkops(cwd, ['deploy', '-i', inventory, '--dry-run']);
    expect(cfgs.stdout).not.toContain('snapshot.trust.empty');
  });

  it('3.9.3: status with mode, zxid and version, rolling restart, doctor', async () => {
    const { code, open } = await lifecycle('3.9.3', true);
    expect(open, JSON.stringify(open)).toEqual([]);
    expect(code).toBe(0);
  });

  it('refuses to go back from 3.9.3 to 3.4', async () => {
    write(homes['3.4.13']);
    const down = await zkops(cwd, ['upgrade', '-i', inventory]);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('a 3.5+ data directory is not for 3.4 to read');
  });
});

describe('versions on SSH test hosts', () => {
  const ctx = useLab('v', 3);
  let inventory = '';
  const write = (tarball: string) =>
    writeFileSync(inventory, labInventory(ctx.lab, { name: 'vers', extra: [`zookeeper: { tarball: ${tarball} }`] }));
  const connect = () => ctx.lab.hosts.map((h) => `${h.ip}:2181`).join(',');

  it('deploys 3.4.13 from its release tarball, restarts it, and the doctor says only the Java truth', async () => {
    inventory = path.join(ctx.cwd, 'vers.yaml');
    write(await releaseTarball('3.4.13'));
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.nodes.map((n: any) => n.version)).toEqual(['3.4.13', '3.4.13', '3.4.13']);
    expect((await zkopsJson(ctx.cwd, ['restart', '-i', inventory])).json.healthy).toBe(true);
    expect((await zkopsJson(ctx.cwd, ['doctor', '-i', inventory])).code).toBe(1);
  });

  it('upgrades to 3.8.0 and then 3.9.3 under writes, each release installed beside the last', async () => {
    write(await releaseTarball('3.8.0'));
    await upgradeUnderWrites(ctx.cwd, inventory, connect(), '3.8.0');
    write(await releaseTarball('3.9.3'));
    const last = await upgradeUnderWrites(ctx.cwd, inventory, connect(), '3.9.3');
    expect(last.distribution).toEqual({ v1: 'installed', v2: 'installed', v3: 'installed' });
    const doctor = await zkopsJson(ctx.cwd, ['doctor', '-i', inventory]);
    expect(
      doctor.json.findings.filter((f: any) => f.severity !== 'ok'),
      JSON.stringify(doctor.json.findings),
    ).toEqual([]);
  });
});

describe('versions in Docker: the image tag is the version', () => {
  let cwd = '';
  let inventory = '';
  const images: Record<string, string> = {};
  beforeAll(async () => {
    await ensureDockerd();
    for (const v of ['3.4.13', '3.8.0', '3.9.3']) images[v] = await buildZookeeperImage(v);
    cwd = workdir('versions-docker');
    inventory = path.join(cwd, 'docker.yaml');
  }, 600_000);
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
  });
  const write = (version: string) =>
    writeFileSync(
      inventory,
      `name: vdock\nexecutor: docker\ndocker: { image: ${images[version]} }\n` +
        'pseudo: { count: 3, basePort: 28181 }\njava: { heap: 128m }\n',
    );
  const connect = '127.0.0.1:28181,127.0.0.1:28182,127.0.0.1:28183';

  it('upgrades 3.4.13 → 3.8.0 → 3.9.3 by changing the image, recreating one container at a time', async () => {
    write('3.4.13');
    const up = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.nodes.map((n: any) => n.version)).toEqual(['3.4.13', '3.4.13', '3.4.13']);
    const created = (await zkopsJson(cwd, ['status', '-i', inventory])).json.nodes.map((n: any) => n.pid);
    const before = new Writer(connect);
    await before.start();
    await new Promise((r) => setTimeout(r, 1000));
    const on34 = (await before.stop()).acknowledged;
    expect(on34.length).toBeGreaterThan(10);
    write('3.8.0');
    const to38 = await upgradeUnderWrites(cwd, inventory, connect, '3.8.0');
    // 3.4 data without a snapshot is carried over here too.
    expect(to38.upgrades.some((u: any) => u.trustEmptySnapshot)).toBe(true);
    write('3.9.3');
    await upgradeUnderWrites(cwd, inventory, connect, '3.9.3');
    // New containers (new server processes) on the same volumes: what 3.4.13 acknowledged is on every node.
    const after = (await zkopsJson(cwd, ['status', '-i', inventory])).json.nodes.map((n: any) => n.pid);
    expect(after.filter((pid: number) => created.includes(pid))).toEqual([]);
    expect(await missingWrites(connect.split(','), on34), '3.4.13 writes missing').toEqual({});
  });
});
