/** `zkops adopt`: the terminal front of ops/adopt.ts — prints the inventory, or where it was written. */
import { ExitCode } from '../errors.js';
import { adopt, type AdoptInput } from '../ops/adopt.js';
import { printJson, type OutputOptions } from '../output.js';

export type AdoptFlags = AdoptInput;

export async function adoptCommand(flags: AdoptFlags, out: OutputOptions): Promise<number> {
  const r = await adopt(flags);
  const { foundText, ...doc } = r;
  if (out.json) printJson(doc);
  else if (r.inventory)
    process.stdout.write(
      `${foundText}\n` +
        `Wrote ${r.inventory}: ${r.nodes.length} nodes ` +
        `(${r.nodes.map((n) => `${n.id}: ${n.zooCfg}`).join(', ')}).\n` +
        `Next: zkops deploy -i ${r.inventory} --dry-run\n`,
    );
  else process.stdout.write(r.text);
  return ExitCode.ok;
}
