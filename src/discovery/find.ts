/**
 * Where found servers come from: this machine (the usual places, the running
 * processes, the configs named on the command line), or hosts over SSH
 * (`--host user@address[:port]`), each scanned in one round trip, in parallel.
 */
import path from 'node:path';
import { ExitCode, ZkopsError } from '../errors.js';
import { LocalExecutor } from '../executors/local.js';
import type { HostSpec } from '../inventory/spec.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { scanHost } from './scan.js';
import { adoptEnsembles, type Adopted, type ScannedHost } from './adopt.js';

/** What the operator pointed discovery at. */
export interface DiscoveryFlags {
  zooCfg?: string[];
  host?: string[];
  sshKey?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  name?: string;
}

/** True when the flags ask for discovery (rather than a cluster zkops knows). */
export function wantsDiscovery(flags: DiscoveryFlags): boolean {
  return Boolean(flags.zooCfg?.length || flags.host?.length);
}

/** Scans the hosts (or this machine) and puts the servers found together into ensembles. */
export async function discover(
  flags: DiscoveryFlags,
  cwd = process.cwd(),
): Promise<{ ensembles: Adopted[]; close: () => Promise<void>; looked: string }> {
  const scanned: ScannedHost[] = [];
  const close = async () => void (await Promise.allSettled(scanned.map((s) => s.ex.close())));
  if (flags.host?.length) {
    const { connectSsh } = await import('../executors/ssh.js');
    const hosts = flags.host.map(parseHost);
    const opened = await Promise.allSettled(
      hosts.map(async ({ host, user, port }) => {
        const spec = {
          ssh: {
            user,
            port,
            sudo: false,
            concurrency: 8,
            connectTimeout: 5,
            identityFile: flags.sshKey,
            knownHosts: flags.knownHosts,
          },
        } as unknown as ClusterSpec;
        const ex = await connectSsh(spec, host, { acceptNewHostKeys: flags.acceptNewHostKeys });
        scanned.push({ host, ex, remote: true, scan: await scanHost(ex, flags.zooCfg ?? [], true) });
      }),
    );
    const failed = opened.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length) {
      await close();
      throw new ZkopsError(
        `Cannot look at every host:\n${failed.map((f) => `  - ${f}`).join('\n')}`,
        ExitCode.preflight,
      );
    }
  } else {
    const given = (flags.zooCfg ?? []).map((f) => path.resolve(cwd, f));
    const ex = new LocalExecutor();
    // Named configs: only those; nothing named: whatever runs here and the usual places.
    scanned.push({
      host: { name: 'localhost', address: '127.0.0.1', bindAll: 'auto' },
      ex,
      remote: false,
      scan: await scanHost(ex, given, given.length === 0),
    });
  }
  const looked = flags.host?.length
    ? flags.host.join(', ')
    : flags.zooCfg?.length
      ? flags.zooCfg.join(', ')
      : 'running QuorumPeerMain processes, $ZOOKEEPER_HOME/conf, /etc/zookeeper/conf, /opt/*/conf, /usr/local/*/conf';
  try {
    return { ensembles: adoptEnsembles(scanned, flags.name), close, looked };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `user@host[:port]` → the host and how to log in. */
export function parseHost(text: string): { host: HostSpec; user: string; port: number } {
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new ZkopsError(`--host ${text}: expected user@address[:port]`, ExitCode.usage);
  return {
    host: { name: m[2]!, address: m[2]!, bindAll: 'auto' },
    user: m[1] ?? 'root',
    port: m[3] ? Number(m[3]) : 22,
  };
}
