/**
 * The runtime conformance suite: one lifecycle, the same tests, against every
 * runtime (processes on this machine, SSH test hosts, Docker containers).
 * Bring up, no-change re-run, stop one node, start it, rolling restart under
 * a writing client with no acknowledged write lost, the smoke test, and tear
 * down.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zkops, zkopsJson } from './cli.js';
import { missingWrites, Writer, writesOn } from './writer.mjs';

/** What the suite needs to know about one runtime. */
export interface LifecycleTarget {
  name: string;
  /** The working directory zkops runs in, and the inventory it is given (set up by the caller's hooks). */
  cwd: () => string;
  inventory: () => string;
  /** The command that brings the ensemble up from the inventory (init or deploy), with its flags. */
  up: string[];
  /** Whether `destroy` applies (clusters on this machine), else the suite stops every node instead. */
  destroyable: boolean;
  /** Checks that each reported pid is the node's real server process. */
  isServer: (pid: number, nodeId: number) => Promise<boolean>;
}

export function lifecycleSuite(t: LifecycleTarget): void {
  const run = (args: string[]) => zkops(t.cwd(), [...args, '-i', t.inventory()]);
  const json = (args: string[]) => zkopsJson(t.cwd(), [...args, '-i', t.inventory()]);

  describe(`runtime conformance: ${t.name}`, () => {
    let connect = '';
    let pids: number[] = [];

    it("brings up an ensemble with one leader, followers, and each node's real server pid", async () => {
      const r = await json(t.up);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
      expect(r.json.nodes.map((n: any) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
      connect = r.json.connectString;
      pids = r.json.nodes.map((n: any) => n.pid);
      for (const [i, pid] of pids.entries())
        expect(await t.isServer(pid, i + 1), `node ${i + 1} pid ${pid}`).toBe(true);
    });

    it('changes nothing on a second run', async () => {
      const r = await json(t.up);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.changed).toBe(false);
      expect(r.json.nodes.map((n: any) => n.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(r.json.nodes.map((n: any) => n.pid)).toEqual(pids);
    });

    it('stops one node; the other two keep serving', async () => {
      const stop = await json(['stop', '2']);
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.json.nodes).toEqual([{ id: 2, status: 'stopped', pid: pids[1], forced: false }]);
      expect(await t.isServer(pids[1]!, 2)).toBe(false);
      let status: any;
      for (let i = 0; i < 40; i++) {
        status = await json(['status']);
        if (status.json.verdict.status === 'degraded') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status.code).toBe(5);
      expect(status.json.verdict.status).toBe('degraded');
      expect(status.json.nodes[1]).toMatchObject({ id: 2, mode: 'down', pid: null });
    });

    it('starts it again, and the status after start shows every real pid', async () => {
      const start = await json(['start']);
      expect(start.code, start.stderr).toBe(0);
      expect(start.json.started).toEqual([2]);
      expect(start.json.healthy).toBe(true);
      const after = start.json.nodes.map((n: any) => n.pid);
      expect(after[0]).toBe(pids[0]);
      expect(after[2]).toBe(pids[2]);
      expect(await t.isServer(after[1], 2)).toBe(true);
      expect(start.json.nodes.every((n: any) => n.runs !== null)).toBe(true);
      pids = after;
      const human = await run(['start']);
      expect(human.stdout).toContain('Nothing to start');
    });

    it('restarts every node one at a time while a client writes, losing no acknowledged write', async () => {
      const writer = new Writer(connect);
      await writer.start();
      await new Promise((r) => setTimeout(r, 500));
      const restart = await json(['restart']);
      await new Promise((r) => setTimeout(r, 500));
      const report = await writer.stop();
      expect(restart.code, restart.stderr).toBe(0);
      expect(restart.json.healthy).toBe(true);
      expect(restart.json.restarted).toEqual([1, 2, 3]);
      const after = restart.json.nodes.map((n: any) => n.pid);
      for (const [i, pid] of after.entries()) {
        expect(pid).not.toBe(pids[i]);
        expect(await t.isServer(pid, i + 1)).toBe(true);
      }
      pids = after;
      expect(report.acknowledged.length).toBeGreaterThan(20);
      expect(await missingWrites(connect.split(','), report.acknowledged), 'acknowledged writes missing').toEqual({});
      console.log(
        `${t.name}: rolling restart under writes: ${report.acknowledged.length} acknowledged, ${report.failed} ` +
          `failed, longest gap ${report.longestGapMs} ms`,
      );
    });

    it('passes the smoke test through the client ports, and leaves nothing behind', async () => {
      const r = await json(['smoke']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.checks.map((c: any) => [c.check, c.ok])).toEqual([
        ['write on one node, read on every node', true],
        ['an ephemeral znode goes with its session', true],
        ['sequential znodes come back in order', true],
        ['a watch fires on change', true],
        ['a session moves to another node', true],
      ]);
      const left = await json(['ls', '/']);
      expect(left.json.znodes.map((z: any) => z.path).filter((p: string) => p.startsWith('/zkops-smoke'))).toEqual([]);
    });

    it("shows every node's server log, merged by time, one node's alone when named", async () => {
      const r = await json(['logs', '-n', '2000']);
      expect(r.code, r.stderr).toBe(0);
      const nodes = new Set(r.json.map((e: any) => e.node));
      expect([...nodes].sort()).toEqual([1, 2, 3]);
      const times = r.json.filter((e: any) => e.time).map((e: any) => e.time);
      expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
      // The servers' own words, not zkops's probes: each node's last start is there.
      expect(
        r.json.some((e: any) => /Reading configuration from|ZooKeeper audit is|Created server with/.test(e.text)),
      ).toBe(true);
      expect(r.json.some((e: any) => /Processing srvr command/.test(e.text))).toBe(false);
      const one = await json(['logs', '2', '-n', '50']);
      expect(new Set(one.json.map((e: any) => e.node))).toEqual(new Set([2]));
    });

    it('backs up, and restores into the stopped ensemble: what was written before is back, what came after is not', async () => {
      const write = async (ms: number) => {
        const w = new Writer(connect);
        await w.start();
        await new Promise((r) => setTimeout(r, ms));
        return (await w.stop()).acknowledged;
      };
      const before = await write(800);
      const dir = path.join(t.cwd(), `backup-${Date.now()}`);
      const backup = await json(['backup', '-o', dir]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.json.files.some((f: any) => f.name.startsWith('snapshot.'))).toBe(true);
      const later = await write(500);
      expect(later.length).toBeGreaterThan(5);
      expect((await json(['stop'])).code).toBe(0);
      const refused = await run(['restore', dir]);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('newer than the backup');
      const restored = await json(['restore', dir, '--force']);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.json.restored.map((r: any) => r.node)).toEqual([1, 2, 3]);
      const start = await json(['start']);
      expect(start.code, start.stderr).toBe(0);
      expect(start.json.healthy).toBe(true);
      pids = start.json.nodes.map((n: any) => n.pid);
      for (const server of connect.split(',')) {
        const have = new Set(await writesOn(server, before));
        expect(
          before.filter((w) => !have.has(w)),
          `written before the backup, missing on ${server}`,
        ).toEqual([]);
        expect(
          later.filter((w) => have.has(w)),
          `written after the backup, back on ${server}`,
        ).toEqual([]);
      }
    });

    it(
      t.destroyable
        ? 'destroy removes the cluster and its data'
        : 'stop stops every node (destroy is refused: data on hosts is never deleted)',
      async () => {
        if (t.destroyable) {
          const r = await run(['destroy', '--yes']);
          expect(r.code, r.stderr).toBe(0);
          const status = await zkops(t.cwd(), ['status']);
          expect(status.code).toBe(2);
        } else {
          const refused = await run(['destroy', '--yes']);
          expect(refused.code).toBe(2);
          expect(refused.stderr).toContain('destroy removes data');
          const stop = await json(['stop']);
          expect(stop.code, stop.stderr).toBe(0);
          expect(stop.json.nodes.map((n: any) => n.status)).toEqual(['stopped', 'stopped', 'stopped']);
        }
        for (const [i, pid] of pids.entries()) expect(await t.isServer(pid, i + 1)).toBe(false);
      },
    );
  });
}
