/**
 * Membership changes on a running ensemble: 3 → 5 → 3 servers with
 * `zkops deploy` on a pseudo-cluster, 3 → 4 → 3 on SSH test hosts, while an
 * independent client writes and every node's srvr is polled throughout.
 * Afterwards: no acknowledged write lost, never two leaders at once, the
 * data written before is still there, and the leaving servers are stopped.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeNode } from '../../src/health/probe.js';
import { killServersUnder, workdir, zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';
import { unpackRelease } from '../helpers/releases.mjs';
import { missingWrites, Writer } from '../helpers/writer.mjs';

/** Polls srvr on every server every 50 ms; keeps the samples in which more than one node said leader. */
function watchLeaders(servers: string[]) {
  const twoLeaders: string[][] = [];
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const modes = await Promise.all(
        servers.map(async (s) => {
          const [host, port] = s.split(':');
          return (await probeNode(host!, Number(port), 500, false)).mode;
        }),
      );
      samples++;
      if (modes.filter((m) => m === 'leader').length > 1) twoLeaders.push(modes);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { samples, twoLeaders };
    },
  };
}

/** One membership change under writes; returns the deploy's JSON. */
async function changeUnderWrites(cwd: string, inventory: string, connect: string, all: string[], flags: string[] = []) {
  const writer = new Writer(connect);
  await writer.start();
  const leaders = watchLeaders(all);
  await new Promise((r) => setTimeout(r, 300));
  const r = await zkopsJson(cwd, ['deploy', '-i', inventory, ...flags]);
  await new Promise((r) => setTimeout(r, 300));
  const report = await writer.stop();
  const polled = await leaders.stop();
  expect(r.code, r.stderr).toBe(0);
  expect(r.json.healthy).toBe(true);
  expect(polled.twoLeaders, 'samples with two leaders').toEqual([]);
  expect(polled.samples).toBeGreaterThan(20);
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(
    await missingWrites(r.json.connectString.split(','), report.acknowledged),
    'acknowledged writes missing',
  ).toEqual({});
  console.log(
    `membership ${r.json.membership.map((m: any) => `${m.kind} ${m.id}`).join(', ')}: ` +
      `${report.acknowledged.length} writes acknowledged, ${report.failed} failed, longest gap ` +
      `${report.longestGapMs} ms; ${polled.samples} srvr samples, none with two leaders`,
  );
  return { r, report };
}

describe('membership changes on a pseudo-cluster', () => {
  let cwd = '';
  let inventory = '';
  const base = 28481;
  const all = [0, 1, 2, 3, 4].map((i) => `127.0.0.1:${base + i}`);
  const write = (count: number) =>
    writeFileSync(inventory, `name: members\npseudo: { count: ${count}, basePort: ${base} }\njava: { heap: 128m }\n`);
  beforeAll(() => {
    cwd = workdir('members');
    inventory = path.join(cwd, 'members.yaml');
  });
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
  });

  it('grows 3 → 5 and shrinks 5 → 3 one server at a time under writes, never with two leaders', async () => {
    write(3);
    expect((await zkops(cwd, ['init', '-i', inventory])).code).toBe(0);
    const before = new Writer(all.slice(0, 3).join(','));
    await before.start();
    await new Promise((r) => setTimeout(r, 500));
    const early = (await before.stop()).acknowledged;

    write(5);
    // Configs without restarts would leave servers with different lists behind: refused.
    const noStart = await zkops(cwd, ['deploy', '-i', inventory, '--no-start']);
    expect(noStart.code).toBe(4);
    expect(noStart.stderr).toContain('Deploy without --no-start');
    const dry = await zkops(cwd, ['deploy', '-i', inventory, '--dry-run']);
    expect(dry.stdout).toContain('1. add server 4');
    expect(dry.stdout).toContain('2. add server 5');
    const grown = await changeUnderWrites(cwd, inventory, all.slice(0, 3).join(','), all);
    expect(grown.r.json.membership).toEqual([
      { kind: 'add', id: 4 },
      { kind: 'add', id: 5 },
    ]);
    expect(grown.r.json.nodes.map((n: any) => n.mode).filter((m: string) => m === 'follower')).toHaveLength(4);

    write(3);
    const shrunk = await changeUnderWrites(cwd, inventory, all.join(','), all);
    expect(shrunk.r.json.membership).toEqual([
      { kind: 'remove', id: 4 },
      { kind: 'remove', id: 5 },
    ]);
    // The leaving servers are stopped; the data written first is everywhere.
    for (const s of all.slice(3))
      expect((await probeNode('127.0.0.1', Number(s.split(':')[1]), 500, false)).mode).toBe('down');
    expect(await missingWrites(all.slice(0, 3), early), 'written before the change, missing').toEqual({});
    const again = await zkops(cwd, ['deploy', '-i', inventory]);
    expect(again.stdout).toContain('Nothing changed');
  });

  it('refuses to change a server in place (address or ports), and changes nothing', async () => {
    // The same three servers, but server 3's quorum port moved.
    const moved = path.join(cwd, 'moved.yaml');
    writeFileSync(
      moved,
      [
        'name: members',
        `dir: ${path.join(cwd, '.zkops/members')}`,
        'nodes:',
        `  - { id: 1, host: lo, clientPort: ${base}, quorumPort: ${base + 707}, electionPort: ${base + 1707}, adminPort: ${base + 5899}, metricsPort: ${base + 4819}, jmxPort: ${base + 6829} }`,
        `  - { id: 2, host: lo, clientPort: ${base + 1}, quorumPort: ${base + 708}, electionPort: ${base + 1708}, adminPort: ${base + 5900}, metricsPort: ${base + 4820}, jmxPort: ${base + 6830} }`,
        `  - { id: 3, host: lo, clientPort: ${base + 2}, quorumPort: ${base + 800}, electionPort: ${base + 1709}, adminPort: ${base + 5901}, metricsPort: ${base + 4821}, jmxPort: ${base + 6831} }`,
        'hosts: [{ name: lo, address: 127.0.0.1 }]',
        'java: { heap: 128m }',
        '',
      ].join('\n'),
    );
    const r = await zkops(cwd, ['deploy', '-i', moved]);
    expect(r.code, r.stdout).toBe(4);
    expect(r.stderr).toContain("a server's address or ports do not change in place");
  });
});

describe('membership changes on SSH test hosts', () => {
  // One server added and removed: two at a time is the pseudo-cluster's test; here what differs on hosts (new
  // host keys, a systemd-less leaving node) needs only one.
  const ctx = useLab('mb', 4);
  let inventory = '';
  const write = (count: number) =>
    writeFileSync(inventory, labInventory(ctx.lab, { name: 'members', hosts: ctx.lab.hosts.slice(0, count) }));

  it('grows 3 → 4 and shrinks 4 → 3 under writes, never with two leaders; a leaving systemd-less node stays stopped', async () => {
    inventory = path.join(ctx.cwd, 'members.yaml');
    const all = ctx.lab.hosts.map((h) => `${h.ip}:2181`);
    write(3);
    const up = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(up.code, up.stderr).toBe(0);
    write(4);
    // A new VM: their host keys are seen for the first time.
    const grown = await changeUnderWrites(ctx.cwd, inventory, all.slice(0, 3).join(','), all, [
      '--accept-new-host-keys',
    ]);
    expect(grown.r.json.nodes).toHaveLength(4);
    expect(grown.r.json.membership).toEqual([{ kind: 'add', id: 4 }]);
    write(3);
    const shrunk = await changeUnderWrites(ctx.cwd, inventory, all.join(','), all);
    expect(shrunk.r.json.nodes).toHaveLength(3);
    for (const h of ctx.lab.hosts.slice(3)) expect((await probeNode(h.ip, 2181, 500, false)).mode).toBe('down');
    expect((await zkops(ctx.cwd, ['stop', '-i', inventory])).code).toBe(0);
  });
});

describe('membership changes on 3.4', () => {
  let cwd = '';
  let inventory = '';
  const base = 28581;
  beforeAll(() => {
    cwd = workdir('members34');
    inventory = path.join(cwd, 'members.yaml');
  });
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
  });

  it('refuses to change the servers of a running 3.4 ensemble, says what to do instead, and changes nothing', async () => {
    const home = await unpackRelease('3.4.13', path.join(cwd, 'releases'));
    const write = (count: number) =>
      writeFileSync(
        inventory,
        `name: members34\npseudo: { count: ${count}, basePort: ${base} }\njava: { heap: 128m }\n` +
          `zookeeper: { home: ${home} }\n`,
      );
    write(3);
    expect((await zkops(cwd, ['init', '-i', inventory])).code).toBe(0);
    write(5);
    const r = await zkops(cwd, ['deploy', '-i', inventory]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('zkops changes the membership of 3.5 and later only');
    expect(r.stderr).toContain('Nothing was changed');
    expect((await probeNode('127.0.0.1', base + 3, 500, false)).mode).toBe('down');
    write(3);
    const status = await zkopsJson(cwd, ['status', '-i', inventory]);
    expect(status.json.healthy).toBe(true);
  });
});
