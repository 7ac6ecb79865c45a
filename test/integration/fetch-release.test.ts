/**
 * ZooKeeper by version on fresh hosts (no Java, no ZooKeeper): zkops fetches
 * the release on this machine from a mirror in Apache's layout (here a local
 * HTTP server holding the 3.9.3 release the suite builds, its .sha512 in the
 * gpg --print-md form of older Apache releases), checks it, caches it, and
 * installs it on every SSH test host, with the Java runtime it ships too. A
 * second deploy fetches nothing; a mirror whose tarball does not match its
 * .sha512 is refused before any host is touched; `zkops init` on a machine
 * without ZooKeeper takes the same path.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zkops, zkopsJson } from '../helpers/cli.js';
import { execa } from 'execa';
import { killServersUnder, workdir } from '../helpers/cli.js';
import { jreTarball } from '../helpers/jre.mjs';
import { labInventory, useLab } from '../helpers/lab.js';
import { releaseTarball } from '../helpers/releases.mjs';

const VERSION = '3.9.3';
const NAME = `apache-zookeeper-${VERSION}-bin.tar.gz`;

/** A mirror serving `files` (URL path → bytes), counting what it was asked for. */
async function mirror(files: Map<string, Buffer>) {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body ?? 'Not Found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/zookeeper/`, asked, server };
}

/** The gpg --print-md SHA512 form: the name, a colon, upper-case hex in groups of 8, wrapped. */
const gpgStyle = (name: string, hex: string) =>
  `${name}: ${hex
    .toUpperCase()
    .match(/.{8}/g)!
    .join(' ')
    .replace(/(.{72}) /g, '$1\n' + ' '.repeat(name.length + 2))}\n`;

describe('ZooKeeper by version, fetched on this machine', () => {
  const ctx = useLab('fr', 3, { bare: true });
  const cache = mkdtempSync(path.join(os.tmpdir(), 'zkops-fetch-cache-'));
  const env = { XDG_CACHE_HOME: cache };
  let good: Awaited<ReturnType<typeof mirror>>;
  let bad: Awaited<ReturnType<typeof mirror>>;
  beforeAll(async () => {
    const tarball = readFileSync(await releaseTarball(VERSION));
    const sha = createHash('sha512').update(tarball).digest('hex');
    const at = `/zookeeper/zookeeper-${VERSION}/${NAME}`;
    good = await mirror(
      new Map([
        [at, tarball],
        [`${at}.sha512`, Buffer.from(gpgStyle(NAME, sha))],
      ]),
    );
    // A tampered mirror: one byte of the tarball changed, the published checksum kept.
    const tampered = Buffer.from(tarball);
    tampered[tampered.length - 100] ^= 0xff;
    bad = await mirror(
      new Map([
        [at, tampered],
        [`${at}.sha512`, Buffer.from(`${sha}  ${NAME}\n`)],
      ]),
    );
  }, 300_000);
  afterAll(() => {
    good?.server.close();
    bad?.server.close();
  });

  it('refuses a tarball that does not match its .sha512, and writes nothing on any host', async () => {
    const inventory = path.join(ctx.cwd, 'tampered.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'tampered',
        dir: '/opt/zk-tampered',
        extra: [`zookeeper: { version: ${VERSION}, mirror: "${bad.url}" }`],
      }),
    );
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('does not match its .sha512');
    expect(r.stderr).toContain('nothing was written on any host');
    for (const h of ctx.lab.hosts) expect(existsSync(path.join(h.root, 'opt', 'zk-tampered'))).toBe(false);
  });

  it('fetches the release once, installs it on every host, and forms a quorum; a second deploy fetches nothing', async () => {
    const inventory = path.join(ctx.cwd, 'byversion.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'byversion',
        java: `java: { heap: 128m, tarball: ${await jreTarball()} }`,
        extra: [`zookeeper: { version: ${VERSION}, mirror: "${good.url}" }`],
      }),
    );
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.healthy).toBe(true);
    expect(up.json.nodes.map((n: any) => n.version)).toEqual([VERSION, VERSION, VERSION]);
    expect(good.asked).toEqual([
      `/zookeeper/zookeeper-${VERSION}/${NAME}.sha512`,
      `/zookeeper/zookeeper-${VERSION}/${NAME}`,
    ]);
    const again = await zkops(ctx.cwd, ['deploy', '-i', inventory], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing changed');
    expect(good.asked).toHaveLength(2);
    expect((await zkops(ctx.cwd, ['stop', '-i', inventory], env)).code).toBe(0);
  });

  it('zkops init on a machine without ZooKeeper fetches the default release the same way', async () => {
    const cwd = workdir('init-fetch');
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'zkops-fetch-cache2-'));
    const asked = good.asked.length;
    // This machine without Debian's ZooKeeper: a private mount namespace covers its directory and its jar.
    const empty = path.join(cwd, 'empty');
    const script =
      `mkdir -p '${empty}' && mount --bind '${empty}' /usr/share/zookeeper && ` +
      'mount --bind /dev/null /usr/share/java/zookeeper.jar && exec "$@"';
    const bin = path.resolve('bin/zkops.js');
    try {
      const r = await execa(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          script,
          'sh',
          'node',
          bin,
          'init',
          '--base-port',
          '28681',
          '--json',
        ],
        {
          cwd,
          reject: false,
          env: { NO_COLOR: '1', XDG_CACHE_HOME: fresh, ZKOPS_ZOOKEEPER_MIRROR: good.url, ZOOKEEPER_HOME: '' },
        },
      );
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const json = JSON.parse(String(r.stdout));
      expect(json.healthy).toBe(true);
      expect(json.nodes.map((n: any) => n.version)).toEqual([VERSION, VERSION, VERSION]);
      expect(good.asked.length).toBe(asked + 2);
    } finally {
      await zkops(cwd, ['destroy', '--yes']);
      await killServersUnder(cwd);
    }
  });
});
