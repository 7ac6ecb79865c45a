/**
 * executor docker against a real Docker engine (started by the test when none
 * runs) and a ZooKeeper image built from this machine's files with the
 * official image's conventions (test/helpers/docker.mjs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZookeeperImage, ensureDockerd, TEST_IMAGE } from '../helpers/docker.mjs';
import { workdir, zkCli, zkops, zkopsJson } from '../helpers/cli.js';

const NAME = 'dtest';
const BASE = 22181;
let cwd: string;
let inventory: string;

function writeInventory(heap = '128m', count = 3, image = TEST_IMAGE): void {
  writeFileSync(
    inventory,
    [
      'name: dtest',
      'executor: docker',
      `docker: { image: ${JSON.stringify(image)} }`,
      `pseudo: { count: ${count}, basePort: ${BASE} }`,
      `java: { heap: ${heap} }`,
      '',
    ].join('\n'),
  );
}

const docker = async (...args: string[]) => String((await execa('docker', args)).stdout);
const ours = async () =>
  (await docker('ps', '-a', '--filter', `label=zkops.cluster=${NAME}`, '--format', '{{.Names}} {{.State}}'))
    .split('\n')
    .filter(Boolean)
    .sort();

beforeAll(async () => {
  await ensureDockerd();
  await buildZookeeperImage();
  cwd = workdir('docker');
  inventory = path.join(cwd, 'docker.yaml');
}, 300_000);

afterAll(async () => {
  await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
});

describe('zkops with executor docker', () => {
  it('names the engine it cannot reach, on a local socket or over TCP, and creates nothing', async () => {
    writeInventory();
    for (const where of ['unix:///tmp/zkops-no-engine.sock', 'tcp://127.0.0.1:9']) {
      const r = await zkops(cwd, ['init', '-i', inventory], { DOCKER_HOST: where });
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain(`Cannot reach the Docker engine at ${where}`);
      expect(r.stderr).toContain('nothing was created');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await ours()).toEqual([]);
  });

  it('refuses an image the engine lacks and cannot pull, and creates nothing', async () => {
    writeInventory('128m', 3, 'zkops-test/no-such-image:1');
    const r = await zkops(cwd, ['init', '-i', inventory]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'The image zkops-test/no-such-image:1 is not on the Docker engine and could not be pulled',
    );
    expect(r.stderr).toContain('nothing was created');
    expect(await ours()).toEqual([]);
  });

  it("refuses JVM flags the image's Java rejects, and creates nothing", async () => {
    writeFileSync(
      inventory,
      `name: dtest\nexecutor: docker\ndocker: { image: ${JSON.stringify(TEST_IMAGE)} }\npseudo: { count: 3, ` +
        `basePort: ${BASE} }\njava: { heap: 128m, flags: [-XX:+NoSuchOptionZkops] }\n`,
    );
    const r = await zkops(cwd, ['init', '-i', inventory]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("refuses the servers' JVM flags");
    expect(r.stderr).toContain('NoSuchOptionZkops');
    expect(await ours()).toEqual([]);
  });

  it('brings up one container per node that form a quorum and replicate', async () => {
    writeInventory();
    const r = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(r.json.nodes.map((n: any) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    expect(r.json.connectString).toBe(`127.0.0.1:${BASE},127.0.0.1:${BASE + 1},127.0.0.1:${BASE + 2}`);
    expect(await ours()).toEqual(['zkops-dtest-1 running', 'zkops-dtest-2 running', 'zkops-dtest-3 running']);
    expect(r.json.nodes.map((n: any) => n.runs)).toEqual([{ by: 'docker' }, { by: 'docker' }, { by: 'docker' }]);
    // Each pid is the server's JVM on this machine (the container's main process).
    for (const n of r.json.nodes)
      expect(readFileSync(`/proc/${n.pid}/cmdline`, 'utf8')).toContain(
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      );
    // Only the client port is published, and only on loopback; peers find each other by container name.
    expect(await docker('port', 'zkops-dtest-2')).toBe(`2181/tcp -> 127.0.0.1:${BASE + 1}`);
    const cfg = await docker('exec', 'zkops-dtest-1', 'cat', '/conf/zoo.cfg');
    expect(cfg).toContain('server.3=zkops-dtest-3:2888:3888');
    expect(cfg).toContain('4lw.commands.whitelist=srvr,ruok,mntr,conf');
    expect(await docker('exec', 'zkops-dtest-3', 'cat', '/data/myid')).toBe('3');

    await zkCli(`127.0.0.1:${BASE}`, 'create', '/in-docker', 'hello');
    expect(await zkCli(`127.0.0.1:${BASE + 2}`, 'get', '/in-docker')).toContain('hello');
  });

  it('changes nothing on a second run', async () => {
    const before = (await zkopsJson(cwd, ['status'])).json;
    const r = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.changed).toBe(false);
    expect(r.json.nodes.map((n: any) => n.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(r.json.nodes.map((n: any) => n.pid)).toEqual(before.nodes.map((n: any) => n.pid));
  });

  // One server in and out (two at a time is the pseudo-cluster's membership test; the steps are the same).
  it('grows the running ensemble to 4 containers and back to 3, one server at a time', async () => {
    writeInventory('128m', 4);
    const grown = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(grown.code, grown.stderr).toBe(0);
    expect(grown.json.membership).toEqual([{ kind: 'add', id: 4 }]);
    expect(grown.json.nodes).toHaveLength(4);
    expect(await ours()).toHaveLength(4);
    writeInventory();
    const shrunk = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(shrunk.code, shrunk.stderr).toBe(0);
    expect(shrunk.json.healthy).toBe(true);
    // The leaving servers' containers stay, stopped (their data is on their volumes); destroy removes them too.
    const running = (await docker('ps', '--format', '{{.Names}}'))
      .split('\n')
      .filter((n) => n.startsWith('zkops-dtest-'));
    expect(running.sort()).toEqual(['zkops-dtest-1', 'zkops-dtest-2', 'zkops-dtest-3']);
    expect(await zkCli(`127.0.0.1:${BASE + 2}`, 'get', '/in-docker')).toContain('hello');
  });

  it('recreates the containers one at a time for a changed setting, keeping the data', async () => {
    const files = async () =>
      (await docker('exec', 'zkops-dtest-1', 'ls', '/datalog/version-2'))
        .split('\n')
        .filter((f) => f.startsWith('log.'));
    const before = await files();
    expect(before.length).toBeGreaterThan(0);
    writeInventory('160m');
    const r = await zkopsJson(cwd, ['init', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(r.json.nodes.map((n: any) => n.action)).toEqual(['restarted', 'restarted', 'restarted']);
    expect(readFileSync(`/proc/${r.json.nodes[0].pid}/cmdline`, 'utf8')).toContain('-Xmx160m');
    // The new container runs on the old one's volume: its transaction logs are still there.
    expect(await files()).toEqual(expect.arrayContaining(before));
    expect(await zkCli(`127.0.0.1:${BASE + 1}`, 'get', '/in-docker')).toContain('hello');
  });

  it('gets a crashed server back from the engine', async () => {
    const before = (await zkopsJson(cwd, ['status'])).json.nodes[1].pid;
    process.kill(before, 'SIGKILL');
    let after: any;
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = (await zkopsJson(cwd, ['status'])).json;
      if (after.healthy && after.nodes[1].pid && after.nodes[1].pid !== before) break;
    }
    expect(after.healthy).toBe(true);
    expect(after.nodes[1].pid).not.toBe(before);
  });

  it('stops, starts and restarts nodes', async () => {
    const stop = await zkopsJson(cwd, ['stop', '2']);
    expect(stop.json.nodes[0]).toMatchObject({ id: 2, status: 'stopped' });
    expect(await ours()).toContain('zkops-dtest-2 exited');
    const doctor = await zkops(cwd, ['doctor']);
    expect(doctor.code, doctor.stdout).toBe(1); // warnings only
    expect(doctor.stdout).toContain('warn  process: node 2: container zkops-dtest-2 was stopped');
    expect(doctor.stdout).toContain('fix: zkops start 2');
    expect(doctor.stdout).toMatch(/ok {4}engine: Docker engine at .* answers/);
    const start = await zkopsJson(cwd, ['start']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.json.started).toEqual([2]);
    expect(start.json.healthy).toBe(true);
    const restart = await zkopsJson(cwd, ['restart', '1']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.json.healthy).toBe(true);
  });

  it('destroy removes the containers, their volumes and the network', async () => {
    const r = await zkops(cwd, ['destroy', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await ours()).toEqual([]);
    expect(await docker('volume', 'ls', '--format', '{{.Name}}')).not.toContain('zkops-dtest-');
    expect(await docker('network', 'ls', '--format', '{{.Name}}')).not.toContain('zkops-dtest');
  });
});
