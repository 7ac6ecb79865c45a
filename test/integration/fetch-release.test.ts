/**
 * ZooKeeper by version on fresh hosts (no Java, no ZooKeeper): zkops fetches
 * the release on this machine from a mirror in Apache's layout (here a local
 * HTTP server holding the 3.9.3 release the suite builds, its .sha512 in the
 * gpg --print-md form of older Apache releases, and its .asc made by gpg with
 * a throw-away key, the way Apache's release managers sign), verifies it,
 * caches it, and installs it on every SSH test host, with the Java runtime it
 * ships too. The key is given as zookeeper.keys (a private build: the suite's
 * release is not Apache's). A second deploy fetches nothing. Refused before
 * any host is touched: a tarball that does not match its .sha512; a tarball
 * and .sha512 changed together under the old .asc; a signature by a key zkops
 * was not given; a mirror without .asc when nothing pins the SHA-512. A
 * pinned zookeeper.sha512 needs no .asc. `zkops init` on a machine without
 * ZooKeeper takes the same path.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

/** A throw-away OpenPGP signing key made by gpg: its exported public key (a KEYS file) and a detached signer. */
async function gpgKey(dir: string, name: string) {
  const env = { GNUPGHOME: mkdtempSync(path.join(dir, 'gnupg-')) };
  await execa(
    'gpg',
    ['--batch', '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.org>`, 'rsa3072', 'sign', 'never'],
    { env },
  );
  const keys = path.join(dir, `${name}-KEYS.asc`);
  writeFileSync(keys, (await execa('gpg', ['--armor', '--export'], { env })).stdout);
  const sign = async (data: Buffer) => {
    const file = path.join(dir, `${name}-payload`);
    writeFileSync(file, data);
    await execa('gpg', ['--batch', '--yes', '--armor', '--detach-sign', file], { env });
    return readFileSync(`${file}.asc`);
  };
  return { keys, sign };
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
  const at = `/zookeeper/zookeeper-${VERSION}/${NAME}`;
  const mirrors: Awaited<ReturnType<typeof mirror>>[] = [];
  let good: Awaited<ReturnType<typeof mirror>>;
  let keys: string;
  let otherKeys: string;
  let sha: string;
  let tarball: Buffer;
  let asc: Buffer;
  const serve = async (files: [string, Buffer][]) => {
    const m = await mirror(new Map(files.map(([suffix, body]) => [`${at}${suffix}`, body])));
    mirrors.push(m);
    return m;
  };
  beforeAll(async () => {
    tarball = readFileSync(await releaseTarball(VERSION));
    sha = createHash('sha512').update(tarball).digest('hex');
    const keyDir = mkdtempSync(path.join(os.tmpdir(), 'zkops-fetch-keys-'));
    const signer = await gpgKey(keyDir, 'release-manager');
    keys = signer.keys;
    otherKeys = (await gpgKey(keyDir, 'someone-else')).keys;
    asc = await signer.sign(tarball);
    good = await serve([
      ['', tarball],
      ['.sha512', Buffer.from(gpgStyle(NAME, sha))],
      ['.asc', asc],
    ]);
  }, 300_000);
  afterAll(() => {
    for (const m of mirrors) m.server.close();
  });

  /** deploy with `zookeeper` settings from a fresh cache: the exit code, stderr, and that no host got anything. */
  async function refused(name: string, zookeeper: string) {
    const inventory = path.join(ctx.cwd, `${name}.yaml`);
    writeFileSync(
      inventory,
      labInventory(ctx.lab, { name, dir: `/opt/zk-${name}`, extra: [`zookeeper: { ${zookeeper} }`] }),
    );
    const fresh = { XDG_CACHE_HOME: mkdtempSync(path.join(os.tmpdir(), 'zkops-fetch-refused-')) };
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys'], fresh);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('nothing was written on any host');
    for (const h of ctx.lab.hosts) expect(existsSync(path.join(h.root, 'opt', `zk-${name}`))).toBe(false);
    // Nothing kept on this machine either (the cache may not even exist).
    const kept = path.join(fresh.XDG_CACHE_HOME, 'zkops', 'releases');
    expect(existsSync(kept) ? readdirSync(kept) : []).toEqual([]);
    return r.stderr.replace(/\s+/g, ' ');
  }

  it('refuses a tarball that does not match its .sha512', async () => {
    // One byte of the tarball changed, the published checksum and signature kept.
    const tampered = Buffer.from(tarball);
    tampered[tampered.length - 100] ^= 0xff;
    const bad = await serve([
      ['', tampered],
      ['.sha512', Buffer.from(`${sha}  ${NAME}\n`)],
      ['.asc', asc],
    ]);
    const err = await refused('tampered', `version: ${VERSION}, mirror: "${bad.url}", keys: ${keys}`);
    expect(err).toContain('does not match its .sha512');
  });

  it('refuses a tarball changed together with its .sha512 under the old signature', async () => {
    // What the new user did: one file added to the release, the .sha512 recomputed, the .asc kept.
    const changed = Buffer.concat([tarball, Buffer.alloc(1024)]);
    const bad = await serve([
      ['', changed],
      ['.sha512', Buffer.from(`${createHash('sha512').update(changed).digest('hex')}  ${NAME}\n`)],
      ['.asc', asc],
    ]);
    const err = await refused('resigned', `version: ${VERSION}, mirror: "${bad.url}", keys: ${keys}`);
    expect(err).toContain('its signature (.asc) does not verify');
    expect(err).toContain('release-manager');
  });

  it('refuses a signature by a key it was not given', async () => {
    const err = await refused('wrongkey', `version: ${VERSION}, mirror: "${good.url}", keys: ${otherKeys}`);
    expect(err).toContain('its signature (.asc) does not verify');
    expect(err).toContain('which is in none of the trusted keys');
  });

  it('refuses a mirror without .asc when nothing pins the SHA-512, before downloading the release', async () => {
    const unsigned = await serve([
      ['', tarball],
      ['.sha512', Buffer.from(`${sha}  ${NAME}\n`)],
    ]);
    const err = await refused('unsigned', `version: ${VERSION}, mirror: "${unsigned.url}", keys: ${keys}`);
    expect(err).toContain('has no signature (.asc)');
    expect(unsigned.asked).toEqual([`${at}.sha512`, `${at}.asc`]);
  });

  it('takes a release without .asc whose SHA-512 the inventory pins (and refuses a wrong pin)', async () => {
    const unsigned = await serve([
      ['', tarball],
      ['.sha512', Buffer.from(`${sha}  ${NAME}\n`)],
    ]);
    const err = await refused(
      'wrongpin',
      `version: ${VERSION}, mirror: "${unsigned.url}", sha512: "${'0'.repeat(128)}"`,
    );
    expect(err).toContain('does not match zookeeper.sha512');
    const inventory = path.join(ctx.cwd, 'pinned.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'pinned',
        dir: '/opt/zk-pinned',
        java: `java: { heap: 128m, tarball: ${await jreTarball()} }`,
        extra: [`zookeeper: { version: ${VERSION}, mirror: "${unsigned.url}", sha512: "${sha}" }`],
      }),
    );
    const fresh = { XDG_CACHE_HOME: mkdtempSync(path.join(os.tmpdir(), 'zkops-fetch-pinned-')) };
    const r = await zkops(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys', '--dry-run'], fresh);
    expect(r.code, r.stderr).toBe(0);
    // Fetched without any .asc, and kept: the pin is what let it through.
    expect(unsigned.asked.slice(-2)).toEqual([`${at}.sha512`, at]);
    expect(
      existsSync(path.join(fresh.XDG_CACHE_HOME, 'zkops', 'releases', `${VERSION}-${sha.slice(0, 16)}`, NAME)),
    ).toBe(true);
  });

  it('fetches the release once, installs it on every host, and forms a quorum; a second deploy fetches nothing', async () => {
    const inventory = path.join(ctx.cwd, 'byversion.yaml');
    writeFileSync(
      inventory,
      labInventory(ctx.lab, {
        name: 'byversion',
        java: `java: { heap: 128m, tarball: ${await jreTarball()} }`,
        extra: [`zookeeper: { version: ${VERSION}, mirror: "${good.url}", keys: ${keys} }`],
      }),
    );
    const before = good.asked.length;
    const up = await zkopsJson(ctx.cwd, ['deploy', '-i', inventory, '--accept-new-host-keys'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.healthy).toBe(true);
    expect(up.json.nodes.map((n: any) => n.version)).toEqual([VERSION, VERSION, VERSION]);
    expect(good.asked.slice(before)).toEqual([`${at}.sha512`, `${at}.asc`, at]);
    const again = await zkops(ctx.cwd, ['deploy', '-i', inventory], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing changed');
    expect(good.asked).toHaveLength(before + 3);
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
          env: {
            NO_COLOR: '1',
            XDG_CACHE_HOME: fresh,
            ZKOPS_ZOOKEEPER_MIRROR: good.url,
            ZKOPS_ZOOKEEPER_KEYS: keys,
            ZOOKEEPER_HOME: '',
          },
        },
      );
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const json = JSON.parse(String(r.stdout));
      expect(json.healthy).toBe(true);
      expect(json.nodes.map((n: any) => n.version)).toEqual([VERSION, VERSION, VERSION]);
      expect(good.asked.length).toBe(asked + 3);
    } finally {
      await zkops(cwd, ['destroy', '--yes']);
      await killServersUnder(cwd);
    }
  });
});
