/**
 * Monitoring end to end, all real: a three-node pseudo-cluster (Debian's ZooKeeper, which has no Prometheus
 * provider: mntr is the source), `zkops exporter` over it, and Debian's Prometheus on loopback loading what
 * `zkops monitoring -o DIR --fast 1` wrote. Every node's series arrive under the provider's names, the rules
 * load, a node killed with -9 fires the node-down alert, two of three stopped fire quorum-lost, and starting
 * them again clears both. One cluster for the file; 1 s scrape and evaluation keep it short. Ports from
 * 29181 (quorum 29888+, election 30888+), clear of the other tests' clusters.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, serversUnder, workdir, zkops } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';

const BASE = 29181;
const TOP = `zkops-top-${process.pid}`;
const BIN = path.resolve('bin/zkops.js');
const instance = (id: number) => `127.0.0.1:${BASE + id - 1}`;
let cwd: string;
let exporterPort: number;
let promPort: number;
let exporter: ResultPromise | undefined;
let prometheus: ResultPromise | undefined;
let dir: string;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const metricsText = async () => (await fetch(`http://127.0.0.1:${exporterPort}/metrics`)).text();

async function promApi(pathAndQuery: string): Promise<any> {
  const r = await fetch(`http://127.0.0.1:${promPort}${pathAndQuery}`);
  const body = (await r.json()) as { status: string; data: any };
  if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${JSON.stringify(body)}`);
  return body.data;
}

/** Alerts in state `state` named `name` (labels matching `labels`). */
async function alerts(name: string, state: 'firing' | 'pending', labels: Record<string, string> = {}) {
  const data = await promApi('/api/v1/alerts');
  return (data.alerts as any[]).filter(
    (a) =>
      a.labels.alertname === name && a.state === state && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
  );
}

const firing =
  (name: string, labels: Record<string, string> = {}) =>
  async () =>
    (await alerts(name, 'firing', labels)).length > 0 ? true : undefined;
const cleared = (name: string) => async () =>
  (await promApi('/api/v1/alerts')).alerts.some((a: any) => a.labels.alertname === name) ? undefined : true;

beforeAll(async () => {
  cwd = workdir('monitoring');
  const init = await zkops(cwd, ['init', '--base-port', String(BASE), '--name', 'mon']);
  expect(init.code, init.stderr).toBe(0);
  exporterPort = await freePort();
  promPort = await freePort();
  exporter = execa(
    'node',
    [BIN, 'exporter', '--listen', `127.0.0.1:${exporterPort}`, '--node-timeout', '500', '--doctor-interval', '0'],
    {
      cwd,
      reject: false,
      env: { NO_COLOR: '1' },
    },
  );
  await until('the exporter listens', 20_000, async () =>
    (await metricsText()).includes('zkops_node_up') ? true : undefined,
  );
  dir = path.join(cwd, 'monitoring');
  const mon = await zkops(cwd, ['monitoring', '-o', dir, '--exporter', `127.0.0.1:${exporterPort}`, '--fast', '1']);
  expect(mon.code, mon.stderr).toBe(0);
  prometheus = execa(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--storage.tsdb.path=${mkdtempSync(path.join(os.tmpdir(), 'zkops-prom-'))}`,
    ],
    { reject: false },
  );
  await until('Prometheus is ready', 30_000, async () =>
    (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok ? true : undefined,
  );
});

afterAll(async () => {
  spawnSync('tmux', ['kill-session', '-t', TOP]);
  prometheus?.kill('SIGTERM');
  exporter?.kill('SIGTERM');
  await Promise.all([prometheus, exporter]);
  await zkops(cwd, ['destroy', '--yes']);
  await killServersUnder(cwd);
});

describe('zkops monitoring and zkops exporter with a real Prometheus', () => {
  it('writes files promtool accepts', () => {
    const config = execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(config).toContain('SUCCESS');
    const rules = execFileSync('promtool', ['check', 'rules', path.join(dir, 'zkops-rules.yml')], { encoding: 'utf8' });
    expect(rules).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("serves every node's figures under the provider's names, from one poll however many scrape at once", async () => {
    const text = await metricsText();
    for (const id of [1, 2, 3]) {
      const l = `{cluster="mon",instance="${instance(id)}"}`;
      for (const name of [
        'znode_count',
        'watch_count',
        'ephemerals_count',
        'approximate_data_size',
        'num_alive_connections',
        'outstanding_requests',
        'avg_latency',
        'open_file_descriptor_count',
        'zkops_node_up',
        'zkops_node_serving',
      ])
        expect(text, `${name}${l}`).toContain(`${name}${l} `);
      expect(text).toContain(`election_time_count${l} 1`);
    }
    expect(text).toMatch(/^synced_followers\{cluster="mon",instance="[^"]+"\} 2$/m);
    expect(text).toContain('zkops_cluster_quorum{cluster="mon"} 1');
    expect(text).toContain('zkops_cluster_leaders{cluster="mon"} 1');
    expect(text).not.toMatch(/^zk_/m);
    // Five scrapers at once share one poll: the same poll count in every answer.
    const polls = (await Promise.all([1, 2, 3, 4, 5].map(metricsText))).map(
      (t) => /^zkops_exporter_polls_total\{cluster="mon"\} (\d+)$/m.exec(t)?.[1],
    );
    expect(new Set(polls).size, polls.join(',')).toBe(1);
  });

  it('Prometheus scrapes every node and loads the rules', async () => {
    await until('three nodes in Prometheus', 30_000, async () => {
      const r = await promApi(`/api/v1/query?query=${encodeURIComponent('count(znode_count{cluster="mon"})')}`);
      return r.result[0]?.value[1] === '3' ? true : undefined;
    });
    const rules = (await promApi('/api/v1/rules')).groups.flatMap((g: any) => g.rules.map((r: any) => r.name));
    for (const name of [
      'ZooKeeperServerDown',
      'ZooKeeperQuorumLost',
      'ZooKeeperTwoLeaders',
      'ZooKeeperNodeNotServing',
      'ZooKeeperCertificateExpiring',
      'ZooKeeperDiskFilling',
    ])
      expect(rules).toContain(name);
    const health = (await promApi('/api/v1/rules')).groups.flatMap((g: any) => g.rules.map((r: any) => r.health));
    expect(health.filter((h: string) => h !== 'ok')).toEqual([]);
  });

  it('kill -9 of a node fires the node-down alert for it; starting it clears the alert', async () => {
    const [pid] = await serversUnder(path.join(cwd, '.zkops/mon/node-2/'));
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const fired = await until(
      'ZooKeeperServerDown firing',
      30_000,
      firing('ZooKeeperServerDown', { instance: instance(2) }),
      250,
    );
    expect(fired.ms).toBeLessThan(15_000);
    // The other two still form a quorum: no quorum alert.
    expect(await alerts('ZooKeeperQuorumLost', 'firing')).toEqual([]);
    const start = await zkops(cwd, ['start', '2']);
    expect(start.code, start.stderr).toBe(0);
    await until('ZooKeeperServerDown cleared', 30_000, cleared('ZooKeeperServerDown'), 250);
  });

  it('two of three stopped fire quorum-lost; starting them clears it', async () => {
    const stop = await zkops(cwd, ['stop', '1', '3', '--force']);
    expect(stop.code, stop.stderr).toBe(0);
    await until('ZooKeeperQuorumLost firing', 30_000, firing('ZooKeeperQuorumLost', { cluster: 'mon' }), 250);
    await until('ZooKeeperServerDown firing for both', 30_000, async () =>
      (await alerts('ZooKeeperServerDown', 'firing')).length === 2 ? true : undefined,
    );
    const start = await zkops(cwd, ['start']);
    expect(start.code, start.stderr).toBe(0);
    await until('ZooKeeperQuorumLost cleared', 30_000, cleared('ZooKeeperQuorumLost'), 250);
    await until('ZooKeeperServerDown cleared', 30_000, cleared('ZooKeeperServerDown'), 250);
  });

  it('zkops top under tmux: a row per node, a node killed with -9 shown down within 2 s', async () => {
    const tmux = (...args: string[]) =>
      execFileSync('tmux', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    tmux('new-session', '-d', '-s', TOP, '-x', '160', '-y', '30', '-c', cwd, `NO_COLOR=1 node ${BIN} top`);
    const screen = () => tmux('capture-pane', '-p', '-t', TOP);
    await until('three nodes on screen', 20_000, async () => {
      const rows = screen()
        .split('\n')
        .filter((l) => /^\d+\s+127\.0\.0\.1:\d+\s+(leader|follower)\s/.test(l));
      return rows.length === 3 ? true : undefined;
    });
    expect(screen()).toContain('cluster mon: healthy');
    const [pid] = await serversUnder(path.join(cwd, '.zkops/mon/node-1/'));
    process.kill(pid!, 'SIGKILL');
    const shown = await until(
      'node 1 down on screen',
      10_000,
      async () =>
        new RegExp(`^1\\s+${instance(1).replace(/\./g, '\\.')}\\s+down\\s`, 'm').test(screen()) ? true : undefined,
      100,
    );
    expect(shown.ms).toBeLessThan(2000);
    tmux('send-keys', '-t', TOP, 'C-c');
    await until('top quits on Ctrl-C', 10_000, async () => {
      try {
        tmux('has-session', '-t', TOP);
        return undefined;
      } catch {
        return true;
      }
    });
    const start = await zkops(cwd, ['start', '1']);
    expect(start.code, start.stderr).toBe(0);
  });
});

describe('zkops exporter with a web config file (bcrypt basic auth, TLS) and --install', () => {
  /** One HTTPS request trusting `ca`: status and body. */
  const get = (url: string, ca: string, auth?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.get(url, { ca, headers: auth ? { authorization: `Basic ${btoa(auth)}` } : {} }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });

  it('asks for the bcrypt user over HTTPS, leaves /-/healthy open; --install writes a unit whose command serves', async () => {
    const wdir = mkdtempSync(path.join(os.tmpdir(), 'zkops-web-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        path.join(wdir, 'key.pem'),
        '-out',
        path.join(wdir, 'cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const ca = readFileSync(path.join(wdir, 'cert.pem'), 'utf8');
    // The hash as `htpasswd -nBC 10` writes it ($2y$), made by the system's crypt(3) ($2b$, the same algorithm).
    const hash = execFileSync(
      'python3',
      [
        '-W',
        'ignore',
        '-c',
        'import crypt; print(crypt.crypt("pr0m", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .replace('$2b$', '$2y$');
    const web = path.join(wdir, 'web.yml');
    writeFileSync(
      web,
      `basic_auth_users:\n  prom: '${hash}'\ntls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n`,
    );
    const port = await freePort();
    const args = ['--listen', `127.0.0.1:${port}`, '--doctor-interval', '0', '--web-config-file', web];
    const unitFile = '/etc/systemd/system/zkops-exporter-mon.service';
    let served: ResultPromise | undefined;
    try {
      const install = await zkops(cwd, ['exporter', '--install', ...args]);
      expect(install.code, install.stderr).toBe(0);
      // No systemd on the test machine: the unit is written, nothing started, and the command to run is printed.
      expect(install.stdout).toContain(`${unitFile} written on this machine, but systemd does not run there`);
      const unit = readFileSync(unitFile, 'utf8');
      expect(unit).toContain(`"exporter" "--cluster" "mon" "--listen" "127.0.0.1:${port}"`);
      expect(unit).toContain(`"--web-config-file" "${web}"`);
      const run = install.stdout.trim().split('\n').pop()!.trim();
      served = execa('sh', ['-c', run], { reject: false });
      const url = `https://127.0.0.1:${port}`;
      await until('the installed command serves HTTPS', 20_000, async () =>
        (await get(`${url}/-/healthy`, ca).catch(() => undefined))?.status === 200 ? true : undefined,
      );
      expect((await get(`${url}/metrics`, ca)).status).toBe(401);
      expect((await get(`${url}/metrics`, ca, 'prom:wrong')).status).toBe(401);
      expect((await get(`${url}/metrics`, ca, 'other:pr0m')).status).toBe(401);
      const ok = await get(`${url}/metrics`, ca, 'prom:pr0m');
      expect(ok.status).toBe(200);
      expect(ok.body).toMatch(/^zkops_node_up\{cluster="mon",instance="127\.0\.0\.1:29181"\} 1$/m);
      // Plain HTTP on the TLS port gets no metrics.
      const plain = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.status,
        () => 0,
      );
      expect(plain).not.toBe(200);
    } finally {
      served?.kill('SIGTERM');
      await served;
      rmSync(unitFile, { force: true });
    }
  });
});

describe("monitoring.provider on Debian's 3.8.0 (no provider jar)", () => {
  it('is refused by the preflight in one paragraph, before anything is written or started', async () => {
    const pcwd = workdir('monitoring-provider');
    const inv = path.join(pcwd, 'provider.yaml');
    writeFileSync(inv, `name: monprov\npseudo: { count: 3, basePort: 29381 }\nmonitoring: { provider: true }\n`);
    const up = await zkops(pcwd, ['deploy', '-i', inv]);
    expect(up.code).toBe(4);
    expect(up.stderr).toContain(
      'monitoring.provider is on, but ZooKeeper 3.8.0 at /usr/share/zookeeper has no ' +
        'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider on its class path',
    );
    expect(up.stderr).toContain('Preflight failed; nothing was written or started.');
    expect(existsSync(path.join(pcwd, '.zkops', 'monprov', 'node-1', 'conf', 'zoo.cfg'))).toBe(false);
    expect(await serversUnder(pcwd)).toEqual([]);
  });
});

describe('zkops exporter over a TLS-only cluster', () => {
  const TLS_BASE = 29281;
  let tlsCwd = '';
  let inventory = '';
  let env: Record<string, string> = {};
  let tlsExporter: ResultPromise | undefined;

  beforeAll(async () => {
    tlsCwd = workdir('monitoring-tls');
    inventory = path.join(tlsCwd, 'tls.yaml');
    // Secrets in this test's directory, not the user's.
    env = { XDG_DATA_HOME: path.join(tlsCwd, 'share') };
    writeFileSync(
      inventory,
      `name: montls\npseudo: { count: 3, basePort: ${TLS_BASE} }\njava: { heap: 128m }\nsecurity: { tls: true }\n`,
    );
    const up = await zkops(tlsCwd, ['deploy', '-i', inventory], env);
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });
  afterAll(async () => {
    tlsExporter?.kill('SIGTERM');
    await tlsExporter;
    await zkops(tlsCwd, ['destroy', '--yes', '-i', inventory], env);
    await killServersUnder(tlsCwd);
  });

  it("reads every node with zkops's client certificate and exports the certificates' days left", async () => {
    // The client ports speak only TLS: a plain-text srvr gets nothing.
    const plain = await new Promise<string>((resolve) => {
      let text = '';
      const s = net.connect({ host: '127.0.0.1', port: TLS_BASE }, () => s.end('srvr'));
      s.setTimeout(3000, () => s.destroy());
      s.on('data', (d) => (text += d));
      s.on('error', () => resolve(text));
      s.on('close', () => resolve(text));
    });
    expect(plain).not.toContain('Mode:');
    tlsExporter = execa(
      'node',
      [BIN, 'exporter', '-i', inventory, '--listen', '127.0.0.1:0', '--doctor-interval', '0'],
      {
        cwd: tlsCwd,
        reject: false,
        env: { NO_COLOR: '1', ...env },
      },
    );
    let printed = '';
    tlsExporter.stdout!.on('data', (d) => (printed += d));
    const { value: url } = await until(
      'the exporter prints its address',
      20_000,
      async () => /on (http:\S+)/.exec(printed)?.[1],
    );
    expect(url).toMatch(/\/metrics$/);
    const text = await until('three serving nodes over TLS', 20_000, async () => {
      const t = await (await fetch(url)).text();
      return (t.match(/^zkops_node_serving\{cluster="montls",[^}]*\} 1$/gm) ?? []).length === 3 ? t : undefined;
    });
    for (const id of [1, 2, 3])
      expect(text.value).toMatch(
        new RegExp(`^znode_count\\{cluster="montls",instance="127\\.0\\.0\\.1:${TLS_BASE + id - 1}"\\} \\d+$`, 'm'),
      );
    expect(text.value).toContain('zkops_cluster_quorum{cluster="montls"} 1');
    for (const cert of ['ca', 'node-1', 'node-2', 'node-3', 'zkops-client']) {
      const days = new RegExp(
        `^zkops_tls_certificate_days_left\\{cluster="montls",certificate="${cert}"\\} (\\d+)$`,
        'm',
      ).exec(text.value);
      expect(Number(days?.[1]), cert).toBeGreaterThan(30);
    }
  });
});
