/** Writes schema/inventory.schema.json from the inventory schema (npm run schema). */
import { writeFileSync } from 'node:fs';
import { inventoryJsonSchema } from './schema.js';

writeFileSync('schema/inventory.schema.json', `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`);
