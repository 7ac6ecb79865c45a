/**
 * The shared poller behind `zkops exporter`, `zkops top` (and a dashboard later): asks every node `srvr` and
 * `mntr` in parallel, each under a hard per-node time limit, so one node that hangs never delays the others
 * past it. Concurrent callers share one poll in flight, and a short cache means each node is asked at most
 * once per scrape however many scrapers ask. `conf` (data directories, server id) changes rarely and is asked
 * at a slower pace.
 */
import { fourLetterWord, parseMntr, parseSrvr, type NodeHealth } from '../health/probe.js';
import type { ClientTls } from '../client/tls.js';

/** One server to poll. */
export interface PollTarget {
  /** `host:port`, the `instance` label of its series. */
  instance: string;
  host: string;
  port: number;
  /** From the inventory; unknown for `--server` targets until `conf` tells. */
  id?: number;
  role?: 'participant' | 'observer';
}

/** What one node said in one poll. */
export interface NodeSample {
  target: PollTarget;
  /** srvr's reading (mode `down` when it did not answer in time). */
  health: NodeHealth;
  /** Parsed `mntr`; empty when mntr is not whitelisted or the node does not serve. */
  mntr: Record<string, string>;
  /** Whether mntr answered with figures (a hand-made ensemble may not whitelist it). */
  mntrAvailable: boolean;
  /** Parsed `conf` (key=value), from the slower `conf` cache; empty when unknown. */
  conf: Record<string, string>;
  /** How long this node took to answer, in ms. */
  durationMs: number;
}

/** One poll of the whole ensemble. */
export interface Snapshot {
  /** Epoch ms when the poll started. */
  at: number;
  durationMs: number;
  nodes: NodeSample[];
}

/** How the poller behaves. */
export interface PollerOptions {
  /** Hard limit per node, ms (default 1500). */
  nodeTimeoutMs?: number;
  /** A snapshot younger than this is served again (default 1000 ms; 0: only share the poll in flight). */
  cacheMs?: number;
  /** How long `conf` answers are kept (default 60 s). */
  confCacheMs?: number;
  creds?: ClientTls;
}

/** Polls a fixed set of nodes; see the module comment. */
export class Poller {
  private inFlight?: Promise<Snapshot>;
  private last?: Snapshot;
  private readonly confs = new Map<string, { at: number; conf: Record<string, string> }>();
  private readonly nodeTimeoutMs: number;
  private readonly cacheMs: number;
  private readonly confCacheMs: number;
  /** Polls made (not served from the cache): what the tests and the benchmark count. */
  polls = 0;

  constructor(
    readonly targets: PollTarget[],
    private readonly options: PollerOptions = {},
  ) {
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 1500;
    this.cacheMs = options.cacheMs ?? 1000;
    this.confCacheMs = options.confCacheMs ?? 60_000;
  }

  /** The current snapshot: the cached one, the one in flight, or a new poll. */
  poll(now = Date.now()): Promise<Snapshot> {
    if (this.last && now - this.last.at < this.cacheMs) return Promise.resolve(this.last);
    if (!this.inFlight) {
      this.inFlight = this.pollAll(now).finally(() => (this.inFlight = undefined));
      void this.inFlight.then((s) => (this.last = s));
    }
    return this.inFlight;
  }

  private async pollAll(at: number): Promise<Snapshot> {
    this.polls++;
    const nodes = await Promise.all(this.targets.map((t) => this.pollNode(t)));
    return { at, durationMs: Date.now() - at, nodes };
  }

  private async pollNode(target: PollTarget): Promise<NodeSample> {
    const started = Date.now();
    const limit = this.nodeTimeoutMs;
    const ask = (word: string) =>
      withDeadline(fourLetterWord(target.host, target.port, word, limit, this.options.creds), limit, word);
    const cached = this.confs.get(target.instance);
    const confFresh = cached && started - cached.at < this.confCacheMs;
    const [srvr, mntr, conf] = await Promise.allSettled([
      ask('srvr'),
      ask('mntr'),
      confFresh ? Promise.resolve(undefined) : ask('conf'),
    ]);
    let health: NodeHealth;
    if (srvr.status === 'fulfilled') health = parseSrvr(srvr.value);
    else {
      const e = srvr.reason as NodeJS.ErrnoException;
      health = { mode: 'down', error: e.code === 'ECONNREFUSED' ? 'connection refused (not listening)' : e.message };
    }
    const figures = mntr.status === 'fulfilled' ? parseMntr(mntr.value) : {};
    if (conf.status === 'fulfilled' && conf.value !== undefined) {
      const parsed = parseConf(conf.value);
      // An answer without keys (not whitelisted, not serving) is not remembered: asked again next time.
      if (Object.keys(parsed).length) this.confs.set(target.instance, { at: started, conf: parsed });
    }
    return {
      target,
      health,
      mntr: figures,
      mntrAvailable: Object.keys(figures).length > 0,
      conf: this.confs.get(target.instance)?.conf ?? {},
      durationMs: Date.now() - started,
    };
  }
}

/** Rejects when `p` has not settled within `ms` (the socket behind it closes on its own timeout). */
function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Parses `conf` (key=value lines). */
export function parseConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Targets from a `--server host:port,...` list. */
export function targetsFromServers(servers: string): PollTarget[] {
  return servers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(':');
      const host = s.slice(0, i).replace(/^\[|\]$/g, '');
      return { instance: s, host, port: Number(s.slice(i + 1)) };
    });
}
