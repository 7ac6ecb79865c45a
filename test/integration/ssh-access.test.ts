/**
 * The ways in: a jump host (the only host the others accept SSH from), a
 * non-root user with sudo, and keys held by ssh-agent.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onHost } from '../helpers/hosts.mjs';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';

const LAB = 'a';

const ctx = useLab(LAB, 3);

describe('a jump host', () => {
  it('reaches hosts that only accept SSH from the jump host', async () => {
    const { $ } = await import('zx');
    const controlIp = '10.77.0.1';
    for (const h of ctx.lab.hosts.slice(1))
      await $`ip netns exec ${h.netns} iptables -A INPUT -p tcp --dport 22 -s ${controlIp} -j DROP`;
    try {
      const file = path.join(ctx.cwd, 'jump.yaml');
      const body = (jump: boolean) =>
        labInventory(ctx.lab, {
          name: 'jump',
          dir: '/opt/jump',
          ssh: jump ? `jumpHost: "root@${ctx.lab.hosts[0]!.ip}"` : undefined,
          hosts: ctx.lab.hosts.slice(1),
        });
      writeFileSync(file, body(false));
      const direct = await zkops(ctx.cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys']);
      expect(direct.code).not.toBe(0);
      expect(direct.stderr).toMatch(/Cannot reach 10\.77\.0\.1[23]:22 over SSH/);

      writeFileSync(file, body(true));
      const viaJump = await zkops(ctx.cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys']);
      expect(viaJump.code, viaJump.stderr).toBe(0);
      expect(viaJump.stdout).toContain('Installed and configured 2 node(s)');
    } finally {
      for (const h of ctx.lab.hosts.slice(1))
        await $`ip netns exec ${h.netns} iptables -D INPUT -p tcp --dport 22 -s ${controlIp} -j DROP`.nothrow();
    }
    // The files really landed on the hosts behind the jump host.
    expect(await onHost(ctx.lab.hosts[1]!, 'cat /opt/jump/node-1/data/myid')).toBe('1\n');
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
    const sshDir = `${home}/.ssh`;
    const pubKey = `${ctx.lab.identityFile}.pub`;
    await $`install -d -m 700 -o ${user} ${sshDir} && install -m 600 -o ${user} ${pubKey} ${sshDir}/authorized_keys`;
    writeFileSync(`/etc/sudoers.d/${user}`, `${user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  });
  afterAll(async () => {
    const { $ } = await import('zx');
    await $`rm -f /etc/sudoers.d/${user}`.nothrow();
    await $`userdel -r ${user}`.nothrow().quiet();
  });

  it(
    'deploys through sudo: root-owned files in root-only places, servers as zookeeper, ' + 'a healthy ensemble',
    async () => {
      const file = path.join(ctx.cwd, 'sudo.yaml');
      writeFileSync(
        file,
        labInventory(ctx.lab, { name: 'viasudo', dir: '/opt/viasudo', ssh: `user: ${user}, sudo: true` }),
      );
      try {
        const r = await zkopsJson(ctx.cwd, ['deploy', '-i', file, '--accept-new-host-keys']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json.healthy).toBe(true);
        const h = ctx.lab.hosts[0]!;
        expect(await onHost(h, 'stat -c "%U %a" /opt/viasudo/node-1/conf/zoo.cfg /etc/profile.d/zk.sh')).toBe(
          'root 644\nroot 644\n',
        );
        // The servers run as the zookeeper account (sudo gave zkops root to set that up), neither as root nor as the
        // login user.
        const pid = r.json.nodes[0].pid;
        expect((await onHost(h, `stat -c %U /proc/${pid}`)).trim()).toBe('zookeeper');
        const again = await zkopsJson(ctx.cwd, ['deploy', '-i', file]);
        expect(again.json.changed).toBe(false);
      } finally {
        await zkops(ctx.cwd, ['stop', '-i', file]);
      }
    },
  );

  it('refuses an install root the service account could not enter, before writing anything', async () => {
    const file = path.join(ctx.cwd, 'closed.yaml');
    writeFileSync(
      file,
      labInventory(ctx.lab, { name: 'closed', dir: '/opt/private/zk', hosts: [ctx.lab.hosts[0]!], names: ['c1'] }),
    );
    // A directory only its owner may enter (like a home directory), on the host's own /opt.
    await onHost(ctx.lab.hosts[0]!, 'install -d -m 700 /opt/private');
    const r = await zkops(ctx.cwd, ['deploy', '-i', file, '--accept-new-host-keys']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'the servers would run as zookeeper, which cannot enter /opt/private (not searchable by other accounts) on ' +
        'the way to /opt/private/zk',
    );
    expect(await onHost(ctx.lab.hosts[0]!, 'ls -A /opt/private')).toBe('');
  });

  it(
    'without sudo, deploys where the login may write, runs the server as the login, and keeps the profile scripts ' +
      'beside the nodes',
    async () => {
      const file = path.join(ctx.cwd, 'plain.yaml');
      const body = (dir: string) =>
        labInventory(ctx.lab, { name: 'plain', dir, ssh: `user: ${user}`, hosts: [ctx.lab.hosts[0]!], names: ['p1'] });
      writeFileSync(file, body('/opt/plain'));
      const refused = await zkops(ctx.cwd, ['deploy', '-i', file, '--accept-new-host-keys']);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(
        `${user} on p1 (${user}@${ctx.lab.hosts[0]!.ip}) cannot write /opt, where /opt/plain/node-1 would be created`,
      );

      writeFileSync(file, body(`/home/${user}/zk`));
      try {
        const r = await zkopsJson(ctx.cwd, ['deploy', '-i', file, '--accept-new-host-keys']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json.healthy).toBe(true);
        const h = ctx.lab.hosts[0]!;
        expect((await onHost(h, `stat -c %U /proc/${r.json.nodes[0].pid}`)).trim()).toBe(user);
        expect(
          await onHost(
            h,
            `. /home/${user}/zk/java.sh; . /home/${user}/zk/zk.sh; command -v zkServer.sh; echo "$JAVA_HOME"`,
          ),
        ).toMatch(/zkServer\.sh\n\/\S+\n$/);
        // /etc/profile.d (written earlier through sudo) was left alone.
        expect(await onHost(h, `grep -c /home/${user} /etc/profile.d/zk.sh || true`)).toBe('0\n');
      } finally {
        await zkops(ctx.cwd, ['stop', '-i', file]);
      }
    },
  );

  it('without sudo, refuses to run servers as another account before writing anything', async () => {
    const file = path.join(ctx.cwd, 'nosudo.yaml');
    writeFileSync(
      file,
      labInventory(ctx.lab, {
        name: 'nosudo',
        dir: `/home/${user}/zk-other`,
        ssh: `user: ${user}`,
        hosts: [ctx.lab.hosts[0]!],
        names: ['n1'],
        extra: ['service: { user: zookeeper }'],
      }),
    );
    const r = await zkops(ctx.cwd, ['deploy', '-i', file, '--accept-new-host-keys']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `service.user is zookeeper, but n1 (${user}@${ctx.lab.hosts[0]!.ip}) logs in as ${user} without root`,
    );
    expect(r.stderr).toContain('ssh.sudo: true');
    expect(await onHost(ctx.lab.hosts[0]!, `ls /home/${user}/zk-other 2>&1 || true`)).toContain('No such file');
  });
});

describe('authentication through ssh-agent', () => {
  it('deploys with the key held by an agent when the inventory names no key file', async () => {
    const { $ } = await import('zx');
    const agentOut = (await $`ssh-agent -s`).stdout;
    const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agentOut)![1]!;
    const agentPid = /SSH_AGENT_PID=(\d+);/.exec(agentOut)![1]!;
    try {
      await $({ env: { ...process.env, SSH_AUTH_SOCK: sock } })`ssh-add -q ${ctx.lab.identityFile}`;
      const file = path.join(ctx.cwd, 'agent.yaml');
      writeFileSync(
        file,
        [
          'name: agent',
          'executor: ssh',
          'dir: /opt/agent',
          `ssh: { knownHosts: ${ctx.lab.knownHosts} }`,
          'hosts:',
          `  - { name: a1, address: ${ctx.lab.hosts[0]!.ip} }`,
          'nodes:',
          '  - { id: 1, host: a1 }',
          '',
        ].join('\n'),
      );
      const without = await zkops(ctx.cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys'], {
        SSH_AUTH_SOCK: '',
      });
      expect(without.code).not.toBe(0);
      expect(without.stderr).toContain('No SSH credentials for root@');
      const r = await zkops(ctx.cwd, ['deploy', '-i', file, '--no-start', '--accept-new-host-keys'], {
        SSH_AUTH_SOCK: sock,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(await onHost(ctx.lab.hosts[0]!, 'cat /opt/agent/node-1/data/myid')).toBe('1\n');
    } finally {
      await $`kill ${agentPid}`.nothrow();
    }
  });
});
