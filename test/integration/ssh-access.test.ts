/**
 * The ways in: a jump host (the only host the others accept SSH from), a
 * non-root user with sudo, and keys held by ssh-agent.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, onHost, type TestLab } from '../helpers/hosts.mjs';
import { workdir, zkops, zkopsJson } from '../helpers/cli.js';

const LAB = 'a';

let lab: TestLab;
let cwd: string;

beforeAll(async () => {
  lab = await createLab(LAB, 3);
  cwd = workdir(LAB);
});
afterAll(async () => {
  await lab?.teardown();
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
      const direct = await zkops(cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys']);
      expect(direct.code).not.toBe(0);
      expect(direct.stderr).toMatch(/Cannot reach 10\.77\.0\.1[23]:22 over SSH/);

      writeFileSync(file, body(true));
      const viaJump = await zkops(cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys']);
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

describe('authentication through ssh-agent', () => {
  it('deploys with the key held by an agent when the inventory names no key file', async () => {
    const { $ } = await import('zx');
    const agentOut = (await $`ssh-agent -s`).stdout;
    const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agentOut)![1]!;
    const agentPid = /SSH_AGENT_PID=(\d+);/.exec(agentOut)![1]!;
    try {
      await $({ env: { ...process.env, SSH_AUTH_SOCK: sock } })`ssh-add -q ${lab.identityFile}`;
      const file = path.join(cwd, 'agent.yaml');
      writeFileSync(
        file,
        ['name: agent', 'executor: ssh', 'dir: /opt/agent', `ssh: { knownHosts: ${lab.knownHosts} }`, 'hosts:', `  - { name: a1, address: ${lab.hosts[0]!.ip} }`, 'nodes:', '  - { id: 1, host: a1 }', ''].join('\n'),
      );
      const without = await zkops(cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys'], { SSH_AUTH_SOCK: '' });
      expect(without.code).not.toBe(0);
      expect(without.stderr).toContain('No SSH credentials for root@');
      const r = await zkops(cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys'], { SSH_AUTH_SOCK: sock });
      expect(r.code, r.stderr).toBe(0);
      expect(await onHost(lab.hosts[0]!, 'cat /opt/agent/node-1/data/myid')).toBe('1\n');
    } finally {
      await $`kill ${agentPid}`.nothrow();
    }
  });
});
