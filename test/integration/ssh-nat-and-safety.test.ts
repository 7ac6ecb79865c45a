/**
 * The cloud-NAT case on real hosts: host 1 is reached through an address that
 * is not on any of its interfaces (DNAT on the test bridge, like an elastic
 * IP). zkops must notice and make node 1 listen on all addresses; forcing it
 * off reproduces the classic "Cannot assign requested address" (node 1 has
 * the lowest id, so its peers must connect to its listeners). Also: data is
 * never re-labelled with another server id, and an unreachable host fails the
 * deploy with a per-host message.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addNat, onHost, publicIp, removeNat } from '../helpers/hosts.mjs';
import { zkCli, zkops, zkopsJson } from '../helpers/cli.js';
import { useLab } from '../helpers/lab.js';

const ctx = useLab('n', 3, { ready: (lab) => addNat(lab, 1), done: () => removeNat(1) });

function inventory(
  name: string,
  opts: { host1Address: string; bindAll1?: boolean; dataDir?: boolean; ids?: number[]; extraHost?: string },
): string {
  const file = path.join(ctx.cwd, `${name}.yaml`);
  const ids = opts.ids ?? [1, 2, 3];
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'executor: ssh',
      `dir: /opt/${name}`,
      `ssh: { identityFile: ${ctx.lab.identityFile}, knownHosts: ${ctx.lab.knownHosts} }`,
      'hosts:',
      `  - { name: n1, address: ` +
        `${opts.host1Address}${opts.bindAll1 === undefined ? '' : `, bindAll: ${opts.bindAll1}`} }`,
      `  - { name: n2, address: ${ctx.lab.hosts[1]!.ip} }`,
      `  - { name: n3, address: ${ctx.lab.hosts[2]!.ip} }`,
      ...(opts.extraHost ? [`  - { name: n4, address: ${opts.extraHost} }`] : []),
      'nodes:',
      ...ids.map((id, i) => `  - { id: ${id}, host: n${i + 1}${opts.dataDir ? `, dataDir: /opt/${name}-data` : ''} }`),
      ...(opts.extraHost ? ['  - { id: 4, host: n4 }'] : []),
      'java: { heap: 128m }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('cloud NAT: a host reached through an address it does not have', () => {
  it('a node forced to bind its public address cannot join: the classic failure, shown with its log', async () => {
    const inv = inventory('natoff', { host1Address: publicIp(1), bindAll1: false });
    try {
      const r = await zkops(ctx.cwd, ['deploy', '-i', inv, '--accept-new-host-keys', '--timeout', '20']);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`node 1 (${publicIp(1)}:2181)`);
      expect(r.stderr).toMatch(/Cannot assign requested address/);
      // The doctor names the cause, with the server line and the host's own addresses.
      const doc = await zkopsJson(ctx.cwd, ['doctor', '-i', inv]);
      expect(doc.code).toBe(5);
      const net = doc.json.findings.find((f: any) => f.check === 'network' && f.node === 1);
      expect(net.severity).toBe('error');
      expect(net.message).toContain(`its own server entry names ${publicIp(1)}, which is on none of n1's interfaces`);
      expect(net.evidence[0]).toBe(
        `/opt/natoff/node-1/conf/zoo.cfg:${net.evidence[0].split(':')[1]}: server.1=${publicIp(1)}:2888:3888`,
      );
      expect(net.fix).toContain('quorumListenOnAllIPs=true');
      const storage = doc.json.findings.find((f: any) => f.check === 'storage' && f.node === 1);
      expect(storage?.message ?? '').toMatch(/Cannot assign requested address|cannot bind|not on any of the host/i);
    } finally {
      await zkops(ctx.cwd, ['stop', '-i', inv]);
    }
  });

  it('detects the NAT by itself and forms the ensemble, with peers still using the public address', async () => {
    const inv = inventory('nat', { host1Address: publicIp(1) });
    try {
      const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inv, '--accept-new-host-keys']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
      const cfg1 = await onHost(ctx.lab.hosts[0]!, 'cat /opt/nat/node-1/conf/zoo.cfg');
      const cfg2 = await onHost(ctx.lab.hosts[1]!, 'cat /opt/nat/node-2/conf/zoo.cfg');
      expect(cfg1).toContain('quorumListenOnAllIPs=true');
      expect(cfg2).not.toContain('quorumListenOnAllIPs');
      expect(cfg2).toContain(`server.1=${publicIp(1)}:2888:3888`);
      expect(cfg1).toContain(`server.1=${publicIp(1)}:2888:3888`);
      // Node 1 listens on every address; peers reach it through the public one.
      expect(await onHost(ctx.lab.hosts[0]!, 'ss -Hltn')).toMatch(/(\*|0\.0\.0\.0|\[::\]):3888/);
      await zkCli(`${publicIp(1)}:2181`, 'create', '/nat', 'through-elastic-ip');
      expect(await zkCli(`${ctx.lab.hosts[2]!.ip}:2181`, 'get', '/nat')).toContain('through-elastic-ip');
    } finally {
      await zkops(ctx.cwd, ['stop', '-i', inv]);
    }
  });
});

describe('data is sacred', () => {
  it('refuses to give a data directory that holds server 1 data another id', async () => {
    const first = inventory('sacred', { host1Address: ctx.lab.hosts[0]!.ip, dataDir: true });
    try {
      const up = await zkops(ctx.cwd, ['deploy', '-i', first, '--accept-new-host-keys']);
      expect(up.code, up.stderr).toBe(0);
    } finally {
      await zkops(ctx.cwd, ['stop', '-i', first]);
    }
    const swapped = inventory('sacred', { host1Address: ctx.lab.hosts[0]!.ip, dataDir: true, ids: [4, 2, 3] });
    const r = await zkops(ctx.cwd, ['deploy', '-i', swapped]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/opt/sacred-data holds data of server 1, but the inventory makes it server 4');
    expect(await onHost(ctx.lab.hosts[0]!, 'cat /opt/sacred-data/myid; ls /opt/sacred-data')).toMatch(
      /^1\n[\s\S]*version-2/,
    );
  });
});

describe('failures are reported per host', () => {
  it('names the unreachable host and starts nothing anywhere', async () => {
    const inv = inventory('unreach', { host1Address: ctx.lab.hosts[0]!.ip, extraHost: '10.77.0.99' });
    const r = await zkops(ctx.cwd, ['deploy', '-i', inv, '--accept-new-host-keys']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Cannot reach 10.77.0.99:22 over SSH');
    expect(await onHost(ctx.lab.hosts[0]!, 'ls /opt')).not.toContain('unreach');
  });
});
