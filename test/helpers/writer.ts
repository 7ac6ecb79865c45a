/**
 * An independent ZooKeeper client (node-zookeeper-client, not zkops's own
 * code) that keeps writing sequential znodes while a test changes the
 * ensemble, and records which writes the ensemble acknowledged. Afterwards a
 * test reads the znodes back through every node: no acknowledged write may be
 * missing anywhere.
 */
import zookeeper from 'node-zookeeper-client';

const ROOT = '/zkops-writes';

type Client = ReturnType<typeof zookeeper.createClient>;

function connect(servers: string, sessionTimeout = 6000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(servers, { sessionTimeout, spinDelay: 100, retries: 1000 });
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no ZooKeeper session with ${servers} in 20 s`));
    }, 20_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

const call = <T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** What a writer saw. */
export interface WriteReport {
  acknowledged: string[];
  failed: number;
  /** Longest time between two acknowledged writes while the writer ran. */
  longestGapMs: number;
}

/** Writes one sequential znode after another until stopped. */
export class Writer {
  private client?: Client;
  private running = false;
  private loop?: Promise<void>;
  private readonly acked: string[] = [];
  private failed = 0;
  private lastAck = 0;
  private longestGap = 0;

  constructor(private readonly servers: string) {}

  async start(): Promise<void> {
    this.client = await connect(this.servers);
    await call((cb) => this.client!.mkdirp(ROOT, cb as never));
    this.running = true;
    this.lastAck = Date.now();
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const path = await call<string>((cb) =>
          this.client!.create(
            `${ROOT}/w-`,
            Buffer.from(String(Date.now())),
            zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
            cb,
          ),
        );
        const now = Date.now();
        this.longestGap = Math.max(this.longestGap, now - this.lastAck);
        this.lastAck = now;
        this.acked.push(path.slice(ROOT.length + 1));
      } catch {
        this.failed++;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<WriteReport> {
    this.running = false;
    await this.loop;
    this.client?.close();
    return { acknowledged: [...this.acked], failed: this.failed, longestGapMs: this.longestGap };
  }
}

/**
 * The writes one server holds, read through that server alone. A follower may
 * lag a moment behind the leader: reads repeat until every name in `expected`
 * is there or 10 s pass, and return what was last seen.
 */
export async function writesOn(server: string, expected: string[]): Promise<string[]> {
  const client = await connect(server);
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const children = await call<string[]>((cb) => client.getChildren(ROOT, cb as never));
      const have = new Set(children);
      if (expected.every((e) => have.has(e)) || Date.now() > deadline) return children;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}
