/**
 * `zkops deploy -i INVENTORY`: install and run the ensemble an inventory
 * describes, wherever it says (SSH hosts, this machine, containers). Running
 * it again converges: unchanged nodes are left alone; changed nodes restart
 * one at a time.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import { validatedInventory } from '../inventory/cache.js';
import { readInventoryText } from './cluster-ref.js';
import type { OutputOptions } from '../output.js';
import { runUp } from './up-command.js';

export interface DeployFlags {
  inventory?: string;
  dryRun?: boolean;
  acceptNewHostKeys?: boolean;
  start?: boolean;
  force?: boolean;
  allowDowngrade?: boolean;
  upgrade?: boolean;
  timeout: number;
}

export async function deployCommand(flags: DeployFlags, out: OutputOptions): Promise<number> {
  if (!flags.inventory)
    throw new ZkopsError('deploy needs an inventory: zkops deploy -i inventories/vms-3.yaml', ExitCode.usage);
  const loaded = await validatedInventory(await readInventoryText(flags.inventory), flags.inventory, process.cwd());
  return runUp(loaded, out, {
    timeoutSeconds: flags.timeout,
    dryRun: flags.dryRun,
    acceptNewHostKeys: flags.acceptNewHostKeys,
    start: flags.start,
    force: flags.force,
    allowDowngrade: flags.allowDowngrade,
    upgrade: flags.upgrade,
  });
}
