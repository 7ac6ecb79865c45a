/**
 * The record of a Java that ran (findJava's `record`): while the Java's binaries and the servers' flags are
 * unchanged, preflight and the doctor read what `java -version` said from the record instead of starting a JVM;
 * any change means a real run. Runs this machine's own Java through a wrapper that counts its starts, in a home
 * whose path holds a space and quotes.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJava, JAVA_ON_PATH } from '../../src/distribution/java.js';
import { LocalExecutor } from '../../src/executors/local.js';

const ex = new LocalExecutor();
let dir: string;
let home: string;
let record: string;
const FLAGS = [['-Xms64m', '-Xmx64m']];

/** The JVM starts the wrapper has counted so far. */
const starts = () => readFileSync(path.join(dir, 'starts'), 'utf8').split('\n').filter(Boolean).length;

function writeWrapper(real: string, note = ''): void {
  const java = path.join(home, 'bin', 'java');
  writeFileSync(java, `#!/bin/sh\n# ${note}\necho run >> '${dir}/starts'\nexec '${real}/bin/java' "$@"\n`);
  chmodSync(java, 0o755);
}

let real: string;
beforeAll(async () => {
  real = (await ex.exec(JAVA_ON_PATH)).stdout.trim();
  expect(real, 'this machine has a java on PATH').not.toBe('');
  dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-java-record-'));
  home = path.join(dir, `a "java" home's dir`);
  mkdirSync(path.join(home, 'bin'), { recursive: true });
  mkdirSync(path.join(home, 'lib', 'server'), { recursive: true });
  symlinkSync(path.join(real, 'lib', 'server', 'libjvm.so'), path.join(home, 'lib', 'server', 'libjvm.so'));
  writeFileSync(path.join(dir, 'starts'), '');
  writeWrapper(real);
  record = path.join(dir, 'java-verified');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the record of a Java that ran', () => {
  it('is written after a real run, then read instead of starting the JVM while nothing changed', async () => {
    const first = await findJava(ex, home, undefined, undefined, { record, flags: FLAGS });
    expect(first.verified, 'a real run yields a record to keep').toBeDefined();
    expect(starts()).toBe(1);
    writeFileSync(record, first.verified!);
    const again = await findJava(ex, home, undefined, undefined, { record, flags: FLAGS });
    expect(starts(), 'no JVM start while the record holds').toBe(1);
    expect(again.verified).toBeUndefined();
    expect({ major: again.major, home: again.home }).toEqual({ major: first.major, home });
  });

  it('still holds when the record lost its final newline', async () => {
    const text = readFileSync(record, 'utf8');
    writeFileSync(record, text.replace(/\n+$/, ''));
    const before = starts();
    const j = await findJava(ex, home, undefined, undefined, { record, flags: FLAGS });
    expect(starts()).toBe(before);
    expect(j.major).toBeGreaterThanOrEqual(8);
    writeFileSync(record, text);
  });

  it('does not hold for other server flags, nor once bin/java changed', async () => {
    const before = starts();
    const otherFlags = await findJava(ex, home, undefined, undefined, { record, flags: [['-Xmx96m']] });
    expect(starts(), 'other flags: the JVM runs').toBe(before + 1);
    expect(otherFlags.verified).toBeDefined();
    writeWrapper(real, 'a different build of the same path');
    const changed = await findJava(ex, home, undefined, undefined, { record, flags: FLAGS });
    expect(starts(), 'a changed binary: the JVM runs').toBe(before + 2);
    expect(changed.verified).toBeDefined();
  });
});
