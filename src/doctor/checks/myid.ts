/** myid: each node's data/myid must hold its server id, or the ensemble misbehaves silently. */
import path from 'node:path';
import type { Check, Finding } from '../index.js';

export const myidCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  const read = await Promise.all(
    ctx.places.map(async (p) => ({
      p,
      file: path.posix.join(p.node.dataDir, 'myid'),
      got: (await p.ex.readFile(path.posix.join(p.node.dataDir, 'myid')))?.trim(),
    })),
  );
  for (const { p, file, got } of read) {
    const n = p.node;
    if (got === undefined)
      findings.push({
        check: 'myid',
        severity: 'warning',
        message: `node ${n.id}: ${file} is missing`,
        fix: 'run zkops init/deploy to write it',
      });
    else if (got !== String(n.id))
      findings.push({
        check: 'myid',
        severity: 'error',
        message: `node ${n.id}: ${file} says ${got}; the data there belongs to server ${got}`,
        fix: 'give that node the id its data has in the inventory; never rewrite myid over data',
      });
  }
  if (findings.length === 0)
    findings.push({ check: 'myid', severity: 'ok', message: "every node's myid matches its id" });
  return findings;
};
