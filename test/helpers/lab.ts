/** Vitest wiring for test hosts: one lab per test file, created before its tests and removed after. */
import { afterAll, beforeAll } from 'vitest';
import { createLab, type TestHost, type TestLab } from './hosts.mjs';
import { workdir } from './cli.js';
import { debianRoot } from './debroot.mjs';

/** The lab of the current test file and a working directory for zkops runs against it. */
export interface LabContext {
  lab: TestLab;
  cwd: string;
}

/**
 * Registers `count` test hosts (names zkt-<prefix>N) for the current file.
 * `ready` runs once they are up (e.g. NAT rules), `done` before teardown;
 * hosts listed in `systemd` (1-based) boot systemd like a real VM, hosts
 * listed in `debian` run in a Debian root file system of their own.
 */
export function useLab(
  prefix: string,
  count: number,
  hooks: {
    ready?: (lab: TestLab) => Promise<void>;
    done?: () => Promise<void>;
    systemd?: number[];
    /** Hosts with their own Debian root file system and package database (no Java, no ZooKeeper). */
    debian?: number[];
    /** Hosts without Java or ZooKeeper, like fresh VMs. */
    bare?: boolean;
    /** Root's .bashrc is this machine's slow one (pyenv before its guard): a realistic slow host. */
    slowProfile?: boolean;
  } = {},
): LabContext {
  const ctx = {} as LabContext;
  // Built once per machine and cached, but a fresh machine's first build takes minutes: a hook of its own.
  if (hooks.debian?.length) beforeAll(() => debianRoot(), 600_000);
  beforeAll(async () => {
    ctx.lab = await createLab(prefix, count, {
      systemd: hooks.systemd,
      debian: hooks.debian,
      bare: hooks.bare,
      slowProfile: hooks.slowProfile,
    });
    ctx.cwd = workdir(prefix);
    await hooks.ready?.(ctx.lab);
  });
  afterAll(async () => {
    await hooks.done?.();
    await ctx.lab?.teardown();
  });
  return ctx;
}

/** What an SSH inventory for lab hosts may vary. */
export interface LabInventory {
  name: string;
  /** Install root on the hosts (quoted for YAML). */
  dir?: string;
  /** More keys of the `ssh` map, e.g. `user: zkops-ci, sudo: true`. */
  ssh?: string;
  /** The hosts to use (default: all), with the names the inventory gives them (default: theirs). */
  hosts?: TestHost[];
  names?: string[];
  /** Lines appended at the end (settings, service, ...). */
  extra?: string[];
  /** The java line (default: 128 MiB heaps). */
  java?: string;
  /** The last N nodes are observers. */
  observers?: number;
}

/**
 * An `executor: ssh` inventory with one node per lab host (ids from 1), the lab's key and
 * known_hosts, 128 MiB heaps.
 */
export function labInventory(lab: TestLab, o: LabInventory): string {
  const hosts = o.hosts ?? lab.hosts;
  const name = (i: number) => o.names?.[i] ?? hosts[i]!.name;
  return [
    `name: ${o.name}`,
    'executor: ssh',
    ...(o.dir ? [`dir: ${JSON.stringify(o.dir)}`] : []),
    `ssh: { ${o.ssh ? `${o.ssh}, ` : ''}identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts} }`,
    'hosts:',
    ...hosts.map((h, i) => `  - { name: ${name(i)}, address: ${h.ip} }`),
    'nodes:',
    ...hosts.map(
      (_, i) =>
        `  - { id: ${i + 1}, host: ${name(i)}${i >= hosts.length - (o.observers ?? 0) ? ', role: observer' : ''} }`,
    ),
    o.java ?? 'java: { heap: 128m }',
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

/** `--host` and its SSH flags for doctor and adopt, pointed at one lab host as an operator points them at a VM. */
export function hostFlags(lab: TestLab, host: TestHost): string[] {
  return [
    '--host',
    `root@${host.ip}`,
    '--ssh-key',
    lab.identityFile,
    '--known-hosts',
    lab.knownHosts,
    '--accept-new-host-keys',
  ];
}
