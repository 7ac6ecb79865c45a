import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { loadSecrets } from '../../src/security/secrets.js';
import { renderNodeFiles } from '../../src/render/node.js';
import { syncFiles } from '../../src/executors/helpers.js';
import { LocalExecutor } from '../../src/executors/local.js';
import { securitySteps } from '../../src/security/levels.js';

const base = parseInventory(readFileSync('inventories/pseudo-3.yaml', 'utf8'), 'pseudo-3.yaml', '/home/op').spec;
const FACTS = { javaHome: '/j', zookeeperHome: '/z', classpath: '', zookeeperVersion: '3.8.0', bindAll: false };

it('partial switch-off still reads secrets; IPv6 not reissued', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zks-'));
  const on = { ...base, security: { ...base.security, tls: true, quorumAuth: true, superUser: true, dir } };
  const a = (await loadSecrets(on, { create: true }))!;
  const offSasl = { ...on, security: { ...on.security, quorumAuth: false } };
  const b = (await loadSecrets(offSasl, { create: true }))!;
  expect(b.quorumPassword).toBe(a.quorumPassword);
  const offTls = { ...on, security: { ...on.security, tls: false } };
  const c = (await loadSecrets(offTls, { create: true }))!;
  expect(c.ca?.cert).toBe(a.ca?.cert);
  expect(c.nodes[1]?.key).toBe(a.nodes[1]?.key);
  const spec = { ...offTls, secrets: c };
  renderNodeFiles(spec, spec.nodes[0]!, FACTS, { security: { tls: 2, sasl: 3 } });
  const v6 = { ...on, nodes: on.nodes.map((n) => ({ ...n, host: { ...n.host, address: '::1' } })) };
  const d = (await loadSecrets(v6, { create: true }))!;
  const e = (await loadSecrets(v6, { create: true }))!;
  expect(e.nodes[1]?.key).toBe(d.nodes[1]?.key);
  // dry run does not keep private content
  const out = await syncFiles(new LocalExecutor(), [
    { path: path.join(dir, 'x', 'node.pem'), content: 'SECRET', mode: 0o600 },
    { path: path.join(dir, 'x', 'zoo.cfg'), content: 'a=1', mode: 0o644 },
  ], { dryRun: true, keepBefore: true });
  expect(JSON.stringify(out)).not.toContain('SECRET');
  expect(JSON.stringify(out)).toContain('a=1');
  console.log(JSON.stringify(securitySteps([{ tls: 3, sasl: 3 }], { tls: 0, sasl: 0 })));
  console.log(JSON.stringify(securitySteps([{ tls: 0, sasl: 0 }], { tls: 3, sasl: 3 })));
});
