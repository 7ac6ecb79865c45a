/**
 * Test "VMs" on this machine: each host is a network namespace on a test
 * bridge (its own address), with a private mount namespace (its own /opt,
 * /etc/profile.d and /etc/systemd) and a real sshd with its own host key.
 * Only hosts this run created are ever addressed; teardown removes them all.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $, fs, sleep } from 'zx';
import { debianRoot, startAptProxy } from './debroot.mjs';

/**
 * @typedef {{ name: string, ip: string, netns: string, root: string, systemd?: { pid: number, base: string },
 *   debian?: { upper: string } }} TestHost
 */
/**
 * @typedef {{ hosts: TestHost[], dir: string, identityFile: string, knownHosts: string,
 *   hostKeyLines: string[], aptProxy?: { port: number, fetched: string[] }, teardown(): Promise<void> }} TestLab
 */

$.verbose = false;

const BRIDGE = 'zkt-br0';
const SUBNET = '10.77.0';
/** This machine's address on the test bridge (the hosts' apt proxy listens there). */
const BRIDGE_IP = `${SUBNET}.1`;

/** Addresses of host i (1-based): its own, and the "public" one NAT tests reach it by. */
export const hostIp = (i) => `${SUBNET}.${10 + i}`;
export const publicIp = (i) => `${SUBNET}.${110 + i}`;

async function ensureBridge() {
  if ((await $({ nothrow: true, quiet: true })`ip link show ${BRIDGE}`).exitCode !== 0) {
    await $`ip link add ${BRIDGE} type bridge`;
    await $`ip addr add ${BRIDGE_IP}/24 dev ${BRIDGE}`;
    await $`ip link set ${BRIDGE} up`;
  }
  // Every lab reuses the same addresses with new interfaces (new MACs): an ARP entry left from the
  // previous lab would send this machine's packets to a MAC that is gone for up to half a minute.
  await $({ nothrow: true, quiet: true })`ip neigh flush dev ${BRIDGE}`;
  // dockerd sets FORWARD to DROP when it starts (the Docker tests start it, maybe after the bridge
  // exists): traffic between our hosts must pass, so the rule is checked on every lab.
  const rule = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT'];
  await $({ nothrow: true, quiet: true })`iptables -C ${rule} || iptables -I ${rule}`;
}

/**
 * Creates `count` hosts (names zkt-<prefix><i>) and starts sshd on each.
 * Hosts listed in `options.systemd` (1-based) boot systemd instead (see createSystemdHost); hosts listed in
 * `options.debian` run in a Debian root file system of their own (see createDebianHost).
 * @param {string} prefix
 * @param {number} count
 * @param {{ systemd?: number[], debian?: number[], bare?: boolean, slowProfile?: boolean }} [options] bare: every
 *   host without Java or ZooKeeper; slowProfile: root's .bashrc is this machine's (pyenv initialised before its
 *   guard, ~0.5 s a shell)
 * @returns {Promise<TestLab>}
 */
export async function createLab(prefix, count, options = {}) {
  await ensureBridge();
  await fs.mkdirp('/run/sshd');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zkops-lab-${prefix}-`));
  const identityFile = path.join(dir, 'id_ed25519');
  await $`ssh-keygen -q -t ed25519 -N '' -f ${identityFile}`;
  /** @type {TestHost[]} */
  const hosts = [];
  /** @type {string[]} */
  const hostKeyLines = [];
  const lab = {
    hosts,
    dir,
    identityFile,
    knownHosts: path.join(dir, 'known_hosts'),
    hostKeyLines,
    aptProxy: undefined,
    teardown: async () => {
      await teardown(hosts, dir);
      await proxy?.close();
    },
  };
  let proxy;
  try {
    let debian;
    if (options.debian?.length) {
      debian = await debianRoot();
      proxy = await startAptProxy(BRIDGE_IP);
      lab.aptProxy = proxy;
    }
    for (let i = 1; i <= count; i++) {
      const make = options.debian?.includes(i)
        ? createDebianHost
        : options.systemd?.includes(i)
          ? createSystemdHost
          : createHost;
      const host = await make(`${prefix}${i}`, hostIp(i), dir, identityFile, {
        bare: options.bare,
        slowProfile: options.slowProfile,
        debian: debian && { root: debian, proxyPort: proxy.port },
      });
      hosts.push(host);
      const pub = fs.readFileSync(path.join(host.root, 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(' ');
      hostKeyLines.push(`${host.ip} ${pub[0]} ${pub[1]}`);
    }
    await Promise.all(hosts.map((h) => waitForSshd(h)));
  } catch (err) {
    await lab.teardown();
    throw err;
  }
  return lab;
}

/**
 * sshd in the foreground for a test host at `ip`, its files (host key, authorized_keys, logs) in `files` as sshd
 * sees that directory; a shell word list.
 */
function sshdCommand(ip, files) {
  return [
    '/usr/sbin/sshd',
    '-D',
    '-e',
    '-o',
    `ListenAddress=${ip}`,
    '-o',
    `PidFile=${files}/sshd.pid`,
    '-o',
    `HostKey=${files}/ssh_host_ed25519_key`,
    '-o',
    `AuthorizedKeysFile=${files}/authorized_keys .ssh/authorized_keys`,
    '-o',
    'PermitRootLogin=prohibit-password',
    '-o',
    'PasswordAuthentication=no',
    '-o',
    'StrictModes=no',
    '-o',
    'UsePAM=no',
    '-o',
    'MaxStartups=100',
    '-o',
    'MaxSessions=100',
    // Every channel request at DEBUG1 in a log of its own: how tests count the shells a command starts (remoteShells).
    '-o',
    'LogLevel=DEBUG1',
    '-E',
    `${files}/sshd-debug.log`,
  ]
    .map((a) => `'${a}'`)
    .join(' ');
}

/** A network namespace with `ip` on the test bridge. */
async function makeNetns(netns, ip) {
  await $({ nothrow: true, quiet: true })`ip netns del ${netns}`;
  await $({ nothrow: true, quiet: true })`ip link del ${netns}-a`;
  await $`ip netns add ${netns}`;
  await $`ip link add ${netns}-a type veth peer name ${netns}-b`;
  await $`ip link set ${netns}-a master ${BRIDGE} up`;
  await $`ip link set ${netns}-b netns ${netns}`;
  await $`ip -n ${netns} link set lo up`;
  await $`ip -n ${netns} addr add ${ip}/24 dev ${netns}-b`;
  await $`ip -n ${netns} link set ${netns}-b up`;
}

/** The host's own directory in the lab, with its SSH host key and the lab's authorized key. */
async function hostRoot(name, labDir, identityFile, slowProfile = false) {
  const root = path.join(labDir, name);
  for (const d of ['opt', 'profile.d', 'systemd']) mkdirSync(path.join(root, d), { recursive: true });
  await $`ssh-keygen -q -t ed25519 -N '' -f ${path.join(root, 'ssh_host_ed25519_key')}`;
  writeFileSync(path.join(root, 'authorized_keys'), fs.readFileSync(`${identityFile}.pub`));
  // A fresh VM's root has Debian's default .bashrc (bash sources it for every ssh command); the slow profile is
  // this machine's own, which initialises pyenv for every shell (read here, never changed).
  fs.copyFileSync(slowProfile ? '/root/.bashrc' : '/etc/skel/.bashrc', path.join(root, 'bashrc'));
  return root;
}

/**
 * A host in its own network and mount namespace, with sshd. `bare`: like a fresh VM, it has neither Java nor
 * ZooKeeper (this machine's /usr/lib/jvm and /usr/share/zookeeper are covered by empty directories there).
 */
async function createHost(name, ip, labDir, identityFile, { bare = false, slowProfile = false } = {}) {
  const netns = `zkt-${name}`;
  const root = await hostRoot(name, labDir, identityFile, slowProfile);
  await makeNetns(netns, ip);
  const sshd = sshdCommand(ip, root);
  // A private mount namespace: /opt, /etc/profile.d, /etc/systemd and /root/.bashrc are this host's own.
  const inner =
    `mount --bind ${root}/opt /opt && mount --bind ${root}/profile.d /etc/profile.d && mkdir -p ` +
    `/etc/systemd && mount --bind ${root}/systemd /etc/systemd && touch /root/.bashrc && ` +
    `mount --bind ${root}/bashrc /root/.bashrc && ` +
    (bare
      ? `mkdir -p ${root}/empty && mount --bind ${root}/empty /usr/lib/jvm && ` +
        `mount --bind ${root}/empty /usr/share/zookeeper && mount --bind /dev/null /usr/share/java/zookeeper.jar && `
      : '') +
    `exec ${sshd}`;
  const privateMounts = ['unshare', '--mount', '--propagation', 'private'];
  await $`setsid ip netns exec ${netns} ${privateMounts} sh -c ${inner} >> ${root}/sshd.log 2>&1 < /dev/null &`;
  return { name, ip, netns, root };
}

/**
 * A host with a Debian root file system of its own (debroot.mjs): its own /usr, /etc and package database, so
 * apt-get there really installs, as on a fresh VM. sshd runs chrooted into a throw-away overlay of the cached
 * root (the host's writes land in `debian.upper`; the cache never changes), with /proc, /dev, the namespace's
 * /sys and a fresh /run; the host's own files (keys, sshd's logs) are /zkt inside. Its apt reaches the mirror
 * through the lab's proxy on the bridge, the only way out of the namespace.
 */
async function createDebianHost(name, ip, labDir, identityFile, { debian }) {
  const netns = `zkt-${name}`;
  const root = await hostRoot(name, labDir, identityFile);
  await makeNetns(netns, ip);
  const upper = path.join(root, 'upper');
  const work = path.join(root, 'work');
  const m = path.join(root, 'fs');
  for (const d of [work, m, path.join(upper, 'zkt'), path.join(upper, 'etc/apt/apt.conf.d')])
    mkdirSync(d, { recursive: true });
  writeFileSync(
    path.join(upper, 'etc/apt/apt.conf.d/01zkops-test-proxy'),
    `Acquire::http::Proxy "http://${BRIDGE_IP}:${debian.proxyPort}/";\n`,
  );
  writeFileSync(path.join(upper, 'etc/hostname'), `${name}\n`);
  const inner =
    `mount -t overlay overlay -o lowerdir=${debian.root},upperdir=${upper},workdir=${work} ${m} && ` +
    `mount -t proc proc ${m}/proc && mount --rbind /dev ${m}/dev && mount --rbind /sys ${m}/sys && ` +
    `mount -t tmpfs -o mode=755 tmpfs ${m}/run && mkdir -p ${m}/run/sshd && mount --bind ${root} ${m}/zkt && ` +
    `exec chroot ${m} ${sshdCommand(ip, '/zkt')}`;
  const privateMounts = ['unshare', '--mount', '--propagation', 'private'];
  await $`setsid ip netns exec ${netns} ${privateMounts} sh -c ${inner} >> ${root}/sshd.log 2>&1 < /dev/null &`;
  return { name, ip, netns, root, debian: { upper } };
}

/** Units of this machine's own that a test host has no use for (and timers that would run apt). */
const MASKED_UNITS = [
  'postgresql.service',
  'e2scrub_reap.service',
  'systemd-timesyncd.service',
  'systemd-pstore.service',
  'getty@tty1.service',
  'docker.service',
  'docker.socket',
  'containerd.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'dpkg-db-backup.timer',
  'e2scrub_all.timer',
  'fstrim.timer',
  'man-db.timer',
];

/**
 * A test host that runs systemd as its init, like a real VM: systemd-nspawn
 * boots this machine's own OS from a throw-away overlay (writes go to a tmpfs,
 * so the host's /etc, /opt and units are its own) inside the host's network
 * namespace. sshd is started by systemd (ssh.service) with the lab's keys.
 */
async function createSystemdHost(name, ip, labDir, identityFile) {
  const netns = `zkt-${name}`;
  const root = await hostRoot(name, labDir, identityFile);
  await makeNetns(netns, ip);
  const base = `/run/zkt-systemd/${name}`;
  await $`mkdir -p ${base}`;
  await $`mount -t tmpfs -o size=1g tmpfs ${base}`;
  await $`mkdir -p ${base}/upper ${base}/work ${base}/root`;
  await $`mount -t overlay overlay -o lowerdir=/,upperdir=${base}/upper,workdir=${base}/work ${base}/root`;
  const r = `${base}/root`;
  await $`mkdir -p ${r}/root/.ssh ${r}/etc/ssh/sshd_config.d`;
  const hostKey = `${r}/etc/ssh/ssh_host`;
  await $`rm -f ${hostKey}_rsa_key ${hostKey}_rsa_key.pub ${hostKey}_ecdsa_key ${hostKey}_ecdsa_key.pub`;
  await $`install -m 600 ${path.join(root, 'ssh_host_ed25519_key')} ${r}/etc/ssh/ssh_host_ed25519_key`;
  await $`install -m 644 ${path.join(root, 'ssh_host_ed25519_key.pub')} ${r}/etc/ssh/ssh_host_ed25519_key.pub`;
  await $`install -m 600 ${path.join(root, 'authorized_keys')} ${r}/root/.ssh/authorized_keys`;
  await $`install -m 644 ${path.join(root, 'bashrc')} ${r}/root/.bashrc`;
  writeFileSync(
    `${r}/etc/ssh/sshd_config.d/zkops-test.conf`,
    'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\nPermitRootLogin ' +
      'prohibit-password\nMaxStartups 100\nMaxSessions 100\n',
  );
  for (const u of MASKED_UNITS) await $`ln -sf /dev/null ${r}/etc/systemd/system/${u}`;
  await $`systemctl --root=${r} enable --quiet ssh.service`;
  const machineId = (await $`cat /proc/sys/kernel/random/uuid`).stdout.trim().replace(/-/g, '');
  const nspawn = [
    'systemd-nspawn',
    `--directory=${r}`,
    '--boot',
    '--register=no',
    '--keep-unit',
    `--uuid=${machineId}`,
    '--link-journal=no',
    `--network-namespace-path=/run/netns/${netns}`,
    `--machine=${netns}`,
    '--console=passive',
  ];
  const pid = Number((await $`setsid ${nspawn} >> ${root}/nspawn.log 2>&1 < /dev/null & echo $!`).stdout.trim());
  return { name, ip, netns, root, systemd: { pid, base } };
}

async function waitForSshd(h) {
  // A booting systemd host takes a few seconds more than a bare sshd.
  for (let i = 0; i < (h.systemd ? 600 : 100); i++) {
    if ((await $({ nothrow: true, quiet: true })`ip netns exec ${h.netns} ss -Hltn ${`sport = :22`}`).stdout.trim()) {
      // Like a VM that answers ssh before it has finished booting: wait for the boot to end.
      if (h.systemd) await onHost(h, 'systemctl is-system-running --wait || systemctl --failed --no-legend');
      return;
    }
    await sleep(100);
  }
  // sshd's own messages go to its debug log (-E); what came before it could log, to sshd.log.
  const logs = (h.systemd ? ['nspawn.log'] : ['sshd.log', 'sshd-debug.log']).map((f) => path.join(h.root, f));
  const text = logs
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, 'utf8').split('\n').slice(-30).join('\n'))
    .join('\n');
  throw new Error(`sshd on ${h.name} (${h.ip}) did not start:\n${text || '(no log)'}`);
}

/** Kills every process in the hosts' namespaces (sshd, ZooKeeper) and removes them. */
async function teardown(hosts, dir) {
  for (const h of hosts) {
    if (h.systemd) await stopSystemdHost(h);
    await $({ nothrow: true, quiet: true })`ip netns pids ${h.netns} | xargs -r kill -9`;
    await $({ nothrow: true, quiet: true })`ip netns del ${h.netns}`;
    await $({ nothrow: true, quiet: true })`ip link del ${h.netns}-a`;
  }
  await $({ nothrow: true, quiet: true })`ip neigh flush dev ${BRIDGE}`;
  await fs.remove(dir).catch(() => undefined);
}

/** Powers a systemd host off (nspawn turns TERM into a clean shutdown), then drops its overlay. */
async function stopSystemdHost(h) {
  const { pid, base } = h.systemd;
  await $({ nothrow: true, quiet: true })`kill -TERM ${pid}`;
  for (let i = 0; i < 100 && (await $({ nothrow: true, quiet: true })`kill -0 ${pid}`).exitCode === 0; i++)
    await sleep(100);
  await $({ nothrow: true, quiet: true })`kill -KILL ${pid}`;
  await $({ nothrow: true, quiet: true })`umount -l ${base}/root`;
  await $({ nothrow: true, quiet: true })`umount -l ${base}`;
  await $({ nothrow: true, quiet: true })`rmdir ${base}`;
}

/** Runs a command inside a host's namespaces, as an operator logged in there would (not through zkops). */
/** @returns {Promise<string>} */
export async function onHost(h, command) {
  const key = path.join(path.dirname(h.root), 'id_ed25519');
  const known = path.join(path.dirname(h.root), 'known_hosts.ssh');
  const nonInteractive = ['-o', 'StrictHostKeyChecking=accept-new', '-o', 'BatchMode=yes'];
  const r = await $({
    nothrow: true,
    quiet: true,
  })`ssh -i ${key} -o UserKnownHostsFile=${known} ${nonInteractive} root@${h.ip} ${command}`;
  if (r.exitCode !== 0) throw new Error(`on ${h.name}: ${command} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

/**
 * How many remote commands, shells and subsystems (SFTP) sshd on `h` has started so far, from its own DEBUG1 log
 * (the server's count, not zkops's): take it before and after a command.
 * @returns {{ exec: number, shell: number, subsystem: number, total: number }}
 */
export function remoteShells(h) {
  const file = path.join(h.root, 'sshd-debug.log');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const counts = { exec: 0, shell: 0, subsystem: 0, total: 0 };
  for (const m of text.matchAll(/server_input_channel_req: channel \d+ request (exec|shell|subsystem)/g)) {
    counts[m[1]]++;
    counts.total++;
  }
  return counts;
}

/** Makes `publicIp(i)` reach host i (DNAT) from every host and from this machine: the cloud elastic-IP situation. */
export async function addNat(lab, i) {
  const rule = ['-t', 'nat', '-A', 'OUTPUT', '-d', publicIp(i), '-j', 'DNAT', '--to-destination', hostIp(i)];
  await $`iptables ${rule}`;
  for (const h of lab.hosts) await $`ip netns exec ${h.netns} iptables ${rule}`;
}

/** Removes the NAT rules added by addNat from this machine (the hosts' rules go with their namespaces). */
export async function removeNat(i) {
  await $({
    nothrow: true,
    quiet: true,
  })`iptables -t nat -D OUTPUT -d ${publicIp(i)} -j DNAT --to-destination ${hostIp(i)}`;
}
