/** Observers on real hosts: 3 participants and 2 observers on five SSH test hosts. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';
import { onHost } from '../helpers/hosts.mjs';
import { Writer, writesOn } from '../helpers/writer.mjs';

const ctx = useLab('o', 5);
let inventory = '';
beforeAll(() => {
  inventory = path.join(ctx.cwd, 'observers.yaml');
  writeFileSync(inventory, labInventory(ctx.lab, { name: 'obs', observers: 2 }));
});

describe('observers on SSH hosts', () => {
  it('deploys one leader, two followers and two observers, each told what it is', async () => {
    const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.json.nodes
        .slice(0, 3)
        .map((n: any) => n.mode)
        .sort(),
    ).toEqual(['follower', 'follower', 'leader']);
    expect(r.json.nodes.slice(3).map((n: any) => n.mode)).toEqual(['observer', 'observer']);
    const cfg = await onHost(ctx.lab.hosts[4]!, 'cat /opt/zookeeper/node-5/conf/zoo.cfg');
    expect(cfg).toContain('peerType=observer\n');
    expect(cfg).toContain(`server.4=${ctx.lab.hosts[3]!.ip}:2888:3888:observer\n`);
    expect(await onHost(ctx.lab.hosts[0]!, 'grep -c peerType /opt/zookeeper/node-1/conf/zoo.cfg || true')).toBe('0\n');
  });

  it('takes a write through an observer that a participant then serves', async () => {
    const writer = new Writer(`${ctx.lab.hosts[3]!.ip}:2181`);
    await writer.start();
    await new Promise((r) => setTimeout(r, 300));
    const report = await writer.stop();
    expect(report.acknowledged.length).toBeGreaterThan(3);
    const seen = new Set(await writesOn(`${ctx.lab.hosts[0]!.ip}:2181`, report.acknowledged));
    expect(report.acknowledged.filter((w) => !seen.has(w))).toEqual([]);
  });

  it('keeps the quorum with both observers stopped', async () => {
    const stop = await zkopsJson(ctx.cwd, ['stop', '4', '5', '-i', inventory]);
    expect(stop.code, stop.stderr).toBe(0);
    const status = await zkopsJson(ctx.cwd, ['status', '-i', inventory]);
    expect(status.json.verdict.status).toBe('degraded');
    expect(status.json.nodes.slice(0, 3).every((n: any) => ['leader', 'follower'].includes(n.mode))).toBe(true);
    const start = await zkopsJson(ctx.cwd, ['start', '-i', inventory]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.json.healthy).toBe(true);
  });
});
