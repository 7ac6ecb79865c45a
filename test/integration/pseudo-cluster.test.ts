/**
 * A real three-node pseudo-cluster through the CLI: init, replication with a
 * real client, idempotent re-run, stop/start with the quorum surviving,
 * status, and destroy. Ports start at 22181 to stay clear of a developer's own
 * ZooKeeper on 2181.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, serversUnder, workdir, zkCli, zkops, zkopsJson } from '../helpers/cli.js';

const BASE = 22181;
const connect = (i: number) => `127.0.0.1:${BASE + i - 1}`;
let cwd: string;

beforeAll(() => {
  cwd = workdir('pseudo');
});
afterAll(async () => {
  await zkops(cwd, ['destroy', '--yes']);
  await killServersUnder(cwd);
});

describe('zkops init: a three-node pseudo-cluster', () => {
  it('brings up three real servers with one leader and two followers, and prints the connect string', async () => {
    const r = await zkops(cwd, ['init', '--base-port', String(BASE)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Connect string: ${connect(1)},${connect(2)},${connect(3)}`);
    expect(r.stdout).toMatch(/Cluster zk: healthy, 3 nodes, leader is node \d/);

    const { code, json } = await zkopsJson(cwd, ['status']);
    expect(code).toBe(0);
    expect(json.healthy).toBe(true);
    expect(json.nodes.map((n: any) => n.ports.client)).toEqual([BASE, BASE + 1, BASE + 2]);
    expect(json.nodes.map((n: any) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    for (const n of json.nodes) {
      expect(n.pid).toBeGreaterThan(0);
      // Started by zkops, as whoever ran it.
      expect(n.runs).toEqual({ by: 'zkops', user: os.userInfo().username });
      expect(n.version).toMatch(/^3\.\d+\.\d+$/);
      expect(n.metrics.znodes).toBeGreaterThan(0); // from mntr
    }
    expect(json.nodes.find((n: any) => n.mode === 'leader').metrics.syncedFollowers).toBe(2);
    expect((await serversUnder(cwd)).sort()).toEqual(json.nodes.map((n: any) => n.pid).sort());
    // The layout an operator would otherwise build by hand.
    for (const i of [1, 2, 3]) {
      const dir = path.join(cwd, '.zkops/zk', `node-${i}`);
      expect(readFileSync(path.join(dir, 'data/myid'), 'utf8')).toBe(`${i}\n`);
      expect(readFileSync(path.join(dir, 'conf/zoo.cfg'), 'utf8')).toContain(`clientPort=${BASE + i - 1}\n`);
      expect(readFileSync(path.join(dir, 'conf/java.env'), 'utf8')).toMatch(/^export JAVA_HOME=\S+/m);
    }
  });

  it('replicates: a znode written through node 1 is read through node 3 by a real client', async () => {
    await zkCli(connect(1), 'create', '/zkops-test', 'hello-from-node-1');
    const out = await zkCli(connect(3), 'get', '/zkops-test');
    expect(out).toContain('hello-from-node-1');
  });

  it('changes nothing when run again, and says so', async () => {
    const before = (await zkopsJson(cwd, ['status'])).json.nodes.map((n: any) => n.pid);
    const r = await zkopsJson(cwd, ['init', '--base-port', String(BASE)]);
    expect(r.code).toBe(0);
    expect(r.json.changed).toBe(false);
    expect(r.json.nodes.map((n: any) => n.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(r.json.nodes.map((n: any) => n.pid)).toEqual(before);
    const human = await zkops(cwd, ['init', '--base-port', String(BASE)]);
    expect(human.stdout).toContain('Nothing changed');
  });

  it('keeps the quorum when one node stops, and brings it back with start', async () => {
    const { json } = await zkopsJson(cwd, ['status']);
    const leader = json.nodes.find((n: any) => n.mode === 'leader');
    const stop = await zkopsJson(cwd, ['stop', String(leader.id)]);
    expect(stop.code).toBe(0);
    expect(stop.json.nodes[0]).toMatchObject({ id: leader.id, status: 'stopped', pid: leader.pid });
    expect(await serversUnder(path.join(cwd, `.zkops/zk/node-${leader.id}/`))).toEqual([]);

    // Two of three still form a quorum: a new leader is elected and writes go through.
    const survivor = json.nodes.find((n: any) => n.id !== leader.id);
    let degraded: any;
    for (let i = 0; i < 40; i++) {
      degraded = await zkopsJson(cwd, ['status']);
      if (degraded.json.verdict.status === 'degraded') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(degraded.code).toBe(5);
    expect(degraded.json.verdict.status).toBe('degraded');
    expect(degraded.json.nodes.find((n: any) => n.id === leader.id).mode).toBe('down');
    await zkCli(connect(survivor.id), 'create', '/during-outage', 'still-writable');

    const start = await zkopsJson(cwd, ['start']);
    expect(start.code).toBe(0);
    expect(start.json.started).toEqual([leader.id]);
    expect(start.json.healthy).toBe(true);
    expect(await zkCli(connect(leader.id), 'get', '/during-outage')).toContain('still-writable');

    const again = await zkopsJson(cwd, ['start']);
    expect(again.json.started).toEqual([]);
  });

  it('restarts one node at a time and ends healthy', async () => {
    const before = (await zkopsJson(cwd, ['status'])).json.nodes.map((n: any) => n.pid);
    const r = await zkopsJson(cwd, ['restart']);
    expect(r.code).toBe(0);
    expect(r.json.healthy).toBe(true);
    const after = (await zkopsJson(cwd, ['status'])).json.nodes.map((n: any) => n.pid);
    after.forEach((pid: number, i: number) => expect(pid).not.toBe(before[i]));
    expect(await zkCli(connect(2), 'get', '/zkops-test')).toContain('hello-from-node-1');
  });

  it('destroy stops every server and removes the cluster', async () => {
    const r = await zkops(cwd, ['destroy', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await serversUnder(cwd)).toEqual([]);
    expect(existsSync(path.join(cwd, '.zkops/zk'))).toBe(false);
    const status = await zkops(cwd, ['status']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('No cluster here');
  });
});

describe('changing the membership of a running ensemble', () => {
  it('grows a running ensemble one server at a time, never in one step (split brain); a stopped one at once', async () => {
    const dir = workdir('grow');
    try {
      expect((await zkops(dir, ['init', '--base-port', '27181'])).code).toBe(0);
      const grow = await zkopsJson(dir, ['init', '--base-port', '27181', '--nodes', '5']);
      expect(grow.code, grow.stderr).toBe(0);
      expect(grow.json.membership).toEqual([
        { kind: 'add', id: 4 },
        { kind: 'add', id: 5 },
      ]);
      expect(readFileSync(path.join(dir, '.zkops/zk/node-1/conf/zoo.cfg'), 'utf8')).toContain(
        'server.5=127.0.0.1:27892:28892',
      );

      // Stopped, there is no running ensemble to keep whole: every node starts with the new list at once.
      expect((await zkops(dir, ['stop'])).code).toBe(0);
      const grown = await zkopsJson(dir, ['init', '--base-port', '27181', '--nodes', '7']);
      expect(grown.code, grown.stderr).toBe(0);
      expect(grown.json.healthy).toBe(true);
      expect(grown.json.membership).toEqual([]);
      expect(grown.json.nodes).toHaveLength(7);
    } finally {
      await zkops(dir, ['destroy', '--yes']);
      await killServersUnder(dir);
    }
  });
});
