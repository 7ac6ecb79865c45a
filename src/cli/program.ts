/**
 * The commands: flags → the command module that runs them (each loaded only
 * when called, which keeps short commands fast). Shared options are declared
 * once in cli/options.ts.
 */
import { Command } from '@commander-js/extra-typings';
import { ExitCode } from '../errors.js';
import { color, outputOptions } from '../output.js';
import {
  acceptNewHostKeys,
  clientTimeout,
  common,
  discoveryFlags,
  intArg,
  outputFlags,
  quorumTimeout,
} from './options.js';
import { znodeFileCommands } from './znode-commands.js';

export const VERSION = '0.1.0';

/** Runs a command and records its exit code (errors are caught and reported by the caller). */
export type Run = (fn: () => Promise<number>) => Promise<void>;

/** The whole command tree. */
export function buildProgram(run: Run): Command {
  const program = new Command('zkops')
    .description('Provision and operate Apache ZooKeeper ensembles.')
    .version(VERSION)
    .showHelpAfterError('(run zkops --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(color.red(s)) });
  bringUp(program, run);
  lifecycle(program, run);
  inspect(program, run);
  data(program, run);
  clients(program, run);
  znodeFileCommands(program, run);
  security(program, run);
  diagnose(program, run);
  monitoring(program, run);
  dashboard(program, run);
  program
    .command('schema')
    .description('print the inventory JSON Schema (for editors)')
    .action(() =>
      run(async () => {
        const { inventoryJsonSchema } = await import('../inventory/schema.js');
        process.stdout.write(`${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`);
        return ExitCode.ok;
      }),
    );
  return program as unknown as Command;
}

function bringUp(program: Command, run: Run): void {
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
    .addOption(quorumTimeout())
    .action((o) => run(async () => (await import('../commands/up.js')).initCommand(o, outputOptions(o))));

  common(program.command('deploy'))
    .description(
      'install and run the ensemble an inventory describes (SSH hosts, this machine or Docker); run again to converge',
    )
    .option('--dry-run', 'show per host which files would change and what would start; change nothing')
    .addOption(acceptNewHostKeys())
    .option('--no-start', 'install and configure, but start nothing')
    .option('--force', 'go on with a rolling restart even where it leaves fewer than a majority of voters serving')
    .option('--allow-downgrade', "let a 3.5+ node go back to a 3.4 release (its data must be 3.4's)")
    .addOption(quorumTimeout())
    .action((o) => run(async () => (await import('../commands/up.js')).deployCommand(o, outputOptions(o))));

  common(program.command('upgrade'))
    .description(
      'roll the release the inventory now names (zookeeper.home, .tarball, .version, docker.image) ' +
        'out one node at a time: ' +
        'followers first, the leader last, each back and caught up before the next; 3.4 data is carried over to 3.5+',
    )
    .option('--dry-run', 'show the plan (each node, its versions, the order); change nothing')
    .addOption(acceptNewHostKeys())
    .option('--allow-downgrade', "let a 3.5+ node go back to a 3.4 release (its data must be 3.4's)")
    .addOption(quorumTimeout())
    .action((o) => run(async () => (await import('../commands/up.js')).deployCommand(o, outputOptions(o), true)));
}

function lifecycle(program: Command, run: Run): void {
  const load = () => import('../commands/lifecycle.js');
  common(program.command('start'))
    .argument('[nodes...]')
    .description('start stopped nodes (all by default); running nodes are left alone')
    .addOption(quorumTimeout())
    .action((ids, o) => run(async () => (await load()).startCommand(o, ids, outputOptions(o))));

  common(program.command('stop'))
    .argument('[nodes...]')
    .description(
      'stop nodes (all by default): TERM, then KILL after 15 s; returns when they are gone. Refuses to stop some ' +
        'nodes when the rest would lose the quorum',
    )
    .option('--force', 'stop them even if the ensemble loses its quorum')
    .action((ids, o) => run(async () => (await load()).stopCommand(o, ids, outputOptions(o))));

  common(program.command('restart'))
    .argument('[nodes...]')
    .description(
      'rolling restart (followers first, leader last), waiting for quorum after each node; refuses a step that ' +
        'would lose the quorum',
    )
    .option('--force', 'restart even where a step leaves fewer than a majority of voters serving')
    .addOption(quorumTimeout())
    .action((ids, o) => run(async () => (await load()).restartCommand(o, ids, outputOptions(o))));

  common(program.command('destroy'))
    .description(
      'stop a cluster on this machine (processes or containers) and delete it, data included; never runs on SSH hosts',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .action((o) => run(async () => (await import('../commands/destroy.js')).destroyCommand(o, outputOptions(o))));
}

function inspect(program: Command, run: Run): void {
  common(program.command('status'))
    .description('mode, zxid, connections and pid of every node; exit 0 only when healthy')
    .action((o) => run(async () => (await import('../commands/status.js')).statusCommand(o, outputOptions(o))));

  common(program.command('logs'))
    .argument('[nodes...]')
    .description('the server logs of the nodes (all by default), merged by time and prefixed by node')
    .option('-n, --lines <n>', 'lines per node', intArg('a line count', 1, 1_000_000), 200)
    .option('--since <time>', 'only entries since then: 90s, 10m, 2h, 1d, or "2026-11-30 21:00" (local time)')
    .option('-f, --follow', 'keep printing new entries (every second) until Ctrl-C')
    .option('--all', 'keep the four-letter-word probes (srvr, mntr, ...), left out by default')
    .action((ids, o) => run(async () => (await import('../commands/logs.js')).logsCommand(o, ids, outputOptions(o))));

  common(program.command('bundle'))
    .description(
      'one .tar.gz with configs, myids, log ends, srvr/conf/mntr, listening ports, status and the doctor, ' +
        'secrets left out',
    )
    .option('-o, --output <file>', 'where to write it (default: zkops-bundle-<cluster>.tar.gz)')
    .action((o) =>
      run(async () => (await import('../commands/bundle.js')).bundleCommand(o, outputOptions(o), VERSION)),
    );
}

function data(program: Command, run: Run): void {
  common(program.command('backup'))
    .description(
      'copy a consistent set of the data (newest snapshot and the transaction logs after it, from a node in the ' +
        'quorum) into a new local directory, with a manifest of zxids and checksums',
    )
    .option('-o, --output <dir>', 'the directory to create')
    .action((o) => run(async () => (await import('../commands/backup.js')).backupCommand(o, outputOptions(o))));

  common(program.command('restore'))
    .argument('<dir>')
    .description(
      'put a backup back into every node of the stopped ensemble; refuses data newer than the backup unless ' +
        '--force (what was there is moved aside, never deleted)',
    )
    .option('--force', 'restore even over data newer than the backup')
    .action((dir, o) =>
      run(async () => (await import('../commands/backup.js')).restoreCommand(dir, o, outputOptions(o))),
    );
}

function clients(program: Command, run: Run): void {
  // The client commands talk to the client ports only: any ensemble, through --server.
  const client = (name: string) =>
    common(program.command(name))
      .option('--server <connect-string>', 'host:port,host:port,...: an ensemble zkops did not set up')
      .addOption(clientTimeout());
  const load = () => import('../commands/client.js');

  client('smoke')
    .description(
      'prove the ensemble works as applications use it: write and read through every node, ephemeral and ' +
        'sequential znodes, a watch, a session moving between nodes; cleans up after itself',
    )
    .action((o) => run(async () => (await load()).smokeCommand(o, outputOptions(o))));

  client('ls')
    .argument('<path>')
    .description("list a znode's children (-R: the whole subtree); Dubbo's URL-encoded names shown decoded")
    .option('-R, --recursive', 'the whole subtree')
    .action((path, o) => run(async () => (await load()).lsCommand(path, o, outputOptions(o))));

  client('get')
    .argument('<path>')
    .description("a znode's data, stat and ACL")
    .action((path, o) => run(async () => (await load()).getCommand(path, o, outputOptions(o))));

  client('watch')
    .argument('<path>')
    .description('print creation, change and deletion of a znode and its children as they happen, until Ctrl-C')
    .action((path, o) => run(async () => (await load()).watchCommand(path, o, outputOptions(o))));
}

function security(program: Command, run: Run): void {
  const certs = program
    .command('certs')
    .description("the cluster CA's certificates: list them, issue one for a client, renew the nodes'");
  const load = () => import('../commands/certs.js');
  common(certs.command('list'))
    .description('every certificate zkops issued for the cluster, and the days each has left')
    .action((o) => run(async () => (await load()).certsListCommand(o, outputOptions(o))));
  common(certs.command('client'))
    .argument('<name>')
    .description(
      'write a client key and certificate signed by the cluster CA, the CA certificate, and a Java client ' +
        'configuration (zkCli.sh -client-configuration) into a directory',
    )
    .option('-o, --output <dir>', 'where to write the files')
    .option('--force', 'replace files of that name already there')
    .action((name, o) => run(async () => (await load()).certsClientCommand(name, o, outputOptions(o))));
  common(certs.command('rotate'))
    .description('new keys and certificates for every node, rolled out one node at a time (followers first)')
    .option('--force', 'roll on even where a restart leaves fewer than a majority serving')
    .addOption(acceptNewHostKeys())
    .addOption(quorumTimeout())
    .action((o) => run(async () => (await load()).certsRotateCommand(o, outputOptions(o))));
}

function diagnose(program: Command, run: Run): void {
  discoveryFlags(common(program.command('doctor')))
    .description(
      'find and explain classic faults (wrong JAVA_HOME, leftover QuorumPeerMain, port clashes, myid, network, ...): ' +
        'of the cluster here, an inventory, or servers zkops did not set up',
    )
    .option('--fix', 'apply the fixes that are safe, then check again')
    .action((o) => run(async () => (await import('../commands/doctor.js')).doctorCommand(o, outputOptions(o))));

  outputFlags(discoveryFlags(program.command('adopt')))
    .description('write an inventory for an ensemble zkops did not set up, so that deploy can manage it')
    .option('-o, --output <file>', 'where to write the inventory (default: print it)')
    .option('--name <name>', 'cluster name (default: adopted)')
    .action((o) => run(async () => (await import('../commands/adopt.js')).adoptCommand(o, outputOptions(o))));
}

/** Monitoring: the exporter, the Prometheus/Grafana files, the live view. */
function monitoring(program: Command, run: Run): void {
  common(program.command('exporter'))
    .description("serve /metrics (Prometheus text) for every node, under the names of ZooKeeper's own provider")
    .option('--server <connect-string>', 'host:port,...: any ensemble, by its client addresses (--cluster names it)')
    .option('--listen <address:port>', 'where to serve', '127.0.0.1:9141')
    .option('--node-timeout <ms>', 'time limit per node and poll', intArg('milliseconds', 50, 60_000), 1500)
    .option('--doctor-interval <seconds>', 'run the doctor this often (0: never)', intArg('seconds', 0, 86_400), 300)
    .option('--basic-auth-file <file>', 'require HTTP basic auth: the file holds user:password')
    .option(
      '--web-config-file <file>',
      "Prometheus exporters' web config: basic_auth_users (bcrypt), tls_server_config",
    )
    .option('--install', 'write and start a systemd unit zkops-exporter-<cluster> running with these flags')
    .option('--host <name>', 'with --install: the inventory host to install on (default: this machine)')
    .action((o) => run(async () => (await import('../commands/exporter.js')).exporterCommand(o, outputOptions(o))));
  common(program.command('monitoring'))
    .description('write prometheus.yml, alert rules and a Grafana dashboard for the cluster into a directory')
    .requiredOption('-o, --output <dir>', 'the directory to write')
    .option('--exporter <address:port>', 'where Prometheus finds zkops exporter', '127.0.0.1:9141')
    .option(
      '--fast <seconds>',
      'for tests: scrape and evaluate this often, alerts fire after 2 intervals',
      intArg('seconds', 1, 60),
    )
    .action((o) => run(async () => (await import('../commands/monitoring.js')).monitoringCommand(o, outputOptions(o))));
  common(program.command('top'))
    .description('live view of every node (mode, latency, requests, connections, znodes, zxid rate) until Ctrl-C')
    .option('--server <connect-string>', 'host:port,...: any ensemble, by its client addresses')
    .option('--interval <ms>', 'refresh every', intArg('milliseconds', 200, 60_000), 1000)
    .option('--once', 'print one reading and exit (the default when stdout is not a terminal)')
    .action((o) => run(async () => (await import('../commands/top.js')).topCommand(o, outputOptions(o))));
}

/** The web dashboard. */
function dashboard(program: Command, run: Run): void {
  outputFlags(program.command('ui'))
    .description(
      'serve a local web dashboard: every cluster live, charts, the doctor, logs, a znode browser; jobs and edits when allowed',
    )
    .option('-i, --inventory <file...>', 'inventories to show, besides the clusters saved in ./.zkops')
    .option('--port <port>', 'port to serve on (0: any free one)', intArg('a port', 0, 65535), 7181)
    .option('--listen <address>', 'address to bind (default 127.0.0.1; anything else is reachable from elsewhere)')
    .option('--open', "open the page in the desktop's browser")
    .option('--allow-writes', 'let the page create, set and delete znodes, edit ACLs and import (each audited)')
    .option('--allow-operations', 'let the page run jobs: restart, start/stop a node, deploy, upgrade, certs, backup')
    .action((o) => run(async () => (await import('../commands/ui.js')).uiCommand(o, outputOptions(o))));
}
