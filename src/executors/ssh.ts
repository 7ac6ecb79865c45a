/**
 * SSH connections on ssh2: credentials (identity file or agent), the jump
 * host, host keys checked against known_hosts (new ones recorded only when
 * asked), and the executor on the connection (ssh-executor.ts). ssh2 is used
 * only here and there.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';
import { ExitCode, TransportError } from '../errors.js';
import type { ClusterSpec, HostSpec } from '../inventory/spec.js';
import { checkKnownHost, fingerprint, keyType, knownHostsName, recordKnownHost } from './known-hosts.js';
import { SshExecutor } from './ssh-executor.js';

/**
 * Where an SSH connection goes: the address, port and login of one sshd (a node's host, or the jump host).
 * Not a place nodes run (that is a HostPlace, hosts/places.ts): only what ssh2 dials.
 */
interface SshEndpoint {
  host: string;
  port: number;
  user: string;
}

/** ssh.jumpHost's user@host[:port], the user defaulting to the hosts' own. */
function parseJump(spec: string, defaultUser: string): SshEndpoint {
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new TransportError(`ssh.jumpHost "${spec}" is not user@host[:port]`);
  return { user: m[1] ?? defaultUser, host: m[2]!, port: m[3] ? Number(m[3]) : 22 };
}

/** Opens a verified connection to a host (through the jump host when the inventory gives one). */
export async function connectSsh(
  spec: ClusterSpec,
  host: HostSpec,
  options: { acceptNewHostKeys?: boolean },
): Promise<SshExecutor> {
  const ssh = spec.ssh;
  const target: SshEndpoint = { host: host.address, port: host.sshPort ?? ssh.port, user: host.user ?? ssh.user };
  // A host that misses the handshake in time is unreachable: status and doctor report it and go on.
  const timed = { ...options, readyTimeoutMs: ssh.connectTimeout * 1000 };
  const knownHosts = ssh.knownHosts ?? path.join(os.homedir(), '.ssh', 'known_hosts');
  const auth: Partial<ConnectConfig> = {};
  if (ssh.identityFile) {
    try {
      auth.privateKey = await readFile(ssh.identityFile);
    } catch (e) {
      throw new TransportError(
        `Cannot read ssh.identityFile ${ssh.identityFile}: ` +
          `${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    if (process.env.ZKOPS_SSH_PASSPHRASE) auth.passphrase = process.env.ZKOPS_SSH_PASSPHRASE;
  } else if (process.env.SSH_AUTH_SOCK) {
    auth.agent = process.env.SSH_AUTH_SOCK;
  } else {
    throw new TransportError(
      `No SSH credentials for ${target.user}@${target.host}: set ssh.identityFile in the inventory or run an ` +
        `ssh-agent (SSH_AUTH_SOCK).`,
    );
  }
  const extra: Client[] = [];
  let sock: ConnectConfig['sock'];
  if (ssh.jumpHost) {
    const jump = parseJump(ssh.jumpHost, target.user);
    const jc = await open(jump, auth, knownHosts, timed, undefined);
    extra.push(jc);
    sock = await new Promise((res, rej) =>
      jc.forwardOut('127.0.0.1', 0, target.host, target.port, (e, ch) =>
        e
          ? rej(new TransportError(`jump host ${jump.host} cannot reach ${target.host}:${target.port}: ${e.message}`))
          : res(ch),
      ),
    );
  }
  const client = await open(target, auth, knownHosts, timed, sock);
  const executor = new SshExecutor(
    `${host.name} (${target.user}@${target.host})`,
    client,
    ssh.sudo && target.user !== 'root',
    extra,
  );
  // Every command runs something on each host it connects to: the shell (and a slow login profile) starts
  // while other hosts are still connecting, or one of them times out.
  executor.warm();
  return executor;
}

/** Connects to one sshd, the host key checked (or recorded) and the login authenticated. */
function open(
  t: SshEndpoint,
  auth: Partial<ConnectConfig>,
  knownHosts: string,
  options: { acceptNewHostKeys?: boolean; readyTimeoutMs: number },
  sock: ConnectConfig['sock'],
): Promise<Client> {
  const readyTimeoutMs = options.readyTimeoutMs;
  const name = knownHostsName(t.host, t.port);
  let keyProblem: string | undefined;
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('ready', () => resolve(client));
    client.on('error', (err: Error & { level?: string }) => {
      client.end();
      // A host key that cannot be trusted is a preflight refusal (exit 4), not a broken link.
      if (keyProblem) return reject(new TransportError(keyProblem, ExitCode.preflight));
      if (err.level === 'client-authentication')
        return reject(
          new TransportError(
            `SSH authentication failed for ${t.user}@${t.host}:${t.port}: check ssh.user, ssh.identityFile or the ` +
              `agent's keys.`,
          ),
        );
      reject(
        new TransportError(
          `Cannot reach ${t.host}:${t.port} over SSH: ${err.message}. Check the address, ssh.port and that sshd ` +
            `runs there.`,
        ),
      );
    });
    client.connect({
      host: t.host,
      port: t.port,
      username: t.user,
      sock,
      readyTimeout: readyTimeoutMs,
      ...auth,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        void (async () => {
          const match = await checkKnownHost(knownHosts, name, key);
          if (match === 'known') return verify(true);
          const fp = `${keyType(key)} ${fingerprint(key)}`;
          if (match === 'changed') {
            keyProblem =
              `WARNING: the SSH host key of ${name} has CHANGED (now ${fp}); it does not match ` +
              `${knownHosts}. This can mean a man-in-the-middle attack, or a reinstalled host. ` +
              `zkops stops here for this host. ` +
              `If the change is expected, remove the old key with: ssh-keygen -R '${name}' -f ${knownHosts}`;
            return verify(false);
          }
          if (!options.acceptNewHostKeys) {
            keyProblem =
              `The SSH host key of ${name} is unknown (${fp}); it is not in ${knownHosts}. Check the ` +
              `fingerprint, then run again with --accept-new-host-keys to record it (or add it with ssh-keyscan).`;
            return verify(false);
          }
          await recordKnownHost(knownHosts, name, key);
          verify(true);
        })().catch(() => verify(false));
      },
    });
  });
}
