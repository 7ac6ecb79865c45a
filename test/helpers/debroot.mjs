/**
 * A Debian root file system of its own for test hosts that must have their
 * own package database (java.install: package really running apt-get): a
 * minimal Debian (mmdebstrap's minbase: what every Debian VM has, plus sshd,
 * iproute2 and procps; no Java, no ZooKeeper) from the mirror this machine's
 * apt uses, built once and kept in ~/.cache/zkops-test/debroot/<key>, where
 * the key is a hash of everything that goes into it (the recipe and the
 * machine's sources), like the release trees of releases.mjs. Test hosts run
 * on a throw-away overlay of it (hosts.mjs), so the cached tree itself never
 * changes.
 *
 * The hosts live in network namespaces without a route out; their apt reaches
 * the mirror through an HTTP proxy this module runs on the test bridge's
 * address (as VMs behind apt-cacher-ng do). The proxy forwards to the mirror's
 * hosts only, and keeps the .deb files it fetched in the cache (a .deb's name
 * carries its version, so it never changes), so a rerun on the same machine
 * does not download the JRE again; package lists always come from the mirror.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { $, fs, path, os } from 'zx';

$.verbose = false;

const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'zkops-test', 'debroot');
const SOURCES = '/etc/apt/sources.list.d/debian.sources';

/** What the root has besides Debian's minbase: sshd for zkops to log in, and what zkops's preflight uses. */
const INCLUDE = ['openssh-server', 'iproute2', 'procps'];

/**
 * The machine's Debian sources (deb822), as one-line entries for the root, and the mirror's host names.
 * Falls back to deb.debian.org's bookworm when the file is missing.
 * @returns {{ suite: string, lines: string[], hosts: string[] }}
 */
export function machineSources() {
  const text = fs.existsSync(SOURCES) ? fs.readFileSync(SOURCES, 'utf8') : '';
  const lines = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(stanza)?.[1].trim();
    if (!(field('Types') ?? '').split(/\s+/).includes('deb')) continue;
    const signedBy = field('Signed-By');
    const options = signedBy ? `[signed-by=${signedBy}] ` : '';
    for (const uri of (field('URIs') ?? '').split(/\s+/).filter(Boolean))
      for (const suite of (field('Suites') ?? '').split(/\s+/).filter(Boolean))
        lines.push(`deb ${options}${uri} ${suite} ${field('Components') ?? 'main'}`);
  }
  if (lines.length === 0) lines.push('deb http://deb.debian.org/debian bookworm main');
  const suite = lines[0].split(' ').find((w, i, a) => i > 0 && a[i - 1].startsWith('http'));
  const hosts = [...new Set(lines.map((l) => new URL(l.split(' ').find((w) => /^https?:/.test(w))).host))];
  return { suite, lines, hosts };
}

/**
 * The cached root file system's path, built with mmdebstrap on first use (a few minutes on a fresh machine;
 * dpkg's work, not the download, is most of it). Older builds (other keys) are removed.
 */
export async function debianRoot() {
  const sources = machineSources();
  const recipe = { variant: 'minbase', include: INCLUDE, sources: sources.lines, version: 1 };
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  const root = path.join(CACHE, key);
  if (fs.existsSync(path.join(root, 'etc/debian_version'))) return root;
  if ((await $({ nothrow: true })`command -v mmdebstrap`).exitCode !== 0)
    throw new Error('mmdebstrap is missing: apt-get install mmdebstrap (scripts/setup.sh --test installs it)');
  await fs.mkdirp(CACHE);
  // Builds of other recipes go (a build of this one under way elsewhere, key.PID.tmp, stays).
  for (const old of fs.readdirSync(CACHE))
    if (old !== 'debs' && !old.startsWith(key)) await fs.remove(path.join(CACHE, old));
  const tmp = `${root}.${process.pid}.tmp`;
  await fs.remove(tmp);
  try {
    await $`mmdebstrap --quiet --mode=root --variant=minbase --include=${INCLUDE.join(',')} ${[
      // Package lists stay, as on an installed system (apt-get update then only revalidates them).
      '--skip=cleanup/apt/lists',
      // dpkg's fsync per file is most of the build's time; the tree is a cache, rebuilt if broken.
      '--dpkgopt=force-unsafe-io',
    ]} ${sources.suite} ${tmp} ${sources.lines}`;
    // Another run may have finished the same build first: its tree is as good as this one.
    if (!fs.existsSync(root)) fs.renameSync(tmp, root);
  } finally {
    await fs.remove(tmp);
  }
  return root;
}

/**
 * An HTTP proxy on `address` for the test hosts' apt: forwards requests for the mirror's hosts, refuses any
 * other, and serves .deb files from the cache once fetched. `fetched` lists the .deb names it was asked for.
 * @param {string} address
 * @returns {Promise<{ port: number, fetched: string[], close(): Promise<void> }>}
 */
export async function startAptProxy(address) {
  const { hosts } = machineSources();
  const debs = path.join(CACHE, 'debs');
  await fs.mkdirp(debs);
  /** @type {string[]} */
  const fetched = [];
  const server = http.createServer((req, res) => {
    let url;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'http:' || !hosts.includes(url.host) || req.method !== 'GET') {
      res.writeHead(403).end('only GET of the Debian mirror is proxied here\n');
      return;
    }
    const name = path.posix.basename(url.pathname);
    const isDeb = /^\/.*\/pool\/.*\.deb$/.test(url.pathname) && /^[\w.+~%-]+\.deb$/.test(name);
    if (isDeb) fetched.push(decodeURIComponent(name));
    const cached = path.join(debs, name);
    if (isDeb && fs.existsSync(cached)) {
      res.writeHead(200, {
        'content-type': 'application/vnd.debian.binary-package',
        'content-length': fs.statSync(cached).size,
      });
      fs.createReadStream(cached).pipe(res);
      return;
    }
    const headers = { ...req.headers, host: url.host };
    delete headers['proxy-connection'];
    const up = http.request({ host: url.hostname, port: url.port || 80, path: url.pathname + url.search, headers });
    up.on('response', (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      const keep = isDeb && r.statusCode === 200;
      const part = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
      const file = keep ? fs.createWriteStream(part) : undefined;
      r.on('data', (chunk) => file?.write(chunk));
      r.on('end', () =>
        file?.end(() => {
          // Only a complete download is kept: its size must be what the mirror announced.
          const size = fs.statSync(part).size;
          if (String(size) === r.headers['content-length']) fs.renameSync(part, cached);
          else fs.rmSync(part, { force: true });
        }),
      );
      r.on('error', () => file?.destroy());
      r.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`proxy: ${err.message}\n`);
    });
    up.end();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, resolve);
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return {
    port,
    fetched,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
