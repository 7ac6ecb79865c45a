import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../src/executors/local.js';
import { listLocalZkProcesses } from '../../src/hosts/local-processes.js';
import { LIST_ZK_PROCESSES, listZkProcesses } from '../../src/hosts/processes.js';

const MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
// Stand-ins whose command lines look like servers' to both listings (neither looks further than the command line).
const lookalikes: [string, string[]][] = [
  [
    'a server started by zkServer.sh',
    ['-Dzookeeper.log.dir=/var/log/zk 1', '-cp', '/opt/zk/lib/*', MAIN, '/opt/zk 1/conf/zoo.cfg'],
  ],
  ['a java typed by hand', ['-cp', '/opt/zk/lib/*', MAIN, '/srv/zk/zoo.cfg']],
  ['a shell whose script names the class', [`echo ${MAIN}`]],
];
let children: ChildProcess[] = [];

beforeAll(async () => {
  children = lookalikes.map(([, args]) =>
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', ...args], { stdio: 'ignore' }),
  );
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('spawn', resolve))));
});
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

describe("this machine's QuorumPeerMain processes, read from /proc", () => {
  it('lists the same lines as the shell listing that SSH hosts run, for every process both see', async () => {
    const pids = new Set(children.map((c) => String(c.pid)));
    const ours = (out: string) =>
      out
        .split('\n')
        .filter((l) => pids.has(l.split('\t')[0]))
        .sort();
    const shell = (await new LocalExecutor().exec(LIST_ZK_PROCESSES)).stdout;
    const direct = listLocalZkProcesses();
    expect(ours(direct)).toHaveLength(3);
    expect(ours(direct)).toEqual(ours(shell));
  });

  it('finds the servers with their configs and who started them, and not a script that names the class', async () => {
    const found = (await listZkProcesses(new LocalExecutor())).filter((p) => children.some((c) => c.pid === p.pid));
    expect(found.map((p) => [p.pid, p.config, p.by]).sort()).toEqual(
      [
        [children[0].pid, '/opt/zk 1/conf/zoo.cfg', 'zkServer.sh'],
        [children[1].pid, '/srv/zk/zoo.cfg', 'by hand'],
      ].sort(),
    );
    expect(found.every((p) => p.user && !/^\d+$/.test(p.user))).toBe(true);
  });
});
