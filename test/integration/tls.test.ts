/**
 * TLS and authentication, with real servers (Debian's ZooKeeper 3.8.0) and
 * real clients that are not zkops's: Node's own TLS, ZooKeeper's Java client
 * with the configuration `zkops certs client` writes, and node-zookeeper-client
 * through a TLS tunnel written for the tests.
 * - A pseudo-cluster with security.tls, quorumAuth and superUser: a quorum over
 *   TLS; secrets private and never printed; a client with the cluster's
 *   certificate writes and reads; a client without one, a plain-text client,
 *   and a server whose certificate comes from another CA are refused, each
 *   seen refused (alert, closed connection, the peers' logs), not timed out; a
 *   server without the quorum secret is shut out; the super user reads what
 *   an ACL closes to others; status and doctor work over TLS; doctor reports
 *   certificates that end within 30 days and `certs rotate` renews them.
 * - A running plain pseudo-cluster switched to TLS (and back) by deploy,
 *   under an independent writer: every acknowledged write on every node.
 * - Three SSH test hosts, servers under their own account: an ensemble
 *   deployed with TLS and quorum SASL; keys readable by that account's group
 *   only; status, smoke and doctor over TLS; plain text refused from a peer.
 * - The same in three containers.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { execa } from 'execa';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServersUnder, workdir, zkops, zkopsJson } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';
import { onHost } from '../helpers/hosts.mjs';
import { ensureDockerd, tagAsDefaultImage } from '../helpers/docker.mjs';
import { sleep, until } from '../helpers/poll.js';
import { tlsTunnels } from '../helpers/tls-tunnel.mjs';
import { missingWrites, Writer } from '../helpers/writer.mjs';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

/** ZooKeeper's own Java client (Debian's jar; its zkCli.sh leaves out the Netty jars TLS needs). */
const JAVA_CLIENT_CLASSPATH = [
  'zookeeper.jar',
  'netty-codec.jar',
  'netty-resolver.jar',
  'netty-transport-native-unix-common.jar',
  'slf4j-log4j12.jar',
  'log4j-1.2.jar',
]
  .map((j) => `/usr/share/java/${j}`)
  .join(':');

async function javaClient(properties: string, server: string, ...command: string[]) {
  const r = await execa(
    'java',
    [
      '-cp',
      JAVA_CLIENT_CLASSPATH,
      'org.apache.zookeeper.ZooKeeperMain',
      '-client-configuration',
      properties,
      '-server',
      server,
      ...command,
    ],
    { reject: false, timeout: 60_000 },
  );
  return `${r.stdout}\n${r.stderr}`;
}

/** A TLS connection's fate: the answer to srvr, or the error that ended it, and whether our timer did. */
function tlsAttempt(port: number, options: tls.ConnectionOptions): Promise<{ answer: string; error?: string }> {
  return new Promise((resolve) => {
    let answer = '';
    let error: string | undefined;
    const s = tls.connect({ host: '127.0.0.1', port, ...options });
    s.setTimeout(10_000, () => s.destroy(new Error('TIMEOUT')));
    s.on('secureConnect', () => s.write('srvr'));
    s.on('data', (d) => (answer += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => resolve({ answer, error }));
  });
}

/**
 * What a plain-text client sends first: `srvr`, or a session's ConnectRequest (length-prefixed: protocol
 * version, last zxid, timeout, session id, a 16-byte password, read-only flag).
 */
function plainAttempt(port: number, first: 'srvr' | 'connect' = 'srvr'): Promise<{ answer: string; error?: string }> {
  const connect = Buffer.alloc(4 + 45);
  connect.writeInt32BE(45, 0);
  connect.writeInt32BE(30_000, 4 + 12);
  connect.writeInt32BE(16, 4 + 24);
  return new Promise((resolve) => {
    let answer = '';
    let error: string | undefined;
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(10_000, () => s.destroy(new Error('TIMEOUT')));
    s.on('connect', () => s.write(first === 'srvr' ? 'srvr' : connect));
    s.on('data', (d) => (answer += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => resolve({ answer, error }));
  });
}

const call = <T>(fn: (cb: (err: Error | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** A node-zookeeper-client session, optionally authenticated (digest "user:password"). */
async function session(servers: string, auth?: string) {
  const client = zookeeper.createClient(servers, { sessionTimeout: 6000, spinDelay: 100, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no session with ${servers}`)), 20_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  if (auth) client.addAuthInfo('digest', Buffer.from(auth));
  return client;
}

/**
 * `zkops deploy` switching a running plain ensemble to TLS, under an independent writer: the writer's client
 * certificate comes from the CA the deploy makes first (`certs client`), and its tunnel carries each connection
 * over TLS, or in plain text to a server not yet switched. Returns the writer's report and the tunnels (open).
 */
async function switchOnUnderWrites(cwd: string, inventory: string, secrets: string, servers: string[]) {
  const deploy = execa('node', [path.resolve('bin/zkops.js'), 'deploy', '-i', inventory], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  await until('the cluster CA and client certificate', 30_000, async () =>
    statSync(path.join(secrets, 'zkops-client.crt'), { throwIfNoEntry: false }) ? true : undefined,
  );
  const material = path.join(cwd, 'writer');
  const issued = await zkops(cwd, ['certs', 'client', 'writer', '-o', material, '-i', inventory]);
  expect(issued.code, issued.stderr).toBe(0);
  const tunnels = await tlsTunnels(
    servers,
    {
      ca: readFileSync(path.join(secrets, 'ca.crt')),
      key: readFileSync(path.join(material, 'writer.key')),
      cert: readFileSync(path.join(material, 'writer.crt')),
    },
    { fallback: true },
  );
  const writer = new Writer(tunnels.servers.join(','));
  await writer.start();
  let report: Awaited<ReturnType<Writer['stop']>> | undefined;
  try {
    const done = await deploy;
    expect(done.exitCode, `${done.stdout}\n${done.stderr}`).toBe(0);
    const acked = writer.acked.length;
    await until('writes after the switch', 30_000, async () => (writer.acked.length > acked + 20 ? true : undefined));
    report = await writer.stop();
  } finally {
    report ??= await writer.stop();
  }
  return { report, tunnels };
}

describe('a TLS pseudo-cluster with quorum SASL and a super user', () => {
  let cwd = '';
  let inventory = '';
  let env: Record<string, string> = {};
  let secrets = '';
  const base = 20181;
  const clientPorts = [0, 1, 2].map((i) => base + i);
  const nodeDir = (id: number) => path.join(cwd, '.zkops', 'tlsp', `node-${id}`);
  const inventoryText = (certDays = 365) =>
    'name: tlsp\n' +
    `pseudo: { count: 3, basePort: ${base} }\n` +
    'java: { heap: 128m }\n' +
    `security: { tls: true, quorumAuth: true, superUser: true, certDays: ${certDays} }\n`;
  const run = (args: string[]) => zkops(cwd, [...args, '-i', inventory], env);
  const runJson = (args: string[]) => zkopsJson(cwd, [...args, '-i', inventory], env);

  beforeAll(async () => {
    cwd = workdir('tls');
    inventory = path.join(cwd, 'tls.yaml');
    // The default place for secrets ($XDG_DATA_HOME/zkops/<name>), inside this test's directory.
    env = { XDG_DATA_HOME: path.join(cwd, 'share') };
    secrets = path.join(cwd, 'share', 'zkops', 'tlsp');
    writeFileSync(inventory, inventoryText());
    // A key and self-signed certificate of another CA, for the clients and servers that must be refused.
    const other = path.join(cwd, 'other-ca');
    mkdirSync(other);
    const { stdout: otherKey } = await execa('openssl', ['genrsa', '2048']);
    writeFileSync(path.join(other, 'key.pem'), otherKey);
    await execa('openssl', [
      ...['req', '-x509', '-new', '-key', path.join(other, 'key.pem'), '-days', '30'],
      ...['-subj', '/CN=not the cluster CA', '-out', path.join(other, 'cert.pem')],
    ]);
  });
  afterAll(async () => {
    await run(['destroy', '--yes']);
    await killServersUnder(cwd);
  });

  it('forms a quorum over TLS only, with its secrets private and never printed', async () => {
    const up = await run(['deploy']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const cfg = readFileSync(path.join(nodeDir(1), 'conf', 'zoo.cfg'), 'utf8');
    expect(cfg).toMatch(new RegExp(`^secureClientPort=${base}$`, 'm'));
    expect(cfg).not.toMatch(/^clientPort=/m);
    expect(cfg).toMatch(/^sslQuorum=true$/m);
    expect(cfg).toMatch(/^quorum\.auth\.serverRequireSasl=true$/m);
    expect(cfg).not.toMatch(/portUnification/);
    expect(mode(secrets)).toBe('700');
    for (const f of ['ca.key', 'node-1.key', 'zkops-client.key', 'quorum.password', 'super.password'])
      expect(mode(path.join(secrets, f)), f).toBe('600');
    for (const f of ['node.pem', 'jaas.conf']) expect(mode(path.join(nodeDir(2), 'conf', f)), f).toBe('600');
    const quorumSecret = readFileSync(path.join(secrets, 'quorum.password'), 'utf8').trim();
    const superSecret = readFileSync(path.join(secrets, 'super.password'), 'utf8').trim();
    const status = await runJson(['status']);
    expect(status.code).toBe(0);
    expect(status.json.nodes.map((n: any) => n.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    // Under the connect string, deploy and status say what a client needs there, and how to get it.
    expect(up.stdout.replace(/\s+/g, ' ')).toContain(
      "Clients need TLS here, with a certificate from the cluster's CA (the client ports take nothing else): " +
        '`zkops certs client NAME -o DIR` writes one',
    );
    expect(status.json.clientAccess).toContain('zkops certs client NAME -o DIR');
    const doctor = await run(['doctor']);
    expect(doctor.stdout).toMatch(/ok\s+quorum: healthy/);
    expect(doctor.stdout).toMatch(
      /ok\s+tls: every certificate valid for more than 30 days, signed by the cluster's CA/,
    );
    for (const text of [up.stdout, up.stderr, doctor.stdout, JSON.stringify(status.json)]) {
      expect(text).not.toContain(quorumSecret);
      expect(text).not.toContain(superSecret);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });

  it('a client with a certificate from `certs client` writes and reads (ZooKeeper Java client)', async () => {
    const out = path.join(cwd, 'app');
    const issued = await runJson(['certs', 'client', 'orders', '-o', out]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(mode(path.join(out, 'orders.key'))).toBe('600');
    const again = await run(['certs', 'client', 'orders', '-o', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exist');
    const props = path.join(out, 'orders.properties');
    expect(await javaClient(props, `127.0.0.1:${clientPorts[0]}`, 'create', '/orders', 'hello-tls')).toContain(
      'Created /orders',
    );
    expect(await javaClient(props, `127.0.0.1:${clientPorts[2]}`, 'get', '/orders')).toMatch(/^hello-tls$/m);
  });

  it('refuses a client without a certificate, a plain-text client, and a certificate from another CA', async () => {
    const ca = readFileSync(path.join(secrets, 'ca.crt'));
    const port = clientPorts[1]!;
    const noCert = await tlsAttempt(port, { ca });
    expect(noCert.answer).toBe('');
    expect(noCert.error).toMatch(/ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)/);
    // A plain-text session's first packet: the server closes the connection (not our timer).
    const plain = await plainAttempt(port, 'connect');
    expect(plain).toEqual({ answer: '', error: undefined });
    const other = path.join(cwd, 'other-ca');
    const wrongCa = await tlsAttempt(port, {
      ca,
      key: readFileSync(path.join(other, 'key.pem')),
      cert: readFileSync(path.join(other, 'cert.pem')),
    });
    expect(wrongCa.answer).toBe('');
    expect(wrongCa.error).toMatch(/ALERT_(CERTIFICATE_UNKNOWN|UNKNOWN_CA|BAD_CERTIFICATE)/);
    // The same client with the cluster's certificate is answered.
    const zkopsClient = await tlsAttempt(port, {
      ca,
      key: readFileSync(path.join(secrets, 'zkops-client.key')),
      cert: readFileSync(path.join(secrets, 'zkops-client.crt')),
    });
    expect(zkopsClient.answer).toMatch(/^Mode: (leader|follower)$/m);
  });

  it('shuts out a server whose certificate is from another CA, and doctor names it; deploy repairs', async () => {
    expect((await run(['stop', '3'])).code).toBe(0);
    // Node 3's key store replaced by a key and certificate from another CA (made for this test).
    const other = path.join(cwd, 'other-ca');
    const key = readFileSync(path.join(other, 'key.pem'), 'utf8');
    const cert = readFileSync(path.join(other, 'cert.pem'), 'utf8');
    writeFileSync(path.join(nodeDir(3), 'conf', 'node.pem'), `${key}${cert}`, { mode: 0o600 });
    expect((await run(['start', '3', '--timeout', '5'])).code).not.toBe(0); // started, but it never joins
    // Its peers refuse it: their logs say so (a refusal, not a silence).
    await until('a peer refusing node 3', 30_000, async () => {
      const logs = [1, 2].map((id) => readFileSync(path.join(nodeDir(id), 'logs', 'zookeeper.log'), 'utf8'));
      return logs.some((l) => /unable to find valid certification path|certificate_unknown|PKIX path/.test(l))
        ? true
        : undefined;
    });
    const status = await runJson(['status']);
    expect(status.json.verdict.status).toBe('degraded');
    expect(status.json.nodes[2].mode).not.toMatch(/leader|follower/);
    const doctor = await run(['doctor']);
    expect(doctor.code).not.toBe(0);
    expect(doctor.stdout).toMatch(/FAIL\s+tls: node 3: the certificate of node 3 is not signed by the cluster's CA/);
    const repair = await runJson(['deploy']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.json.healthy).toBe(true);
  });

  it('shuts out a server without the quorum secret', async () => {
    expect((await run(['stop', '3'])).code).toBe(0);
    const jaas = path.join(nodeDir(3), 'conf', 'jaas.conf');
    writeFileSync(jaas, readFileSync(jaas, 'utf8').replace(/"[^"]{20,}"/g, '"not-the-secret"'), { mode: 0o600 });
    await run(['start', '3', '--timeout', '5']);
    await until('the leader refusing node 3', 30_000, async () => {
      const logs = [1, 2].map((id) => readFileSync(path.join(nodeDir(id), 'logs', 'zookeeper.log'), 'utf8'));
      return logs.some((l) => /Server failed to authenticate quorum learner|Failed to authenticate using SASL/.test(l))
        ? true
        : undefined;
    });
    const status = await runJson(['status']);
    expect(status.json.nodes[2].mode).not.toMatch(/leader|follower/);
    const repair = await runJson(['deploy']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.json.healthy).toBe(true);
  });

  it('the super user reads a znode an ACL closes to everyone else', async () => {
    const creds = {
      ca: readFileSync(path.join(secrets, 'ca.crt')),
      key: readFileSync(path.join(cwd, 'app', 'orders.key')),
      cert: readFileSync(path.join(cwd, 'app', 'orders.crt')),
    };
    const tunnels = await tlsTunnels(
      clientPorts.map((p) => `127.0.0.1:${p}`),
      creds,
    );
    const servers = tunnels.servers.join(',');
    const alice = await session(servers, 'alice:wonderland');
    const stranger = await session(servers);
    const superPw = readFileSync(path.join(secrets, 'super.password'), 'utf8').trim();
    const root = await session(servers, `super:${superPw}`);
    try {
      const hash = createHash('sha1').update('alice:wonderland').digest('base64');
      const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', `alice:${hash}`))];
      await call((cb) => alice.create('/locked', Buffer.from('secret-data'), acl, zookeeper.CreateMode.PERSISTENT, cb));
      // Each session may be on another server, one that has not applied the create yet (ZooKeeper's reads are not
      // linearizable, and this client has no sync()): each waits until its server has the znode.
      for (const c of [stranger, root])
        await until('the znode visible to every session', 10_000, async () =>
          (await call((cb) => c.exists('/locked', cb))) ? true : undefined,
        );
      const refused = await call((cb) => stranger.getData('/locked', cb)).catch((e) => e);
      expect(refused.code).toBe(zookeeper.Exception.NO_AUTH);
      const read = await call<Buffer>((cb) => root.getData('/locked', cb));
      expect(read.toString()).toBe('secret-data');
      expect(tunnels.tlsConnections()).toBeGreaterThanOrEqual(3);
    } finally {
      for (const c of [alice, stranger, root]) c.close();
      await sleep(200);
      await tunnels.close();
    }
  });

  it('doctor reports certificates that end within 30 days; certs rotate renews them one node at a time', async () => {
    writeFileSync(inventory, inventoryText(10));
    const short = await runJson(['certs', 'rotate']);
    expect(short.code, short.stderr).toBe(0);
    expect(short.json.healthy).toBe(true);
    expect(short.json.nodes.map((n: any) => n.action)).toEqual(['restarted', 'restarted', 'restarted']);
    const doctor = await run(['doctor']);
    expect(doctor.stdout).toMatch(/warn\s+tls: node 1: the certificate of node 1 expires in (9|10) days/);
    expect(doctor.stdout).toContain('zkops certs rotate');
    const list = await runJson(['certs', 'list']);
    expect(list.json.certificates.find((c: any) => c.cert === 'node 2').daysLeft).toBeLessThanOrEqual(10);
    writeFileSync(inventory, inventoryText(365));
    const renewed = await runJson(['certs', 'rotate']);
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.json.healthy).toBe(true);
    const after = await runJson(['certs', 'list']);
    for (const c of after.json.certificates.filter((x: any) => x.cert.startsWith('node ')))
      expect(c.daysLeft).toBeGreaterThan(360);
    expect((await run(['doctor'])).stdout).toMatch(/ok\s+tls: every certificate valid for more than 30 days/);
    // The application's certificate from the same CA still works after the rotation.
    expect(
      await javaClient(path.join(cwd, 'app', 'orders.properties'), `127.0.0.1:${clientPorts[1]}`, 'get', '/orders'),
    ).toMatch(/^hello-tls$/m);
  });
});

describe('a running plain pseudo-cluster switched to TLS and back, under writes', () => {
  let cwd = '';
  let inventory = '';
  const base = 20281;
  const servers = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`);
  const write = (tlsOn: boolean) =>
    writeFileSync(
      inventory,
      `name: tlsswitch\npseudo: { count: 3, basePort: ${base} }\njava: { heap: 128m }\n` +
        `security: { tls: ${tlsOn}, quorumAuth: ${tlsOn}, dir: ./secrets }\n`,
    );
  beforeAll(async () => {
    cwd = workdir('tls-switch');
    inventory = path.join(cwd, 'switch.yaml');
    write(false);
    const up = await zkops(cwd, ['deploy', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
    await killServersUnder(cwd);
  });

  it('turns TLS and quorum SASL on in rolling steps; every acknowledged write stays', async () => {
    write(true);
    const dry = await zkops(cwd, ['deploy', '--dry-run', '-i', inventory]);
    expect(dry.stdout).toContain('Security switch, each step a rolling restart before the final one:');
    expect(dry.stdout).toContain('1. TLS accepted beside plain text, no quorum auth');
    const { report, tunnels } = await switchOnUnderWrites(cwd, inventory, path.join(cwd, 'secrets'), servers);
    for (const id of [1, 2, 3]) {
      const cfg = readFileSync(path.join(cwd, '.zkops', 'tlsswitch', `node-${id}`, 'conf', 'zoo.cfg'), 'utf8');
      expect(cfg).toMatch(/^secureClientPort=/m);
      expect(cfg).toMatch(/^quorum\.auth\.serverRequireSasl=true$/m);
    }
    expect(await plainAttempt(base, 'connect')).toEqual({ answer: '', error: undefined });
    console.log(
      `plain → TLS + quorum SASL (5 rolling steps): ${report.acknowledged.length} writes acknowledged, ` +
        `${report.failed} failed, longest gap ${report.longestGapMs} ms; tunnel connections: ` +
        `${tunnels.plainConnections()} plain, ${tunnels.tlsConnections()} TLS`,
    );
    expect(tunnels.tlsConnections()).toBeGreaterThan(0);
    expect(report.acknowledged.length).toBeGreaterThan(50);
    expect(await missingWrites(tunnels.servers, report.acknowledged), 'acknowledged writes missing').toEqual({});
    await tunnels.close();
  });

  it('turns them off again the same way; the keys leave the nodes', async () => {
    write(false);
    const tunnels = await tlsTunnels(
      servers,
      {
        ca: readFileSync(path.join(cwd, 'secrets', 'ca.crt')),
        key: readFileSync(path.join(cwd, 'writer', 'writer.key')),
        cert: readFileSync(path.join(cwd, 'writer', 'writer.crt')),
      },
      { fallback: true },
    );
    const tunnelled = new Writer(tunnels.servers.join(','));
    await tunnelled.start();
    let report: Awaited<ReturnType<Writer['stop']>> | undefined;
    try {
      const off = await zkopsJson(cwd, ['deploy', '-i', inventory]);
      expect(off.code, off.stderr).toBe(0);
      expect(off.json.healthy).toBe(true);
      report = await tunnelled.stop();
    } finally {
      report ??= await tunnelled.stop();
    }
    for (const id of [1, 2, 3]) {
      const conf = path.join(cwd, '.zkops', 'tlsswitch', `node-${id}`, 'conf');
      expect(readFileSync(path.join(conf, 'zoo.cfg'), 'utf8')).toMatch(/^clientPort=/m);
      expect(statSync(path.join(conf, 'node.pem'), { throwIfNoEntry: false })).toBeUndefined();
      expect(statSync(path.join(conf, 'jaas.conf'), { throwIfNoEntry: false })).toBeUndefined();
    }
    expect((await plainAttempt(base)).answer).toMatch(/^Mode: /m);
    expect(report.acknowledged.length).toBeGreaterThan(20);
    await tunnels.close();
    expect(await missingWrites(servers, report.acknowledged), 'acknowledged writes missing').toEqual({});
  });
});

describe('TLS with quorum SASL on three SSH hosts, servers under their own account', () => {
  const ctx = useLab('tl', 3);
  let inventory = '';
  const secrets = () => path.join(ctx.cwd, 'secrets');
  const write = (on: boolean) =>
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'tlsssh',
        extra: [`security: { tls: ${on}, quorumAuth: ${on}, dir: ${JSON.stringify(secrets())} }`],
      }),
    );
  // The rolling switch from plain text under writes is the pseudo-cluster's test above (the steps are the same
  // operations whatever the executor); here TLS is deployed at once, for what differs on real hosts: key files
  // shipped over SSH, owned for a server account, and reached from other hosts.
  beforeAll(async () => {
    inventory = path.join(ctx.cwd, 'tls-ssh.yaml');
    write(true);
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.healthy).toBe(true);
  });

  it('keys readable by the servers group only; status, smoke and doctor over TLS; plain text refused', async () => {
    const status = await zkopsJson(ctx.cwd, ['status', '-i', inventory]);
    expect(status.code).toBe(0);
    const pem = '/opt/zookeeper/node-1/conf/node.pem';
    const perms = await onHost(ctx.lab.hosts[0]!, `stat -c '%a %U %G' ${pem}; ps -o user= -C java | sort -u`);
    expect(perms).toMatch(/^640 root zookeeper$/m);
    expect(perms).toMatch(/^zookeeper$/m);
    const smoke = await zkopsJson(ctx.cwd, ['smoke', '-i', inventory]);
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(smoke.json.checks.every((c: any) => c.ok)).toBe(true);
    const doctor = await zkops(ctx.cwd, ['doctor', '-i', inventory]);
    expect(doctor.stdout).toMatch(/ok\s+quorum: healthy/);
    expect(doctor.stdout).toMatch(/ok\s+tls: every certificate valid/);
    // From another host, a plain-text session's first packet: the server closes the connection.
    const connect = JSON.stringify([0, 0, 0, 45, ...new Array(45).fill(0)]);
    const plain =
      `require('net').connect(2181,'${ctx.lab.hosts[0]!.ip}')` +
      `.on('connect',function(){this.write(Buffer.from(${connect}))})` +
      `.on('data',d=>process.stdout.write(d)).on('close',()=>process.stdout.write('[closed]'))`;
    expect(await onHost(ctx.lab.hosts[1]!, `node -e ${JSON.stringify(plain)}`)).toBe('[closed]');
  });
});

describe('TLS with quorum SASL in containers (executor docker), the default image name', () => {
  let cwd = '';
  let inventory = '';
  const base = 20381;
  beforeAll(async () => {
    await ensureDockerd();
    // No docker.image: the default name (zookeeper:3.8), here the test image with the official one's account.
    await tagAsDefaultImage();
    cwd = workdir('tls-docker');
    inventory = path.join(cwd, 'tls-docker.yaml');
    writeFileSync(
      inventory,
      'name: tlsdock\nexecutor: docker\n' +
        `pseudo: { count: 3, basePort: ${base} }\njava: { heap: 128m }\n` +
        'security: { tls: true, quorumAuth: true, dir: ./secrets }\n',
    );
  }, 300_000);
  afterAll(async () => {
    await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
  });

  it('forms a quorum over TLS; smoke and status over TLS; a plain-text session is refused', async () => {
    const up = await zkopsJson(cwd, ['deploy', '-i', inventory]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.healthy).toBe(true);
    const inside = await execa('docker', [
      ...['exec', 'zkops-tlsdock-1', 'sh', '-c'],
      "grep -E '^(secureClientPort|sslQuorum|quorum.auth.serverRequireSasl)=' /conf/zoo.cfg; " +
        "stat -c '%a %U' /conf/node.pem /conf/jaas.conf; " +
        // The server (pid 1, exec'd by the entrypoint) runs as the image's zookeeper account, not root.
        "stat -c '%U' /proc/1",
    ]);
    expect(inside.stdout.split('\n')).toEqual([
      'secureClientPort=2181',
      'sslQuorum=true',
      'quorum.auth.serverRequireSasl=true',
      '600 zookeeper',
      '600 zookeeper',
      'zookeeper',
    ]);
    expect(
      (
        await execa('docker', ['inspect', '--format', '{{index .Config.Labels "zkops.image"}}', 'zkops-tlsdock-1'])
      ).stdout.trim(),
    ).toBe('zookeeper:3.8');
    const smoke = await zkopsJson(cwd, ['smoke', '-i', inventory]);
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(await plainAttempt(base, 'connect')).toEqual({ answer: '', error: undefined });
  });
});
