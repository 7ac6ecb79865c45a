import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceFile, staleTemporaries, writeFileAtomic, writeFileAtomicSync } from '../../src/util/atomic-file.js';

/** The pid of a process that has exited (a real one, so the sweep's liveness test is the real one too). */
const deadPid = () => spawnSync('true').pid!;

describe('atomic files on this machine', () => {
  it('writes content and the exact mode whatever the umask, and leaves no temporary', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-atomic-'));
    const file = path.join(dir, 'sub', 'key.pem');
    await writeFileAtomic(file, 'secret\n', 0o600, { mkdir: true });
    await writeFileAtomic(path.join(dir, 'run.sh'), '#!/bin/sh\n', 0o755);
    expect(readFileSync(file, 'utf8')).toBe('secret\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readdirSync(path.join(dir, 'sub'))).toEqual(['key.pem']);
  });

  it('sweeps the temporaries of writers that are gone, in both name forms, and keeps a live one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-atomic-'));
    const file = path.join(dir, 'cluster.yaml');
    const dead = deadPid();
    const stale = [`cluster.yaml.zkops-${dead}-0a1b2c3d.tmp`, `cluster.yaml.${dead}.tmp`];
    const live = `cluster.yaml.zkops-${process.pid}-0a1b2c3d.tmp`;
    const other = `other.yaml.zkops-${dead}-0a1b2c3d.tmp`;
    for (const n of [...stale, live, other]) writeFileSync(path.join(dir, n), 'half');
    expect(staleTemporaries(readdirSync(dir), file).sort()).toEqual([...stale].sort());
    await writeFileAtomic(file, 'name: a\n');
    expect(readdirSync(dir).sort()).toEqual(['cluster.yaml', live, other].sort());
    // The synchronous variant sweeps with the same judgement.
    const cache = path.join(dir, 'k.json');
    writeFileSync(path.join(dir, `k.json.zkops-${dead}-00000000.tmp`), '{');
    writeFileAtomicSync(cache, '{}', 0o600);
    expect(readdirSync(dir).filter((n) => n.startsWith('k.json'))).toEqual(['k.json']);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
  });

  it('leaves the file as it was when filling the temporary fails', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-atomic-'));
    const file = path.join(dir, 'bundle.tar.gz');
    writeFileSync(file, 'old');
    await expect(
      replaceFile(file, async (tmp) => {
        writeFileSync(tmp, 'half');
        throw new Error('stream broke');
      }),
    ).rejects.toThrow('stream broke');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['bundle.tar.gz']);
  });
});
