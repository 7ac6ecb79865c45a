/**
 * Known fatal lines of a ZooKeeper server's log, each with the cause behind
 * it in words an operator can act on. The same message means the same thing
 * on 3.4 to 3.9; the first match wins.
 */

/** A cause found in a log: the line that shows it, what it means, what to do. */
export interface LogCause {
  line: string;
  cause: string;
  fix: string;
}

const KNOWN: { pattern: RegExp; cause: string; fix: string }[] = [
  {
    pattern: /failed to run command .*java|java: not found|JAVA_HOME is not set/,
    cause: 'the Java it was started with does not exist (a wrong JAVA_HOME)',
    fix: 'see the java check: point JAVA_HOME at a Java that runs',
  },
  {
    pattern: /No snapshot found, but there are log entries/,
    cause: 'a data directory from 3.4 without a snapshot: 3.5+ refuses transaction logs without one (ZOOKEEPER-3056)',
    fix:
      'start this node once with -Dzookeeper.snapshot.trust.empty=true (or copy a snapshot from a 3.4 node), ' +
      'then remove the flag',
  },
  {
    pattern: /Unable to load database on disk/,
    cause: 'the data directory cannot be loaded (unreadable, corrupt, or a 3.4 data directory without a snapshot)',
    fix:
      'check the lines around it in the log; if the data is damaged, ' +
      'move the data directory away and let the node resync from the quorum',
  },
  {
    pattern: /Cannot assign requested address/,
    cause: "the server tried to listen on an address that is not on any of the host's interfaces (a cloud elastic IP)",
    fix:
      'listen on all addresses: quorumListenOnAllIPs=true (3.5.8+), ' +
      'or 0.0.0.0 in the own server.N entry (older); zkops does this with bindAll',
  },
  {
    pattern: /Address already in use/,
    cause: "one of the server's ports is taken (another process, or a second server with the same port)",
    fix: 'see the ports and leftover-process checks for who holds it',
  },
  {
    pattern: /myid file is missing|serverid .* is not a number|Unable to load myid/,
    cause: 'the myid file is missing or not a plain number',
    fix: 'write the server id, digits only, into dataDir/myid (see the config check)',
  },
  {
    pattern: /UnknownHostException|Cannot resolve address/,
    cause: "a server's host name does not resolve",
    fix: 'fix DNS or /etc/hosts on every node, or use addresses in the server.N lines',
  },
  {
    pattern: /No space left on device/,
    cause: 'the disk is full',
    fix: 'free space on the data and log directories (autopurge keeps snapshots bounded)',
  },
  {
    pattern: /Too many open files/,
    cause: 'the server ran out of file descriptors',
    fix: 'raise the limit (LimitNOFILE, ulimit -n) to 65536',
  },
  {
    pattern: /OutOfMemoryError/,
    cause: 'the heap is too small for the data',
    fix: 'raise the heap (java.heap, or -Xmx in java.env)',
  },
  {
    pattern: /Unable to start AdminServer|Problem starting AdminServer/,
    cause: "the AdminServer could not bind its port (8080 by default, often a Tomcat's)",
    fix: 'give every node its own admin.serverPort, or admin.enableServer=false',
  },
  {
    pattern: /Invalid config|ConfigException|Error processing .*cfg|NumberFormatException/,
    cause: 'zoo.cfg is invalid',
    fix: 'fix the line the error names (see the config check)',
  },
  {
    pattern: /Permission denied|AccessDeniedException/,
    cause: 'the server cannot write its directories',
    fix: 'give the account that runs the server its data, data-log and log directories',
  },
];

/** The first known cause in a log, or undefined. */
export function causeIn(log: string): LogCause | undefined {
  for (const line of log.split('\n')) {
    const known = KNOWN.find((k) => k.pattern.test(line));
    if (known) return { line: line.trim().slice(0, 300), cause: known.cause, fix: known.fix };
  }
  return undefined;
}
