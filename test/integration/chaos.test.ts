/**
 * Faults under load, for real. Each test runs an independent writing client
 * (test/helpers/writer.mjs) through the fault and ends by reading every
 * acknowledged write back through every node, one node at a time: none may be
 * missing anywhere.
 * - kill -9 of the leader of a pseudo-cluster: the two others elect a new one,
 *   writes go on, `zkops start` brings the node back.
 * - a network partition of one SSH test host (a packet filter in its own
 *   namespace drops everything but loopback, both ways): the isolated node stops
 *   serving, the majority goes on, and after the heal the node rejoins.
 * - a full disk under one node's data directory (a small tmpfs filled while
 *   it runs): the node stops serving, the others go on, the doctor names the
 *   disk; with room again and the node restarted, it catches up.
 * - `zkops deploy` killed mid-roll on the SSH hosts: every zoo.cfg whole, no
 *   temporary on any host, the next deploy converges.
 * - `zkops deploy` of a changed setting interrupted (SIGINT as Ctrl-C sends it,
 *   to the whole process group; SIGKILL to zkops alone) at four moments: with
 *   the files written, while a restarted node catches up, mid-roll, with the
 *   leader stopped. After each: every zoo.cfg the old or the new rendering,
 *   the saved inventory whole, a quorum; the next deploy converges (every
 *   server runs the new setting, as its own `conf` says) and leaves no
 *   temporary file behind.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';
import { onHost, type TestHost } from '../helpers/hosts.mjs';
import { missingWrites, Writer } from '../helpers/writer.mjs';
import { sleep, until } from '../helpers/poll.js';
import { fourLetters, modeOf } from '../helpers/four-letters.js';

const BIN = path.resolve('bin/zkops.js');

const modeAt = async (server: string) => {
  const [host, port] = server.split(':');
  return modeOf(await fourLetters(host!, Number(port), 'srvr'));
};

/** `zkops status --json` until `ok` says yes; returns that status. */
function statusUntil(cwd: string, inventory: string, what: string, ms: number, ok: (json: any) => boolean) {
  return until(what, ms, async () => {
    const r = await zkopsJson(cwd, ['status', '-i', inventory]);
    if (!ok(r.json)) throw new Error(`${r.json.verdict.status}: ${r.json.nodes.map((n: any) => n.mode).join(', ')}`);
    return r;
  });
}

const threeServing = (json: any) =>
  json.healthy === true &&
  json.nodes
    .map((n: any) => n.mode)
    .sort()
    .join() === 'follower,follower,leader' &&
  json.nodes.every((n: any) => n.pid > 0);

/** Whether `pid` is a live process (a zombie is dead: its parent has not reaped it yet). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('kill -9 of the leader of a pseudo-cluster, under writes', () => {
  let cwd = '';
  let inventory = '';
  const base = 29181;
  const servers = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`);
  beforeAll(async () => {
    cwd = workdir('chaos-kill');
    inventory = path.join(cwd, 'kill.yaml');
    writeFileSync(inventory, `name: chaoskill\npseudo: { count: 3, basePort: ${base} }\njava: { heap: 128m }\n`);
    const up = await zkops(cwd, ['init', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
  });

  it('the two others elect a new leader, writes go on, start brings the node back; no write lost', async () => {
    const writer = new Writer(servers.join(','));
    await writer.start();
    let report: Awaited<ReturnType<Writer['stop']>> | undefined;
    try {
      await sleep(1000);
      const before = await zkopsJson(cwd, ['status', '-i', inventory]);
      expect(before.json.healthy).toBe(true);
      const old = before.json.nodes.find((n: any) => n.mode === 'leader');
      const survivors = servers.filter((_, i) => i + 1 !== old.id);
      const ackedAtKill = writer.acked.length;
      const killedAt = Date.now();
      process.kill(old.pid, 'SIGKILL');

      // Asked directly every 50 ms: one survivor leads, the other follows.
      await until(
        'a new leader among the two others',
        30_000,
        async () => {
          const modes = await Promise.all(survivors.map(modeAt));
          return modes.includes('leader') && modes.includes('follower') ? modes : undefined;
        },
        50,
      );
      const newLeaderMs = Date.now() - killedAt;
      // What an operator sees: degraded, the killed node down, another one leading.
      const degraded = await statusUntil(
        cwd,
        inventory,
        'status: degraded with a new leader',
        30_000,
        (j) => j.verdict.status === 'degraded' && j.verdict.leader !== old.id,
      );
      const degradedMs = Date.now() - killedAt;
      expect(degraded.value.code).toBe(5);
      expect(degraded.value.json.nodes[old.id - 1].mode).toBe('down');
      expect(degraded.value.json.nodes.filter((n: any) => n.mode === 'leader')).toHaveLength(1);
      // The ensemble takes writes without the killed node.
      await until('20 writes acknowledged after the kill', 30_000, async () =>
        writer.acked.length >= ackedAtKill + 20 ? true : undefined,
      );

      const whileDown = writer.acked.length - ackedAtKill;
      const start = await zkopsJson(cwd, ['start', '-i', inventory]);
      expect(start.code, start.stderr).toBe(0);
      expect(start.json.started).toEqual([old.id]);
      const healthy = await statusUntil(cwd, inventory, 'status: healthy with 3 serving', 30_000, threeServing);
      expect(healthy.value.json.nodes[old.id - 1].pid).not.toBe(old.pid);
      await sleep(500);
      report = await writer.stop();
      console.log(
        `kill -9 of leader node ${old.id}: new leader (node ${degraded.value.json.verdict.leader}) ` +
          `${newLeaderMs} ms after the kill (srvr every 50 ms), status degraded within ${degradedMs} ms; ` +
          `${whileDown} writes acknowledged while the node was down; healthy within ${healthy.ms} ms after ` +
          `zkops start; ${report.acknowledged.length} writes ` +
          `acknowledged in all, ${report.failed} failed, longest gap ${report.longestGapMs} ms`,
      );
    } finally {
      report ??= await writer.stop();
    }
    expect(report.acknowledged.length).toBeGreaterThan(40);
    expect(await missingWrites(servers, report.acknowledged), 'acknowledged writes missing').toEqual({});
  });
});

describe('a network partition isolating one SSH test host, under writes', () => {
  const ctx = useLab('cp', 3);
  let inventory = '';
  /** Rules that cut a host off: everything but loopback dropped, in and out (SSH and ZooKeeper included). */
  const CUT = [
    ['INPUT', '!', '-i', 'lo', '-j', 'DROP'],
    ['OUTPUT', '!', '-o', 'lo', '-j', 'DROP'],
  ];
  const iptables = (h: TestHost, ...rule: string[]) =>
    execa('ip', ['netns', 'exec', h.netns, 'iptables', ...rule], { reject: false });
  const isolate = async (h: TestHost) => {
    for (const rule of CUT) await iptables(h, '-I', ...rule);
  };
  const heal = async (h: TestHost) => {
    for (const rule of CUT) await iptables(h, '-D', ...rule);
  };
  /** srvr asked from inside the host's own namespace (where loopback still passes): what the node says there. */
  const srvrInside = async (h: TestHost) => {
    const script =
      "const s=require('net').connect({host:process.argv[1],port:2181});let d='';" +
      "s.setTimeout(2000,()=>s.destroy());s.on('connect',()=>s.end('srvr'));s.on('data',(c)=>d+=c);" +
      "s.on('error',()=>{});s.on('close',()=>process.stdout.write(d));";
    const r = await execa('ip', ['netns', 'exec', h.netns, process.execPath, '-e', script, h.ip], {
      reject: false,
      timeout: 10_000,
    });
    return String(r.stdout);
  };

  beforeAll(async () => {
    inventory = path.join(ctx.cwd, 'partition.yaml');
    writeFileSync(inventory, labInventory(ctx.lab, { name: 'chaospart', ssh: 'connectTimeout: 3' }));
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const h of ctx.lab?.hosts ?? []) await heal(h);
    if (inventory) await zkops(ctx.cwd, ['stop', '-i', inventory]);
  });

  for (const which of ['follower', 'leader'] as const) {
    it(`isolating the ${which}: it stops serving, the others go on, it rejoins when healed; no loss`, async () => {
      const status = await statusUntil(ctx.cwd, inventory, 'healthy before', 60_000, threeServing);
      const victim = status.value.json.nodes.find((n: any) => n.mode === which);
      const host = ctx.lab.hosts[victim.id - 1]!;
      const others = ctx.lab.hosts.filter((h) => h !== host);
      const all = ctx.lab.hosts.map((h) => `${h.ip}:2181`);
      // The client knows only the majority's nodes.
      const writer = new Writer(others.map((h) => `${h.ip}:2181`).join(','));
      await writer.start();
      let report: Awaited<ReturnType<Writer['stop']>> | undefined;
      try {
        await sleep(1000);
        const ackedAtCut = writer.acked.length;
        const cutAt = Date.now();
        await isolate(host);
        // Seen from inside: the node gives up its role once it has heard from no peer for syncLimit ticks.
        const stopped = await until(
          `node ${victim.id} says it is not serving (asked inside its host)`,
          60_000,
          async () =>
            (await srvrInside(host)).includes('This ZooKeeper instance is not currently serving requests')
              ? true
              : undefined,
        );
        // Seen from outside: the others serve, one of them leads; the cut-off host is named.
        const outside = await statusUntil(
          ctx.cwd,
          inventory,
          'status: degraded, led by one of the two others',
          60_000,
          (j) => j.verdict.status === 'degraded' && j.verdict.leader !== victim.id,
        );
        const o = outside.value.json;
        expect(o.nodes[victim.id - 1].mode).toBe('down');
        expect(o.unreachable.map((u: any) => u.place)).toEqual([host.name]);
        expect(
          o.nodes
            .filter((n: any) => n.id !== victim.id)
            .map((n: any) => n.mode)
            .sort(),
        ).toEqual(['follower', 'leader']);
        // Still not serving, and no second leader, inside the cut-off host.
        expect(modeOf(await srvrInside(host))).toBe('not-serving');
        const goesOn = await until('20 writes acknowledged during the partition', 60_000, async () =>
          writer.acked.length >= ackedAtCut + 20 ? writer.acked.length - ackedAtCut : undefined,
        );
        const partitionMs = Date.now() - cutAt;

        await heal(host);
        const healedAt = Date.now();
        const back = await statusUntil(ctx.cwd, inventory, 'status: healthy, all three serving', 90_000, threeServing);
        expect(back.value.json.unreachable).toEqual([]);
        const rejoinMs = Date.now() - healedAt;
        await sleep(500);
        report = await writer.stop();
        console.log(
          `partition of node ${victim.id} (${which}) for ${partitionMs} ms: not serving within ${stopped.ms} ms ` +
            `(asked inside), status degraded with leader node ${o.verdict.leader}; ${goesOn.value} writes ` +
            `acknowledged during it; healthy within ${rejoinMs} ms after the heal; ${report.acknowledged.length} ` +
            `writes acknowledged, ${report.failed} failed, longest gap ${report.longestGapMs} ms`,
        );
      } finally {
        await heal(host);
        report ??= await writer.stop();
      }
      expect(report.acknowledged.length).toBeGreaterThan(40);
      expect(await missingWrites(all, report.acknowledged), 'acknowledged writes missing').toEqual({});
    });
  }
  it('zkops deploy killed (SIGKILL) mid-roll on SSH hosts: no host left half-written; the next deploy converges', async () => {
    await statusUntil(ctx.cwd, inventory, 'healthy before', 60_000, threeServing);
    const all = ctx.lab.hosts.map((h) => `${h.ip}:2181`);
    const confOf = async (server: string) => {
      const [host, port] = server.split(':');
      return /^maxClientCnxns=(\d+)$/m.exec(await fourLetters(host!, Number(port), 'conf'))?.[1] ?? '-';
    };
    const writer = new Writer(all.join(','));
    await writer.start();
    let report: Awaited<ReturnType<Writer['stop']>> | undefined;
    try {
      await sleep(500);
      writeFileSync(
        inventory,
        labInventory(ctx.lab, {
          name: 'chaospart',
          ssh: 'connectTimeout: 3',
          extra: ['settings: { maxClientCnxns: 71 }'],
        }),
      );
      const child = execa('node', [BIN, 'deploy', '-i', inventory], {
        cwd: ctx.cwd,
        reject: false,
        env: { NO_COLOR: '1' },
      });
      // Killed once the first server runs the new setting: the others still run the old one.
      await until(
        'a server running the new setting',
        60_000,
        async () => ((await Promise.all(all.map(confOf))).includes('71') ? true : undefined),
        50,
      );
      child.kill('SIGKILL');
      await child;
      const running = await Promise.all(all.map(confOf));
      for (const h of ctx.lab.hosts) {
        const files = await onHost(
          h,
          "grep -h '^maxClientCnxns=' /opt/zookeeper/node-*/conf/zoo.cfg; " +
            "find /opt/zookeeper -name '*.tmp' 2>/dev/null; true",
        );
        // Every zoo.cfg is whole: the old setting or the new one, nothing else, and no temporary beside it.
        expect(files.trim(), h.name).toMatch(/^maxClientCnxns=(60|71)$/);
      }
      await statusUntil(ctx.cwd, inventory, 'a quorum after the kill', 60_000, (j) => j.verdict.status !== 'no-quorum');
      const next = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory]);
      expect(next.code, next.stderr).toBe(0);
      expect(next.json.healthy).toBe(true);
      const after = await Promise.all(all.map(confOf));
      expect(after).toEqual(['71', '71', '71']);
      await sleep(500);
      report = await writer.stop();
      console.log(
        `SSH deploy killed mid-roll: servers ran ${running.join(', ')} at the kill; next deploy restarted ` +
          `${next.json.nodes
            .filter((n: any) => n.action === 'restarted')
            .map((n: any) => n.id)
            .join(', ')}; ` +
          `${report.acknowledged.length} writes acknowledged, ${report.failed} failed, longest gap ` +
          `${report.longestGapMs} ms`,
      );
    } finally {
      report ??= await writer.stop();
    }
    expect(await missingWrites(all, report.acknowledged), 'acknowledged writes missing').toEqual({});
  });
});

describe("a full disk under one node's data directory, under writes", () => {
  let cwd = '';
  let inventory = '';
  let data = '';
  const base = 29381;
  const servers = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`);
  beforeAll(async () => {
    cwd = workdir('chaos-disk');
    inventory = path.join(cwd, 'disk.yaml');
    // Transaction logs grow 64 KiB at a time (not 64 MiB): a full disk shows within a few hundred writes.
    writeFileSync(
      inventory,
      `name: chaosdisk\npseudo: { count: 3, basePort: ${base} }\njava: { heap: 128m }\n` +
        'settings: { extra: { preAllocSize: 64 } }\n',
    );
    expect((await zkops(cwd, ['init', '-i', inventory])).code).toBe(0);
    // Node 2's data moves onto a small file system of its own.
    data = path.join(cwd, '.zkops/chaosdisk/node-2/data');
    expect((await zkops(cwd, ['stop', '2', '-i', inventory])).code).toBe(0);
    await execa('cp', ['-a', data, `${data}.copy`]);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', data]);
    await execa('cp', ['-a', `${data}.copy/.`, data]);
    expect((await zkops(cwd, ['start', '2', '-i', inventory])).code).toBe(0);
  });
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
    await execa('umount', ['-l', data], { reject: false });
  });

  it('the node stops serving, the others go on, doctor names the disk; freed and restarted, it catches up', async () => {
    const writer = new Writer(servers.join(','));
    await writer.start();
    let report: Awaited<ReturnType<Writer['stop']>> | undefined;
    try {
      await sleep(500);
      // The disk fills up while the server runs.
      await execa('sh', ['-c', `dd if=/dev/zero of=${data}/filler bs=1M count=64 2>/dev/null || true`]);
      const filledAt = writer.acked.length;
      const stopped = await until('node 2 to stop serving', 60_000, async () =>
        ['not-serving', 'down'].includes(await modeAt(servers[1]!)) ? true : undefined,
      );
      const degraded = await statusUntil(
        cwd,
        inventory,
        'status: degraded, nodes 1 and 3 serving',
        30_000,
        (j) => j.verdict.status === 'degraded' && j.nodes[1].mode !== 'leader' && j.nodes[1].mode !== 'follower',
      );
      expect(degraded.value.code).toBe(5);
      await until('20 writes acknowledged with node 2 out', 30_000, async () =>
        writer.acked.length >= filledAt + 20 ? true : undefined,
      );
      const doctor = await zkopsJson(cwd, ['doctor', '-i', inventory]);
      expect(doctor.code).toBe(5);
      const disk = doctor.json.findings.find(
        (f: any) => f.check === 'storage' && f.node === 2 && /free/.test(f.message),
      );
      expect(disk).toMatchObject({ severity: 'error', message: `only 0 MiB free on the disk of ${data}` });
      // Room again: the node is brought back and catches up from the leader.
      await execa('rm', ['-f', `${data}/filler`]);
      const pid = degraded.value.json.nodes[1].pid;
      const back = await zkopsJson(cwd, [pid ? 'restart' : 'start', '2', '-i', inventory]);
      expect(back.code, back.stderr).toBe(0);
      const healthy = await statusUntil(cwd, inventory, 'status: healthy with 3 serving', 60_000, threeServing);
      await sleep(500);
      report = await writer.stop();
      console.log(
        `full disk on node 2: not serving within ${stopped.ms} ms of the fill; doctor: "${disk.message}"; ` +
          `healthy ${healthy.ms} ms after it was freed and ${pid ? 'restarted' : 'started'}; ` +
          `${report.acknowledged.length} writes acknowledged, ${report.failed} failed, longest gap ` +
          `${report.longestGapMs} ms`,
      );
    } finally {
      report ??= await writer.stop();
    }
    expect(report.acknowledged.length).toBeGreaterThan(100);
    expect(await missingWrites(servers, report.acknowledged), 'acknowledged writes missing').toEqual({});
  });
});

describe('zkops deploy interrupted at each step of a rolling change, under writes', () => {
  let cwd = '';
  let inventory = '';
  let writer: Writer;
  const base = 29281;
  const name = 'chaosdeploy';
  const servers = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`);
  const clusterDir = () => path.join(cwd, '.zkops', name);
  const saved = () => path.join(clusterDir(), 'inventory.yaml');
  const zooCfg = (id: number) => path.join(clusterDir(), `node-${id}`, 'conf', 'zoo.cfg');
  const write = (maxClientCnxns: number) =>
    writeFileSync(
      inventory,
      `name: ${name}\nexecutor: local\npseudo: { count: 3, basePort: ${base} }\njava: { heap: 128m }\n` +
        `settings: { maxClientCnxns: ${maxClientCnxns} }\n`,
    );
  /** Files left by a write that never finished: zkops's temporaries (name.zkops-XXXXXXXX.tmp, name.PID.tmp). */
  const temporaries = () =>
    (readdirSync(cwd, { recursive: true }) as string[]).filter((f) => /\.zkops-[0-9a-f]{8}\.tmp$|\.\d+\.tmp$/.test(f));
  /** The setting a running server uses, from its own `conf` (undefined: it does not answer). */
  const running = async (server: string) => {
    const [host, port] = server.split(':');
    const m = /^maxClientCnxns=(\d+)$/m.exec(await fourLetters(host!, Number(port), 'conf'));
    return m ? Number(m[1]) : undefined;
  };

  beforeAll(async () => {
    cwd = workdir('chaos-deploy');
    inventory = path.join(cwd, 'deploy.yaml');
    write(60);
    const up = await zkopsJson(cwd, ['deploy', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
    writer = new Writer(servers.join(','));
    await writer.start();
  });
  afterAll(async () => {
    await writer?.stop();
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
  });

  /** What a trigger may look at: the deploy's pid, when it began, the servers' pids before it, the new value. */
  interface Moment {
    deploy: number;
    startedAt: number;
    pids: number[];
    value: number;
  }
  const exited = (m: Moment) => m.pids.filter((p) => !alive(p)).length;
  // Four moments, both signals: after the files are written, while a restarted node catches up, mid-roll and at
  // the leader. (Before any change and at the first node add nothing these do not show: an abort at the first
  // node is ops.test.ts's.)
  const rounds: { step: string; signal: 'SIGINT' | 'SIGKILL'; when: (m: Moment) => Promise<boolean> }[] = [
    {
      step: 'render (every zoo.cfg written, no restart yet)',
      signal: 'SIGKILL',
      when: async (m) => [1, 2, 3].every((id) => readFileSync(zooCfg(id), 'utf8').includes(`=${m.value}\n`)),
    },
    {
      step: 'wait for the first restarted node to rejoin',
      signal: 'SIGKILL',
      when: async (m) => exited(m) >= 1 && (await Promise.all(servers.map(running))).includes(m.value),
    },
    { step: 'restart of the second node (mid-roll)', signal: 'SIGKILL', when: async (m) => exited(m) >= 2 },
    { step: 'restart of the leader (its server stopped)', signal: 'SIGINT', when: async (m) => exited(m) >= 3 },
  ];

  rounds.forEach((round, i) => {
    const value = 61 + i;
    it(`${round.signal} during ${round.step}: nothing half-written, a quorum, the next deploy converges`, async () => {
      write(value);
      const dry = await zkopsJson(cwd, ['deploy', '-i', inventory, '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      const before = [1, 2, 3].map((id) => readFileSync(zooCfg(id), 'utf8'));
      const after = [1, 2, 3].map(
        (id) => dry.json.nodes[id - 1].files.find((f: any) => f.path === zooCfg(id) && f.status === 'changed')?.after,
      );
      after.forEach((a) => expect(a).toContain(`maxClientCnxns=${value}\n`));
      const status = (await statusUntil(cwd, inventory, 'healthy before', 60_000, threeServing)).value;
      const savedBefore = readFileSync(saved(), 'utf8');

      // Its own process group, so that SIGINT reaches it and its children, as Ctrl-C in a terminal does.
      const deploy = execa('node', [BIN, 'deploy', '-i', inventory], {
        cwd,
        reject: false,
        detached: true,
        env: { NO_COLOR: '1' },
        timeout: 240_000,
      });
      const moment: Moment = {
        deploy: deploy.pid!,
        startedAt: Date.now(),
        pids: status.json.nodes.map((n: any) => n.pid),
        value,
      };
      let done = false;
      void deploy.finally(() => (done = true));
      let firedAt: number | undefined;
      while (!done && firedAt === undefined) {
        if (await round.when(moment)) {
          firedAt = Date.now() - moment.startedAt;
          if (round.signal === 'SIGINT') process.kill(-deploy.pid!, 'SIGINT');
          else process.kill(deploy.pid!, 'SIGKILL');
        } else await sleep(5);
      }
      const r = await deploy;
      expect(
        firedAt,
        `the deploy ended (exit ${r.exitCode}) before the moment came:\n${r.stdout}${r.stderr}`,
      ).toBeDefined();
      expect(r.signal ?? `exit ${r.exitCode}`).toBe(round.signal);

      // Right after: every zoo.cfg one rendering or the other. (A temporary file may be left when the signal
      // came between its write and its rename: the next deploy must remove it.)
      const leftover = temporaries();
      const savedNow = readFileSync(saved(), 'utf8');
      const cfgs = [1, 2, 3].map((id) => readFileSync(zooCfg(id), 'utf8'));
      const which = cfgs.map((c, j) => (c === before[j] ? 'old' : c === after[j] ? 'new' : 'neither'));
      expect(which, 'zoo.cfg of nodes 1-3').not.toContain('neither');
      // The ensemble keeps (or regains) a quorum by itself.
      const quorum = await statusUntil(cwd, inventory, 'a quorum after the interruption', 60_000, (j) =>
        ['healthy', 'degraded'].includes(j.verdict.status),
      );
      const left = quorum.value.json.nodes.map((n: any) => `${n.id}:${n.mode}`).join(' ');
      const using = await Promise.all(servers.map(running));

      // The next deploy converges: healthy, every zoo.cfg the new one, every server running the new setting.
      const next = await zkopsJson(cwd, ['deploy', '-i', inventory]);
      console.log(
        `${round.signal} during ${round.step}: sent ${firedAt} ms in; zoo.cfg ${which.join(', ')}; ${left} ` +
          `(maxClientCnxns in use: ${using.map((u) => u ?? '-').join(', ')}); next deploy: exit ${next.code}, ` +
          `${next.json.nodes?.map((n: any) => `${n.id} ${n.action}`).join(', ')}; temporaries left by the ` +
          `interruption: ${leftover.join(', ') || 'none'}`,
      );
      expect(next.code, next.stderr).toBe(0);
      expect(next.json.healthy).toBe(true);
      expect([1, 2, 3].map((id) => readFileSync(zooCfg(id), 'utf8') === after[id - 1])).toEqual([true, true, true]);
      expect(await Promise.all(servers.map(running)), 'maxClientCnxns the servers run with').toEqual([
        value,
        value,
        value,
      ]);
      expect(temporaries(), 'temporary files left after the next deploy').toEqual([]);
      // The inventory zkops keeps for later commands was whole all along: the one before, or the new one.
      expect([savedBefore, readFileSync(saved(), 'utf8')]).toContain(savedNow);
    });
  });

  it('every write acknowledged through all the interruptions is on every node', async () => {
    await sleep(500);
    const report = await writer.stop();
    console.log(
      `deploy interruptions: ${report.acknowledged.length} writes acknowledged, ${report.failed} failed, ` +
        `longest gap ${report.longestGapMs} ms`,
    );
    expect(report.acknowledged.length).toBeGreaterThan(100);
    expect(await missingWrites(servers, report.acknowledged), 'acknowledged writes missing').toEqual({});
  });
});
