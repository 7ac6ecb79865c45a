/** The runtime conformance suite against nodes on three SSH test hosts. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll } from 'vitest';
import { isZkServer } from '../helpers/cli.js';
import { labInventory, useLab } from '../helpers/lab.js';
import { lifecycleSuite } from '../helpers/lifecycle.js';

const ctx = useLab('r', 3);
let inventory = '';
beforeAll(() => {
  inventory = path.join(ctx.cwd, 'ssh.yaml');
  writeFileSync(inventory, labInventory(ctx.lab, { name: 'rtssh' }));
});

lifecycleSuite({
  name: 'SSH hosts',
  cwd: () => ctx.cwd,
  inventory: () => inventory,
  up: ['deploy', '--accept-new-host-keys'],
  destroyable: false,
  // The hosts share this machine's pid namespace: their servers' pids are visible here.
  isServer: async (pid, id) => isZkServer(pid, `/opt/zookeeper/node-${id}/conf/zoo.cfg`),
});
