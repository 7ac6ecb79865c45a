/**
 * The monitoring logic on its own: mntr → the provider's names, srvr's figures where mntr is missing, the
 * text format, the cluster reading, the rules, sparklines, and the poller's limits against small loopback
 * servers that answer four-letter words as ZooKeeper does (one of them never answers).
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/metrics/collector.js';
import { FamilySet, renderExposition } from '../../src/metrics/exposition.js';
import { History, sparkline } from '../../src/metrics/history.js';
import { Poller, type NodeSample, type Snapshot } from '../../src/metrics/poller.js';
import { addProviderSeries } from '../../src/metrics/provider-names.js';
import { alertRuleGroups } from '../../src/metrics/rules.js';
import { readCluster } from '../../src/metrics/verdict.js';
import { parseListen, startExporterServer } from '../../src/exporter/server.js';
import { parseMntr, parseSrvr } from '../../src/health/probe.js';

const MNTR_38 = [
  'zk_version\t3.8.0-abc, built on 2024-12-29 17:54 UTC',
  'zk_server_state\tleader',
  'zk_peer_state\tleading - broadcast',
  'zk_znode_count\t5',
  'zk_avg_latency\t0.5',
  'zk_synced_followers\t2',
  'zk_avg_election_time\t483.0',
  'zk_min_election_time\t483',
  'zk_max_election_time\t483',
  'zk_cnt_election_time\t1',
  'zk_sum_election_time\t483',
  'zk_avg_readlatency\t0.0',
  'zk_min_readlatency\t0',
  'zk_max_readlatency\t0',
  'zk_cnt_readlatency\t4',
  'zk_sum_readlatency\t2',
  'zk_p50_readlatency\t0',
  'zk_p99_readlatency\t1',
  'zk_avg_1_learner_handler_qp_size\t0.1',
  'zk_cnt_1_learner_handler_qp_size\t30',
  'zk_sum_1_learner_handler_qp_size\t3',
  '',
].join('\n');

const SRVR = (mode: string, zxid = '0x100000005') =>
  `Zookeeper version: 3.8.0-abc, built on 2024-12-29\nLatency min/avg/max: 0/1.5/12\nReceived: 5\nSent: 4\n` +
  `Connections: 3\nOutstanding: 0\nZxid: ${zxid}\nMode: ${mode}\nNode count: 7\n`;

function sample(instance: string, srvr: string, mntr = ''): NodeSample {
  const m = parseMntr(mntr);
  const [host, port] = instance.split(':');
  return {
    target: { instance, host: host!, port: Number(port) },
    health: parseSrvr(srvr),
    mntr: m,
    mntrAvailable: Object.keys(m).length > 0,
    conf: {},
    durationMs: 1,
  };
}

describe("mntr under the provider's names", () => {
  const set = new FamilySet();
  addProviderSeries(set, sample('10.0.0.1:2181', SRVR('leader'), MNTR_38), { cluster: 'c', instance: '10.0.0.1:2181' });
  const text = renderExposition(set.list());
  const l = 'cluster="c",instance="10.0.0.1:2181"';

  it('drops the zk_ prefix and leaves text keys out', () => {
    expect(text).toContain(`znode_count{${l}} 5`);
    expect(text).toContain(`avg_latency{${l}} 0.5`);
    expect(text).toContain(`synced_followers{${l}} 2`);
    expect(text).not.toMatch(/^zk_/m);
    expect(text).not.toMatch(/server_state|peer_state|^version/m);
  });

  it('turns summaries into _count, _sum and quantiles, and summary sets into a key label', () => {
    expect(text).toContain('# TYPE election_time summary');
    expect(text).toContain(`election_time_count{${l}} 1`);
    expect(text).toContain(`election_time_sum{${l}} 483`);
    expect(text).not.toContain('avg_election_time');
    expect(text).toContain(`readlatency{${l},quantile="0.99"} 1`);
    expect(text).toContain(`learner_handler_qp_size_count{${l},key="1"} 30`);
  });

  it("exports srvr's figures under the same names where mntr is not whitelisted", () => {
    const s = new FamilySet();
    addProviderSeries(s, sample('h:1', SRVR('follower')), { instance: 'h:1' });
    const t = renderExposition(s.list());
    expect(t).toContain('avg_latency{instance="h:1"} 1.5');
    expect(t).toContain('max_latency{instance="h:1"} 12');
    expect(t).toContain('num_alive_connections{instance="h:1"} 3');
    expect(t).toContain('znode_count{instance="h:1"} 7');
  });

  it('escapes label values as the text format requires', () => {
    const s = new FamilySet();
    s.add('x', 'help', 'gauge', { a: 'q"b\\c\nd' }, 1);
    expect(renderExposition(s.list())).toContain('x{a="q\\"b\\\\c\\nd"} 1');
  });
});

describe('the cluster reading', () => {
  const snap = (...nodes: NodeSample[]): Snapshot => ({ at: 0, durationMs: 1, nodes });
  const down = (i: string): NodeSample => ({ ...sample(i, ''), health: { mode: 'down', error: 'refused' } });

  it('a quorum with one leader and a majority following', () => {
    const r = readCluster(snap(sample('a:1', SRVR('leader')), sample('b:1', SRVR('follower')), down('c:1')));
    expect(r).toMatchObject({
      leaders: 1,
      voters: 3,
      votersServing: 2,
      votersNeeded: 2,
      quorum: true,
      versions: ['3.8.0'],
    });
    expect(r.verdict.status).toBe('degraded');
  });

  it('no quorum with two of three down, or with two leaders', () => {
    expect(readCluster(snap(sample('a:1', SRVR('leader')), down('b:1'), down('c:1'))).quorum).toBe(false);
    const two = readCluster(
      snap(sample('a:1', SRVR('leader')), sample('b:1', SRVR('leader')), sample('c:1', SRVR('follower'))),
    );
    expect(two.leaders).toBe(2);
    expect(two.verdict.status).toBe('no-quorum');
  });

  it('zkops series per node and per cluster', async () => {
    const poller = new Poller([]);
    const set = await new Collector('c', poller).families(
      snap(sample('a:1', SRVR('leader')), down('b:1'), down('c:1')),
    );
    const text = renderExposition(set.list());
    expect(text).toContain('zkops_node_up{cluster="c",instance="b:1"} 0');
    expect(text).toContain('zkops_node_mode{cluster="c",instance="a:1",mode="leader"} 1');
    expect(text).toContain('zkops_cluster_quorum{cluster="c"} 0');
    expect(text).toContain('zkops_node_last_zxid{cluster="c",instance="a:1"} 4294967301');
  });
});

describe('rules, listen addresses, sparklines', () => {
  it('--fast shortens every for: to two evaluation intervals; every rule names a zkops command', () => {
    const groups = alertRuleGroups({ fastSeconds: 1 }).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(groups.every((g) => g.interval === '1s')).toBe(true);
    expect(new Set(rules.map((r) => r.for))).toEqual(new Set(['2s']));
    expect(rules.filter((r) => !/zkops|systemctl/.test(r.annotations.runbook))).toEqual([]);
    expect(alertRuleGroups().groups[1]!.rules.find((r) => r.alert === 'ZooKeeperQuorumLost')?.for).toBe('30s');
  });

  it('parses --listen', () => {
    expect(parseListen('127.0.0.1:9141')).toEqual({ host: '127.0.0.1', port: 9141 });
    expect(parseListen('[::1]:9141')).toEqual({ host: '::1', port: 9141 });
    expect(parseListen(':9141')).toEqual({ host: '0.0.0.0', port: 9141 });
    expect(() => parseListen('9141')).toThrow(/ADDRESS:PORT/);
  });

  it('sparklines scale to the maximum and leave gaps', () => {
    expect(sparkline([0, 1, 2, undefined, 4])).toBe('▁▃▅ █');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it('the zxid rate is writes per second within an epoch', () => {
    const h = new History();
    h.add({ at: 0, durationMs: 1, nodes: [sample('a:1', SRVR('leader', '0x100000000'))] });
    h.add({ at: 2000, durationMs: 1, nodes: [sample('a:1', SRVR('leader', '0x100000014'))] });
    h.add({ at: 3000, durationMs: 1, nodes: [sample('a:1', SRVR('leader', '0x200000000'))] });
    expect(h.of('a:1').map((r) => r.zxidRate)).toEqual([undefined, 10, undefined]);
  });
});

describe('the poller against loopback servers', () => {
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  const listen = async (handler: (socket: net.Socket) => void) => {
    const server = net.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  };
  const answering = () =>
    listen((socket) =>
      socket.once('data', (d) => {
        const word = d.toString();
        socket.end(word === 'srvr' ? SRVR('follower') : word === 'mntr' ? MNTR_38 : 'clientPort=1\nserverId=4\n');
      }),
    );

  it('a node that never answers costs its time limit, not more; the others are read', async () => {
    const ok = await answering();
    const hung = await listen(() => {});
    const poller = new Poller(
      [ok, hung].map((port) => ({ instance: `127.0.0.1:${port}`, host: '127.0.0.1', port })),
      { nodeTimeoutMs: 300 },
    );
    const t0 = Date.now();
    const s = await poller.poll();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.nodes[0]!.health.mode).toBe('follower');
    expect(s.nodes[0]!.conf.serverId).toBe('4');
    expect(s.nodes[1]!.health.mode).toBe('down');
    expect(s.nodes[1]!.health.error).toMatch(/within 300 ms/);
  });

  it('concurrent callers share one poll, and the cache serves the next ones', async () => {
    const port = await answering();
    const poller = new Poller([{ instance: `127.0.0.1:${port}`, host: '127.0.0.1', port }], { cacheMs: 5000 });
    const snaps = await Promise.all([poller.poll(), poller.poll(), poller.poll()]);
    await poller.poll();
    expect(poller.polls).toBe(1);
    expect(new Set(snaps).size).toBe(1);
  });
});

describe('the exporter server', () => {
  it('serves /metrics, asks for basic auth when given, and keeps /-/healthy open', async () => {
    const server = await startExporterServer(
      { host: '127.0.0.1', port: 0 },
      { metrics: async () => 'x 1\n', basicAuth: 'prom:s3cret' },
    );
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const bad = { authorization: `Basic ${Buffer.from('prom:wrong').toString('base64')}` };
      expect((await fetch(`${server.url}/metrics`, { headers: bad })).status).toBe(401);
      const good = { authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}` };
      const r = await fetch(`${server.url}/metrics`, { headers: good });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('version=0.0.4');
      expect(await r.text()).toBe('x 1\n');
      expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
