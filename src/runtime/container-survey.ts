/**
 * What the container runtime learns before a change: each node's container
 * as it stands (its server, myid, data, the files zkops put in), and whether
 * the image's Java accepts the servers' flags; for the doctor, whether the
 * engine answers and has the image.
 */
import path from 'node:path';
import { PreflightError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import type { DockerEngine, NodeContainer } from '../executors/docker.js';
import { targetLevels } from '../security/levels.js';
import { sh } from '../shell.js';
import { containerJvmFlags } from './container-spec.js';
import type { NodeSurvey, RuntimeFinding, ZkProcess } from './types.js';

/** The server of a running container, as a process on this machine (the container's main process). */
export function containerProcess(c: NodeContainer | undefined): ZkProcess | undefined {
  return c?.running && c.pid
    ? { pid: c.pid, config: '/conf/zoo.cfg', command: `container ${c.name}`, by: 'docker' }
    : undefined;
}

/**
 * One node's container as it stands (none: a node never brought up), and what its files say now (path →
 * content; undefined: missing), so that apply compares against it without asking the engine again.
 */
export async function surveyContainer(
  engine: DockerEngine,
  node: NodeSpec,
  c: NodeContainer | undefined,
): Promise<{ survey: NodeSurvey; seen?: Map<string, string | undefined> }> {
  if (!c) return { survey: { node, hasData: false } };
  const ex = engine.executor(c.id, c.name);
  const myidFile = path.posix.join(node.dataDir, 'myid');
  // Snapshots and transaction logs, for an upgrade from 3.4 (a running container only: exec needs one).
  const dirs = [node.dataDir, node.dataLogDir ?? node.dataDir].map((d) => sh(path.posix.join(d, 'version-2')));
  const epochFile = path.posix.join(node.dataDir, 'version-2', 'currentEpoch');
  // A running container answers everything in one exec; a stopped one through the engine's archive API.
  const [myid, zooCfg, epoch, listing] =
    (c.running ? await inOneExec(ex, [myidFile, node.zooCfg, epochFile], dirs) : undefined) ??
    (await Promise.all([
      ex.readFile(myidFile),
      ex.readFile(node.zooCfg),
      // A server that has joined an ensemble keeps its epoch beside its data.
      ex.readFile(epochFile),
      c.running
        ? ex.exec(`ls ${dirs.join(' ')} 2>/dev/null`).then(
            (r) => r.stdout,
            () => '',
          )
        : '',
    ]));
  return {
    survey: {
      node,
      process: containerProcess(c),
      myid: myid?.trim(),
      hasData: epoch !== undefined,
      snapshots: /^snapshot\./m.test(listing),
      txnLogs: /^log\./m.test(listing),
      runningZooCfg: c.running ? zooCfg : undefined,
    },
    seen: new Map([
      [myidFile, myid],
      [node.zooCfg, zooCfg],
    ]),
  };
}

/** The files (base64 per line; "-": missing) and the data listing in one exec; undefined when that fails. */
async function inOneExec(
  ex: { exec(c: string): Promise<{ code: number; stdout: string }> },
  files: string[],
  dirs: string[],
): Promise<[string | undefined, string | undefined, string | undefined, string] | undefined> {
  const r = await ex
    .exec(
      `for f in ${files.map(sh).join(' ')}; do if [ -f "$f" ]; then printf '+'; base64 -w0 "$f" || exit 9; echo; ` +
        `else echo -; fi; done; ls ${dirs.join(' ')} 2>/dev/null; true`,
    )
    .catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  const lines = r.stdout.split('\n');
  const read = (l = '') => (l.startsWith('+') ? Buffer.from(l.slice(1), 'base64').toString('utf8') : undefined);
  return [read(lines[0]), read(lines[1]), read(lines[2]), lines.slice(3).join('\n')];
}

/**
 * The image's Java must accept the servers' flags: a throw-away container runs
 * `java FLAGS -version` (only when the inventory adds flags of its own; zkops's
 * own are accepted by every Java the official images ship).
 */
export async function checkImageJava(engine: DockerEngine, spec: ClusterSpec, imageId: string): Promise<void> {
  const sets = [
    ...new Set(
      spec.nodes
        .filter((n) => n.javaFlags.length)
        .map((n) => JSON.stringify(containerJvmFlags(spec, n, targetLevels(spec)))),
    ),
  ];
  for (const set of sets.map((s) => JSON.parse(s) as string[])) {
    const r = await engine.runOnce(imageId, ['java', ...set, '-version']);
    if (r.code !== 0) {
      throw new PreflightError(
        `The Java in ${spec.docker!.image} refuses the servers' JVM flags (${set.join(' ')}): it said ` +
          `"${r.output.trim().split('\n').slice(0, 2).join(' ')}". ` +
          'Fix or remove that flag in java.flags (or nodes[].javaFlags); nothing was created.',
      );
    }
  }
}

/** The engine answers (it did, to be opened), and has the image new containers are made from. */
export async function engineFindings(engine: DockerEngine, image: string): Promise<RuntimeFinding[]> {
  const found = await engine.imageId(image);
  return [
    { check: 'engine', severity: 'ok', message: `Docker engine at ${engine.where} answers` },
    found
      ? { check: 'image', severity: 'ok', message: `${image} is on the engine` }
      : {
          check: 'image',
          severity: 'error',
          message: `${image} is not on the engine; new containers cannot be created`,
          fix: `docker pull ${image}, or set docker.image`,
        },
  ];
}
