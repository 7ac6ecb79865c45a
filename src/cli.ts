/**
 * argv → command. The one place that catches errors, prints them once and
 * picks the exit code; stack traces only with --verbose.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, ZkopsError } from './errors.js';
import { color, outputOptions } from './output.js';

const VERSION = '0.1.0';

function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected ${name} ${min}–${max}, got "${value}"`);
    return n;
  };
}

type Flags = {
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  inventory?: string;
  cluster?: string;
  timeout: number;
  yes?: boolean;
};

function build(run: (fn: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('zkops')
    .description('Provision and operate Apache ZooKeeper ensembles.')
    .version(VERSION)
    .showHelpAfterError('(run zkops --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(color.red(s)) });

  const common = (cmd: Command) =>
    cmd
      .option('-i, --inventory <file>', 'inventory YAML (default: the cluster saved in ./.zkops)')
      .option('--cluster <name>', 'pick one of several clusters saved in ./.zkops')
      .option('--json', 'machine-readable output on stdout')
      .option('-q, --quiet', 'no progress output')
      .option('--verbose', 'stack traces on errors');
  const timeout = new Option('--timeout <seconds>', 'how long to wait for quorum')
    .argParser(intArg('seconds', 1, 3600))
    .default(60);

  common(program.command('init'))
    .description(
      'bring up a pseudo-cluster on this machine (default: 3 nodes, client ports 2181-2183), as processes or with ' +
        '--docker as containers',
    )
    .option('--nodes <n>', 'number of nodes', intArg('a node count', 1, 255))
    .option('--base-port <port>', 'client port of node 1; other ports shift with it', intArg('a port', 1, 65535))
    .option('--name <name>', 'cluster name (default: zk)')
    .option('--docker', "run the nodes as containers on this machine's Docker engine")
    .option('--image <image>', 'with --docker: the ZooKeeper image (default: zookeeper:3.8)')
    .addOption(timeout)
    .action((o: Flags & { nodes?: number; basePort?: number; name?: string; docker?: boolean; image?: string }) =>
      run(async () => (await import('./commands/init.js')).initCommand(o, outputOptions(o))),
    );

  common(program.command('deploy'))
    .description(
      'install and run the ensemble an inventory describes (SSH hosts, this machine or Docker); run again to converge',
    )
    .option('--dry-run', 'show per host which files would change and what would start; change nothing')
    .option(
      '--accept-new-host-keys',
      'trust and record SSH host keys seen for the first time (like OpenSSH accept-new)',
    )
    .option('--no-start', 'install and configure, but start nothing')
    .option('--force', 'go on with a rolling restart even where it leaves fewer than a majority of voters serving')
    .option('--allow-downgrade', "let a 3.5+ node go back to a 3.4 release (its data must be 3.4's)")
    .addOption(timeout)
    .action((o: Flags & { dryRun?: boolean; acceptNewHostKeys?: boolean; start?: boolean }) =>
      run(async () => (await import('./commands/deploy.js')).deployCommand(o, outputOptions(o))),
    );

  common(program.command('upgrade'))
    .description(
      'roll the release the inventory now names (zookeeper.home, .tarball, .version, docker.image) ' +
        'out one node at a time: ' +
        'followers first, the leader last, each back and caught up before the next; 3.4 data is carried over to 3.5+',
    )
    .option('--dry-run', 'show the plan (each node, its versions, the order); change nothing')
    .option(
      '--accept-new-host-keys',
      'trust and record SSH host keys seen for the first time (like OpenSSH accept-new)',
    )
    .option('--allow-downgrade', "let a 3.5+ node go back to a 3.4 release (its data must be 3.4's)")
    .addOption(timeout)
    .action((o: Flags & { dryRun?: boolean; acceptNewHostKeys?: boolean }) =>
      run(async () => (await import('./commands/deploy.js')).deployCommand({ ...o, upgrade: true }, outputOptions(o))),
    );

  common(program.command('status'))
    .description('mode, zxid, connections and pid of every node; exit 0 only when healthy')
    .action((o: Flags) => run(async () => (await import('./commands/status.js')).statusCommand(o, outputOptions(o))));

  common(program.command('start [nodes...]'))
    .description('start stopped nodes (all by default); running nodes are left alone')
    .addOption(timeout)
    .action((ids: string[], o: Flags) =>
      run(async () => (await import('./commands/lifecycle.js')).startCommand(o, ids, outputOptions(o), o.timeout)),
    );

  common(program.command('stop [nodes...]'))
    .description(
      'stop nodes (all by default): TERM, then KILL after 15 s; returns when they are gone. Refuses to stop some ' +
        'nodes when the rest would lose the quorum',
    )
    .option('--force', 'stop them even if the ensemble loses its quorum')
    .action((ids: string[], o: Flags) =>
      run(async () => (await import('./commands/lifecycle.js')).stopCommand(o, ids, outputOptions(o))),
    );

  common(program.command('restart [nodes...]'))
    .description(
      'rolling restart (followers first, leader last), waiting for quorum after each node; refuses a step that ' +
        'would lose the quorum',
    )
    .option('--force', 'restart even where a step leaves fewer than a majority of voters serving')
    .addOption(timeout)
    .action((ids: string[], o: Flags) =>
      run(async () => (await import('./commands/lifecycle.js')).restartCommand(o, ids, outputOptions(o), o.timeout)),
    );

  common(program.command('destroy'))
    .description(
      'stop a cluster on this machine (processes or containers) and delete it, data included; never runs on SSH hosts',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .action((o: Flags) => run(async () => (await import('./commands/destroy.js')).destroyCommand(o, outputOptions(o))));

  common(program.command('logs [nodes...]'))
    .description('the server logs of the nodes (all by default), merged by time and prefixed by node')
    .option('-n, --lines <n>', 'lines per node', intArg('a line count', 1, 1_000_000), 200)
    .option('--since <time>', 'only entries since then: 90s, 10m, 2h, 1d, or "2026-11-30 21:00" (local time)')
    .option('-f, --follow', 'keep printing new entries (every second) until Ctrl-C')
    .option('--all', 'keep the four-letter-word probes (srvr, mntr, ...), left out by default')
    .action((ids: string[], o: Flags & { lines: number; since?: string; follow?: boolean; all?: boolean }) =>
      run(async () => (await import('./commands/logs.js')).logsCommand(o, ids, outputOptions(o))),
    );

  common(program.command('bundle'))
    .description(
      'one .tar.gz with configs, myids, log ends, srvr/conf/mntr, listening ports, status and the doctor, ' +
        'secrets left out',
    )
    .option('-o, --output <file>', 'where to write it (default: zkops-bundle-<cluster>.tar.gz)')
    .action((o: Flags & { output?: string }) =>
      run(async () => (await import('./commands/bundle.js')).bundleCommand(o, outputOptions(o), VERSION)),
    );

  common(program.command('backup'))
    .description(
      'copy a consistent set of the data (newest snapshot and the transaction logs after it, from a node in the ' +
        'quorum) into a new local directory, with a manifest of zxids and checksums',
    )
    .option('-o, --output <dir>', 'the directory to create')
    .action((o: Flags & { output?: string }) =>
      run(async () => (await import('./commands/backup.js')).backupCommand(o, outputOptions(o))),
    );

  common(program.command('restore <dir>'))
    .description(
      'put a backup back into every node of the stopped ensemble; refuses data newer than the backup unless ' +
        '--force (what was there is moved aside, never deleted)',
    )
    .option('--force', 'restore even over data newer than the backup')
    .action((dir: string, o: Flags & { force?: boolean }) =>
      run(async () => (await import('./commands/backup.js')).restoreCommand(dir, o, outputOptions(o))),
    );

  // The client commands talk to the client ports only: any ensemble, through --server.
  const client = (cmd: Command) =>
    common(cmd)
      .option('--server <host:port,...>', 'a connect string, for an ensemble zkops did not set up')
      .addOption(
        new Option('--timeout <seconds>', 'how long to wait for a session and for each check')
          .argParser(intArg('seconds', 1, 3600))
          .default(10),
      );

  client(program.command('smoke'))
    .description(
      'prove the ensemble works as applications use it: write and read through every node, ephemeral and ' +
        'sequential znodes, a watch, a session moving between nodes; cleans up after itself',
    )
    .action((o: Flags & { server?: string }) =>
      run(async () => (await import('./commands/client.js')).smokeCommand(o, outputOptions(o))),
    );

  client(program.command('ls <path>'))
    .description("list a znode's children (-R: the whole subtree); Dubbo's URL-encoded names shown decoded")
    .option('-R, --recursive', 'the whole subtree')
    .action((path: string, o: Flags & { server?: string; recursive?: boolean }) =>
      run(async () => (await import('./commands/client.js')).lsCommand(path, o, outputOptions(o))),
    );

  client(program.command('get <path>'))
    .description("a znode's data, stat and ACL")
    .action((path: string, o: Flags & { server?: string }) =>
      run(async () => (await import('./commands/client.js')).getCommand(path, o, outputOptions(o))),
    );

  client(program.command('watch <path>'))
    .description('print creation, change and deletion of a znode and its children as they happen, until Ctrl-C')
    .action((path: string, o: Flags & { server?: string }) =>
      run(async () => (await import('./commands/client.js')).watchCommand(path, o, outputOptions(o))),
    );

  const discovery = (cmd: Command) =>
    cmd
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
      .option('--accept-new-host-keys', 'trust and record SSH host keys seen for the first time');

  const certs = program
    .command('certs')
    .description("the cluster CA's certificates: list them, issue one for a client, renew the nodes'");
  common(certs.command('list'))
    .description('every certificate zkops issued for the cluster, and the days each has left')
    .action((o: Flags) => run(async () => (await import('./commands/certs.js')).certsListCommand(o, outputOptions(o))));
  common(certs.command('client <name>'))
    .description(
      'write a client key and certificate signed by the cluster CA, the CA certificate, and a Java client ' +
        'configuration (zkCli.sh -client-configuration) into a directory',
    )
    .option('-o, --output <dir>', 'where to write the files')
    .option('--force', 'replace files of that name already there')
    .action((name: string, o: Flags & { output?: string }) =>
      run(async () => (await import('./commands/certs.js')).certsClientCommand(name, o, outputOptions(o))),
    );
  common(certs.command('rotate'))
    .description('new keys and certificates for every node, rolled out one node at a time (followers first)')
    .option('--force', 'roll on even where a restart leaves fewer than a majority serving')
    .option('--accept-new-host-keys', 'trust and record SSH host keys seen for the first time')
    .addOption(timeout)
    .action((o: Flags & { acceptNewHostKeys?: boolean }) =>
      run(async () => (await import('./commands/certs.js')).certsRotateCommand(o, outputOptions(o))),
    );

  discovery(common(program.command('doctor')))
    .description(
      'find and explain classic faults (wrong JAVA_HOME, leftover QuorumPeerMain, port clashes, myid, network, ...): ' +
        'of the cluster here, an inventory, or servers zkops did not set up',
    )
    .option('--fix', 'apply the fixes that are safe, then check again')
    .action((o: Flags & { fix?: boolean }) =>
      run(async () => (await import('./commands/doctor.js')).doctorCommand(o, outputOptions(o))),
    );

  discovery(program.command('adopt'))
    .description('write an inventory for an ensemble zkops did not set up, so that deploy can manage it')
    .option('-o, --output <file>', 'where to write the inventory (default: print it)')
    .option('--name <name>', 'cluster name (default: adopted)')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'no progress output')
    .option('--verbose', 'stack traces on errors')
    .action((o: Flags & { output?: string; name?: string }) =>
      run(async () => (await import('./commands/adopt.js')).adoptCommand(o, outputOptions(o))),
    );

  // Monitoring (issue 21): the exporter, the Prometheus/Grafana files, the live view.
  common(program.command('exporter'))
    .description("serve /metrics (Prometheus text) for every node, under the names of ZooKeeper's own provider")
    .option('--server <host:port,...>', 'any ensemble, by its client addresses (then --cluster names it)')
    .option('--listen <address:port>', 'where to serve', '127.0.0.1:9141')
    .option('--node-timeout <ms>', 'time limit per node and poll', intArg('milliseconds', 50, 60_000), 1500)
    .option('--doctor-interval <seconds>', 'run the doctor this often (0: never)', intArg('seconds', 0, 86_400), 300)
    .option('--basic-auth-file <file>', 'require HTTP basic auth: the file holds user:password')
    .action((o: Flags & import('./commands/exporter.js').ExporterFlags) =>
      run(async () => (await import('./commands/exporter.js')).exporterCommand(o, outputOptions(o))),
    );
  common(program.command('monitoring'))
    .description('write prometheus.yml, alert rules and a Grafana dashboard for the cluster into a directory')
    .requiredOption('-o, --output <dir>', 'the directory to write')
    .option('--exporter <address:port>', 'where Prometheus finds zkops exporter', '127.0.0.1:9141')
    .option(
      '--fast <seconds>',
      'for tests: scrape and evaluate this often, alerts fire after 2 intervals',
      intArg('seconds', 1, 60),
    )
    .action((o: Flags & import('./commands/monitoring.js').MonitoringFlags) =>
      run(async () => (await import('./commands/monitoring.js')).monitoringCommand(o, outputOptions(o))),
    );
  common(program.command('top'))
    .description('live view of every node (mode, latency, requests, connections, znodes, zxid rate) until Ctrl-C')
    .option('--server <host:port,...>', 'any ensemble, by its client addresses')
    .option('--interval <ms>', 'refresh every', intArg('milliseconds', 200, 60_000), 1000)
    .option('--once', 'print one reading and exit (the default when stdout is not a terminal)')
    .action((o: Flags & import('./commands/top.js').TopFlags) =>
      run(async () => (await import('./commands/top.js')).topCommand(o, outputOptions(o))),
    );

  program
    .command('schema')
    .description('print the inventory JSON Schema (for editors)')
    .action(() =>
      run(async () => {
        const { inventoryJsonSchema } = await import('./inventory/schema.js');
        process.stdout.write(`${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`);
        return ExitCode.ok;
      }),
    );
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`zkops status | head`) is normal, not an error to print.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  let code: number = ExitCode.ok;
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  const run = async (fn: () => Promise<number>) => {
    try {
      code = await fn();
    } catch (err) {
      code = report(err, verbose, json);
    }
  };
  try {
    await build(run).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    return report(err, verbose, json);
  }
  return code;
}

/** Prints an error once and returns its exit code. */
function report(err: unknown, verbose: boolean, json: boolean): number {
  const known = err instanceof ZkopsError;
  const exitCode = known ? err.exitCode : ExitCode.failure;
  const message = err instanceof Error ? err.message : String(err);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ error: { message, exitCode, type: err instanceof Error ? err.name : 'Error' } }, null, 2)}\n`,
    );
  process.stderr.write(`${color.red('error:')} ${message}\n`);
  if (known && err.detail) process.stderr.write(`${err.detail}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${color.dim(err.stack)}\n`);
  else if (!known)
    process.stderr.write(
      color.dim('This looks like a bug in zkops; run again with --verbose for the stack trace and report it.\n'),
    );
  return exitCode;
}
