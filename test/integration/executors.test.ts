/**
 * The executor conformance suite: the same tests against every executor
 * (this machine, a real sshd test host, a real container), the way Ansible
 * runs one playbook against every connection plugin. If an executor cannot do
 * something the others can, it shows here, in one place.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import type { Executor } from '../../src/executors/types.js';
import { LocalExecutor } from '../../src/executors/local.js';
import { connectSsh } from '../../src/executors/ssh.js';
import { DockerEngine } from '../../src/executors/docker.js';
import { detachedCommand } from '../../src/executors/helpers.js';
import { parseInventory } from '../../src/inventory/load.js';
import { sh } from '../../src/shell.js';
import { buildZookeeperImage, ensureDockerd, TEST_IMAGE } from '../helpers/docker.mjs';
import { labInventory, useLab } from '../helpers/lab.js';

const lab = useLab('x', 1);
const CONTAINER = 'zkops-conformance';

/** How each executor is made, and how its transport is broken for real. */
interface Subject {
  name: string;
  open(): Promise<Executor>;
  /** Breaks the transport under an open executor (not a command failing: the link itself). */
  breakTransport(ex: Executor): Promise<void>;
  /** Kills, from the host's side, the long-lived shell commands run through (executors that keep one). */
  killSession?(): Promise<void>;
  /**
   * Commands go through a long-lived shell on the host (SSH): their text never on a command line there (any
   * account reads those; a small file written is in the text), and longer than one argument may hold (Linux:
   * 128 KiB), which a long one gets through a file. This machine's and a container's executors take the command
   * as an argument of `sh -c` (zkops writes their files directly, and sends them no such command).
   */
  session?: boolean;
}

const SUBJECTS: Subject[] = [
  { name: 'local', open: async () => new LocalExecutor(), breakTransport: (ex) => ex.close() },
  {
    name: 'ssh',
    open: async () => {
      const { spec } = parseInventory(labInventory(lab.lab, { name: 'conformance' }), 'conformance.yaml');
      return connectSsh(spec, spec.hosts[0]!, { acceptNewHostKeys: true });
    },
    // The host's sshd drops every connection: what a VM reboot or a network cut does.
    breakTransport: async () => void (await execa('sh', ['-c', `ip netns pids zkt-x1 | xargs -r kill -9`])),
    // The session is the host's process whose whole command line is `sh` (a command in it runs as `sh -c ...`).
    killSession: async () =>
      void (await execa('sh', [
        '-c',
        `for p in $(ip netns pids zkt-x1); do [ "$(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null)" = "sh " ] && kill -9 $p; done; true`,
      ])),
    session: true,
  },
  {
    name: 'container',
    open: async () => {
      const engine = await DockerEngine.connect();
      const id = String((await execa('docker', ['inspect', '-f', '{{.Id}}', CONTAINER])).stdout).trim();
      return engine.executor(id, CONTAINER);
    },
    breakTransport: async () => void (await execa('docker', ['rm', '-f', CONTAINER])),
  },
];

beforeAll(async () => {
  await ensureDockerd();
  await buildZookeeperImage();
  await execa('docker', ['rm', '-f', CONTAINER], { reject: false });
  // The image's entrypoint runs what it is given: a long sleep keeps the container up.
  await execa('docker', ['run', '-d', '--name', CONTAINER, TEST_IMAGE, 'sleep', '100000']);
}, 300_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', CONTAINER], { reject: false });
});

// A path no shell may interpret: spaces, quotes, $(...), ;, a glob, a newline.
const HOSTILE = `/zkops conf 'q' "dq" $(touch /tmp/zkops-pwned);x*\nline`;

for (const subject of SUBJECTS) {
  describe(`executor conformance: ${subject.name}`, () => {
    let ex: Executor;
    const base = `/tmp/zkops-conformance-${subject.name}-${process.pid}`;
    const dir = `${base}${HOSTILE}`;
    beforeAll(async () => {
      ex = await subject.open();
    });
    afterAll(async () => {
      await ex?.close();
      // The SSH test hosts share this machine's /tmp (a container's goes with it).
      rmSync(base, { recursive: true, force: true });
    });

    it('returns exit codes, stdout and stderr as data, not as errors', async () => {
      const r = await ex.exec('echo out; echo err >&2; exit 3');
      expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
      expect((await ex.exec('true')).code).toBe(0);
      expect((await ex.exec('no-such-command-zkops 2>/dev/null')).code).toBe(127);
    });

    it('kills a command that runs past its time limit and says so (exit 124); the next command works', async () => {
      const t0 = Date.now();
      const r = await ex.exec('sleep 20', { timeoutMs: 500 });
      expect(r.code).toBe(124);
      expect(Date.now() - t0).toBeLessThan(10_000);
      // Its whole process group went with it, children too.
      const marker = `zkops-hang-${subject.name}-${process.pid}`;
      expect((await ex.exec(`sh -c 'sleep 30; : ${marker}' & wait`, { timeoutMs: 500 })).code).toBe(124);
      expect(await ex.exec('echo next')).toEqual({ code: 0, stdout: 'next\n', stderr: '' });
      await new Promise((r) => setTimeout(r, 300));
      expect((await ex.exec(`pgrep -f ${marker.replace('-', '[-]')} || echo none`)).stdout).toBe('none\n');
    });

    it('keeps the output of commands apart, megabytes included, also when they run at the same time', async () => {
      const big = ex.exec(`head -c 3000000 /dev/zero | tr '\\0' x; echo; head -c 1000000 /dev/zero | tr '\\0' y >&2`);
      const small = Promise.all([1, 2, 3].map((i) => ex.exec(`echo ${i}; echo e${i} >&2; exit ${i}`)));
      const r = await big;
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${'x'.repeat(3_000_000)}\n`);
      expect(r.stderr).toBe('y'.repeat(1_000_000));
      expect(await small).toEqual([1, 2, 3].map((i) => ({ code: i, stdout: `${i}\n`, stderr: `e${i}\n` })));
    });

    it('passes output through as it is: NUL bytes, no final newline, lines that look like framing', async () => {
      const r = await ex.exec(`printf 'a\\000b'; printf 'ZKOPS0123456789abcdef 1 0 0 0\\nEOF\\n' >&2`);
      expect(r).toEqual({ code: 0, stdout: 'a\0b', stderr: 'ZKOPS0123456789abcdef 1 0 0 0\nEOF\n' });
      // A command that reads stdin gets nothing (not the executor's own traffic) and ends.
      expect(await ex.exec('cat; echo end', { timeoutMs: 5000 })).toEqual({ code: 0, stdout: 'end\n', stderr: '' });
      // A command text with here-document markers and a hostile value, quoted as zkops quotes.
      const text = `ZKOPS_B64_END\nEOF\n${HOSTILE}`;
      expect((await ex.exec(`printf %s ${sh(text)}`)).stdout).toBe(text);
      expect((await ex.exec('exit 300')).code).toBe(44);
    });

    if (subject.session)
      it("keeps a command's text off the host's command lines while it runs (a written file's content is in it)", async () => {
        // The pattern is spelled so that grep's own command line does not match it.
        const r = await ex.exec(
          `: zkops-secret-4711; grep -l 'zkops-secret-[4]711' /proc/[0-9]*/cmdline 2>/dev/null; true`,
        );
        expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      });

    it("keeps a background process a command left from writing into the next command's output", async () => {
      await ex.exec('(sleep 0.5; echo BACKGROUND-WRITER) &');
      expect(await ex.exec('echo next; sleep 1')).toEqual({ code: 0, stdout: 'next\n', stderr: '' });
    });

    if (subject.session)
      it('runs a command longer than one argument may hold (300 KB) as it runs a short one', async () => {
        // Over SSH a short command goes to the shell in its environment, a long one through a file on the host.
        for (const size of [50_000, 300_000]) {
          const value = `'${HOSTILE}`.repeat(Math.ceil(size / (HOSTILE.length + 1))).slice(0, size);
          const r = await ex.exec(`printf %s ${sh(value)} | wc -c | tr -d ' '; printf %s ${sh(value)} | tail -c 40`);
          expect(r).toEqual({ code: 0, stdout: `${size}\n${value.slice(-40)}`, stderr: '' });
        }
      });

    if (subject.killSession)
      it('fails the running command as a broken transport when its shell is killed on the host; the next works', async () => {
        const running = ex.exec('sleep 5; echo late').catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 700));
        await subject.killSession!();
        expect(await running).toBeInstanceOf(TransportError);
        expect(await ex.exec('echo again')).toEqual({ code: 0, stdout: 'again\n', stderr: '' });
      });

    it('writes files under a hostile path with their mode, creating directories, and reads them back', async () => {
      const file = `${dir}/sub/zoo.cfg`;
      await ex.writeFile(file, 'tickTime=2000\n', 0o640);
      expect(await ex.readFile(file)).toBe('tickTime=2000\n');
      expect((await ex.exec(`stat -c %a ${sh(file)}`)).stdout.trim()).toBe('640');
      // Nothing of the path was run as a command, and no temp file is left beside the file.
      expect((await ex.exec('ls /tmp/zkops-pwned 2>/dev/null || echo absent')).stdout).toBe('absent\n');
      expect((await ex.exec(`ls -A ${sh(`${dir}/sub`)}`)).stdout).toBe('zoo.cfg\n');
    });

    it('reads a missing file as undefined', async () => {
      expect(await ex.readFile(`${dir}/no-such-file`)).toBeUndefined();
      expect(await ex.readFile('/no-such-dir-zkops/x')).toBeUndefined();
    });

    it('replaces a file atomically: reads that overlap a write see the old content or the new, never a mix', async () => {
      const file = `${dir}/big`;
      const versions = ['a', 'b'].map((c) => c.repeat(2 << 20));
      const hashes = versions.map((v) => createHash('md5').update(v).digest('hex'));
      const started = `${dir}.reader-started`;
      const done = `${dir}.writer-done`;
      const log = `${dir}.reads`;
      await ex.writeFile(file, versions[0]!);
      // A reader on the far side hashes the file over and over, and notes before and after each read whether a
      // temporary of the writer (<file>.zkops-*.tmp) existed: a read with one beside it ran while a write was
      // under way, which is what shows the reads overlapped the writes (not merely ran before or after them).
      // It runs detached (as servers are started), so the writes below do not wait behind it on an executor that
      // runs one command at a time per host (the SSH executor's one shell).
      const tmp = `${sh(file)}.zkops-*.tmp`;
      const script =
        `touch ${sh(started)}; i=0; while [ ! -e ${sh(done)} ] && [ $i -lt 20000 ]; do ` +
        `b=0; for t in ${tmp}; do [ -e "$t" ] && b=1; done; h=$(md5sum < ${sh(file)}); ` +
        `e=0; for t in ${tmp}; do [ -e "$t" ] && e=1; done; echo "$b$e \${h%% *}"; i=$((i+1)); done; echo end`;
      await ex.exec(detachedCommand(['sh', '-c', script], { cwd: '/', logFile: log }));
      for (let i = 0; i < 100 && (await ex.exec(`[ -e ${sh(started)} ] || echo no`)).stdout; i++)
        await new Promise((r) => setTimeout(r, 50));
      // Twenty replacements, alternating: each is a window of a few milliseconds in which a read may overlap.
      for (let i = 1; i <= 20; i++) await ex.writeFile(file, versions[i % 2]!);
      await ex.exec(`touch ${sh(done)}`);
      let out = '';
      for (let i = 0; i < 200 && !/^end$/m.test(out); i++) {
        out = (await ex.readFile(log)) ?? '';
        if (!/^end$/m.test(out)) await new Promise((r) => setTimeout(r, 50));
      }
      const reads = out
        .split('\n')
        .filter((l) => l && l !== 'end')
        .map((l) => ({ during: l.slice(0, 2) !== '00', hash: l.slice(3) }));
      await ex.exec(`rm -f ${sh(started)} ${sh(done)} ${sh(log)}`);
      const overlapped = reads.filter((r) => r.during);
      expect(overlapped.length, `${reads.length} reads, none while a write was under way`).toBeGreaterThan(0);
      const mixed = reads.filter((r) => !hashes.includes(r.hash));
      expect(mixed, `${mixed.length} of ${reads.length} reads (${overlapped.length} during a write) saw a mix`).toEqual(
        [],
      );
      expect(await ex.readFile(file)).toBe(versions[0]);
    });

    it('uploads a local file byte for byte', async () => {
      const local = path.join(lab.cwd, `upload-${subject.name}.bin`);
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
      writeFileSync(local, bytes);
      await ex.upload(local, `${dir}/up.bin`, 0o600);
      const sum = (await ex.exec(`sha256sum < ${sh(`${dir}/up.bin`)}`)).stdout.split(' ')[0];
      expect(sum).toBe(createHash('sha256').update(bytes).digest('hex'));
    });

    it('downloads a file byte for byte (binary, several MiB), and says false for a missing one', async () => {
      const remote = `${dir}/snapshot.100000000`;
      await ex.exec(`head -c 5000000 /dev/urandom > ${sh(remote)}`);
      const sum = (await ex.exec(`sha256sum < ${sh(remote)}`)).stdout.split(' ')[0];
      const local = path.join(lab.cwd, `download-${subject.name}.bin`);
      expect(await ex.download(remote, local)).toBe(true);
      expect(createHash('sha256').update(readFileSync(local)).digest('hex')).toBe(sum);
      expect(await ex.download(`${dir}/no-such-file`, `${local}.missing`)).toBe(false);
      expect(existsSync(`${local}.missing`)).toBe(false);
    });

    it('starts a detached process that outlives the command, with its own pid and log', async () => {
      const log = `${dir}/logs/out.log`;
      // The command hosts/service.ts starts supervised servers with; it prints the process's pid.
      const started = await ex.exec(
        detachedCommand(['sh', '-c', 'echo started; exec sleep 30'], { cwd: '/', logFile: log }),
      );
      expect(started.code).toBe(0);
      const pid = Number(started.stdout.trim());
      expect(pid).toBeGreaterThan(1);
      await new Promise((r) => setTimeout(r, 300));
      expect((await ex.exec(`kill -0 ${pid} && cat /proc/${pid}/cmdline | tr '\\0' ' '`)).stdout).toContain('sleep 30');
      expect(await ex.readFile(log)).toBe('started\n');
      await ex.exec(`kill ${pid}`);
    });

    it('turns a broken transport into a TransportError, not an exit code', async () => {
      await subject.breakTransport(ex);
      await new Promise((r) => setTimeout(r, 300));
      await expect(ex.exec('true')).rejects.toBeInstanceOf(TransportError);
    });
  });
}
