/**
 * `zkops ui`: the web dashboard, served by this process (src/web/). Shows every cluster saved in ./.zkops
 * and every inventory given with -i; prints the address with its token as the first line, then runs until
 * SIGINT/SIGTERM. Bound to loopback unless --listen says otherwise (then a warning: anyone who can reach the
 * port and has the token can read the clusters).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { ExitCode, ZkopsError } from '../errors.js';
import { parseListen } from '../exporter/server.js';
import { resolveCluster, savedClusters, type ClusterFlags } from '../ops/cluster.js';
import type { OutputOptions } from '../output.js';
import { watched, type WatchedCluster } from '../web/clusters.js';
import { allowedHosts, newToken } from '../web/security.js';
import { startUi } from '../web/server.js';
import { userCacheDir } from '../user-cache.js';

/** `zkops ui` flags. */
export interface UiFlags {
  inventory?: string[];
  port: number;
  listen?: string;
  open?: boolean;
  /** Znode edits from the page (create, set, delete, ACLs, import). */
  allowWrites?: boolean;
  /** Operations from the page, as jobs (restart, start/stop a node, deploy, upgrade, certs, backup). */
  allowOperations?: boolean;
}

export async function uiCommand(flags: UiFlags, out: OutputOptions): Promise<number> {
  const listen = flags.listen ? listenOf(flags.listen, flags.port) : { host: '127.0.0.1', port: flags.port };
  const clusters = await loadClusters(flags.inventory ?? []);
  const token = newToken();
  const names = listen.host === '0.0.0.0' || listen.host === '::' ? machineNames() : [];
  let ui;
  try {
    ui = await startUi({
      host: listen.host,
      port: listen.port,
      token,
      clusters,
      allowWrites: Boolean(flags.allowWrites),
      allowOperations: flags.allowOperations,
      jobsFile: jobsFile(),
      hosts: (port) => allowedHosts(listen.host, port, names),
    });
  } catch (err) {
    throw new ZkopsError(
      `Cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}. Choose another with --port.`,
      ExitCode.usage,
    );
  }
  const shown = ['0.0.0.0', '::'].includes(listen.host) ? '127.0.0.1' : listen.host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${ui.port}/?token=${token}`;
  // The address is the first line, whatever else is said: scripts and tests read it.
  process.stdout.write(out.json ? `${JSON.stringify({ url, clusters: clusters.map((c) => c.name) })}\n` : `${url}\n`);
  if (!out.json)
    process.stderr.write(
      `zkops ui: ${clusters.length} cluster(s) (${clusters.map((c) => c.name).join(', ') || 'none'}); ` +
        `${flags.allowOperations ? 'operations allowed (--allow-operations)' : 'read-only'}; Ctrl-C to stop.\n`,
    );
  if (flags.listen && !/^(127\.|localhost|\[?::1\]?)/.test(listen.host))
    process.stderr.write(
      `warning: listening on ${listen.host}:${ui.port}, beyond this machine: anyone who can reach it and holds the ` +
        'token can read every cluster shown. Prefer the loopback default and an SSH port forward (ssh -L).\n',
    );
  if (flags.open) openBrowser(url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.close();
  return ExitCode.ok;
}

/** The saved clusters and the inventories given, each with its watcher; a name shown twice is an error. */
async function loadClusters(inventories: string[]): Promise<WatchedCluster[]> {
  const refs: ClusterFlags[] = [
    ...(await savedClusters()).map((cluster) => ({ cluster })),
    ...inventories.map((inventory) => ({ inventory })),
  ];
  if (refs.length === 0)
    throw new ZkopsError(
      'No cluster to show: none saved in ./.zkops and no inventory given. Run zkops ui where zkops init or ' +
        'deploy ran, or pass inventories with -i FILE.',
      ExitCode.usage,
    );
  const out: WatchedCluster[] = [];
  for (const ref of refs) {
    const { spec } = await resolveCluster(ref);
    // An inventory of a cluster saved here too is shown once.
    if (out.some((c) => c.name === spec.name)) continue;
    out.push(watched(spec, ref));
  }
  return out;
}

function listenOf(value: string, port: number) {
  try {
    return parseListen(value.includes(':') && /:\d+$/.test(value) ? value : `${value}:${port}`);
  } catch (err) {
    throw new ZkopsError(`--listen: ${(err as Error).message}.`, ExitCode.usage);
  }
}

/** This machine's addresses and name: the Host names a page reached from elsewhere may use. */
function machineNames(): string[] {
  const addrs = Object.values(os.networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
  return [os.hostname(), ...addrs];
}

/** The jobs file of dashboards run in this directory (the clusters they show are this directory's). */
function jobsFile(): string {
  const id = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12);
  return userCacheDir('ui', `jobs-${id}.jsonl`);
}

/** Opens the page in the desktop's browser, if there is one (xdg-open, open). */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`zkops ui: could not run ${cmd}; open ${url} yourself.\n`));
  child.unref();
}
