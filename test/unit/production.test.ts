/**
 * Production settings as rendered: observers, JVM flags, GC logs, log
 * rotation, where clients are served. The run script is executed by a real
 * shell with a stand-in `java` that prints its arguments, so what the JVM
 * would receive is checked word for word, under a path no shell may mangle.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/errors.js';
import { parseInventory } from '../../src/inventory/load.js';
import { renderNodeFiles, type HostFacts } from '../../src/render/node.js';
import { majority, shapeWarnings, toleratedFailures } from '../../src/health/majority.js';
import { judgeCluster, type NodeReport } from '../../src/health/cluster.js';

const FACTS: HostFacts = {
  javaHome: '/usr/lib/jvm/java-17-openjdk-amd64',
  zookeeperHome: '/usr/share/zookeeper',
  classpath: '/usr/share/java/zookeeper.jar',
  zookeeperVersion: '3.8.0',
  bindAll: false,
  javaMajor: 17,
  clientAddress: '127.0.0.1',
};

const fileOf = (files: { path: string; content: string }[], name: string) =>
  files.find((f) => f.path.endsWith(name))!.content;

describe('observers', () => {
  const { spec } = parseInventory('name: obs\npseudo: {count: 5, observers: 2}\n', 'obs.yaml', '/srv');
  it("marks the last N nodes of a pseudo-cluster as observers, in every node's server list", () => {
    expect(spec.nodes.map((n) => n.role)).toEqual([
      'participant',
      'participant',
      'participant',
      'observer',
      'observer',
    ]);
    for (const node of spec.nodes) {
      const cfg = fileOf(renderNodeFiles(spec, node, FACTS), 'zoo.cfg');
      expect(cfg).toContain('server.3=127.0.0.1:2890:3890\n');
      expect(cfg).toContain('server.4=127.0.0.1:2891:3891:observer\n');
      expect(cfg).toContain('server.5=127.0.0.1:2892:3892:observer\n');
      // Only the observer itself says what it is.
      expect(cfg.includes('peerType=observer\n')).toBe(node.role === 'observer');
    }
  });

  it('counts only participants for the majority', () => {
    expect(shapeWarnings(spec)).toEqual([]);
    const report = (id: number, mode: string): NodeReport => ({
      node: spec.nodes[id - 1]!,
      health: { mode: mode as never },
    });
    // Both observers down, the quorum of three participants is whole.
    expect(
      judgeCluster([
        report(1, 'leader'),
        report(2, 'follower'),
        report(3, 'follower'),
        report(4, 'down'),
        report(5, 'down'),
      ]).status,
    ).toBe('degraded');
    // Two participants down: the observers cannot make up for them.
    expect(
      judgeCluster([
        report(1, 'leader'),
        report(2, 'down'),
        report(3, 'down'),
        report(4, 'observer'),
        report(5, 'observer'),
      ]).status,
    ).toBe('no-quorum');
  });

  it('refuses an ensemble of observers only, naming the line', () => {
    const err = (() => {
      try {
        parseInventory('name: o\npseudo:\n  count: 2\n  observers: 2\n', 'o.yaml');
      } catch (e) {
        return e as InventoryError;
      }
    })();
    expect(err).toBeInstanceOf(InventoryError);
    expect(err!.message).toContain('o.yaml:4: pseudo.observers: 2 observers of 2 nodes leave no participant to vote');
  });
});

describe('quorum arithmetic and fragile shapes', () => {
  it('needs a majority of voters', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(majority)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect([1, 2, 3, 4, 5, 6, 7].map(toleratedFailures)).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it('warns about 1–2 voters and even numbers, saying how many failures are survived', () => {
    const shape = (text: string) => shapeWarnings(parseInventory(`name: s\n${text}\n`, 's.yaml').spec);
    expect(shape('pseudo: {count: 1}')[0]).toContain('survives no failure');
    expect(shape('pseudo: {count: 2}')[0]).toContain('2 voters survive no failure');
    expect(shape('pseudo: {count: 4}')[0]).toContain('4 voters survive 1 failure, no more than 3 would');
    expect(shape('pseudo: {count: 3}')).toEqual([]);
    expect(shape('pseudo: {count: 5, observers: 1}')[0]).toContain('4 voters');
  });

  it('calls a lone node that still claims to lead what it is: no quorum', () => {
    const { spec } = parseInventory('name: q\npseudo: {count: 3}\n', 'q.yaml');
    const v = judgeCluster([
      { node: spec.nodes[0]!, health: { mode: 'down' } },
      { node: spec.nodes[1]!, health: { mode: 'down' } },
      { node: spec.nodes[2]!, health: { mode: 'leader' } },
    ]);
    expect(v.status).toBe('no-quorum');
    expect(v.status === 'no-quorum' && v.problems[0]).toContain(
      'only 1 of 3 voters serve; a quorum needs 2. Node 3 still claims to lead',
    );
  });
});

describe('JVM flags, GC log and log rotation', () => {
  /** Runs the node's real run script with a stand-in java; returns the arguments java got. */
  function javaArgs(
    yaml: string,
    facts: Partial<HostFacts> = {},
  ): { args: string[]; files: { path: string; content: string }[] } {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'zkops-flags-'));
    const dir = path.join(tmp, `zk dir $(touch pwned);'q'`);
    const { spec } = parseInventory(`name: f\ndir: ${JSON.stringify(dir)}\n${yaml}\n`, 'f.yaml', tmp);
    const jdk = path.join(tmp, 'jdk');
    mkdirSync(path.join(jdk, 'bin'), { recursive: true });
    writeFileSync(path.join(jdk, 'bin/java'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(path.join(jdk, 'bin/java'), 0o755);
    const files = renderNodeFiles(spec, spec.nodes[0]!, { ...FACTS, javaHome: jdk, ...facts });
    for (const f of files) {
      mkdirSync(path.dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content, { mode: f.mode });
    }
    const out = execFileSync('sh', [spec.nodes[0]!.runScript], { cwd: tmp, encoding: 'utf8' });
    expect(() => execFileSync('test', ['-e', path.join(tmp, 'pwned')])).toThrow();
    return { args: out.trim().split('\n'), files };
  }

  it(
    'gives every server a fixed heap, a heap dump and exit on OutOfMemoryError, and a rotated GC log in its log ' +
      'directory',
    () => {
      const { args, files } = javaArgs('pseudo: {count: 3}');
      const logs = JSON.parse(
        JSON.stringify(args.find((a) => a.startsWith('-XX:HeapDumpPath='))!.slice('-XX:HeapDumpPath='.length)),
      );
      expect(logs).toMatch(/zk dir \$\(touch pwned\);'q'\/node-1\/logs$/);
      expect(args).toContain(`-Xlog:gc*:file="${logs}/gc.log":time,uptime:filecount=5,filesize=20M`);
      expect(args).toEqual(
        expect.arrayContaining([
          '-Xms256m',
          '-Xmx256m',
          '-XX:+HeapDumpOnOutOfMemoryError',
          '-XX:+ExitOnOutOfMemoryError',
        ]),
      );
      expect(args.at(-1)).toMatch(/node-1\/conf\/zoo\.cfg$/);
      expect(fileOf(files, 'zoo.cfg')).toContain('clientPortAddress=127.0.0.1\n');
    },
  );

  it('uses the old GC flags on Java 8, and none when the GC log is off', () => {
    const java8 = javaArgs('pseudo: {count: 3}', { javaMajor: 8 }).args;
    expect(java8).toEqual(
      expect.arrayContaining(['-XX:+UseGCLogFileRotation', '-XX:NumberOfGCLogFiles=5', '-XX:GCLogFileSize=20M']),
    );
    expect(java8.some((a) => a.startsWith('-Xloggc:') && a.endsWith('/logs/gc.log'))).toBe(true);
    const off = javaArgs('pseudo: {count: 3}\njava: {gcLog: {enabled: false}}').args;
    expect(off.some((a) => a.includes('gc.log'))).toBe(false);
  });

  it("passes the inventory's flags after zkops's own (a later flag wins), per node where given", () => {
    const { args } = javaArgs(
      'nodes:\n  - {id: 1, host: 127.0.0.1, javaFlags: [-XX:+UseZGC, -Xmx512m]}\njava: {flags: [-XX:+UseG1GC]}',
    );
    expect(args).toContain('-XX:+UseZGC');
    expect(args).not.toContain('-XX:+UseG1GC');
    expect(args.lastIndexOf('-Xmx512m')).toBeGreaterThan(args.indexOf('-Xmx256m'));
  });

  it('rotates the server log the same way in log4j and logback', () => {
    const { files } = javaArgs('pseudo: {count: 3}\nlogging: {level: WARN, maxFileSize: 50MB, maxFiles: 9}');
    const log4j = fileOf(files, 'log4j.properties');
    expect(log4j).toContain('log4j.appender.ROLLINGFILE.MaxFileSize=50MB\n');
    expect(log4j).toContain('log4j.appender.ROLLINGFILE.MaxBackupIndex=9\n');
    expect(log4j).toContain('zookeeper.root.logger=WARN,ROLLINGFILE\n');
    const logback = fileOf(files, 'logback.xml');
    expect(logback).toContain('<MaxFileSize>50MB</MaxFileSize>');
    expect(logback).toContain('<maxIndex>9</maxIndex>');
    expect(logback).toContain('<root level="WARN">');
  });
});
