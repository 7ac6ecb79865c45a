/**
 * Network: each node can listen where its server list says and reach its
 * peers. Its own quorum address must be on one of its host's interfaces
 * unless it listens on all (the cloud elastic-IP case: "Cannot assign
 * requested address"; quorumListenOnAllIPs from 3.5.8, 0.0.0.0 in the own
 * entry before, ZOOKEEPER-2164); peers' names must resolve, and not to
 * loopback on another host (127.0.1.1 zk1 in /etc/hosts); every running peer's
 * election port, and the leader's quorum port, must be reachable from each
 * node's host (a one-way firewall shows here).
 */
import { sh } from '../../shell.js';
import { cfgValue } from '../../zookeeper/zoo-cfg.js';
import { okIfNone, type Check, type DoctorContext, type Finding } from '../check.js';

const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || a === 'localhost';
const isAddress = (a: string) => /^[\d.]+$/.test(a) || a.includes(':');

export const networkCheck: Check = async (ctx) => {
  const findings = [...bindFindings(ctx), ...resolveFindings(ctx), ...(await reachFindings(ctx))];
  return okIfNone(findings, 'network', 'every node can listen on its addresses and reach its peers');
};

function bindFindings(ctx: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  for (const facts of ctx.facts) {
    const cfg = facts.cfg;
    const own = cfg?.servers.find((s) => s.id === facts.node.id);
    if (!cfg || !own || facts.localAddresses.length === 0) continue;
    if (own.host === '0.0.0.0' || cfgValue(cfg, 'quorumListenOnAllIPs') === 'true') continue;
    const addresses = isAddress(own.host) ? [own.host] : (facts.resolves.get(own.host) ?? []);
    if (addresses.length === 0 || addresses.some((a) => facts.localAddresses.includes(a) || isLoopback(a))) continue;
    findings.push({
      check: 'network',
      node: facts.node.id,
      severity: 'error',
      message:
        `its own server entry names ${own.host}${addresses[0] !== own.host ? ` (${addresses.join(', ')})` : ''}, ` +
        `which is on none of ${facts.node.place}'s interfaces: ` +
        `the server cannot bind its quorum and election ports there ("Cannot assign requested address")`,
      evidence: [
        `${cfg.file}:${own.line}: server.${own.id}=${own.host}:${own.quorumPort}:${own.electionPort}`,
        `addresses of ${facts.node.place}: ${facts.localAddresses.join(', ')}`,
      ],
      fix:
        'listen on all addresses: quorumListenOnAllIPs=true (ZooKeeper 3.5.8+), ' +
        "or 0.0.0.0 in this node's own server entry on older versions; zkops does it with hosts[].bindAll",
    });
  }
  return findings;
}

function resolveFindings(ctx: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  const multiHost = new Set(ctx.spec.nodes.map((n) => n.host.address)).size > 1;
  for (const facts of ctx.facts) {
    for (const peer of facts.cfg?.servers ?? []) {
      if (isAddress(peer.host)) continue;
      const got = facts.resolves.get(peer.host);
      if (got === undefined) continue;
      const where = `${facts.cfg!.file}:${peer.line}`;
      if (got.length === 0) {
        findings.push({
          check: 'network',
          node: facts.node.id,
          severity: 'error',
          message: `${peer.host} (server.${peer.id}) does not resolve on ${facts.node.place}`,
          evidence: [`${where}: server.${peer.id}=${peer.host}:...`, `getent ahostsv4 ${peer.host}: nothing`],
          fix: `add ${peer.host} to DNS or /etc/hosts on every node, or use its address in the server list`,
        });
      } else if (multiHost && peer.id !== facts.node.id && got.every(isLoopback)) {
        findings.push({
          check: 'network',
          node: facts.node.id,
          severity: 'error',
          message:
            `${peer.host} (server.${peer.id}) resolves to ${got.join(', ')} on ${facts.node.place}: ` +
            `a loopback address, so this node talks to itself instead of that peer`,
          evidence: [`${where}`, `getent ahostsv4 ${peer.host}: ${got.join(' ')}`],
          fix:
            `in /etc/hosts on ${facts.node.place}, map ${peer.host} to its real address ` +
            `(the 127.0.1.1 line Debian adds for its own name is the usual culprit)`,
        });
      }
    }
  }
  return findings;
}

async function reachFindings(ctx: DoctorContext): Promise<Finding[]> {
  const running = ctx.spec.nodes.filter((n) => ctx.states.get(n.id)?.state === 'running');
  const leader = ctx.reports.find((r) => r.health.mode === 'leader')?.node;
  if (running.length < 2) return [];
  const findings: Finding[] = [];
  await Promise.all(
    ctx.facts
      .filter((f) => running.includes(f.node) && f.place.ex === f.place.machine.ex)
      .map(async (facts) => {
        const targets = running
          .filter((n) => n !== facts.node)
          .flatMap((n) => [
            { n, port: n.electionPort, what: 'election' },
            ...(n === leader ? [{ n, port: n.quorumPort, what: 'quorum' }] : []),
          ]);
        // All at once, each line tagged with its target. bash without its rc files: a profile read for every
        // probe (bash sources .bashrc under sshd) ate the time limit on slow hosts and looked like a firewall.
        const probe = targets
          .map(
            (t, i) =>
              `(timeout 5 bash --norc --noprofile -c ${sh(`: </dev/tcp/${t.n.peerAddress}/${t.port}`)} ` +
              `2>/dev/null; echo "${i} $?") &`,
          )
          .join(' ');
        const r = await facts.place.ex
          .exec(`command -v bash >/dev/null || exit 3; ${probe} wait`, { timeoutMs: 30_000 })
          .catch(() => undefined);
        if (!r || r.code === 3) return;
        for (const line of r.stdout.split('\n').filter(Boolean)) {
          const [i, code] = line.split(' ').map(Number);
          const t = targets[i!];
          if (!t || code === 0) continue;
          const where = `${t.n.peerAddress}:${t.port}`;
          const evidence = `bash: : </dev/tcp/${where} on ${facts.node.place}`;
          // No answer in time cannot tell a dropping firewall from a host too busy to answer: a warning.
          if (code === 124) {
            findings.push({
              check: 'network',
              node: facts.node.id,
              severity: 'warning',
              message:
                `could not decide whether node ${t.n.id}'s ${t.what} port ${where} is reachable from ` +
                `${facts.node.place}: no answer within 5 s (a firewall that drops packets, or a very busy host)`,
              evidence: [`${evidence}: no answer within 5 s`],
              fix: `run the doctor again; if it persists, check that TCP ${t.port} on ${t.n.place} is open to ${facts.node.place}`,
            });
            continue;
          }
          findings.push({
            check: 'network',
            node: facts.node.id,
            severity: 'error',
            message:
              `cannot reach node ${t.n.id}'s ${t.what} port ${where} from ${facts.node.place}, ` +
              `although that server runs: a firewall between them?`,
            evidence: [`${evidence}: connection refused or failed (exit ${code})`],
            fix:
              `open TCP ${t.port} on ${t.n.place} to ${facts.node.place} ` +
              `(every node must reach every other node's election port, and the leader's quorum port)`,
          });
        }
      }),
  );
  return findings;
}
