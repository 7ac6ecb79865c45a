/**
 * Hosts where systemd runs, as on real VMs: host 3 of this lab boots systemd
 * (systemd-nspawn in its network namespace, see test/helpers/hosts.mjs);
 * hosts 1 and 2 have none. One ensemble spans both kinds: zkops installs and
 * enables a unit on host 3 (moving a node started without one under it) and
 * uses its supervised start on the others, and start, stop, restart and
 * re-deploy go through systemctl where units exist.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onHost } from '../helpers/hosts.mjs';
import { zkCli, zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';

const ctx = useLab('y', 3, {
  systemd: [3],
  // A fresh VM has no zookeeper account (this machine's Debian package made one; the systemd host's /etc is its own).
  ready: async (lab) => void (await onHost(lab.hosts[2]!, 'userdel zookeeper')),
});
const UNIT = 'zookeeper-sd-3.service';
let inventory: string;

function writeInventory(extra: string[] = []): void {
  writeFileSync(inventory, labInventory(ctx.lab, { name: 'sd', extra }));
}

/** The unit's state on host 3: ActiveState, UnitFileState and MainPID. */
async function unitState(): Promise<{ active: string; enabled: string; pid: number }> {
  const out = await onHost(
    ctx.lab.hosts[2]!,
    `systemctl show -p ActiveState -p UnitFileState -p MainPID --value ${UNIT}`,
  );
  const [pid = '', active = '', enabled = ''] = out.trim().split('\n');
  return { active, enabled, pid: Number(pid) };
}

const pidFile = (id: number) => `/opt/zookeeper/node-${id}/data/zookeeper_server.pid`;

beforeAll(() => {
  inventory = path.join(ctx.cwd, 'sd.yaml');
  writeInventory();
});

describe('zkops deploy where systemd runs', () => {
  it('refuses service.systemd: true on hosts without systemd, before writing anything', async () => {
    writeInventory(['service: { systemd: true }']);
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    writeInventory();
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('service.systemd is true, but systemd does not run on y1');
    expect(r.stderr).toContain('y2');
    expect(r.stderr).not.toContain('on y3');
    expect(await onHost(ctx.lab.hosts[2]!, `ls /etc/systemd/system/${UNIT} /opt/zookeeper 2>&1 || true`)).toContain(
      'No such file',
    );
  });

  it(
    'with service.systemd: false, starts every node supervised, ' + 'as a zookeeper account it creates where missing',
    async () => {
      writeInventory(['service: { systemd: false }']);
      const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
      writeInventory();
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
      expect(await onHost(ctx.lab.hosts[2]!, `ls /etc/systemd/system/${UNIT} 2>&1 || true`)).toContain('No such file');
      // The account did not exist on that host: zkops made a system account without login.
      expect(await onHost(ctx.lab.hosts[2]!, 'getent passwd zookeeper')).toMatch(
        /^zookeeper:x:\d{1,3}:\d+::\/opt\/zookeeper:\/usr\/sbin\/nologin\n$/,
      );
      for (const [i, h] of ctx.lab.hosts.entries()) {
        expect(await onHost(h, `ps -o user:20=,args= -p $(cat ${pidFile(i + 1)})`)).toMatch(
          /^zookeeper .*QuorumPeerMain/,
        );
      }
      await zkCli(`${ctx.lab.hosts[2]!.ip}:2181`, 'create', '/sd', 'before-systemd');
    },
  );

  it(
    'moves the node on the systemd host under an enabled unit with a rolling restart, ' + 'the others stay supervised',
    async () => {
      const supervisedPid = Number(await onHost(ctx.lab.hosts[2]!, `cat ${pidFile(3)}`));
      const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
      expect(r.json.nodes.map((n: any) => n.action)).toEqual(['unchanged', 'unchanged', 'restarted']);
      const unit = await unitState();
      expect(unit).toMatchObject({ active: 'active', enabled: 'enabled' });
      expect(unit.pid).not.toBe(supervisedPid);
      // systemd's main process is the server itself (the run script execs java), as the service account.
      expect(unit.pid).toBe(Number(await onHost(ctx.lab.hosts[2]!, `cat ${pidFile(3)}`)));
      expect(await onHost(ctx.lab.hosts[2]!, `ps -o user:20=,args= -p ${unit.pid}`)).toMatch(
        /^zookeeper .*QuorumPeerMain/,
      );
      // Hosts without systemd get no unit; status says how each server runs.
      expect(await onHost(ctx.lab.hosts[0]!, 'ls /etc/systemd/system/ | grep -c zookeeper || true')).toBe('0\n');
      expect(r.json.nodes.map((n: any) => n.runs)).toEqual([
        { by: 'zkops', user: 'zookeeper' },
        { by: 'zkops', user: 'zookeeper' },
        { by: 'systemd', unit: UNIT, user: 'zookeeper' },
      ]);
      expect((await zkops(ctx.cwd, ['status', '-i', inventory])).stdout).toMatch(/systemd:zookeeper/);

      await zkCli(`${ctx.lab.hosts[2]!.ip}:2181`, 'create', '/sd2', 'via-systemd-node');
      expect(await zkCli(`${ctx.lab.hosts[0]!.ip}:2181`, 'get', '/sd')).toContain('before-systemd');
      expect(await zkCli(`${ctx.lab.hosts[0]!.ip}:2181`, 'get', '/sd2')).toContain('via-systemd-node');
    },
  );

  it('changes nothing on a second deploy', async () => {
    const before = await unitState();
    const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.changed).toBe(false);
    expect(r.json.nodes.map((n: any) => n.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect((await unitState()).pid).toBe(before.pid);
  });

  it('lets systemd bring a crashed server back, and the ensemble recovers', async () => {
    const before = await unitState();
    await onHost(ctx.lab.hosts[2]!, `kill -KILL ${before.pid}`);
    let after = before;
    for (let i = 0; i < 150 && !(after.active === 'active' && after.pid > 0 && after.pid !== before.pid); i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await unitState();
    }
    expect(after.active).toBe('active');
    expect(after.pid).not.toBe(before.pid);
    const r = await zkopsJson(ctx.cwd, ['start', '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.healthy).toBe(true);
    expect(r.json.started).toEqual([]);
  });

  it('stops, starts and restarts the systemd node through systemctl', async () => {
    const stop = await zkopsJson(ctx.cwd, ['stop', '3', '-i', inventory]);
    expect(stop.json.nodes[0]).toMatchObject({ id: 3, status: 'stopped' });
    // Stopped the systemd way: the unit is inactive (not failed, not restarting), still enabled.
    expect(await unitState()).toMatchObject({ active: 'inactive', enabled: 'enabled', pid: 0 });

    const start = await zkopsJson(ctx.cwd, ['start', '-i', inventory]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.json.started).toEqual([3]);
    const started = await unitState();
    expect(started.active).toBe('active');

    const restart = await zkopsJson(ctx.cwd, ['restart', '3', '-i', inventory]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.json.healthy).toBe(true);
    const restarted = await unitState();
    expect(restarted.active).toBe('active');
    expect(restarted.pid).not.toBe(started.pid);
    expect(await zkCli(`${ctx.lab.hosts[2]!.ip}:2181`, 'get', '/sd2')).toContain('via-systemd-node');
  });

  it("refuses to start the systemd node behind systemd's back when told not to use it", async () => {
    writeInventory(['service: { systemd: false }']);
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--dry-run']);
    writeInventory();
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`runs this cluster's nodes as systemd units (${UNIT})`);
    expect(r.stderr).toContain('Nothing was changed.');
  });
});
