import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryJsonSchema } from '../../src/inventory/schema.js';

describe('JSON Schema for editors', () => {
  it('schema/inventory.schema.json is what the schema emits (run `npm run schema` after changing it)', () => {
    expect(JSON.parse(readFileSync('schema/inventory.schema.json', 'utf8'))).toEqual(inventoryJsonSchema());
  });

  it('rejects unknown keys everywhere and describes node ids as 1–255', () => {
    const schema = inventoryJsonSchema() as any;
    expect(schema.additionalProperties).toBe(false);
    const node = schema.properties.nodes.items;
    expect(node.additionalProperties).toBe(false);
    expect(node.properties.id).toMatchObject({ minimum: 1, maximum: 255 });
  });
});
