import { createLab } from '/work/wt-debroot/test/helpers/hosts.mjs';
import { buildTestTarball } from '/work/wt-debroot/test/helpers/tarball.mjs';
import { $, fs, path } from 'zx';
const lab = await createLab('rp', 1, { debian: [1] });
const h = lab.hosts[0];
const dir = fs.mkdtempSync('/tmp/dbtry/rp-');
try {
  const inv = path.join(dir, 'i.yaml');
  fs.writeFileSync(inv, [
    'name: rp', 'executor: ssh',
    `ssh: { identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts} }`,
    'hosts:', `  - { name: ${h.name}, address: ${h.ip} }`,
    'nodes:', `  - { id: 1, host: ${h.name} }`,
    'java: { heap: 128m, install: package }',
    `zookeeper: { tarball: ${await buildTestTarball('3.8.0')} }`, ''].join('\n'));
  const z = (...a) => $({ cwd: dir, nothrow: true, env: { ...process.env, NO_COLOR: '1' } })`node /work/wt-debroot/bin/zkops.js ${a}`;
  let r = await z('deploy', '-i', inv, '--accept-new-host-keys');
  console.log(r.exitCode, r.stdout, r.stderr);
  r = await z('deploy', '-i', inv, '--dry-run');
  console.log(r.exitCode, r.stdout, r.stderr);
  console.log(fs.readFileSync(path.join(h.debian.upper, 'opt/zookeeper/node-1/conf/java.env'), 'utf8'));
  r = await z('stop', '-i', inv);
} finally {
  await lab.teardown();
}
