/**
 * The inventory schema: the single source of truth for what an inventory may
 * say. Validation, defaults and the JSON Schema file editors use
 * (schema/inventory.schema.json) all come from here: the inventory is
 * assembled here from its sections (schema-cluster.ts: what the servers run;
 * schema-places.ts: where they run and how they are reached), whose value
 * types are in schema-values.ts.
 */
import { z } from 'zod';
import { FOUR_LETTER_WORDS, REQUIRED_FOUR_LETTER_WORDS } from '../zookeeper/four-letter-words.js';
import { dirPath } from './schema-values.js';
import {
  JavaSchema,
  LoggingSchema,
  MonitoringSchema,
  SecuritySchema,
  SettingsSchema,
  ZookeeperSchema,
} from './schema-cluster.js';
import { DockerSchema, HostSchema, NodeSchema, PseudoSchema, ServiceSchema, SshSchema } from './schema-places.js';

export { FOUR_LETTER_WORDS, REQUIRED_FOUR_LETTER_WORDS };
export { DockerSchema, ServiceSchema, SshSchema };

/** The inventory as a user writes it. */
export const InventorySchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'expected letters, digits, ".", "-" or "_"')
      .max(64, 'expected at most 64 characters (it names units, containers and directories)')
      .describe('Cluster name.'),
    executor: z.enum(['local', 'ssh', 'docker']).default('local'),
    dir: dirPath
      .optional()
      .describe(
        'local: where node directories live (default .zkops/<name>). ssh: install root on each host (default ' +
          '/opt/zookeeper).',
      ),
    zookeeper: ZookeeperSchema.prefault({}),
    java: JavaSchema.prefault({}),
    logging: LoggingSchema.prefault({}),
    settings: SettingsSchema,
    monitoring: MonitoringSchema.prefault({}),
    security: SecuritySchema.prefault({}),
    ssh: SshSchema.optional(),
    service: ServiceSchema.optional(),
    docker: DockerSchema.optional(),
    hosts: z.array(HostSchema).optional(),
    nodes: z.array(NodeSchema).min(1).optional(),
    pseudo: PseudoSchema.optional(),
  })
  .describe('A zkops inventory: one ZooKeeper ensemble.');

export type Inventory = z.infer<typeof InventorySchema>;
export type InventoryNode = z.infer<typeof NodeSchema>;
export type InventoryHost = z.infer<typeof HostSchema>;
export type Settings = z.infer<typeof SettingsSchema>;
export type SshSettings = z.infer<typeof SshSchema>;
export type ServiceSettings = z.infer<typeof ServiceSchema>;
export type DockerSettings = z.infer<typeof DockerSchema>;
export type LoggingSettings = z.infer<typeof LoggingSchema>;
export type MonitoringSettings = z.infer<typeof MonitoringSchema>;
export type SecuritySettings = Inventory['security'];

/** The JSON Schema (draft 2020-12) editors use to check inventories as you type. */
export function inventoryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(InventorySchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
