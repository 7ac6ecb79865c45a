/**
 * The classic faults, for real: a port already taken, a wrong JAVA_HOME, a
 * bad inventory, ZooKeeper missing. Each must stop zkops before anything is
 * written or started, with a message that names the cause.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, serversUnder, workdir, zkops } from '../helpers/cli.js';

let cwd: string;
beforeAll(() => {
  cwd = workdir('preflight');
});
afterAll(async () => {
  await killServersUnder(cwd);
});

/** A real process listening on `port` (python's HTTP server), until killed. */
async function occupy(port: number): Promise<{ proc: ResultPromise }> {
  const proc = execa('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { reject: false });
  for (let i = 0; i < 50; i++) {
    const ss = await execa('ss', ['-Hltn', `sport = :${port}`]);
    // Wrapped: a subprocess is a thenable, and returning it bare would wait for it to exit.
    if (String(ss.stdout).trim()) return { proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`python3 never listened on ${port}`);
}

describe('preflight refuses to start a half-working ensemble', () => {
  it('names the process holding a port and starts no node', async () => {
    const { proc: holder } = await occupy(23182);
    try {
      const r = await zkops(cwd, ['init', '--base-port', '23181', '--name', 'clash']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          `node 2 client port 23182 on 127\\.0\\.0\\.1 is taken by pid ${holder.pid} \\(\\S*python3 -m ` +
            `http\\.server 23182`,
        ),
      );
      expect(r.stderr).toContain('nothing was written or started');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(await serversUnder(cwd)).toEqual([]);
      expect(existsSync(path.join(cwd, '.zkops/clash'))).toBe(false);
    } finally {
      holder.kill();
    }
  });

  it('reports a wrong JAVA_HOME before starting any JVM', async () => {
    const r = await zkops(cwd, ['init', '--base-port', '23281', '--name', 'badjava'], {
      JAVA_HOME: '/usr/lib/jvm/no-such-jdk',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Java at /usr/lib/jvm/no-such-jdk (from the JAVA_HOME environment variable)');
    expect(r.stderr).toMatch(/The java on PATH is \/\S+; use that, or fix or unset JAVA_HOME/);
    expect(await serversUnder(cwd)).toEqual([]);
    expect(existsSync(path.join(cwd, '.zkops/badjava'))).toBe(false);
  });

  it('reports where ZooKeeper is missing and what to install or set', async () => {
    const r = await zkops(cwd, ['init', '--base-port', '23381', '--name', 'nozk'], {
      ZOOKEEPER_HOME: '/opt/nothing-here',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ZooKeeper not found at /opt/nothing-here (from ZOOKEEPER_HOME)');
    expect(r.stderr).toContain('apache-zookeeper-X.Y.Z-bin');
    expect(existsSync(path.join(cwd, '.zkops/nozk'))).toBe(false);
  });

  it('rejects a bad inventory with file:line and field, and exit code 3', async () => {
    const file = path.join(cwd, 'bad.yaml');
    writeFileSync(file, 'name: bad\npseudo:\n  count: 0\n  basePort: 99999\nsettings:\n  tikTime: 2000\n');
    const r = await zkops(cwd, ['init', '-i', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}:3: pseudo.count: `);
    expect(r.stderr).toContain(`${file}:4: pseudo.basePort: expected a port 1–65535, got 99999`);
    expect(r.stderr).toContain(`${file}:6: settings.tikTime: unknown key "tikTime"`);
    expect(existsSync(path.join(cwd, '.zkops/bad'))).toBe(false);
  });

  it('rejects bad flags with a usage error (exit 2)', async () => {
    const r = await zkops(cwd, ['init', '--nodes', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a node count 1–255, got "0"');
  });
});

describe('zkops doctor', () => {
  it('finds a stray QuorumPeerMain blocking a node, explains it, and --fix stops it', async () => {
    const up = await zkops(cwd, ['init', '--base-port', '23481', '--name', 'doc']);
    expect(up.code, up.stderr).toBe(0);
    const flags = ['--cluster', 'doc'];
    expect((await zkops(cwd, ['stop', '2', ...flags])).code).toBe(0);
    // The classic leftover: a server started by hand from a copy of node 2's config.
    const node2 = path.join(cwd, '.zkops/doc/node-2');
    await execa('cp', [path.join(node2, 'conf/zoo.cfg'), path.join(node2, 'conf/zoo-manual.cfg')]);
    const run = (await execa('cat', [path.join(node2, 'bin/zk-run.sh')])).stdout
      .replace(/conf\/zoo\.cfg\b/, 'conf/zoo-manual.cfg')
      .replace(/echo \$\$ >.*\n/, '');
    writeFileSync(path.join(node2, 'bin/manual.sh'), run);
    const stray = await execa('sh', [
      '-c',
      `setsid sh ${path.join(node2, 'bin/manual.sh')} > /dev/null 2>&1 < /dev/null & echo $!`,
    ]);
    const strayPid = Number(stray.stdout.trim());
    for (let i = 0; i < 100; i++) {
      if (String((await execa('ss', ['-Hltn', 'sport = :23482'])).stdout).trim()) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const blocked = await zkops(cwd, ['start', '2', ...flags]);
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain(`taken by pid ${strayPid}`);

    const diag = await zkops(cwd, ['doctor', ...flags]);
    expect(diag.code).toBe(5);
    expect(diag.stdout).toMatch(
      new RegExp(
        `FAIL\\s+leftover-process: QuorumPeerMain pid ${strayPid} \\(config .*zoo-manual\\.cfg\\) is not a node of ` +
          `this cluster but holds node 2 client port 23482`,
      ),
    );

    const fixed = await zkops(cwd, ['doctor', '--fix', ...flags]);
    expect(fixed.stdout).toContain('fixed leftover-process');
    expect(await serversUnder(path.join(node2, 'conf/zoo-manual.cfg'))).toEqual([]);
    const start = await zkops(cwd, ['start', '2', ...flags]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('healthy');
  });

  it('finds a java.env whose JAVA_HOME does not run, and --fix repairs it', async () => {
    const flags = ['--cluster', 'doc'];
    const envFile = path.join(cwd, '.zkops/doc/node-3/conf/java.env');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      envFile,
      readFileSync(envFile, 'utf8').replace(/^export JAVA_HOME=.*$/m, 'export JAVA_HOME=/usr/lib/jvm/gone'),
    );
    const diag = await zkops(cwd, ['doctor', ...flags]);
    expect(diag.code).toBe(5);
    expect(diag.stdout).toMatch(
      new RegExp(
        'FAIL\\s+java: node 3: .*node-3\\/conf\\/java\\.env sets JAVA_HOME=\\/usr\\/lib\\/jvm\\/gone, ' +
          'which has no working bin\\/java',
      ),
    );
    const fixed = await zkops(cwd, ['doctor', '--fix', ...flags]);
    expect(fixed.stdout).toContain('fixed java: node 3');
    expect(readFileSync(envFile, 'utf8')).not.toContain('/usr/lib/jvm/gone');
    // The repaired node restarts cleanly.
    const r = await zkops(cwd, ['restart', '3', ...flags]);
    expect(r.code, r.stderr).toBe(0);
    const clean = await zkops(cwd, ['doctor', ...flags]);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('No problems found.');
    expect((await zkops(cwd, ['destroy', '--yes', ...flags])).code).toBe(0);
  });
});

describe('zkops start', () => {
  it('explains a node that dies on start, with the cause from its log, instead of a bare "not healthy"', async () => {
    const up = await zkops(cwd, ['init', '--base-port', '23581', '--name', 'dies']);
    expect(up.code, up.stderr).toBe(0);
    const flags = ['--cluster', 'dies'];
    expect((await zkops(cwd, ['stop', '2', ...flags])).code).toBe(0);
    // A node whose config is broken by hand: ZooKeeper refuses to start with it.
    const cfg = path.join(cwd, '.zkops/dies/node-2/conf/zoo.cfg');
    const { readFileSync } = await import('node:fs');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^tickTime=.*$/m, 'tickTime=not-a-number'));
    const r = await zkops(cwd, ['start', ...flags]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('node 2 exited');
    expect(r.stderr).toMatch(/not-a-number|NumberFormatException|ConfigException/);
    expect((await zkops(cwd, ['destroy', '--yes', ...flags])).code).toBe(0);
  });
});
