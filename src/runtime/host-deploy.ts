/**
 * The deploying half of the hosts runtime: what `survey` and `apply` need (the release and its signature, Java
 * packages and archives, the hosts' facts, the files). Loaded only by commands that deploy, so that `status`,
 * `stop` and the doctor do not load it (on a small machine it was a fifth of a local `zkops status`).
 */
import { ZkopsError } from '../errors.js';
import type { ClusterSpec } from '../inventory/spec.js';
import { inspectJdk, type JdkArchive } from '../distribution/jdk.js';
import type { Tarball } from '../distribution/tarball.js';
import { preflight, type HostState } from '../hosts/preflight.js';
import type { HostPlace } from '../hosts/places.js';
import { settleAll } from '../util/settle.js';
import { distributeRelease, releaseTarball } from './host-release.js';
import { installJavaPackages, shipJava } from './host-java.js';
import { writeHostFiles } from './host-files.js';
import { renderNodeFiles } from '../render/node.js';
import { obsoleteSecurityFiles } from '../render/security.js';
import { targetLevels } from '../security/levels.js';
import type { Applied, NodePlan, PlanOptions, RuntimeOptions, Survey } from './types.js';

/** What a survey found, for the apply that follows it. */
export interface Surveyed {
  hostStates: HostState[];
  tarball?: Tarball;
  jdk?: JdkArchive;
}

/** The release and Java to ship (if any), and each host's facts, processes and ports. */
export async function surveyHosts(
  spec: ClusterSpec,
  places: HostPlace[],
  options: RuntimeOptions,
  checks: { checkPorts: boolean },
): Promise<{ surveyed: Surveyed; survey: Survey }> {
  const { tarball, here } = await releaseTarball(spec, options.progress);
  const jdk = spec.java.tarball ? await inspectJdk(spec.java.tarball, spec.java.sha512) : undefined;
  const hostStates = await preflight(spec, places, { checkPorts: checks.checkPorts, tarball, jdk, here });
  const all = <T>(f: (h: HostState) => T[]) => hostStates.flatMap(f);
  return {
    surveyed: { hostStates, tarball, jdk },
    survey: { summary: describeFacts(hostStates), nodes: all((h) => h.nodes), warnings: all((h) => h.warnings) },
  };
}

/** Each node's files as the survey's facts render them, and what is there that no longer belongs. */
export function planHosts(spec: ClusterSpec, surveyed: Surveyed, survey: Survey, options: PlanOptions): NodePlan[] {
  return surveyed.hostStates.flatMap((h) =>
    h.place.nodes.map((node) => {
      const files = renderNodeFiles(spec, node, h.facts, {
        trustEmptySnapshot: options.trustEmptySnapshot?.has(node.id),
        security: options.security,
      });
      const running = Boolean(survey.nodes.find((s) => s.node === node)?.process);
      const zooCfg = files.find((f) => f.path === node.zooCfg)!.content;
      // Only where zkops has had secrets for this cluster: files it never wrote are not its to remove.
      const obsolete = spec.secrets ? obsoleteSecurityFiles(node, options.security ?? targetLevels(spec)) : [];
      return { node, version: h.facts.zookeeperVersion, files, zooCfg, running, obsolete };
    }),
  );
}

/** Java packages and archives, the release, then every host's files (each written atomically). */
export async function applyHosts(
  spec: ClusterSpec,
  places: HostPlace[],
  { hostStates, tarball, jdk }: Surveyed,
  plans: NodePlan[],
  options: { dryRun: boolean; noRestart?: boolean },
  progress: RuntimeOptions['progress'],
): Promise<Applied> {
  const actions = await installJavaPackages(spec, hostStates, options.dryRun, progress);
  if (jdk && !options.dryRun) await shipJava(spec, places, jdk, progress);
  const distribution =
    tarball && !options.dryRun ? await distributeRelease(spec, places, tarball, progress) : undefined;
  const perHost = await settleAll(hostStates, (h) => writeHostFiles(spec, h, plans, options), {
    limit: spec.ssh.concurrency,
    name: (h) => h.place.host.name,
    error: (_, listed) =>
      new ZkopsError(`Writing files failed (every file is written atomically; run again to converge):\n${listed}`),
  });
  return { nodes: perHost.flat(), distribution, actions };
}

/** One line for progress: the release and Java found, and the hosts reached through NAT. */
function describeFacts(hosts: HostState[]): string {
  const f = hosts[0]?.facts;
  const nat = hosts.filter((h) => h.facts.bindAll).map((h) => h.place.host.name);
  return f
    ? `ZooKeeper ${f.zookeeperVersion}, Java ${f.javaHome}${nat.length ? `; NAT bind-all on ${nat.join(', ')}` : ''}`
    : '';
}
