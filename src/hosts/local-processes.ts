/**
 * LIST_ZK_PROCESSES's listing of this machine, read from /proc by zkops itself. On this machine the shell
 * version starts three processes (sh, grep, tr), which on a small box cost more than the rest of a local
 * `zkops status` (about 40 ms of its 300). The lines are the shell version's, in its order (pids as text), so
 * one parser reads both, and a test holds the two listings equal. (One difference: a command line holding a
 * newline is one line here, where grep cut it in two.)
 */
import { readdirSync, readFileSync } from 'node:fs';

// Synchronous on purpose: /proc answers from memory, a few hundred small reads take a few milliseconds, and the
// promise per file of the async API cost several times that.
const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined; // the process ended while we looked, or it is not ours to read
  }
};

/** Live QuorumPeerMain processes on this machine, as LIST_ZK_PROCESSES prints them. */
export function listLocalZkProcesses(): string {
  let users: Map<string, string> | undefined;
  const userOf = (uid: string) => {
    users ??= new Map(
      (read('/etc/passwd') ?? '')
        .split('\n')
        .map((l) => l.split(':'))
        .filter((f) => f.length > 2)
        .reverse() // the first entry for a uid wins, as in the shell loop
        .map((f): [string, string] => [f[2] ?? '', f[0] ?? '']),
    );
    return users.get(uid) ?? uid;
  };
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d));
  } catch {
    return ''; // no /proc (not Linux): no server found, as the shell version finds none
  }
  const lines: string[] = [];
  for (const pid of pids.sort()) {
    const d = `/proc/${pid}`;
    const cmdline = read(`${d}/cmdline`);
    if (!cmdline?.includes('QuorumPeerMain')) continue;
    const stat = read(`${d}/stat`);
    if (stat === undefined) continue;
    if (stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[0] === 'Z') continue;
    const uid = /^Uid:\s+(\S+)/m.exec(read(`${d}/status`) ?? '')?.[1] ?? '';
    const unit =
      (read(`${d}/cgroup`) ?? '')
        .split('\n')
        .filter((c) => c.endsWith('.service'))
        .map((c) => c.slice(c.lastIndexOf('/') + 1))
        .filter((u) => u.startsWith('zookeeper-'))
        .pop() ?? '';
    const args = Buffer.from(cmdline, 'latin1').toString('utf8').replace(/\n/g, ' ').replace(/\0/g, '\x1f');
    lines.push(`${pid}\t${uid ? userOf(uid) : ''}\t${unit}\t${args}`);
  }
  return lines.join('\n');
}
