/**
 * The cloud-NAT case on real hosts: host 1 is reached through an address that
 * is not on any of its interfaces (DNAT on the test bridge, like an elastic
 * IP). zkops must notice and make node 1 listen on all addresses; forcing it
 * off reproduces the classic "Cannot assign requested address" (node 1 has
 * the lowest id, so its peers must connect to its listeners). Also: data is
 * never re-labelled with another server id, and an unreachable host fails the
 * deploy with a per-host message.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNat, createLab, onHost, publicIp, removeNat, type TestLab } from '../helpers/hosts.mjs';
import { workdir, zkCli, zkops, zkopsJson } from '../helpers/cli.js';
import { buildTestTarball } from '../helpers/tarball.mjs';

let lab: TestLab;
let cwd: string;

function inventory(name: string, opts: { host1Address: string; bindAll1?: boolean; dataDir?: boolean; ids?: number[]; extraHost?: string }): string {
  const file = path.join(cwd, `${name}.yaml`);
  const ids = opts.ids ?? [1, 2, 3];
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'executor: ssh',
      `dir: /opt/${name}`,
      `ssh: { identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts} }`,
      'hosts:',
      `  - { name: n1, address: ${opts.host1Address}${opts.bindAll1 === undefined ? '' : `, bindAll: ${opts.bindAll1}`} }`,
      `  - { name: n2, address: ${lab.hosts[1]!.ip} }`,
      `  - { name: n3, address: ${lab.hosts[2]!.ip} }`,
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

beforeAll(async () => {
  lab = await createLab('n', 3);
  cwd = workdir('nat');
  await addNat(lab, 1);
});
afterAll(async () => {
  await removeNat(1);
  await lab?.teardown();
});

describe('cloud NAT: a host reached through an address it does not have', () => {
  it('a node forced to bind its public address cannot join: the classic failure, shown with its log', async () => {
    const inv = inventory('natoff', { host1Address: publicIp(1), bindAll1: false });
    try {
      const r = await zkops(cwd, ['deploy', '-i', inv, '--accept-new-host-keys', '--timeout', '20']);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`node 1 (${publicIp(1)}:2181)`);
      expect(r.stderr).toMatch(/Cannot assign requested address/);
    } finally {
      await zkops(cwd, ['stop', '-i', inv]);
    }
  });

  it('detects the NAT by itself and forms the ensemble, with peers still using the public address', async () => {
    const inv = inventory('nat', { host1Address: publicIp(1) });
    try {
      const r = await zkopsJson(cwd, ['deploy', '-i', inv, '--accept-new-host-keys']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
      const cfg1 = await onHost(lab.hosts[0]!, 'cat /opt/nat/node-1/conf/zoo.cfg');
      const cfg2 = await onHost(lab.hosts[1]!, 'cat /opt/nat/node-2/conf/zoo.cfg');
      expect(cfg1).toContain('quorumListenOnAllIPs=true');
      expect(cfg2).not.toContain('quorumListenOnAllIPs');
      expect(cfg2).toContain(`server.1=${publicIp(1)}:2888:3888`);
      expect(cfg1).toContain(`server.1=${publicIp(1)}:2888:3888`);
      // Node 1 listens on every address; peers reach it through the public one.
      expect(await onHost(lab.hosts[0]!, 'ss -Hltn')).toMatch(/(\*|0\.0\.0\.0|\[::\]):3888/);
      await zkCli(`${publicIp(1)}:2181`, 'create', '/nat', 'through-elastic-ip');
      expect(await zkCli(`${lab.hosts[2]!.ip}:2181`, 'get', '/nat')).toContain('through-elastic-ip');
    } finally {
      await zkops(cwd, ['stop', '-i', inv]);
    }
  });
});

describe('data is sacred', () => {
  it('refuses to give a data directory that holds server 1 data another id', async () => {
    const first = inventory('sacred', { host1Address: lab.hosts[0]!.ip, dataDir: true });
    try {
      const up = await zkops(cwd, ['deploy', '-i', first, '--accept-new-host-keys']);
      expect(up.code, up.stderr).toBe(0);
    } finally {
      await zkops(cwd, ['stop', '-i', first]);
    }
    const swapped = inventory('sacred', { host1Address: lab.hosts[0]!.ip, dataDir: true, ids: [4, 2, 3] });
    const r = await zkops(cwd, ['deploy', '-i', swapped]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/opt/sacred-data holds data of server 1, but the inventory makes it server 4');
    expect(await onHost(lab.hosts[0]!, 'cat /opt/sacred-data/myid; ls /opt/sacred-data')).toMatch(/^1\n[\s\S]*version-2/);
  });
});

describe('failures are reported per host', () => {
  it('names the unreachable host and starts nothing anywhere', async () => {
    const inv = inventory('unreach', { host1Address: lab.hosts[0]!.ip, extraHost: '10.77.0.99' });
    const r = await zkops(cwd, ['deploy', '-i', inv, '--accept-new-host-keys']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Cannot reach 10.77.0.99:22 over SSH');
    expect(await onHost(lab.hosts[0]!, 'ls /opt')).not.toContain('unreach');
  });
});

describe('ZooKeeper from a release tarball', () => {
  let tarball: string;
  const tarInventory = (sha512?: string) => {
    const file = path.join(cwd, 'tar.yaml');
    writeFileSync(
      file,
      [
        'name: tar',
        'executor: ssh',
        'dir: /opt/tar',
        `zookeeper: { tarball: ${tarball}${sha512 ? `, sha512: "${sha512}"` : ''} }`,
        `ssh: { identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts} }`,
        'hosts:',
        ...lab.hosts.map((h) => `  - { name: ${h.name}, address: ${h.ip} }`),
        'nodes:',
        ...lab.hosts.map((h, i) => `  - { id: ${i + 1}, host: ${h.name} }`),
        'java: { heap: 128m }',
        '',
      ].join('\n'),
    );
    return file;
  };
  beforeAll(async () => {
    tarball = await buildTestTarball('3.8.0');
  });

  it('refuses a tarball whose SHA-512 does not match the inventory, before touching any host', async () => {
    const r = await zkops(cwd, ['deploy', '-i', tarInventory('0'.repeat(128)), '--accept-new-host-keys']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('does not match zookeeper.sha512');
    expect(await onHost(lab.hosts[0]!, 'ls /opt')).not.toContain('tar');
  });

  it('installs the release into a versioned directory with a stable link, and the servers run from it', async () => {
    const sha512 = createHash('sha512').update(readFileSync(tarball)).digest('hex');
    const inv = tarInventory(sha512);
    const r = await zkopsJson(cwd, ['deploy', '-i', inv, '--accept-new-host-keys']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(r.json.distribution).toEqual({ n1: 'installed', n2: 'installed', n3: 'installed' });
    const h = lab.hosts[1]!;
    expect((await onHost(h, 'readlink /opt/tar/current')).trim()).toBe('/opt/tar/apache-zookeeper-3.8.0-bin');
    expect(await onHost(h, 'sha512sum /opt/tar/dist/apache-zookeeper-3.8.0-bin.tar.gz')).toContain(sha512);
    const pid = r.json.nodes[1].pid;
    const jars = await onHost(h, `ls -l /proc/${pid}/fd | grep -o '/[^ ]*\\.jar' | sort -u`);
    expect(jars).toContain('/opt/tar/apache-zookeeper-3.8.0-bin/lib/zookeeper-3.8.0.jar');
    expect(jars).not.toContain('/usr/share/java/');
    expect(await onHost(h, '. /etc/profile.d/zk.sh; echo $ZOOKEEPER_HOME')).toBe('/opt/tar/current\n');

    const again = await zkopsJson(cwd, ['deploy', '-i', inv]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.changed).toBe(false);
    expect(again.json.distribution).toEqual({ n1: 'unchanged', n2: 'unchanged', n3: 'unchanged' });
    expect(again.json.nodes.map((n: any) => n.pid)).toEqual(r.json.nodes.map((n: any) => n.pid));
    await zkops(cwd, ['stop', '-i', inv]);
  });
});

describe('a jump host', () => {
  it('reaches hosts that only accept SSH from the jump host', async () => {
    const { $ } = await import('zx');
    const controlIp = '10.77.0.1';
    for (const h of lab.hosts.slice(1)) await $`ip netns exec ${h.netns} iptables -A INPUT -p tcp --dport 22 -s ${controlIp} -j DROP`;
    try {
      const file = path.join(cwd, 'jump.yaml');
      const body = (jump: boolean) =>
        [
          'name: jump',
          'executor: ssh',
          'dir: /opt/jump',
          `ssh: { identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts}${jump ? `, jumpHost: "root@${lab.hosts[0]!.ip}"` : ''} }`,
          'hosts:',
          ...lab.hosts.slice(1).map((h) => `  - { name: ${h.name}, address: ${h.ip} }`),
          'nodes:',
          ...lab.hosts.slice(1).map((h, i) => `  - { id: ${i + 1}, host: ${h.name} }`),
          '',
        ].join('\n');
      writeFileSync(file, body(false));
      const direct = await zkops(cwd, ['deploy', '-i', file, '--no-start']);
      expect(direct.code).not.toBe(0);
      expect(direct.stderr).toMatch(/Cannot reach 10\.77\.0\.1[23]:22 over SSH/);

      writeFileSync(file, body(true));
      const viaJump = await zkops(cwd, ['deploy', '-i', file, '--no-start']);
      expect(viaJump.code, viaJump.stderr).toBe(0);
      expect(viaJump.stdout).toContain('Installed and configured 2 node(s)');
    } finally {
      for (const h of lab.hosts.slice(1)) await $`ip netns exec ${h.netns} iptables -D INPUT -p tcp --dport 22 -s ${controlIp} -j DROP`.nothrow();
    }
    // The files really landed on the hosts behind the jump host.
    expect(await onHost(lab.hosts[1]!, 'cat /opt/jump/node-1/data/myid')).toBe('1\n');
  });
});

describe('a non-root SSH user with sudo', () => {
  const user = 'zkops-ci';
  beforeAll(async () => {
    const { $ } = await import('zx');
    await $`id -u ${user} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${user}`;
    // No password, but not a locked account ("!"), which sshd refuses even for key logins.
    await $`usermod -p '*' ${user}`;
    const home = `/home/${user}`;
    await $`install -d -m 700 -o ${user} ${home}/.ssh && install -m 600 -o ${user} ${lab.identityFile}.pub ${home}/.ssh/authorized_keys`;
    writeFileSync(`/etc/sudoers.d/${user}`, `${user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  });
  afterAll(async () => {
    const { $ } = await import('zx');
    await $`rm -f /etc/sudoers.d/${user}`.nothrow();
    await $`userdel -r ${user}`.nothrow().quiet();
  });

  it('deploys through sudo: root-owned files in root-only places, a healthy ensemble', async () => {
    const file = path.join(cwd, 'sudo.yaml');
    writeFileSync(
      file,
      [
        'name: viasudo',
        'executor: ssh',
        'dir: /opt/viasudo',
        `ssh: { user: ${user}, sudo: true, identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts} }`,
        'hosts:',
        ...lab.hosts.map((h) => `  - { name: ${h.name}, address: ${h.ip} }`),
        'nodes:',
        ...lab.hosts.map((h, i) => `  - { id: ${i + 1}, host: ${h.name} }`),
        'java: { heap: 128m }',
        '',
      ].join('\n'),
    );
    try {
      const r = await zkopsJson(cwd, ['deploy', '-i', file, '--accept-new-host-keys']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
      const h = lab.hosts[0]!;
      expect(await onHost(h, 'stat -c "%U %a" /opt/viasudo/node-1/conf/zoo.cfg /etc/profile.d/zk.sh')).toBe('root 644\nroot 644\n');
      // The servers run as root (started through sudo), not as the login user.
      const pid = r.json.nodes[0].pid;
      expect((await onHost(h, `stat -c %U /proc/${pid}`)).trim()).toBe('root');
      const again = await zkopsJson(cwd, ['deploy', '-i', file]);
      expect(again.json.changed).toBe(false);
    } finally {
      await zkops(cwd, ['stop', '-i', file]);
    }
  });
});
