import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/errors.js';
import { loadInventoryFile, parseInventory } from '../../src/inventory/load.js';

const BAD = 'test/fixtures/bad';

/** Each bad fixture states what it must produce: `# expect: LINE: PATH: MESSAGE-PART`. */
function expectations(file: string): { line: number; rest: string }[] {
  return [...readFileSync(file, 'utf8').matchAll(/^# expect: (\d+): (.*)$/gm)].map((m) => ({
    line: Number(m[1]),
    rest: m[2]!,
  }));
}

describe('inventory validation: corpus of bad inventories', () => {
  for (const name of readdirSync(BAD).filter((f) => f.endsWith('.yaml'))) {
    it(`reports every problem of ${name} with file, line and field`, async () => {
      const file = path.join(BAD, name);
      const wanted = expectations(file);
      expect(wanted.length).toBeGreaterThan(0);
      const err = await loadInventoryFile(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InventoryError);
      const lines = (err as InventoryError).message
        .split('\n')
        .slice(1)
        .map((l) => l.trim());
      expect(lines).toHaveLength(wanted.length);
      for (const w of wanted)
        expect(
          lines.some((l) => l.startsWith(`${file}:${w.line}: `) && l.includes(w.rest)),
          `${w.line}: ${w.rest}\n${lines.join('\n')}`,
        ).toBe(true);
    });
  }
});

describe('inventory validation: sound inventories', () => {
  for (const name of readdirSync('inventories')) {
    it(`accepts inventories/${name}`, async () => {
      const { spec } = await loadInventoryFile(path.join('inventories', name), '/work');
      expect(spec.nodes.length).toBeGreaterThanOrEqual(3);
      expect(new Set(spec.nodes.map((n) => n.id)).size).toBe(spec.nodes.length);
    });
  }

  it('fills in defaults: dirs under .zkops/<name>, 4lw whitelist with what zkops needs and no *', () => {
    const { spec } = parseInventory('name: demo\npseudo: {count: 3}\n', 'demo.yaml', '/srv/x');
    expect(spec.dir).toBe('/srv/x/.zkops/demo');
    expect(spec.nodes.map((n) => n.dataDir)).toEqual([1, 2, 3].map((i) => `/srv/x/.zkops/demo/node-${i}/data`));
    expect(spec.settings.fourLetterWords).toEqual(expect.arrayContaining(['srvr', 'ruok', 'mntr', 'conf']));
    expect(spec.settings.fourLetterWords).not.toContain('*');
    expect(spec.settings.adminServer).toEqual({ enabled: true, address: '127.0.0.1' });
  });

  it('rejects a whitelist entry of "*"', () => {
    expect(() => parseInventory('name: d\npseudo: {}\nsettings: {fourLetterWords: ["*"]}\n', 'd.yaml')).toThrow(
      /settings\.fourLetterWords\[0\]/,
    );
  });

  it('shares one host object between nodes of an ssh inventory', () => {
    const { spec } = parseInventory(readFileSync('inventories/vms-3.yaml', 'utf8'), 'vms-3.yaml');
    expect(spec.dir).toBe('/opt/zookeeper');
    expect(spec.nodes[0]!.host).toBe(spec.hosts[0]);
    expect(spec.nodes[0]!.zooCfg).toBe('/opt/zookeeper/node-1/conf/zoo.cfg');
  });
});
