/**
 * The suite leaves the machine as it found it. Before any test: a private
 * temporary directory for the whole run (every test's TMPDIR) and a note of
 * what the machine already has (a Docker engine, its containers, volumes and
 * networks, the test bridge, packet-filter rules, IP forwarding). After the
 * last test, also after failing ones: whatever the run added is removed, and
 * then checked to be gone; a leftover fails the run with what it is.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BRIDGE = 'zkt-br0';
const DOCKER_PID = '/var/run/docker.pid';

/** Runs a command; its stdout, or '' when it fails (the thing it asks about is not there). */
function out(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

const lines = (s: string) => s.split('\n').filter(Boolean);
const dockerUp = () =>
  spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' }).status === 0;
const dockerList = (what: 'ps' | 'volume' | 'network') =>
  lines(out('docker', what === 'ps' ? ['ps', '-aq', '--no-trunc'] : [what, 'ls', '-q']));
/** The packet filter's rules without their counters (what matters is which rules exist). */
const rules = () =>
  out('iptables-save', [])
    .replace(/\[\d+:\d+\]/g, '')
    .replace(/^#.*\n/gm, '');

interface Before {
  tmp: string;
  dockerWasUp: boolean;
  containers: string[];
  volumes: string[];
  networks: string[];
  bridge: boolean;
  docker0: boolean;
  rules: string;
  forwarding: string;
  netns: string[];
}

let before: Before;

export function setup(): void {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'zkops-test-run-'));
  const dockerWasUp = dockerUp();
  before = {
    tmp,
    dockerWasUp,
    containers: dockerWasUp ? dockerList('ps') : [],
    volumes: dockerWasUp ? dockerList('volume') : [],
    networks: dockerWasUp ? dockerList('network') : [],
    bridge: out('ip', ['link', 'show', BRIDGE]) !== '',
    docker0: out('ip', ['link', 'show', 'docker0']) !== '',
    rules: rules(),
    forwarding: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'),
    netns: lines(out('ip', ['netns', 'list'])),
  };
  // Every test file's temporary directories go here (workers inherit the environment).
  process.env.TMPDIR = tmp;
}

export function teardown(): void {
  const b = before;
  killServersUnder(b.tmp);
  if (dockerUp()) {
    const added = (now: string[], had: string[]) => now.filter((x) => !had.includes(x));
    const containers = added(dockerList('ps'), b.containers);
    if (containers.length) spawnSync('docker', ['rm', '-f', '-v', ...containers]);
    const volumes = added(dockerList('volume'), b.volumes);
    if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes]);
    const networks = added(dockerList('network'), b.networks);
    if (networks.length) spawnSync('docker', ['network', 'rm', ...networks]);
    if (!b.dockerWasUp) stopDockerd();
  }
  for (const ns of lines(out('ip', ['netns', 'list'])).map((l) => l.split(' ')[0]!)) {
    if (ns.startsWith('zkt-') && !b.netns.some((l) => l.startsWith(`${ns} `) || l === ns))
      spawnSync('ip', ['netns', 'del', ns]);
  }
  if (!b.bridge) spawnSync('ip', ['link', 'del', BRIDGE]);
  if (!b.docker0 && out('ip', ['link', 'show', 'docker0'])) spawnSync('ip', ['link', 'del', 'docker0']);
  if (rules() !== b.rules) restoreRules(b.rules);
  writeFileSync('/proc/sys/net/ipv4/ip_forward', b.forwarding);
  rmSync(b.tmp, { recursive: true, force: true });
  if (!b.dockerWasUp) rmSync('/var/log/zkops-test-dockerd.log', { force: true });

  const left = leftovers(b);
  if (left.length)
    throw new Error(`The test run left this behind on the machine:\n${left.map((l) => `  - ${l}`).join('\n')}`);
}

/** What the run added and is still there: empty when the machine is as it was. */
export function leftovers(b: Before): string[] {
  const left: string[] = [];
  if (existsSync(b.tmp)) left.push(`temporary directory ${b.tmp}`);
  if (dockerUp() !== b.dockerWasUp) left.push('a Docker engine the suite started');
  if (!b.bridge && out('ip', ['link', 'show', BRIDGE])) left.push(`the test bridge ${BRIDGE}`);
  const ns = lines(out('ip', ['netns', 'list'])).filter((l) => l.startsWith('zkt-') && !b.netns.includes(l));
  if (ns.length) left.push(`network namespaces ${ns.join(', ')}`);
  if (rules() !== b.rules) left.push('packet-filter rules (iptables-save differs from before the run)');
  if (readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8') !== b.forwarding) left.push('net.ipv4.ip_forward changed');
  if (b.dockerWasUp && dockerUp()) {
    const extra = dockerList('ps').filter((c) => !b.containers.includes(c));
    if (extra.length) left.push(`${extra.length} container(s)`);
  }
  return left;
}

/** Kills ZooKeeper servers whose command line names a path under the run's directory. */
function killServersUnder(dir: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('QuorumPeerMain') && cmd.includes(dir)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Stops the engine the suite started (its containerd goes with it) and waits until it is gone. */
function stopDockerd(): void {
  const pid = Number(readFileSync(DOCKER_PID, 'utf8').trim());
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 150 && existsSync(`/proc/${pid}`); i++) execFileSync('sleep', ['0.1']);
  if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
}

/** Puts the packet filter back as it was (the engine the suite started added chains and a DROP policy). */
function restoreRules(saved: string): void {
  spawnSync('iptables-restore', [], { input: `${saved}` });
}
