/** The runtime conformance suite against containers on a real Docker engine. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { isZkServer, workdir, zkops } from '../helpers/cli.js';
import { buildZookeeperImage, ensureDockerd, TEST_IMAGE } from '../helpers/docker.mjs';
import { lifecycleSuite } from '../helpers/lifecycle.js';

let cwd = '';
let inventory = '';
beforeAll(async () => {
  await ensureDockerd();
  await buildZookeeperImage();
  cwd = workdir('rt-docker');
  inventory = path.join(cwd, 'docker.yaml');
  writeFileSync(
    inventory,
    `name: rtdocker\nexecutor: docker\ndocker: { image: ${JSON.stringify(TEST_IMAGE)} }\npseudo: { count: 3, ` +
      `basePort: 26281 }\njava: { heap: 128m }\n`,
  );
}, 300_000);
afterAll(async () => {
  await zkops(cwd, ['destroy', '--yes', '-i', inventory]);
});

lifecycleSuite({
  name: 'Docker containers',
  cwd: () => cwd,
  inventory: () => inventory,
  up: ['init'],
  destroyable: true,
  // A container's server is a process on this machine; its node id is in its environment.
  isServer: async (pid, id) => isZkServer(pid, '/conf/zoo.cfg', `ZOO_MY_ID=${id}`),
});
