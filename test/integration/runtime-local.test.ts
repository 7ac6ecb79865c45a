/** The runtime conformance suite against processes on this machine (a pseudo-cluster). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { isZkServer, killServersUnder, workdir } from '../helpers/cli.js';
import { lifecycleSuite } from '../helpers/lifecycle.js';

let cwd = '';
let inventory = '';
beforeAll(() => {
  cwd = workdir('rt-local');
  inventory = path.join(cwd, 'local.yaml');
  writeFileSync(
    inventory,
    'name: rtlocal\nexecutor: local\npseudo: { count: 3, basePort: 26181 }\njava: { heap: 128m }\n',
  );
});
afterAll(() => killServersUnder(cwd));

lifecycleSuite({
  name: 'local processes',
  cwd: () => cwd,
  inventory: () => inventory,
  up: ['init'],
  destroyable: true,
  isServer: async (pid, id) => isZkServer(pid, `${cwd}/.zkops/rtlocal/node-${id}/conf/zoo.cfg`),
});
