/**
 * A ZooKeeper session for zkops's own client commands (smoke, ls, get,
 * watch), on node-zookeeper-client, a pure-JavaScript client: no JVM per
 * command as with zkCli.sh. Promises over its callbacks, a deadline on
 * connecting (the library itself retries forever), and the stat's 64-bit
 * fields as hex and dates.
 */
import zookeeper, { type ACL, type Client, type Event, type Stat } from 'node-zookeeper-client';
import { ExitCode, ZkopsError } from '../errors.js';
import { openTunnels, type ClientTls } from './tls.js';

/** A znode's stat as people read it. */
export interface ZnodeStat {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: string;
  mtime: string;
  version: number;
  cversion: number;
  aversion: number;
  /** The session that owns an ephemeral znode (hex), or undefined for a persistent one. */
  ephemeralOwner?: string;
  dataLength: number;
  numChildren: number;
}

const hex = (b: Buffer) => `0x${b.toString('hex').replace(/^0+(?=.)/, '')}`;
const date = (b: Buffer) => new Date(Number(b.readBigInt64BE())).toISOString();

export function readStat(s: Stat): ZnodeStat {
  const owner = s.ephemeralOwner.readBigInt64BE();
  return {
    czxid: hex(s.czxid),
    mzxid: hex(s.mzxid),
    pzxid: hex(s.pzxid),
    ctime: date(s.ctime),
    mtime: date(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: owner === 0n ? undefined : hex(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

/** Permissions as zkCli prints them (c, d, r, w, a). */
export function permissions(bits: number): string {
  const P = zookeeper.Permission;
  const letters: [number, string][] = [
    [P.CREATE, 'c'],
    [P.DELETE, 'd'],
    [P.READ, 'r'],
    [P.WRITE, 'w'],
    [P.ADMIN, 'a'],
  ];
  return letters
    .filter(([bit]) => bits & bit)
    .map(([, letter]) => letter)
    .join('');
}

/** ZooKeeper's "no node" answer, for callers that treat a missing znode as a result. */
export const isNoNode = (err: unknown) => (err as { code?: number })?.code === zookeeper.Exception.NO_NODE;

/** One ACL entry: scheme (world, digest, ip, ...), id, and permissions as ZooKeeper's letters (cdrwa). */
export interface Acl {
  scheme: string;
  id: string;
  perms: string;
}

export type CreateMode = 'persistent' | 'sequential' | 'ephemeral' | 'ephemeral-sequential';
const MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  'ephemeral-sequential': zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

/** A node-style call as a promise; a ZooKeeper error keeps its code and gets the path in its message. */
export function call<T>(path: string, fn: (cb: (err: Error | null, value: T, stat?: Stat) => void) => void) {
  return new Promise<{ value: T; stat?: Stat }>((resolve, reject) =>
    fn((err, value, stat) => {
      if (!err) return resolve({ value, stat });
      const e = new ZkopsError(`${path}: ${err.name ?? err.message}`, ExitCode.failure);
      Object.assign(e, { code: (err as { code?: number }).code });
      reject(e);
    }),
  );
}

export class ZkSession {
  private constructor(
    private readonly client: Client,
    /** The connect string this session was opened with. */
    readonly servers: string,
    private readonly tunnels?: { close: () => Promise<void> },
  ) {}

  /**
   * Opens a session with `servers` (a connect string). `resume`: the id and password of an existing session, to
   * move it to these servers. Gives up after `timeoutMs` with an error that names the servers.
   */
  static async open(
    servers: string,
    options: {
      timeoutMs?: number;
      sessionTimeoutMs?: number;
      resume?: { id: Buffer; password: Buffer };
      /** TLS on: the session runs through local tunnels that carry it over TLS (client/tls.ts). */
      tls?: ClientTls;
    } = {},
  ): Promise<ZkSession> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    // The tunnels take only the library's own connection: the one its connection manager has open (from the
    // port it connects from).
    let client: Client | undefined;
    const ours = (remotePort: number) =>
      (client as unknown as { connectionManager?: { socket?: { localPort?: number } } })?.connectionManager?.socket
        ?.localPort === remotePort;
    const tunnels = options.tls ? await openTunnels(servers, options.tls, ours) : undefined;
    client = zookeeper.createClient(tunnels?.servers ?? servers, {
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      spinDelay: 100,
      retries: 1000,
      sessionId: options.resume?.id,
      sessionPassword: options.resume?.password,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        void tunnels?.close();
        reject(
          new ZkopsError(
            `No ZooKeeper session with ${servers} in ${Math.round(timeoutMs / 1000)} s: no server there serves ` +
              'clients (down, or without a quorum). zkops status shows which nodes serve.',
            ExitCode.unhealthy,
          ),
        );
      }, timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve(new ZkSession(client, servers, tunnels));
      });
      client.once('expired', () => {
        clearTimeout(timer);
        client.close();
        void tunnels?.close();
        reject(new ZkopsError(`The session to resume on ${servers} has expired.`, ExitCode.unhealthy));
      });
      client.connect();
    });
  }

  /** The library's client, for the conditional writes of client/writes.ts. */
  get lib(): Client {
    return this.client;
  }

  get id(): Buffer {
    return this.client.getSessionId();
  }
  get idHex(): string {
    return hex(this.id);
  }
  get password(): Buffer {
    return this.client.getSessionPassword();
  }

  async create(path: string, data: string | Buffer = '', mode: CreateMode = 'persistent'): Promise<string> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return (await call<string>(path, (cb) => this.client.create(path, buf, MODES[mode], cb))).value;
  }

  async setData(path: string, data: string): Promise<void> {
    await call(path, (cb) => this.client.setData(path, Buffer.from(data), -1, cb));
  }

  async get(path: string): Promise<{ data: Buffer; stat: ZnodeStat }> {
    const r = await call<Buffer>(path, (cb) => this.client.getData(path, undefined, cb));
    return { data: r.value ?? Buffer.alloc(0), stat: readStat(r.stat!) };
  }

  async exists(path: string, watch?: (e: Event) => void): Promise<ZnodeStat | undefined> {
    const r = await call<Stat | null>(path, (cb) => this.client.exists(path, watch, cb));
    return r.value ? readStat(r.value) : undefined;
  }

  async children(path: string, watch?: (e: Event) => void): Promise<string[]> {
    return (await call<string[]>(path, (cb) => this.client.getChildren(path, watch, cb))).value;
  }

  async acl(path: string): Promise<Acl[]> {
    const r = await call<ACL[]>(path, (cb) => this.client.getACL(path, cb));
    return r.value.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: permissions(a.permission) }));
  }

  async removeTree(path: string): Promise<void> {
    await call(path, (cb) => this.client.removeRecursive(path, -1, (err) => cb(err, undefined)));
  }

  close(): void {
    this.client.close();
    // The library's close request goes out before the tunnels go.
    if (this.tunnels) setTimeout(() => void this.tunnels!.close(), 200).unref();
  }
}

export type { Event as ZkEvent };
