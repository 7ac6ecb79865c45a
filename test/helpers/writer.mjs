/**
 * An independent ZooKeeper client (node-zookeeper-client, not zkops's own
 * code) that keeps writing sequential znodes while a test or a benchmark
 * changes the ensemble, and records which writes the ensemble acknowledged.
 * Afterwards the caller reads the znodes back through every node: no
 * acknowledged write may be missing anywhere. Plain JavaScript so that the
 * benchmarks (run by node, untranspiled) share it with the tests.
 */
import zookeeper from 'node-zookeeper-client';

const ROOT = '/zkops-writes';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {ReturnType<typeof zookeeper.createClient>} Client
 * @typedef {{ acknowledged: string[], failed: number, longestGapMs: number }} WriteReport
 *   what a writer saw; longestGapMs is the longest time between two acknowledged writes while it ran
 */

/**
 * A session with `servers`. `retries`: how often the library itself re-sends a request that lost its connection;
 * the writer wants none, so that every write it counts as acknowledged was answered once, and a lost connection
 * shows as a failed write (a retried sequential create could land twice, and its wait would hide the outage).
 * @returns {Promise<Client>}
 */
function connect(servers, { sessionTimeout = 6000, retries = 1000 } = {}) {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(servers, { sessionTimeout, spinDelay: 100, retries });
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

/** Promise form of a node-style callback call. */
const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** Writes one sequential znode after another until stopped. */
export class Writer {
  /** @param {string} servers connect string */
  constructor(servers) {
    this.servers = servers;
    /** @type {Client | undefined} */
    this.client = undefined;
    this.running = false;
    /** @type {Promise<void> | undefined} */
    this.loop = undefined;
    /** @type {string[]} */
    this.acked = [];
    this.failed = 0;
    this.lastAck = 0;
    this.longestGap = 0;
  }

  async start() {
    this.client = await connect(this.servers, { retries: 0 });
    await call((cb) => this.client.mkdirp(ROOT, cb));
    this.running = true;
    this.lastAck = Date.now();
    this.loop = this.run();
  }

  async run() {
    while (this.running) {
      try {
        const created = await call((cb) =>
          this.client.create(
            `${ROOT}/w-`,
            Buffer.from(String(Date.now())),
            zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
            cb,
          ),
        );
        const now = Date.now();
        this.longestGap = Math.max(this.longestGap, now - this.lastAck);
        this.lastAck = now;
        this.acked.push(created.slice(ROOT.length + 1));
      } catch {
        this.failed++;
        await sleep(50);
      }
      await sleep(10);
    }
  }

  /** @returns {Promise<WriteReport>} */
  async stop() {
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
 * @param {string} server
 * @param {string[]} expected
 * @returns {Promise<string[]>}
 */
export async function writesOn(server, expected) {
  const client = await connect(server);
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      /** @type {string[]} */
      const children = await call((cb) => client.getChildren(ROOT, cb));
      const have = new Set(children);
      if (expected.every((e) => have.has(e)) || Date.now() > deadline) return children;
      await sleep(200);
    }
  } finally {
    client.close();
  }
}

/**
 * Of `acknowledged`, the writes each server lacks, read through that server alone; servers that lack none are left
 * out, so "every acknowledged write is everywhere" is `{}`.
 * @param {string[]} servers
 * @param {string[]} acknowledged
 * @returns {Promise<Record<string, string[]>>}
 */
export async function missingWrites(servers, acknowledged) {
  /** @type {Record<string, string[]>} */
  const missing = {};
  for (const server of servers) {
    const have = new Set(await writesOn(server, acknowledged));
    const lost = acknowledged.filter((w) => !have.has(w));
    if (lost.length) missing[server] = lost;
  }
  return missing;
}
