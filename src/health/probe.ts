/**
 * Four-letter words over TCP, straight from Node (no JVM per probe). `srvr`
 * tells the node's mode, zxid and version; `imok` from `ruok` only says the
 * process answers, not that it has joined the quorum, so health is read from
 * srvr's Mode line.
 */
import net from 'node:net';
import { connectTls, type ClientTls } from '../client/tls.js';
import type { NodeMode } from '../zookeeper/modes.js';

/**
 * Sends a four-letter word and returns the full answer (the server closes the connection when done). With
 * `creds`, over TLS with zkops's client certificate, or plain text first where TLS is being switched off; in
 * a rolling switch a server may still (or already) speak the other, so it is then asked the other way.
 */
export async function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs = 2000,
  creds?: ClientTls,
): Promise<string> {
  if (!creds) return ask(host, port, word, timeoutMs);
  if (creds.prefer === 'plain') {
    // A TLS-only server closes a plain-text connection without a word; one that is down or silent is not
    // asked twice.
    const answer = await ask(host, port, word, timeoutMs);
    return answer || ask(host, port, word, timeoutMs, creds).catch(() => answer);
  }
  try {
    return await ask(host, port, word, timeoutMs, creds);
  } catch (err) {
    if (!speaksPlain(err)) throw err;
    const answer = await ask(host, port, word, timeoutMs).catch(() => '');
    if (!answer) throw err;
    return answer;
  }
}

/** A TLS attempt ended the way a plain-text server ends it (it drops the handshake it cannot read). */
function speaksPlain(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'ECONNRESET' || e.code === 'EPROTO' || /before secure TLS connection/.test(e.message ?? '');
}

function ask(host: string, port: number, word: string, timeoutMs: number, creds?: ClientTls): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = creds ? connectTls(host, port, creds) : net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to ${word} within ${timeoutMs} ms`)));
    // Over TLS the word is written, not ended: a close_notify right behind it may end the exchange first.
    if (creds) socket.on('secureConnect', () => socket.write(word));
    else socket.on('connect', () => socket.end(word));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** One node's health as seen over its client port. */
export interface NodeHealth {
  mode: NodeMode;
  zxid?: string;
  version?: string;
  connections?: number;
  outstanding?: number;
  nodeCount?: number;
  latency?: string;
  /** Figures from `mntr`, where it is whitelisted and the node serves. */
  metrics?: NodeMetrics;
  /** Why the node is down or not serving, in words. */
  error?: string;
}

/** What operators watch from `mntr`. */
export interface NodeMetrics {
  znodes?: number;
  watches?: number;
  approximateDataSize?: number;
  openFileDescriptors?: number;
  outstandingRequests?: number;
  /** Leader only: followers in sync. */
  syncedFollowers?: number;
}

/** Picks the operator-relevant figures out of a parsed `mntr` answer. */
export function metricsFromMntr(m: Record<string, string>): NodeMetrics | undefined {
  const num = (k: string) => (m[k] === undefined ? undefined : Number(m[k]));
  if (Object.keys(m).length === 0) return undefined;
  return {
    znodes: num('zk_znode_count'),
    watches: num('zk_watch_count'),
    approximateDataSize: num('zk_approximate_data_size'),
    openFileDescriptors: num('zk_open_file_descriptor_count'),
    outstandingRequests: num('zk_outstanding_requests'),
    syncedFollowers: num('zk_synced_followers'),
  };
}

/** What a node that runs but is in no quorum (electing, joining, or cut off) says, as NodeHealth.error. */
export const NOT_IN_QUORUM = 'running but not in a quorum (not serving requests)';

/** Parses a `srvr` answer. */
export function parseSrvr(text: string): NodeHealth {
  if (/not currently serving requests/i.test(text)) return { mode: 'not-serving', error: NOT_IN_QUORUM };
  if (/not in the whitelist/i.test(text))
    return { mode: 'not-serving', error: 'srvr is not whitelisted (4lw.commands.whitelist)' };
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text)?.[1]?.trim();
  const mode = field('Mode') as NodeMode | undefined;
  if (!mode) return { mode: 'not-serving', error: `unexpected answer to srvr: ${text.slice(0, 80)}` };
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  return {
    mode,
    zxid: field('Zxid'),
    version: field('Zookeeper version')?.split(/[-,\s]/)[0],
    connections: num(field('Connections')),
    outstanding: num(field('Outstanding')),
    nodeCount: num(field('Node count')),
    latency: field('Latency min/avg/max'),
  };
}

/**
 * Probes one node (srvr, and with `metrics` mntr alongside); never throws: an
 * unreachable node is `down` with the reason.
 */
export async function probeNode(
  host: string,
  port: number,
  timeoutMs = 2000,
  metrics = true,
  creds?: ClientTls,
): Promise<NodeHealth> {
  try {
    const [srvr, mntr] = await Promise.all([
      fourLetterWord(host, port, 'srvr', timeoutMs, creds),
      // Optional: a node that does not whitelist mntr, or is not serving, answers with a sentence.
      metrics ? fourLetterWord(host, port, 'mntr', timeoutMs, creds).catch(() => '') : '',
    ]);
    const health = parseSrvr(srvr);
    const figures = metricsFromMntr(parseMntr(mntr));
    return figures && health.mode !== 'not-serving' ? { ...health, metrics: figures } : health;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { mode: 'down', error: e.code === 'ECONNREFUSED' ? 'connection refused (not listening)' : e.message };
  }
}

/** Parses `mntr` (tab-separated key/value lines). */
export function parseMntr(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((kv): kv is [string, string] => kv.length === 2),
  );
}
