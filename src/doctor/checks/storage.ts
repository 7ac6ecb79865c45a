/**
 * Storage and logs: the server's account may write its data and data-log
 * directories; there is room on their disk; snapshots do not pile up with
 * autopurge off; and a node that is not serving is explained by the known
 * fatal lines of its log (each mapped to its cause).
 */
import { cfgValue } from '../../zookeeper/zoo-cfg.js';
import { causeIn } from '../log-causes.js';
import { okIfNone, type Check, type Finding } from '../check.js';

/** Below this much free space a node is in trouble; below LOW_MIB it is a warning. */
const CRITICAL_MIB = 100;
const LOW_MIB = 1024;

export const storageCheck: Check = async (ctx) => {
  const findings: Finding[] = [];
  for (const facts of ctx.facts) {
    const node = facts.node;
    const f = (severity: Finding['severity'], message: string, more: Partial<Finding> = {}) =>
      findings.push({ check: 'storage', node: node.id, severity, message, ...more });
    for (const d of facts.writable?.dirs ?? []) {
      if (!d.ok)
        f(
          'error',
          `${d.dir} is not writable by ${facts.writable!.user}, the account the server runs as: ` +
            `it cannot write snapshots or its transaction log`,
          {
            fix: `chown -R ${facts.writable!.user} ${d.dir} (and chmod u+rwx)`,
          },
        );
    }
    if (facts.freeMiB !== undefined && facts.freeMiB < LOW_MIB)
      f(
        facts.freeMiB < CRITICAL_MIB ? 'error' : 'warning',
        `only ${facts.freeMiB} MiB free on the disk of ${node.dataDir}`,
        {
          fix: 'free space, or move dataDir/dataLogDir to a larger disk; autopurge keeps snapshots bounded',
        },
      );
    const interval = facts.cfg ? Number(cfgValue(facts.cfg, 'autopurge.purgeInterval') ?? '0') : undefined;
    if (facts.snapshots && interval === 0 && facts.snapshots.count > 10)
      f(
        'warning',
        `autopurge is off and ${facts.snapshots.count} snapshots (${facts.snapshots.mib} MiB) have piled up`,
        {
          evidence: facts.cfg
            ? [
                `${facts.cfg.file}: ` +
                  `autopurge.purgeInterval=${cfgValue(facts.cfg, 'autopurge.purgeInterval') ?? '(unset, so 0)'}`,
              ]
            : [],
          fix:
            'set autopurge.purgeInterval=24 and autopurge.snapRetainCount=3 (zkops does by default), ' +
            'or run zkCleanup.sh',
        },
      );
    const cause = causeIn(ctx.logs.get(node.id) ?? '');
    if (cause) f('error', `its log shows ${cause.cause}`, { evidence: [`log: ${cause.line}`], fix: cause.fix });
  }
  return okIfNone(findings, 'storage', 'data directories writable, space enough, no fatal line in any log');
};
