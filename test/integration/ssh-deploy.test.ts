/**
 * zkops deploy over real SSH to three test hosts (network namespaces with
 * their own sshd, /opt and /etc/profile.d). The install root has spaces and
 * shell metacharacters in it, so every remote command's quoting is exercised.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onHost } from '../helpers/hosts.mjs';
import { zkCli, zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';

const INSTALL = `/opt/zk ensemble/$(touch /tmp/zkops-pwned);'q'`;
const ctx = useLab('d', 3);
let inventory: string;

function writeInventory(settings = 'tickTime: 2000'): void {
  writeFileSync(
    inventory,
    labInventory(ctx.lab, { name: 'vms', dir: INSTALL, ssh: 'user: root', extra: ['settings:', `  ${settings}`] }),
  );
}

beforeAll(() => {
  inventory = path.join(ctx.cwd, 'vms.yaml');
  writeInventory();
});

describe('zkops deploy over SSH', () => {
  it('refuses hosts whose key is unknown unless --accept-new-host-keys is given, and writes nothing', async () => {
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('3 hosts could not be reached');
    expect(r.stderr).not.toContain('bug');
    expect(r.stderr).toContain(`The SSH host key of ${ctx.lab.hosts[0]!.ip} is unknown (ssh-ed25519 SHA256:`);
    expect(r.stderr).toContain('--accept-new-host-keys');
    expect(await onHost(ctx.lab.hosts[0]!, 'ls -A /opt /etc/profile.d')).not.toMatch(/zk|java\.sh/);
  });

  it('deploys a healthy ensemble that replicates, recording the host keys on first contact', async () => {
    const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(r.json.nodes.map((n: any) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    expect(r.json.connectString).toBe(ctx.lab.hosts.map((h) => `${h.ip}:2181`).join(','));
    const known = readFileSync(ctx.lab.knownHosts, 'utf8');
    for (const line of ctx.lab.hostKeyLines) expect(known).toContain(line);
    // The private key never shows up in what zkops prints.
    const keyBody = readFileSync(ctx.lab.identityFile, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'));
    const printed = JSON.stringify(r.json) + r.stderr;
    for (const line of keyBody) expect(printed).not.toContain(line);

    await zkCli(`${ctx.lab.hosts[0]!.ip}:2181`, 'create', '/over-ssh', 'written-on-host-1');
    expect(await zkCli(`${ctx.lab.hosts[2]!.ip}:2181`, 'get', '/over-ssh')).toContain('written-on-host-1');
  });

  it('leaves a Java and ZooKeeper environment any login shell on the host can use', async () => {
    const h = ctx.lab.hosts[1]!;
    const out = await onHost(
      h,
      '. /etc/profile.d/java.sh; . /etc/profile.d/zk.sh; "$JAVA_HOME/bin/java" -version 2>&1 | head -n1; echo ' +
        '"JRE_HOME=$JRE_HOME"; command -v zkServer.sh; cat "$ZOOCFGDIR/java.env"',
    );
    expect(out).toMatch(/version "\d+/);
    expect(out).toMatch(/JRE_HOME=\/\S+/);
    expect(out).toContain('/zkServer.sh');
    expect(out).toContain('export JAVA_HOME=');
    expect(await onHost(h, `cat ${JSON.stringify(`${INSTALL}/node-2/data/myid`).replace(/\$/g, '\\$')}`)).toBe('2\n');
    // Quoting held: the metacharacters in the path were never run as commands.
    expect(await onHost(h, 'ls /tmp/zkops-pwned 2>/dev/null || echo absent')).toContain('absent');
  });

  it('runs the servers as the zookeeper account, which owns only data and logs', async () => {
    const h = ctx.lab.hosts[0]!;
    const q = (p: string) => JSON.stringify(`${INSTALL}/node-1/${p}`).replace(/\$/g, '\\$');
    const pid = (await onHost(h, `cat ${q('data/zookeeper_server.pid')}`)).trim();
    expect(await onHost(h, `ps -o user:20= -p ${pid}`)).toBe('zookeeper\n');
    expect(
      await onHost(
        h,
        `stat -c '%U:%G %a' ${q('data')} ${q('logs')} ${q('data/version-2')} ${q('conf/zoo.cfg')} ` +
          `${q('bin/zk-run.sh')}`,
      ),
    ).toBe(
      [
        'zookeeper:zookeeper 750',
        'zookeeper:zookeeper 750',
        'zookeeper:zookeeper 755',
        'root:root 644',
        'root:root 755',
        '',
      ].join('\n'),
    );
  });

  it('changes nothing and restarts nothing on a second deploy', async () => {
    const before = (await zkopsJson(ctx.cwd, ['status', '-i', inventory])).json;
    const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.changed).toBe(false);
    expect(r.json.nodes.map((n: any) => n.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(r.json.nodes.map((n: any) => n.pid)).toEqual(before.nodes.map((n: any) => n.pid));
  });

  it('shows a changed setting with --dry-run without applying it', async () => {
    writeInventory('tickTime: 2500');
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was written or started.');
    expect(r.stdout).toMatch(/node 1 on d1: would restart, 1 file\(s\) would change:\n  ~ .*node-1\/conf\/zoo\.cfg/);
    expect(
      await onHost(
        ctx.lab.hosts[0]!,
        `grep tickTime ${JSON.stringify(`${INSTALL}/node-1/conf/zoo.cfg`).replace(/\$/g, '\\$')}`,
      ),
    ).toContain('tickTime=2000');
  });

  it('rolls a changed setting out one node at a time, keeping the data', async () => {
    const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.nodes.map((n: any) => n.action)).toEqual(['restarted', 'restarted', 'restarted']);
    expect(r.json.healthy).toBe(true);
    for (const h of ctx.lab.hosts) {
      expect(
        await onHost(
          h,
          `grep tickTime ${JSON.stringify(`${INSTALL}/node-${h.name.slice(1)}/conf/zoo.cfg`).replace(/\$/g, '\\$')}`,
        ),
      ).toContain('tickTime=2500');
    }
    expect(await zkCli(`${ctx.lab.hosts[1]!.ip}:2181`, 'get', '/over-ssh')).toContain('written-on-host-1');
  });

  it('stops at a host whose key has changed, with a warning', async () => {
    const original = readFileSync(ctx.lab.knownHosts, 'utf8');
    try {
      const forged = original.replace(
        new RegExp(`^${ctx.lab.hosts[0]!.ip.replace(/\./g, '\\.')} ssh-ed25519 \\S+`, 'm'),
        `${ctx.lab.hosts[0]!.ip} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVnB2cGV3+FZxO7bA8vJ5j5yR1m6mN0u0Lk0kq1B1aa`,
      );
      expect(forged).not.toBe(original);
      writeFileSync(ctx.lab.knownHosts, forged);
      const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`WARNING: the SSH host key of ${ctx.lab.hosts[0]!.ip} has CHANGED`);
      expect(r.stderr).toContain('ssh-keygen -R');
      expect(readFileSync(ctx.lab.knownHosts, 'utf8')).toBe(forged); // never overwritten, even with the opt-in
    } finally {
      writeFileSync(ctx.lab.knownHosts, original);
    }
  });

  it('stop and start work over SSH', async () => {
    const stop = await zkopsJson(ctx.cwd, ['stop', '3', '-i', inventory]);
    expect(stop.json.nodes[0]).toMatchObject({ id: 3, status: 'stopped' });
    const start = await zkopsJson(ctx.cwd, ['start', '-i', inventory]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.json.started).toEqual([3]);
    expect(start.json.healthy).toBe(true);
  });
});
