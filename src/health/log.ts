/**
 * What a server's log says about why it is not healthy, for hosts and
 * containers alike: only its current run (logs append across restarts, and
 * ZooKeeper begins each run by reading its config), without zkops's own
 * four-letter-word probes; the last warnings and errors with stack frames
 * dropped, else the plain last lines.
 */
/** Warnings every server of some builds prints at start, that explain nothing (Debian's 3.8 has no Jetty). */
const HARMLESS = /Unable to load jetty|javax[./]servlet|maxCnxns is not configured/;

export function problemLines(log: string): string {
  const lines = log.split('\n');
  const start = lines.map((l) => l.includes('Reading configuration from')).lastIndexOf(true);
  const run = lines
    .slice(Math.max(0, start))
    .filter((l) => l && !/Processing [a-z]{4} command from|Closed socket connection for client/.test(l));
  const problems = run.filter(
    (l) =>
      /( (WARN|ERROR|FATAL) |Exception|Error:|failed to run command|: not found$)/.test(l) &&
      !/^\s+at /.test(l) &&
      !HARMLESS.test(l),
  );
  return (problems.length ? problems.slice(-12) : run.slice(-15)).join('\n');
}
