/**
 * A hand-made 3.5+ ensemble with a dynamic configuration: three copies of a
 * 3.8 release on an SSH test host, each zoo.cfg with reconfigEnabled=true and
 * a dynamicConfigFile holding the server list (no server lines in zoo.cfg),
 * started with each one's own `zkServer.sh start`. Then one `reconfig` by
 * ZooKeeper's own zkCli.sh moves node 3's client port: the new port is only
 * in the zoo.cfg.dynamic.<version> ZooKeeper wrote (and named in zoo.cfg).
 * The doctor must say what it found from that file (and who started the
 * servers: zkServer.sh, not zkops); adopt must refuse and say how to make the
 * ensemble static first.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zkCli, zkops, zkopsJson } from '../helpers/cli.js';
import { hostFlags, useLab } from '../helpers/lab.js';
import { onHost } from '../helpers/hosts.mjs';
import { handPorts, installHandMade, zkServer } from '../helpers/handmade.mjs';

const ctx = useLab('hd', 1);
const host = () => ctx.lab.hosts[0]!;
/** Node 3's client port after the reconfig. */
const MOVED = handPorts(3).client + 1000;
const at = () => hostFlags(ctx.lab, host());
const conf = (i: number, f: string) => path.join(host().root, 'opt', `zookeeper${i}`, 'conf', f);
const serverLine = (n: number, client = handPorts(n).client) =>
  `server.${n}=${host().ip}:${handPorts(n).quorum}:${handPorts(n).election}:participant;${client}`;

async function waitServing(port: number) {
  for (let k = 0; k < 100; k++) {
    const r = await onHost(
      host(),
      `echo srvr | timeout 1 bash -c 'exec 3<>/dev/tcp/${host().ip}/${port}; cat >&3; cat <&3' 2>/dev/null || true`,
    );
    if (/Mode: (leader|follower)/.test(r)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing serves on ${port}`);
}

beforeAll(async () => {
  await installHandMade(host());
  for (const i of [1, 2, 3]) {
    // As the 3.5+ guide has it: no server lines and no clientPort in zoo.cfg, the members in the dynamic file.
    writeFileSync(
      conf(i, 'zoo.cfg'),
      [
        'tickTime=2000',
        'initLimit=10',
        'syncLimit=5',
        `dataDir=/opt/zookeeper${i}/data`,
        'admin.enableServer=false',
        'reconfigEnabled=true',
        // reconfig needs a super user, or no ACL checks at all (zookeeper.skipACL, set from zoo.cfg).
        'skipACL=yes',
        `dynamicConfigFile=/opt/zookeeper${i}/conf/zoo.cfg.dynamic`,
        '',
      ].join('\n'),
    );
    writeFileSync(conf(i, 'zoo.cfg.dynamic'), `${[1, 2, 3].map((n) => serverLine(n)).join('\n')}\n`);
  }
  for (const i of [1, 2, 3]) expect((await zkServer(host(), i, 'start')).out).toContain('STARTED');
  for (const i of [1, 2, 3]) await waitServing(handPorts(i).client);
  const out = await zkCli(`${host().ip}:${handPorts(1).client}`, 'reconfig', '-add', serverLine(3, MOVED));
  expect(out).toContain('Committed new configuration');
  await waitServing(MOVED);
}, 240_000);

afterAll(async () => {
  for (const i of [1, 2, 3]) await zkServer(host(), i, 'stop');
});

describe('a hand-made ensemble with a dynamic configuration, after a reconfig', () => {
  it('the doctor reads the members from the dynamic file ZooKeeper wrote, and says what it found first', async () => {
    // What ZooKeeper did: a new dynamic file, named in a zoo.cfg it rewrote.
    const named = /^dynamicConfigFile=(.*)$/m.exec(readFileSync(conf(3, 'zoo.cfg'), 'utf8'))?.[1];
    expect(named).toMatch(/^\/opt\/zookeeper3\/conf\/zoo\.cfg\.dynamic\.[0-9a-f]+$/);
    expect(readFileSync(path.join(host().root, named!), 'utf8')).toContain(`;0.0.0.0:${MOVED}`);

    const json = await zkopsJson(ctx.cwd, ['doctor', ...at()]);
    expect(json.json.found.map((n: any) => [n.id, n.clientPort, n.running, n.startedBy])).toEqual([
      [1, handPorts(1).client, true, 'zkServer.sh'],
      [2, handPorts(2).client, true, 'zkServer.sh'],
      [3, MOVED, true, 'zkServer.sh'],
    ]);
    expect(json.json.found[2].dynamicConfig).toBe(named);
    const r = await zkops(ctx.cwd, ['doctor', ...at()]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Found an ensemble of 3 servers on ${host().ip} (all running):`);
    expect(lines[3]).toMatch(
      new RegExp(
        `^  node 3: /opt/zookeeper3/(bin/\\.\\./)?conf/zoo\\.cfg \\(members from ${named!.replace(/\./g, '\\.')}\\), ` +
          `client port ${MOVED}, running as pid \\d+ \\(root\\), started by zkServer\\.sh$`,
      ),
    );
    expect(r.stdout).toMatch(/ok\s+process: node 3: runs as pid \d+ as root \(zkServer\.sh\) and serves/);
    expect(r.code, r.stdout).toBe(0);
  });

  it('adopt refuses, names the dynamic file and says how to make the ensemble static; nothing is written', async () => {
    const inventory = path.join(ctx.cwd, 'dynamic.yaml');
    const r = await zkops(ctx.cwd, ['adopt', ...at(), '-o', inventory]);
    expect(r.code).toBe(2);
    const err = r.stderr.replace(/\s+/g, ' ');
    expect(err).toContain('keeps its members in a dynamic configuration file');
    expect(err).toContain('reconfigEnabled=true');
    expect(err).toContain(
      `server.3=${host().ip}:${handPorts(3).quorum}:${handPorts(3).election}:participant;0.0.0.0:${MOVED}`,
    );
    expect(err).toContain('set reconfigEnabled=false');
    expect(existsSync(inventory)).toBe(false);
  });
});
