/** `zkops export` and `zkops import`: a subtree to a file and back (the dashboard's format). */
import type { Command } from '@commander-js/extra-typings';
import { outputOptions } from '../output.js';
import { clientTimeout, common } from './options.js';

/** Adds the two commands; `run` as in program.ts (records the exit code). */
export function znodeFileCommands(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const client = (name: string) =>
    common(program.command(name))
      .option('--server <connect-string>', 'host:port,host:port,...: an ensemble zkops did not set up')
      .addOption(clientTimeout());
  const load = () => import('../commands/znode-file.js');
  client('export')
    .argument('<path>')
    .description('write a subtree to a JSON file: each persistent znode with its data (base64) and ACL')
    .requiredOption('-o, --output <file>', 'the file to write')
    .action((path, o) => run(async () => (await load()).exportCommand(path, o, outputOptions(o))));
  client('import')
    .argument('<file>')
    .description('import a file zkops export wrote: a dry run listing what would change, unless --apply')
    .requiredOption('--into <path>', 'the znode the exported root becomes')
    .option('--apply', 'write: create and change znodes, each write naming the version planned with')
    .action((file, o) => run(async () => (await load()).importCommand(file, o, outputOptions(o))));
}
