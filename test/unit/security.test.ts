/**
 * The pure parts of TLS and quorum SASL: the rolling switch's levels, what
 * each level renders, the certificates the cluster CA issues, the digest.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { renderNodeFiles, type HostFacts } from '../../src/render/node.js';
import { certInfo, signedBy } from '../../src/security/certs.js';
import { createCa, issue } from '../../src/security/pki.js';
import { runningLevels, securitySteps, type SecurityLevels } from '../../src/security/levels.js';
import { digest, nodeNames } from '../../src/security/secrets.js';

const l = (tls: number, sasl: number) => ({ tls, sasl }) as SecurityLevels;

describe('the rolling switch', () => {
  it('walks up one level at a time, TLS first, then SASL; the final roll brings the target', () => {
    expect(securitySteps([l(0, 0), l(0, 0), l(0, 0)], l(3, 3))).toEqual([l(1, 0), l(2, 0), l(3, 1), l(3, 2)]);
  });
  it('walks down the same way', () => {
    expect(securitySteps([l(3, 3), l(3, 3)], l(0, 0))).toEqual([l(2, 3), l(1, 3), l(0, 2), l(0, 1)]);
  });
  it('needs no step when nothing runs, or everything runs at the target, or one level away', () => {
    expect(securitySteps([], l(3, 3))).toEqual([]);
    expect(securitySteps([l(3, 3), l(3, 3)], l(3, 3))).toEqual([]);
    expect(securitySteps([l(2, 0), l(2, 0)], l(3, 0))).toEqual([]);
  });
  it('goes on from where an interrupted switch left mixed neighbours', () => {
    expect(securitySteps([l(1, 0), l(2, 0), l(1, 0)], l(3, 0))).toEqual([l(2, 0)]);
  });
  it('reads the level a server runs at from its config', () => {
    expect(runningLevels('clientPort=2181\n')).toEqual(l(0, 0));
    expect(runningLevels('clientPort=2181\nssl.keyStore.location=/x\nsslQuorum=false\n')).toEqual(l(1, 0));
    expect(runningLevels('clientPort=2181\nssl.keyStore.location=/x\nsslQuorum=true\n')).toEqual(l(2, 0));
    expect(runningLevels('secureClientPort=2181\nsslQuorum=true\nquorum.auth.enableSasl=true\n')).toEqual(l(3, 1));
    expect(runningLevels('quorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=true\n')).toEqual(l(0, 2));
    expect(runningLevels('quorum.auth.serverRequireSasl=true\nquorum.auth.learnerRequireSasl=true\n')).toEqual(l(0, 3));
  });
});

describe('what each level renders', () => {
  const ca = createCa('t', 30);
  const { spec } = parseInventory(
    'name: t\npseudo: { count: 3, basePort: 2181 }\nsecurity: { tls: true, quorumAuth: true, superUser: true }\n',
    't.yaml',
    '/tmp',
  );
  spec.secrets = {
    dir: '/tmp/secrets',
    ca: { cert: ca.cert },
    nodes: Object.fromEntries(spec.nodes.map((n) => [n.id, issue(ca, `n${n.id}`, 'node', nodeNames(n), 30)])),
    client: issue(ca, 'zkops', 'client', [], 30),
    quorumPassword: 'quorum-secret',
    superPassword: 'super-secret',
  };
  const facts: HostFacts = {
    javaHome: '/usr/lib/jvm/default-java',
    zookeeperHome: '/usr/share/zookeeper',
    classpath: '/x',
    zookeeperVersion: '3.8.0',
    bindAll: false,
    clientAddress: '127.0.0.1',
  };
  const node = spec.nodes[0]!;
  const files = (levels: SecurityLevels) => renderNodeFiles(spec, node, facts, { security: levels });
  const cfg = (levels: SecurityLevels) => files(levels).find((f) => f.path === node.zooCfg)!.content;

  it('level 1: both kinds on the client port, peers plain', () => {
    const c = cfg(l(1, 0));
    expect(c).toMatch(/^clientPort=2181$/m);
    expect(c).toMatch(/^client\.portUnification=true$/m);
    expect(c).toMatch(/^portUnification=true$/m);
    expect(c).toMatch(/^sslQuorum=false$/m);
    expect(c).toMatch(/^serverCnxnFactory=org\.apache\.zookeeper\.server\.NettyServerCnxnFactory$/m);
    expect(c).not.toMatch(/^(secureClientPort|quorum\.auth)/m);
  });
  it('level 3: TLS only, no plain-text port, SASL as asked', () => {
    const c = cfg(l(3, 2));
    expect(c).toMatch(/^secureClientPort=2181$/m);
    expect(c).toMatch(/^secureClientPortAddress=127\.0\.0\.1$/m);
    expect(c).not.toMatch(/^clientPort=/m);
    expect(c).not.toMatch(/portUnification/);
    expect(c).toMatch(/^quorum\.auth\.learnerRequireSasl=true$/m);
    expect(c).toMatch(/^quorum\.auth\.serverRequireSasl=false$/m);
  });
  it('the key store and JAAS file are private, the CA public; the super digest, never the password, in java.env', () => {
    const all = files(l(3, 3));
    const pem = all.find((f) => f.path.endsWith('/node.pem'))!;
    expect(pem.mode).toBe(0o600);
    expect(pem.content).toContain('PRIVATE KEY');
    expect(all.find((f) => f.path.endsWith('/ca.pem'))!.mode).toBe(0o644);
    const jaas = all.find((f) => f.path.endsWith('/jaas.conf'))!;
    expect(jaas.mode).toBe(0o600);
    expect(jaas.content).toContain('password="quorum-secret"');
    const env = all.find((f) => f.path.endsWith('/java.env'))!.content;
    expect(env).toContain(`-Dzookeeper.DigestAuthenticationProvider.superDigest=${digest('super', 'super-secret')}`);
    expect(env).not.toContain('super-secret"');
    expect(env).toContain(`-Djava.security.auth.login.config=${node.confDir}/jaas.conf`);
  });
  it('with a servers account, private files are 640 and given to its group', () => {
    const all = renderNodeFiles(spec, node, { ...facts, user: 'zookeeper' }, { security: l(3, 3) });
    expect(all.find((f) => f.path.endsWith('/node.pem'))).toMatchObject({ mode: 0o640, group: 'zookeeper' });
  });
  it('level 0 renders none of it', () => {
    const all = files(l(0, 0));
    expect(all.some((f) => /node\.pem|ca\.pem|jaas\.conf/.test(f.path))).toBe(false);
    expect(all.find((f) => f.path === node.zooCfg)!.content).not.toMatch(/ssl|sasl/i);
  });
});

describe('the cluster CA', () => {
  it('issues node certificates with their names, signed by it and by no other CA', () => {
    const ca = createCa('c', 30);
    const other = createCa('other', 30);
    const cert = issue(ca, 'node 1', 'node', ['10.0.0.11', 'zk1.example.com', '127.0.0.1'], 10);
    const info = certInfo(cert.cert);
    expect(info.sans).toEqual(['10.0.0.11', 'zk1.example.com', '127.0.0.1']);
    expect(info.daysLeft).toBeGreaterThanOrEqual(9);
    expect(info.daysLeft).toBeLessThanOrEqual(10);
    expect(signedBy(cert.cert, ca.cert)).toBe(true);
    expect(signedBy(cert.cert, other.cert)).toBe(false);
    expect(cert.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
  it("writes ZooKeeper's digest form", () => {
    const hash = createHash('sha1').update('super:pw').digest('base64');
    expect(digest('super', 'pw')).toBe(`super:${hash}`);
  });
});
