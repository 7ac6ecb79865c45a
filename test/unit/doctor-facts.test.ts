import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherFacts } from '../../src/doctor/facts.js';
import { LocalExecutor } from '../../src/executors/local.js';
import type { NodeSpec } from '../../src/inventory/spec.js';
import type { NodePlace } from '../../src/runtime/types.js';

// The doctor's one command per node, run on this machine against a node directory made here: what it reads
// from the shell's raw output (od, df, du, ip, getent) is parsed in zkops, not by more processes on the host.
const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nodeDir(): NodePlace {
  const node = {
    id: 1,
    dir,
    dataDir: path.join(dir, 'data'),
    confDir: path.join(dir, 'conf'),
    zooCfg: path.join(dir, 'conf', 'zoo.cfg'),
    pidFile: path.join(dir, 'data', 'zookeeper_server.pid'),
  } as NodeSpec;
  mkdirSync(path.join(node.dataDir, 'version-2'), { recursive: true });
  mkdirSync(node.confDir, { recursive: true });
  writeFileSync(path.join(node.dataDir, 'myid'), '1\n');
  writeFileSync(node.pidFile, '4242');
  writeFileSync(node.zooCfg, 'tickTime=2000\nclientPort=2181\nserver.1=127.0.0.1:2888:3888\n');
  for (const n of ['1', '2']) writeFileSync(path.join(node.dataDir, 'version-2', `snapshot.${n}`), 'x'.repeat(4096));
  writeFileSync(path.join(node.confDir, 'java.env'), 'export JAVA_HOME=/opt/no-such-java\n');
  const ex = new LocalExecutor();
  return {
    node,
    ex,
    machine: { label: 'this machine', address: '127.0.0.1', ex, remote: false },
    env: { kind: 'java.env', file: path.join(node.confDir, 'java.env') },
  };
}

describe("the doctor's facts about a node", () => {
  it('reads myid as bytes, the pid file, space, snapshots, addresses and how peer names resolve', async () => {
    const f = await gatherFacts(nodeDir(), undefined, ['localhost', 'no-such-host.invalid']);
    expect(f.myidHex).toBe('310a');
    expect(f.pidFileText).toBe('4242');
    expect(f.cfg?.entries.get('clientPort')).toEqual({ value: '2181', line: 2 });
    expect(f.freeMiB).toBeGreaterThan(0);
    expect(f.snapshots).toEqual({ count: 2, mib: expect.any(Number) });
    expect(f.snapshots!.mib).toBeGreaterThanOrEqual(0);
    expect(f.localAddresses).toContain('127.0.0.1');
    expect(f.localAddresses.every((a) => !a.includes('/'))).toBe(true);
    expect(f.resolves.get('localhost')).toEqual(['127.0.0.1']);
    expect(f.resolves.get('no-such-host.invalid')).toEqual([]);
    expect(f.java).toMatchObject({ javaHome: '/opt/no-such-java', java: '/opt/no-such-java/bin/java' });
    expect(f.java?.setIn).toEqual([{ file: path.join(dir, 'conf', 'java.env'), line: 1, value: '/opt/no-such-java' }]);
  });
});
