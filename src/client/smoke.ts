/**
 * `zkops smoke`: proves an ensemble works end to end, as an application sees
 * it, with a real client: each check is what applications rely on. Everything
 * it creates lives under one znode of its own, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { isNoNode, ZkSession } from './session.js';
import type { ClientTls } from './tls.js';
import { pollUntil } from '../util/poll.js';

export interface SmokeCheck {
  check: string;
  ok: boolean;
  ms: number;
  detail: string;
}

/** Polls `probe` until it returns true or `ms` pass; returns how long it took, or undefined. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number | undefined> {
  const r = await pollUntil(probe, { until: (ok) => ok, timeoutMs: ms, intervalMs: 20, orLast: true });
  return r.met ? r.ms : undefined;
}

/** One server of the ensemble: its id (or position) and the address clients use. */
export interface SmokeTarget {
  id: number;
  server: string;
}

const serverOf = (n: SmokeTarget) => n.server;

/**
 * Runs every check against `nodes` (at least one). Each check runs even when an earlier one failed, except that
 * without a first session nothing can run.
 */
export async function smoke(nodes: SmokeTarget[], timeoutMs: number, tls?: ClientTls): Promise<SmokeCheck[]> {
  const all = nodes.map(serverOf).join(',');
  const root = `/zkops-smoke-${randomBytes(4).toString('hex')}`;
  const results: SmokeCheck[] = [];
  const run = async (check: string, fn: () => Promise<string>) => {
    const t0 = Date.now();
    try {
      results.push({ check, ok: true, ms: Date.now() - t0, detail: await fn() });
    } catch (err) {
      results.push({ check, ok: false, ms: Date.now() - t0, detail: (err as Error).message });
    }
    results[results.length - 1]!.ms = Date.now() - t0;
  };
  // One session per node, each pinned to its node (a connect string of one), opened together.
  const main = await ZkSession.open(all, { timeoutMs, tls });
  const pinned = new Map<SmokeTarget, ZkSession | Error>();
  await Promise.all(
    nodes.map(async (n) => pinned.set(n, await ZkSession.open(serverOf(n), { timeoutMs, tls }).catch((e: Error) => e))),
  );
  const through = (n: SmokeTarget) => {
    const s = pinned.get(n);
    if (s instanceof Error) throw new Error(`node ${n.id} (${serverOf(n)}) serves no session: ${s.message}`);
    return s!;
  };
  try {
    await main.create(root, 'zkops smoke test; safe to delete');

    await run('write on one node, read on every node', async () => {
      const [first, ...rest] = nodes;
      const value = `written through node ${first!.id} at ${new Date().toISOString()}`;
      await through(first!).create(`${root}/rw`, value);
      const lags: string[] = [];
      for (const n of rest) {
        // The library has no sync(): a follower may answer a moment behind the leader, so read until it is there.
        const ms = await within(timeoutMs, async () => {
          try {
            return (await through(n).get(`${root}/rw`)).data.toString() === value;
          } catch (err) {
            if (isNoNode(err)) return false;
            throw err;
          }
        });
        if (ms === undefined) throw new Error(`node ${n.id} did not show the write in ${timeoutMs} ms`);
        lags.push(`node ${n.id} ${ms} ms`);
      }
      return `written through node ${first!.id}; read back through ${lags.join(', ') || 'no other node'}`;
    });

    await run('an ephemeral znode goes with its session', async () => {
      const owner = await ZkSession.open(all, { timeoutMs, tls });
      let closed = false;
      try {
        await owner.create(`${root}/eph`, '', 'ephemeral');
        let seen: string | undefined;
        const shown = await within(timeoutMs, async () => {
          seen = (await main.exists(`${root}/eph`))?.ephemeralOwner;
          return seen === owner.idHex;
        });
        if (shown === undefined) throw new Error(`owner is ${seen ?? 'none'}, not session ${owner.idHex}`);
        owner.close();
        closed = true;
        const ms = await within(timeoutMs, async () => (await main.exists(`${root}/eph`)) === undefined);
        if (ms === undefined) throw new Error(`still there ${timeoutMs} ms after its session closed`);
        return `owned by session ${owner.idHex}; gone ${ms} ms after the session closed`;
      } finally {
        if (!closed) owner.close();
      }
    });

    await run('sequential znodes come back in order', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push(await main.create(`${root}/seq-`, String(i), 'sequential'));
      const listed = (await main.children(root))
        .filter((c) => c.startsWith('seq-'))
        .sort()
        .map((c) => `${root}/${c}`);
      if (listed.join() !== made.join()) throw new Error(`created ${made.join(', ')}; listed ${listed.join(', ')}`);
      const numbers = made.map((p) => Number(p.slice(-10)));
      if (!numbers.every((x, i) => i === 0 || x > numbers[i - 1]!))
        throw new Error(`sequence numbers out of order: ${numbers.join(', ')}`);
      return `${made.length} created, numbers ${numbers.join(', ')}`;
    });

    await run('a watch fires on change', async () => {
      const watcher = through(nodes[nodes.length - 1]!);
      await main.create(`${root}/watched`, 'before');
      let fire: (name: string) => void = () => undefined;
      const fired = new Promise<string>((resolve) => (fire = resolve));
      // The watch is set (the read answered) before the change is made.
      await watcher.exists(`${root}/watched`, (e) => fire(e.name));
      await through(nodes[0]!).setData(`${root}/watched`, 'after');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const event = await Promise.race([
        fired,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      if (!event) throw new Error(`no event in ${timeoutMs} ms`);
      return `set through node ${nodes[0]!.id}, ${event} seen through node ${nodes[nodes.length - 1]!.id}`;
    });

    if (nodes.length > 1) {
      await run('a session moves to another node', async () => {
        const [a, b] = [nodes[0]!, nodes[1]!];
        const first = await ZkSession.open(serverOf(a), { timeoutMs, tls });
        let moved: ZkSession | undefined;
        try {
          moved = await ZkSession.open(serverOf(b), {
            timeoutMs,
            tls,
            resume: { id: first.id, password: first.password },
          });
          if (moved.idHex !== first.idHex) throw new Error(`node ${b.id} gave a new session ${moved.idHex}`);
          await moved.create(`${root}/moved`, '', 'ephemeral');
          // Read through another server, which may answer a moment behind.
          let owner: string | undefined;
          const ms = await within(timeoutMs, async () => {
            owner = (await main.exists(`${root}/moved`))?.ephemeralOwner;
            return owner === first.idHex;
          });
          if (ms === undefined) throw new Error(`the znode it made is owned by ${owner}, not ${first.idHex}`);
          return `session ${first.idHex} opened on node ${a.id}, resumed on node ${b.id}, and still works there`;
        } finally {
          moved?.close();
          first.close();
        }
      });
    }
  } finally {
    await main.removeTree(root).catch(() => undefined);
    main.close();
    for (const s of pinned.values()) if (!(s instanceof Error)) s.close();
  }
  return results;
}
