/**
 * Options several commands share, declared once (typed by
 * @commander-js/extra-typings, so every action receives its options typed).
 */
import { InvalidArgumentError, Option, type Command, type OptionValues } from '@commander-js/extra-typings';

/** A whole number in [min, max], or a usage error that says so. */
export function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected ${name} ${min}–${max}, got "${value}"`);
    return n;
  };
}

/** Output flags every command has. */
export function outputFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'no progress output')
    .option('--verbose', 'stack traces on errors');
}

/** Which cluster, and the output flags: every cluster command. */
export function common<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return outputFlags(
    cmd
      .option('-i, --inventory <file>', 'inventory YAML (default: the cluster saved in ./.zkops)')
      .option('--cluster <name>', 'pick one of several clusters saved in ./.zkops'),
  );
}

/** How long to wait for quorum (seconds, default 60). */
export const quorumTimeout = () =>
  new Option('--timeout <seconds>', 'how long to wait for quorum').argParser(intArg('seconds', 1, 3600)).default(60);

/** The client commands' time limit (seconds, default 10). */
export const clientTimeout = () =>
  new Option('--timeout <seconds>', 'how long to wait for a session and for each check')
    .argParser(intArg('seconds', 1, 3600))
    .default(10);

/** First contact with an SSH host (like OpenSSH's accept-new). */
export const acceptNewHostKeys = () =>
  new Option(
    '--accept-new-host-keys',
    'trust and record SSH host keys seen for the first time (like OpenSSH accept-new)',
  );

/** Where to look for servers zkops did not set up. */
export function discoveryFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option(
      '--zoo-cfg <file...>',
      'zoo.cfg files of servers zkops did not set up (on this machine, or on --host hosts)',
    )
    .option(
      '--host <user@address...>',
      'look on these hosts over SSH (user@address[:port]; the ssh-agent, or --ssh-key)',
    )
    .option('--ssh-key <file>', 'private key for --host (default: the ssh-agent)')
    .option('--known-hosts <file>', 'known_hosts for --host (default: ~/.ssh/known_hosts)')
    .addOption(acceptNewHostKeys());
}
