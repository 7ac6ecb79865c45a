/**
 * Doctor: checks over one picture of the cluster, gathered once from its
 * runtime (hosts or containers alike, clusters zkops built or adopted from
 * what it found) → findings, each with its evidence and, where a fix is
 * safe, the fix itself. Every check runs, concurrently; one failing check
 * never hides another's findings.
 */
import { probeCluster, type NodeReport } from '../health/cluster.js';
import { listZkProcesses, nodeProcesses } from '../hosts/processes.js';
import { listListeners } from '../hosts/ports.js';
import type { Machine, Runtime } from '../runtime/types.js';
import { isServing } from '../zookeeper/modes.js';
import { gatherFacts } from './facts.js';
import { peerNames, type HostPrefetch } from './prefetch.js';
import { loginExports } from '../hosts/login-env.js';
import type { Check, DoctorContext, Finding, MachineView } from './check.js';
import { runtimeCheck } from './checks/runtime.js';
import { processCheck } from './checks/process.js';
import { javaCheck } from './checks/java.js';
import { leftoverProcessCheck } from './checks/leftover-process.js';
import { portsCheck } from './checks/ports.js';
import { networkCheck } from './checks/network.js';
import { configCheck } from './checks/config.js';
import { quorumCheck } from './checks/quorum.js';
import { storageCheck } from './checks/storage.js';
import { tlsCheck } from './checks/tls.js';
import { metricsProviderCheck } from './checks/metrics-provider.js';

/** Every check, by id: what it looks at is in its own file. */
export const CHECKS: [string, Check][] = [
  ['runtime', runtimeCheck],
  ['process', processCheck],
  ['java', javaCheck],
  ['leftover-process', leftoverProcessCheck],
  ['ports', portsCheck],
  ['network', networkCheck],
  ['config', configCheck],
  ['quorum', quorumCheck],
  ['storage', storageCheck],
  ['tls', tlsCheck],
  ['metrics-provider', metricsProviderCheck],
];

/** Gathers the picture, then runs every check. */
export async function runDoctor(
  rt: Runtime,
  options: {
    fix: boolean;
    reports?: Promise<NodeReport[]>;
    onFindings?: (findings: Finding[]) => void;
    /** What the hosts were asked as each answered (ops/doctor.ts), used instead of asking again. */
    prefetch?: HostPrefetch;
  },
): Promise<Finding[]> {
  const pre = options.prefetch;
  const places = await rt.places();
  // The login shell's environment (read once per host, for servers set up by hand: see facts.ts) is the
  // slowest question on a host with a heavy profile: asked first, it overlaps with the rest of the picture.
  for (const p of places) if (p.env?.kind === 'zkEnv') void loginExports(p.ex);
  const byMachine = new Map<Machine['ex'], MachineView>();
  for (const p of places) {
    const view = byMachine.get(p.machine.ex) ?? { machine: p.machine, nodes: [], zk: [] };
    view.nodes.push(p.node);
    byMachine.set(p.machine.ex, view);
  }
  // Each machine's processes, asked once: the nodes' run states come from the same answer (where a listing
  // failed, the runtime asks again, and says so, rather than take its nodes for stopped).
  const zkOf = new Map(
    [...byMachine.keys()].map((ex) => [ex, pre?.processes(ex) ?? listZkProcesses(ex).catch(() => undefined)] as const),
  );
  const known = Promise.all(
    [...byMachine.values()].map(async (m) => {
      const procs = await zkOf.get(m.machine.ex)!;
      return procs && nodeProcesses(procs, m.nodes);
    }),
  ).then((maps) => (maps.every(Boolean) ? new Map(maps.flatMap((m) => [...m!])) : undefined));
  const [reports, states] = await Promise.all([
    options.reports ?? probeCluster(rt.spec),
    known.then((k) => rt.runStates(k)),
  ]);
  const names = peerNames(rt.spec.nodes);
  const hooks = rt.waitHooks();
  const [machines, facts, logs] = await Promise.all([
    Promise.all(
      [...byMachine.values()].map(async (m) => ({
        ...m,
        zk: (await zkOf.get(m.machine.ex)!) ?? [],
        listeners: await (pre?.listeners(m.machine.ex) ?? listListeners(m.machine.ex).catch(() => undefined)),
      })),
    ),
    Promise.all(places.map((p) => pre?.facts(p) ?? gatherFacts(p, states.get(p.node.id), names))),
    Promise.all(
      rt.spec.nodes.map(async (n) => {
        const healthy = isServing(reports.find((r) => r.node === n)?.health.mode ?? 'down');
        return [n.id, healthy ? '' : ((await hooks.logTail?.(n).catch(() => '')) ?? '')] as const;
      }),
    ),
  ]);
  const ctx: DoctorContext = {
    spec: rt.spec,
    rt,
    places,
    reports,
    states,
    machines,
    facts,
    logs: new Map(logs),
    fix: options.fix,
  };
  const results = await Promise.all(
    CHECKS.map(([name, check]) =>
      check(ctx)
        .catch((err: Error): Finding[] => [
          { check: name, severity: 'error', message: `the check itself failed: ${err.message}` },
        ])
        // Each check's findings as soon as it ends: the dashboard streams them.
        .then((found) => (options.onFindings?.(found), found)),
    ),
  );
  return results.flat();
}
