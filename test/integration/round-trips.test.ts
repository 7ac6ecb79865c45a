/**
 * Budgets in round trips (issue 20): how many remote commands, shells and
 * subsystems one zkops command starts on each SSH test host, counted by the
 * hosts' own sshd (DEBUG1 log), not by zkops. The hosts carry this machine's
 * slow .bashrc (pyenv before its guard): every remote shell costs ~0.5 s, as
 * on many real hosts. Also: the doctor invents no firewall on a healthy, slow
 * ensemble.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { remoteShells } from '../helpers/hosts.mjs';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';

const ctx = useLab('t', 3, { slowProfile: true });
let inventory: string;

beforeAll(async () => {
  inventory = path.join(ctx.cwd, 'rt.yaml');
  writeFileSync(inventory, labInventory(ctx.lab, { name: 'rt' }));
  const r = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.json.healthy).toBe(true);
}, 240_000);

/** Runs zkops and returns, per host, the channels its sshd opened meanwhile (exec, shell and SFTP). */
async function counted(
  args: string[],
): Promise<{ code: number; stderr: string; per: { exec: number; sub: number }[] }> {
  const before = ctx.lab.hosts.map(remoteShells);
  const r = await zkops(ctx.cwd, [...args, '-i', inventory]);
  // sshd writes its log line when the request arrives; a moment lets the last ones reach the file.
  await new Promise((res) => setTimeout(res, 200));
  const per = ctx.lab.hosts.map((h, i) => {
    const now = remoteShells(h);
    return {
      exec: now.exec + now.shell - before[i]!.exec - before[i]!.shell,
      sub: now.subsystem - before[i]!.subsystem,
    };
  });
  return { code: r.code, stderr: r.stderr, per };
}

describe('remote shells per host and command (sshd DEBUG1 log, slow profile)', () => {
  it('status, logs, a no-change deploy, doctor: one shell per host, no transfer channel', async () => {
    for (const args of [['status'], ['logs', '-n', '5'], ['deploy'], ['doctor']]) {
      const r = await counted(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      // The count is real: every host was asked something, through exactly one shell.
      expect(
        r.per.map((p) => p.exec + p.sub),
        args.join(' '),
      ).toEqual([1, 1, 1]);
    }
  }, 240_000);

  it('bundle and backup: one shell per host, at most one transfer channel', async () => {
    const out = path.join(ctx.cwd, 'b.tar.gz');
    for (const args of [
      ['bundle', '-o', out],
      ['backup', '-o', path.join(ctx.cwd, 'backup-1')],
    ]) {
      const r = await counted(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      for (const [i, p] of r.per.entries()) {
        expect(p.exec, `${args[0]} on host ${i + 1}`).toBeLessThanOrEqual(1);
        expect(p.sub, `${args[0]} on host ${i + 1}`).toBeLessThanOrEqual(1);
      }
    }
    expect(existsSync(out)).toBe(true);
  }, 240_000);

  it('a rolling restart: one shell per host', async () => {
    const r = await counted(['restart']);
    expect(r.code, r.stderr).toBe(0);
    for (const [i, p] of r.per.entries()) expect(p.exec, `restart on host ${i + 1}`).toBeLessThanOrEqual(1);
  }, 240_000);

  it('the doctor raises no alarm about reachability on a healthy ensemble of slow hosts', async () => {
    for (let run = 0; run < 3; run++) {
      const r = await zkopsJson(ctx.cwd, ['doctor', '-i', inventory]);
      const errors = (r.json.findings ?? r.json.checks ?? []).filter(
        (f: any) => f.level === 'error' || f.severity === 'error',
      );
      expect(errors, JSON.stringify(errors)).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 240_000);
});
