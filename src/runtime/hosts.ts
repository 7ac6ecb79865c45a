/**
 * The runtime for nodes on hosts reached by a shell: this machine (a
 * pseudo-cluster) or VMs over SSH. Each host gets one executor; everything
 * here is built on the Executor interface, so this machine and an SSH host
 * behave the same.
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, PreflightError, ZkopsError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import {
  renderNodeFiles,
  renderProfileScripts,
  unitName,
  unitPath,
  type HostFacts,
  type RenderedFile,
} from '../render/node.js';
import { sh } from '../shell.js';
import { execChecked, syncFiles, type FileOutcome } from '../executors/helpers.js';
import type { Executor } from '../executors/types.js';
import { problemLines } from '../health/log.js';
import type { WaitHooks } from '../health/wait.js';
import { APACHE_MIRRORS, DEFAULT_RELEASE, fetchRelease } from '../distribution/download.js';
import { findZookeeper } from '../distribution/zookeeper.js';
import { LocalExecutor } from '../executors/local.js';
import { findJava } from '../distribution/java.js';
import { inspectJdk, type JdkArchive } from '../distribution/jdk.js';
import {
  inspectTarball,
  installArchive,
  installTarball,
  type DistributionOutcome,
  type Tarball,
} from '../distribution/tarball.js';
import { javaRecordPath, preflight, serverFlagSets, type HostState } from '../hosts/preflight.js';
import { findNodeProcesses, type ZkProcess } from '../hosts/processes.js';
import { assertPortsFree, noSs, parseSsListeners } from '../hosts/ports.js';
import { startNode, stopNode } from '../hosts/service.js';
import { obsoleteSecurityFiles } from '../render/security.js';
import { targetLevels } from '../security/levels.js';
import { markRestartPending, pendingRestarts } from '../hosts/restart-pending.js';
import {
  closeTargets,
  forEachTarget,
  openTargets,
  targetOf,
  type Connect,
  type HostTarget,
  type UnreachableHost,
} from '../hosts/targets.js';
import type {
  Applied,
  NodePlace,
  NodePlan,
  PlanOptions,
  RunState,
  Runtime,
  RuntimeFinding,
  RuntimeOptions,
  StopOutcome,
  Survey,
  Unreachable,
} from './types.js';

/** Where profile scripts go when zkops may not write /etc/profile.d: beside the nodes. */
const SYSTEM_PROFILE_DIR = '/etc/profile.d';

export class HostRuntime implements Runtime {
  readonly summary: string;
  readonly dataDescription?: string;
  readonly unreachable: Unreachable[];
  private hostStates: HostState[] = [];
  private tarball?: Tarball;
  private jdk?: JdkArchive;

  private constructor(
    readonly spec: ClusterSpec,
    private readonly targets: HostTarget[],
    private readonly options: RuntimeOptions,
    private readonly down: UnreachableHost[] = [],
  ) {
    this.summary = `${targets.length} host${targets.length === 1 ? '' : 's'}`;
    this.unreachable = down.map((d) => ({
      place: d.host.name,
      address: d.host.address,
      nodes: d.nodes.map((n) => n.id),
      reason: d.reason,
    }));
    // Data on remote hosts is never deleted by zkops; on this machine it is the operator's own.
    if (targets.every((t) => !t.remote)) this.dataDescription = `${spec.dir} (all ZooKeeper data)`;
  }

  /** A runtime over hosts already reached (servers found by discovery, not set up by zkops). */
  static fromTargets(spec: ClusterSpec, targets: HostTarget[]): HostRuntime {
    return new HostRuntime(spec, targets, {});
  }

  /** Opens an executor per host: this machine for a local cluster, else an SSH connection each (in parallel). */
  static async open(spec: ClusterSpec, options: RuntimeOptions): Promise<HostRuntime> {
    let connect: Connect = { remote: false };
    if (spec.executor === 'ssh') {
      const { connectSsh } = await import('../executors/ssh.js');
      connect = { remote: true, open: (host) => connectSsh(spec, host, options) };
    }
    const { targets, unreachable } = await openTargets(spec, connect, { partial: options.partial });
    return new HostRuntime(spec, targets, options, unreachable);
  }

  async survey(options: { checkPorts: boolean; dryRun: boolean }): Promise<Survey> {
    this.tarball = await this.releaseTarball();
    this.jdk = this.spec.java.tarball ? await inspectJdk(this.spec.java.tarball, this.spec.java.sha512) : undefined;
    this.hostStates = await preflight(this.spec, this.targets, {
      checkPorts: options.checkPorts,
      tarball: this.tarball,
      jdk: this.jdk,
    });
    return { summary: describeFacts(this.hostStates), nodes: this.hostStates.flatMap((h) => h.nodes) };
  }

  /**
   * The release to ship, if any: zookeeper.tarball; else, for zookeeper.version without a home, that release
   * fetched on this machine (once: then from the cache).
   */
  private async releaseTarball(): Promise<Tarball | undefined> {
    const zk = this.spec.zookeeper;
    if (zk.tarball) return inspectTarball(zk.tarball, zk.sha512);
    if (zk.home) return undefined;
    let version = zk.version;
    // A cluster on this machine, which has no ZooKeeper at all: the same path, with the default release.
    // (A ZOOKEEPER_HOME that names nothing is a mistake to report, not a machine without ZooKeeper.)
    if (!version && this.spec.executor === 'local' && !process.env.ZOOKEEPER_HOME) {
      const here = await findZookeeper(new LocalExecutor(), undefined, process.env.ZOOKEEPER_HOME).catch(
        () => undefined,
      );
      if (!here) version = DEFAULT_RELEASE;
    }
    if (!version) return undefined;
    const mirror = zk.mirror ?? process.env.ZKOPS_ZOOKEEPER_MIRROR;
    const progress = this.options.progress;
    const keys = zk.keys ?? process.env.ZKOPS_ZOOKEEPER_KEYS;
    const fetch = () =>
      fetchRelease(version, mirror ? [mirror] : APACHE_MIRRORS, {
        note: (t) => progress?.note(t),
        sha512: zk.sha512,
        keys: keys ? [keys] : [],
      });
    const got = progress
      ? await progress.step('fetch', fetch, (r) => `${version} from ${r.source}, ${r.verifiedBy}`)
      : await fetch();
    return inspectTarball(got.file, got.sha512);
  }

  plan(survey: Survey, options: PlanOptions = {}): NodePlan[] {
    return this.hostStates.flatMap((h) =>
      h.target.nodes.map((node) => {
        const files = renderNodeFiles(this.spec, node, h.facts, {
          trustEmptySnapshot: options.trustEmptySnapshot?.has(node.id),
          security: options.security,
        });
        const running = Boolean(survey.nodes.find((s) => s.node === node)?.process);
        const zooCfg = files.find((f) => f.path === node.zooCfg)!.content;
        // Only where zkops has had secrets for this cluster: files it never wrote are not its to remove.
        const obsolete = this.spec.secrets
          ? obsoleteSecurityFiles(node, options.security ?? targetLevels(this.spec))
          : [];
        return { node, version: h.facts.zookeeperVersion, files, zooCfg, running, obsolete };
      }),
    );
  }

  async apply(plans: NodePlan[], options: { dryRun: boolean; noRestart?: boolean }): Promise<Applied> {
    const actions = await this.installJavaPackages(options.dryRun);
    if (this.jdk && !options.dryRun) await this.shipJava(this.jdk);
    const distribution = this.tarball && !options.dryRun ? await this.distribute(this.tarball) : undefined;
    const perHost = await forEachTarget(this.targets, this.spec.ssh.concurrency, async (t) => {
      const h = this.hostStates.find((x) => x.target === t)!;
      const hostFiles = this.profileFiles(h);
      const mine = plans.filter((p) => t.nodes.includes(p.node));
      const running = mine.filter((p) => p.running);
      // Running servers that an earlier, interrupted run gave new files without restarting them.
      const pending = await pendingRestarts(
        t.ex,
        running.map((p) => p.node),
      );
      // The directories are made in the same round trip that looks at the files already there.
      const outcomes = await syncFiles(t.ex, [...hostFiles, ...mine.flatMap((p) => p.files)], {
        dryRun: options.dryRun,
        keepBefore: options.dryRun,
        prelude: options.dryRun ? undefined : prepareDirs(this.spec, t.nodes, h.facts),
        // Recorded before the first file changes: a run stopped before the restart leaves the next one knowing.
        beforeWrite: (paths) =>
          options.noRestart
            ? Promise.resolve()
            : markRestartPending(
                t.ex,
                running.filter((p) => p.files.some((f) => paths.includes(f.path))).map((p) => p.node),
              ),
      });
      if (!options.dryRun) {
        await giveToGroup(t.ex, [...hostFiles, ...mine.flatMap((p) => p.files)]);
        const obsolete = mine.flatMap((p) => p.obsolete ?? []);
        if (obsolete.length) await execChecked(t.ex, `rm -f ${obsolete.map(sh).join(' ')}`);
        if (h.facts.systemd) await activateUnits(this.spec, t, outcomes);
        if (h.javaRecord) await t.ex.writeFile(javaRecordPath(this.spec, t.remote), h.javaRecord, 0o644);
      }
      const ofHost = outcomes.slice(0, hostFiles.length);
      return mine.map((p) => {
        const own = outcomes.filter((o) => p.files.some((f) => f.path === o.path));
        const changed = own.some((o) => o.status === 'changed') || pending.has(p.node.id);
        return { node: p.node, files: [...own, ...ofHost], changed };
      });
    });
    const failed = perHost.flatMap((r, i) =>
      r.status === 'rejected' ? [`${this.targets[i]!.host.name}: ${(r.reason as Error).message}`] : [],
    );
    if (failed.length)
      throw new ZkopsError(
        `Writing files failed (every file is written atomically; run again to ` +
          `converge):\n${failed.map((f) => `  ${f}`).join('\n')}`,
      );
    return { nodes: perHost.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])), distribution, actions };
  }

  async start(nodes: NodeSpec[]): Promise<void> {
    await Promise.all(nodes.map((n) => startNode(this.ex(n), this.spec, n)));
  }

  async stop(node: NodeSpec): Promise<StopOutcome> {
    const ex = this.ex(node);
    const proc = (await findNodeProcesses(ex, [node])).get(node.id);
    const outcome = await stopNode(ex, this.spec, node, proc);
    // Stopped on purpose: no pid file (as after zkServer.sh stop), so a crash is told apart later.
    await ex.exec(`rm -f ${sh(node.pidFile)}`);
    return outcome;
  }

  async restart(node: NodeSpec): Promise<void> {
    const ex = this.ex(node);
    await stopNode(ex, this.spec, node, (await findNodeProcesses(ex, [node])).get(node.id));
    await startNode(ex, this.spec, node);
  }

  async checkStartable(nodes: NodeSpec[], known?: Map<number, ZkProcess | undefined>): Promise<void> {
    const procs = known ?? (await this.processes());
    const ownPids = new Set([...procs.values()].flatMap((p) => (p ? [p.pid] : [])));
    await Promise.all(
      this.targets.map(async (t) => {
        const mine = nodes.filter((n) => t.nodes.includes(n));
        if (mine.length === 0) return;
        // One round trip: which run scripts are missing, then the listening sockets.
        const look = await t.ex.exec(
          `${mine.map((n) => `[ -f ${sh(n.runScript)} ] || echo ${n.id}`).join('; ')}; echo @@; command -v ss ` +
            `>/dev/null && ss -Hltnp || echo @@no-ss`,
        );
        const [missingPart = '', ssPart = ''] = look.stdout.split('@@\n');
        const missing = missingPart.split('\n').filter(Boolean);
        if (missing.length) {
          throw new ZkopsError(
            `Node ${missing.join(', ')} has never been set up on ${t.host.name} (no run script). Run zkops init ` +
              `(or deploy) first.`,
            ExitCode.usage,
          );
        }
        if (ssPart.includes('@@no-ss')) throw noSs(t.ex.label);
        await assertPortsFree(t.ex, mine, ownPids, t.host.address, parseSsListeners(ssPart)).catch((e: Error) => {
          throw new PreflightError(`Nothing was started: ${e.message}`);
        });
      }),
    );
  }

  async processes(): Promise<Map<number, ZkProcess | undefined>> {
    const maps = await Promise.all(this.targets.map((t) => findNodeProcesses(t.ex, t.nodes)));
    return new Map(maps.flatMap((m) => [...m]));
  }

  async runStates(): Promise<Map<number, RunState>> {
    const procs = await this.processes();
    const states = await Promise.all(
      this.spec.nodes.map(async (node): Promise<[number, RunState]> => {
        const p = procs.get(node.id);
        if (p) return [node.id, { state: 'running', process: p }];
        const gone = this.down.find((d) => d.nodes.includes(node));
        if (gone)
          return [
            node.id,
            { state: 'unknown', detail: `${gone.host.name} cannot be reached over SSH: ${gone.reason}` },
          ];
        const ex = this.ex(node);
        const r = await ex.exec(
          `[ -f ${sh(node.runScript)} ] || { echo absent; exit; }; cat ${sh(node.pidFile)} 2>/dev/null || echo stopped`,
        );
        const said = r.stdout.trim();
        if (said === 'absent')
          return [node.id, { state: 'absent', detail: `never set up (${node.runScript} is missing)` }];
        if (said === 'stopped')
          return [node.id, { state: 'stopped', detail: 'stopped (no pid file: stopped on purpose)' }];
        const log = await this.logTail(node).catch(() => '');
        return [
          node.id,
          { state: 'crashed', detail: `its pid file names ${said}, which is not running: the server died`, log },
        ];
      }),
    );
    return new Map(states);
  }

  waitHooks(): WaitHooks {
    return {
      deadNodes: async () => {
        const procs = await this.processes();
        return this.targets
          .flatMap((t) => t.nodes)
          .filter((n) => !procs.get(n.id))
          .map((n) => n.id);
      },
      logTail: (node) => this.logTail(node),
    };
  }

  async places(): Promise<NodePlace[]> {
    return this.targets.flatMap((t) =>
      t.nodes.map((node) => ({
        node,
        ex: t.ex,
        machine: { label: t.host.name, address: t.host.address, ex: t.ex },
        env: node.handMade
          ? { kind: 'zkEnv' as const, binDir: node.handMade.binDir, confDir: node.handMade.confDir }
          : { kind: 'java.env' as const, file: path.join(node.confDir, 'java.env') },
      })),
    );
  }

  async selfCheck(): Promise<RuntimeFinding[]> {
    const findings: RuntimeFinding[] = this.down.map((d) => ({
      check: 'hosts',
      severity: 'error',
      message:
        `${d.host.name} (${d.host.address}) cannot be reached over SSH, so its node${d.nodes.length > 1 ? 's' : ''} ` +
        `${d.nodes.map((n) => n.id).join(', ')} could only be probed over the client port: ${d.reason}`,
      fix: 'check that the host is up and that its SSH port is open from here (a firewall rule, a security group)',
    }));
    if (this.targets.length) {
      const names = this.targets.map((t) => t.host.name).join(', ');
      findings.push({ check: 'hosts', severity: 'ok', message: `${this.summary} reached (${names})` });
    }
    return findings;
  }

  async destroy(): Promise<{ stopped: number[]; removed: string[] }> {
    if (!this.dataDescription) {
      throw new ZkopsError(
        `destroy removes data, so zkops never runs it on SSH hosts (${this.spec.name} runs on ${this.summary}). ` +
          `Use zkops stop, and remove data on the hosts yourself if you mean it.`,
        ExitCode.usage,
      );
    }
    const stopped: number[] = [];
    await Promise.all(
      this.spec.nodes.map(async (n) => {
        if ((await this.stop(n)).status === 'stopped') stopped.push(n.id);
      }),
    );
    const removed = [
      ...new Set(this.spec.nodes.flatMap((n) => [n.dir, n.dataDir, ...(n.dataLogDir ? [n.dataLogDir] : [])])),
    ];
    for (const dir of removed) await rm(dir, { recursive: true, force: true });
    for (const f of ['java.sh', 'zk.sh']) await rm(path.join(this.spec.dir, f), { force: true });
    await rmdir(this.spec.dir).catch(() => undefined);
    return { stopped: stopped.sort((a, b) => a - b), removed };
  }

  async close(): Promise<void> {
    await closeTargets(this.targets);
  }

  /** The executor of the node's host; a node on a host that could not be reached is an error naming why. */
  private ex(node: NodeSpec) {
    const gone = this.down.find((d) => d.nodes.includes(node));
    if (gone) {
      throw new ZkopsError(
        `node ${node.id} is on ${gone.host.name}, which cannot be reached over SSH (${gone.reason}); nothing was ` +
          `done to it.`,
      );
    }
    return targetOf(this.targets, node).ex;
  }

  /**
   * The end of the node's newest logs (zookeeper.log and .out as zkops names them;
   * zookeeper-USER-server-HOST.log/.out as zkServer.sh does), oldest first;
   * problemLines picks what matters from the current run.
   */
  private async logTail(node: NodeSpec): Promise<string> {
    const dir = sh(node.logDir);
    const r = await this.ex(node).exec(
      `ls -tr ${dir}/zookeeper*.log ${dir}/zookeeper*.out 2>/dev/null | tail -n 2 | ` +
        `while IFS= read -r f; do tail -n 1000 "$f"; done; true`,
    );
    return problemLines(r.stdout);
  }

  async retire(node: NodeSpec): Promise<StopOutcome> {
    const outcome = await this.stop(node);
    const unit = sh(unitName(this.spec, node));
    await execChecked(
      this.ex(node),
      `if command -v systemctl >/dev/null && systemctl cat ${unit} >/dev/null 2>&1; then systemctl disable --quiet ` +
        `${unit}; fi`,
    );
    return outcome;
  }

  dataAccess<T>(node: NodeSpec, fn: (ex: Executor) => Promise<T>): Promise<T> {
    return fn(this.ex(node));
  }

  async logLines(node: NodeSpec, lines: number): Promise<string> {
    // The server's own log (zookeeper.log, or zkServer.sh's zookeeper-USER-server-HOST.log); the console's .out
    // only where there is none (a server that never got as far as its logger).
    const dir = sh(node.logDir);
    const r = await this.ex(node).exec(
      `f=$(ls -t ${dir}/zookeeper*.log 2>/dev/null | head -n 1); [ -n "$f" ] || f=$(ls -t ${dir}/zookeeper*.out ` +
        `2>/dev/null | head -n 1); [ -z "$f" ] || tail -n ${Math.trunc(lines)} "$f"`,
    );
    return r.stdout;
  }

  /**
   * java.sh and zk.sh: in /etc/profile.d where zkops has root on a remote host, else beside the
   * nodes, to be sourced.
   */
  private profileFiles(h: HostState): RenderedFile[] {
    const profiles = renderProfileScripts(h.facts, h.target.nodes[0]!.confDir);
    const dir = h.target.remote && h.root ? SYSTEM_PROFILE_DIR : this.spec.dir;
    return [
      { path: path.join(dir, 'java.sh'), content: profiles.javaSh, mode: 0o644 },
      { path: path.join(dir, 'zk.sh'), content: profiles.zkSh, mode: 0o644 },
    ];
  }

  /**
   * java.install: package on the hosts where no Java runs: the package manager's command, then that Java is run
   * with the servers' flags. On a dry run, only what would run.
   */
  private async installJavaPackages(dryRun: boolean): Promise<string[]> {
    const planned = this.hostStates.filter((h) => h.javaPlan);
    const actions = planned.map((h) => `${h.target.host.name}: ${h.javaPlan!.command}`);
    if (dryRun || planned.length === 0) return actions;
    const run = async () => {
      const res = await Promise.allSettled(
        planned.map(async (h) => {
          const plan = h.javaPlan!;
          await execChecked(h.target.ex, plan.command, { timeoutMs: 15 * 60_000 });
          await findJava(h.target.ex, plan.home, undefined, undefined, {
            record: javaRecordPath(this.spec, h.target.remote),
            flags: serverFlagSets(this.spec, h.target.nodes),
          });
        }),
      );
      const failed = res.flatMap((r, i) =>
        r.status === 'rejected' ? [`${planned[i]!.target.host.name}: ${(r.reason as Error).message}`] : [],
      );
      if (failed.length)
        throw new ZkopsError(
          `Installing Java with the package manager failed (nothing else was written or started):\n` +
            failed.map((f) => `  ${f}`).join('\n'),
        );
      return planned.length;
    };
    await (this.options.progress
      ? this.options.progress.step('java', run, (n) => `${planned[0]!.javaPlan!.pkg} installed on ${n} host(s)`)
      : run());
    return actions;
  }

  /**
   * java.tarball on every host, then run there with the servers' flags: a runtime that does not run on a host
   * (another architecture, a missing library) is said before anything else is written.
   */
  private async shipJava(jdk: JdkArchive): Promise<void> {
    const run = async () => {
      const res = await forEachTarget(this.targets, this.spec.ssh.concurrency, async (t) => {
        const outcome = await installArchive(t.ex, this.spec.dir, jdk);
        await findJava(t.ex, path.posix.join(this.spec.dir, jdk.topDir), undefined, undefined, {
          record: javaRecordPath(this.spec, t.remote),
          flags: serverFlagSets(this.spec, t.nodes),
        });
        return outcome;
      });
      const failed = res.flatMap((r, i) =>
        r.status === 'rejected' ? [`${this.targets[i]!.host.name}: ${(r.reason as Error).message}`] : [],
      );
      if (failed.length)
        throw new ZkopsError(
          `Shipping Java ${jdk.topDir} failed (nothing was started; run deploy again to converge):\n` +
            failed.map((f) => `  ${f}`).join('\n'),
        );
      return res.filter((r) => r.status === 'fulfilled' && r.value === 'installed').length;
    };
    const describe = (n: number) => (n ? `${jdk.topDir} installed on ${n} host(s)` : `${jdk.topDir} already in place`);
    await (this.options.progress ? this.options.progress.step('java', run, describe) : run());
  }

  private async distribute(tarball: Tarball): Promise<Record<string, DistributionOutcome>> {
    const run = async () => {
      const res = await forEachTarget(this.targets, this.spec.ssh.concurrency, (t) =>
        installTarball(t.ex, this.spec.dir, tarball),
      );
      const failed = res.flatMap((r, i) =>
        r.status === 'rejected' ? [`${this.targets[i]!.host.name}: ${(r.reason as Error).message}`] : [],
      );
      if (failed.length)
        throw new ZkopsError(
          `Installing ${tarball.topDir} failed (nothing was started; run deploy again to ` +
            `converge):\n${failed.map((f) => `  ${f}`).join('\n')}`,
        );
      return Object.fromEntries(
        res.map((r, i) => [this.targets[i]!.host.name, (r as PromiseFulfilledResult<DistributionOutcome>).value]),
      );
    };
    const describe = (d: Record<string, DistributionOutcome>) => {
      const n = Object.values(d).filter((v) => v === 'installed').length;
      return n ? `${tarball.topDir} installed on ${n} host(s)` : `${tarball.topDir} already in place`;
    };
    return this.options.progress ? this.options.progress.step('distribute', run, describe) : run();
  }
}

/**
 * Creates every node's data, data-log and log directory, readable by owner and
 * group only. With a service account: creates the account when missing (a
 * system account without login) and gives it those directories and what is
 * in them (the only places the server writes); configs stay root's.
 */
function prepareDirs(spec: ClusterSpec, nodes: NodeSpec[], facts: HostFacts): string {
  const dirs = nodes
    .flatMap((n) => [n.dataDir, n.logDir, ...(n.dataLogDir ? [n.dataLogDir] : [])])
    .map(sh)
    .join(' ');
  const make = `mkdir -p ${dirs} && chmod 750 ${dirs}`;
  if (!facts.user) return make;
  const u = sh(facts.user);
  return [
    `getent passwd ${u} >/dev/null || useradd --system --user-group --no-create-home --home-dir ${sh(spec.dir)} ` +
      `--shell "$(command -v nologin || echo /bin/false)" ${u}`,
    make,
    `g=$(id -g ${u})`,
    // Only what is not already theirs: a no-change deploy changes nothing.
    `find ${dirs} \\( ! -user ${u} -o ! -group "$g" \\) -exec chown -h ${u}:"$g" {} +`,
  ].join(' && ');
}

/** Private files the servers' account reads through its group (keys, secrets): that group owns them. */
async function giveToGroup(ex: Executor, files: RenderedFile[]): Promise<void> {
  const byGroup = new Map<string, string[]>();
  for (const f of files) if (f.group) byGroup.set(f.group, [...(byGroup.get(f.group) ?? []), f.path]);
  for (const [user, paths] of byGroup) await execChecked(ex, `chgrp "$(id -g ${sh(user)})" ${paths.map(sh).join(' ')}`);
}

/** After a unit file changed: systemd reads it again, and the unit starts at boot. */
async function activateUnits(spec: ClusterSpec, t: HostTarget, outcomes: FileOutcome[]): Promise<void> {
  const changed = t.nodes.filter((n) => outcomes.some((o) => o.path === unitPath(spec, n) && o.status === 'changed'));
  if (changed.length === 0) return;
  await execChecked(
    t.ex,
    `systemctl daemon-reload && systemctl enable --quiet ${changed.map((n) => sh(unitName(spec, n))).join(' ')}`,
  );
}

function describeFacts(hosts: HostState[]): string {
  const f = hosts[0]?.facts;
  if (!f) return '';
  const nat = hosts.filter((h) => h.facts.bindAll).map((h) => h.target.host.name);
  return (
    `ZooKeeper ${f.zookeeperVersion}, Java ` + `${f.javaHome}${nat.length ? `; NAT bind-all on ${nat.join(', ')}` : ''}`
  );
}
