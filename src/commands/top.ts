/**
 * `zkops top`: a live view of every node, refreshed every second until Ctrl-C, from the same poller as the
 * exporter (the client ports only, so it works wherever status does). Not on a terminal, or with --once, it
 * prints one reading as plain text (with --json, the reading as JSON) and exits: 0 when healthy.
 */
import { ExitCode } from '../errors.js';
import { History } from '../metrics/history.js';
import { Poller } from '../metrics/poller.js';
import { topView } from './top-view.js';
import { readCluster } from '../metrics/verdict.js';
import { printJson, type OutputOptions } from '../output.js';
import { metricsSource, type SourceFlags } from '../metrics/source.js';

/** `zkops top` flags. */
export interface TopFlags extends SourceFlags {
  /** Refresh period, ms. */
  interval: number;
  once?: boolean;
}

export async function topCommand(flags: TopFlags, out: OutputOptions): Promise<number> {
  const source = await metricsSource(flags);
  // A node that hangs is shown as such within one refresh; a down one answers at once (refused).
  const poller = new Poller(source.targets, {
    creds: source.creds,
    cacheMs: 0,
    nodeTimeoutMs: Math.min(1500, Math.max(200, flags.interval - 100)),
  });
  const history = new History(Math.ceil(60_000 / flags.interval));
  const live = !flags.once && !out.json && Boolean(process.stdout.isTTY);
  if (!live) {
    // Two polls a moment apart give the zxid rate a first value.
    history.add(await poller.poll());
    const snapshot = await poller.poll();
    history.add(snapshot);
    const reading = readCluster(snapshot);
    if (out.json)
      printJson({
        cluster: source.cluster,
        ...reading,
        nodes: snapshot.nodes.map((s) => ({
          instance: s.target.instance,
          ...s.health,
          last: history.of(s.target.instance).at(-1),
        })),
      });
    else process.stdout.write(topView(source.cluster, snapshot, history));
    return reading.verdict.status === 'healthy' ? ExitCode.ok : ExitCode.unhealthy;
  }
  let stopped = false;
  let wake = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write('\x1b[?1049h\x1b[?25l'); // the alternate screen, no cursor: the shell comes back as it was
  try {
    while (!stopped) {
      const started = Date.now();
      const snapshot = await poller.poll();
      history.add(snapshot);
      process.stdout.write(`\x1b[H\x1b[2J${topView(source.cluster, snapshot, history)}\n(Ctrl-C to quit)`);
      const wait = Math.max(0, flags.interval - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => (clearTimeout(timer), resolve());
      });
    }
  } finally {
    process.stdout.write('\x1b[?25h\x1b[?1049l');
  }
  return ExitCode.ok;
}
