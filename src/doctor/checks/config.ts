/**
 * Identity and config: each node knows who it is and agrees with the others.
 * myid must exist and be a plain number as ZooKeeper reads it (no byte-order
 * mark, no spaces: "serverid ... is not a number"), 1–255, its own (no two
 * nodes share one) and match a server.N entry naming this node; the server
 * lists and the timing settings must be the same on every node; the voters
 * odd; 4lw.commands.whitelist must let health checks in; no two nodes of a
 * host may share a data directory; lines ZooKeeper cannot parse are named.
 */
import { readMyid } from '../../discovery/scan.js';
import { cfgValue, type ZooCfg } from '../../zookeeper/zoo-cfg.js';
import { toleratedFailures } from '../../health/majority.js';
import { okIfNone, type Check, type DoctorContext, type Finding } from '../check.js';

const serverList = (cfg: ZooCfg) =>
  cfg.servers
    .map((s) => `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}${s.role === 'observer' ? ':observer' : ''}`)
    .join('\n');

export const configCheck: Check = async (ctx) => {
  const findings = [...perNode(ctx), ...acrossNodes(ctx)];
  return okIfNone(findings, 'config', "every node's myid and zoo.cfg agree");
};

function perNode(ctx: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  const ids = new Map<number, number[]>();
  for (const facts of ctx.facts) {
    const node = facts.node;
    const f = (severity: Finding['severity'], message: string, more: Partial<Finding> = {}) =>
      findings.push({ check: 'config', node: node.id, severity, message, ...more });
    const cfg = facts.cfg;
    if (!cfg) {
      f('error', `${node.zooCfg} is missing or unreadable`, { fix: 'zkops init/deploy writes it (or restore it)' });
      continue;
    }
    const myidFile = `${node.dataDir}/myid`;
    const myid = readMyid(facts.myidHex);
    const ensemble = cfg.servers.length > 0;
    if (myid.problem && (ensemble || myid.problem !== 'is missing')) {
      f(
        'error',
        `${myidFile} ${myid.problem}: ` +
          `ZooKeeper refuses to start ("serverid ... is not a number" / "myid file is missing")`,
        {
          evidence: facts.myidHex
            ? [`${myidFile}: bytes ${facts.myidHex.match(/../g)!.join(' ')}`]
            : [`${myidFile}: no such file`],
          fix: `write the id alone: printf '${node.id}\\n' > ${myidFile}`,
        },
      );
    }
    if (myid.id !== undefined) {
      ids.set(myid.id, [...(ids.get(myid.id) ?? []), node.id]);
      if (myid.id < 1 || myid.id > 255)
        f('error', `${myidFile} says ${myid.id}: a server id must be 1–255`, {
          fix: 'renumber the server (myid and its server.N entry on every node)',
        });
      if (ensemble && !cfg.servers.some((s) => s.id === myid.id))
        f(
          'error',
          `${myidFile} says ${myid.id}, ` +
            `but ${cfg.file} has no server.${myid.id}: the node is not part of its own ensemble`,
          {
            evidence: [`${cfg.file}: ${cfg.servers.map((s) => `server.${s.id}`).join(', ')}`],
            fix: `add server.${myid.id} to every node's zoo.cfg, or give this node the id of its entry`,
          },
        );
      else if (myid.id !== node.id)
        f(
          'error',
          `${myidFile} says ${myid.id}, ` +
            `but this node is server ${node.id} (its entry in the server list names its host and ports)`,
          {
            fix: 'give the node the id its data has; never rewrite myid over data that belongs to another id',
          },
        );
    }
    for (const j of cfg.junk)
      f('warning', `${cfg.file}:${j.line} is not a setting ZooKeeper can read: "${j.text.trim().slice(0, 80)}"`, {
        fix: 'write it as key=value, or remove it',
      });
    const words = cfgValue(cfg, '4lw.commands.whitelist');
    if (words !== undefined && words.trim() !== '*') {
      const list = words.split(',').map((w) => w.trim());
      const missing = ['srvr', 'mntr', 'ruok'].filter((w) => !list.includes(w));
      if (missing.length)
        f(
          missing.includes('srvr') ? 'error' : 'warning',
          `4lw.commands.whitelist lacks ${missing.join(', ')}: ` +
            `${missing.includes('srvr') ? "no health check can see this node's mode" : 'health checks see less'}`,
          {
            evidence: [
              `${cfg.file}:${cfg.entries.get('4lw.commands.whitelist')!.line}: 4lw.commands.whitelist=${words}`,
            ],
            fix: `add ${missing.join(',')} to 4lw.commands.whitelist (never "*")`,
          },
        );
    }
    if (words?.trim() === '*')
      f(
        'warning',
        '4lw.commands.whitelist=* lets any client run every four-letter word (wchc, dump, ... cost the server)',
        {
          evidence: [`${cfg.file}:${cfg.entries.get('4lw.commands.whitelist')!.line}`],
          fix: 'list only what you need: srvr,ruok,mntr,conf',
        },
      );
  }
  for (const [id, nodes] of ids) {
    if (nodes.length > 1)
      findings.push({
        check: 'config',
        severity: 'error',
        message:
          `nodes ${nodes.join(', ')} all say myid ${id}: ` +
          `the ensemble sees one server where there are ${nodes.length}`,
        evidence: nodes.map((n) => `${ctx.spec.nodes.find((x) => x.id === n)!.dataDir}/myid: ${id}`),
        fix: 'give each node the id of its own server.N entry (a copied directory kept its myid)',
      });
  }
  return findings;
}

function acrossNodes(ctx: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  const withCfg = ctx.facts.filter((f) => f.cfg);
  const first = withCfg[0];
  if (!first) return findings;
  const reference = serverList(first.cfg!);
  const differ = withCfg.filter((f) => serverList(f.cfg!) !== reference);
  if (differ.length)
    findings.push({
      check: 'config',
      severity: 'error',
      message:
        `the server lists differ between nodes ` +
        `(node ${first.node.id} against ${differ.map((d) => `node ${d.node.id}`).join(', ')}): ` +
        `the nodes disagree about who is in the ensemble`,
      evidence: [first, ...differ].map((f) => `${f.cfg!.file}: ${serverList(f.cfg!).replace(/\n/g, ' ')}`),
      fix: 'give every node the same server.N lines',
    });
  for (const key of ['tickTime', 'initLimit', 'syncLimit']) {
    const values = new Map(withCfg.map((f) => [f.node.id, cfgValue(f.cfg!, key) ?? '(default)']));
    if (new Set(values.values()).size > 1)
      findings.push({
        check: 'config',
        severity: 'warning',
        message:
          `${key} differs between nodes (${[...values].map(([n, v]) => `node ${n}: ${v}`).join(', ')}): ` +
          `followers are judged by the leader's timing`,
        fix: `give every node the same ${key}`,
      });
  }
  const voters = first.cfg!.servers.filter((s) => s.role === 'participant').length;
  if (voters > 0 && voters % 2 === 0)
    findings.push({
      check: 'config',
      severity: 'warning',
      message: `${voters} voters survive ${toleratedFailures(voters)} failure(s), no more than ${voters - 1} would`,
      fix: `use an odd number of participants (${voters - 1} or ${voters + 1}); observers do not count`,
    });
  // Two nodes of one host in one data directory overwrite each other's snapshots and logs.
  const byDir = new Map<string, number[]>();
  // (Containers each have their own file system.)
  for (const n of ctx.places.filter((p) => p.ex === p.machine.ex).map((p) => p.node)) {
    const key = `${n.host.address}\0${n.dataDir}`;
    byDir.set(key, [...(byDir.get(key) ?? []), n.id]);
  }
  for (const [key, nodes] of byDir) {
    if (nodes.length > 1)
      findings.push({
        check: 'config',
        severity: 'error',
        message:
          `nodes ${nodes.join(', ')} share the data directory ${key.split('\0')[1]} on one host: ` +
          `their snapshots and logs overwrite each other`,
        fix: "give each node its own dataDir (a copied zoo.cfg kept the original's)",
      });
  }
  return findings;
}
