/**
 * A node's files and its container: what would change (compared with what
 * the survey read, or the container holds), and a container (re)made from
 * its description with the files put in before it first starts.
 */
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import type { RenderedFile } from '../executors/types.js';
import type { DockerEngine, NodeContainer } from '../executors/docker.js';
import { isPrivateFile, type FileOutcome } from '../executors/helpers.js';
import { nodeContainerName, nodeContainerSpec, type ContainerWanted } from './container-spec.js';

/**
 * Each of `files` compared with the node's container (`seen`: what the survey read, else asked now; no
 * container: all changed). On a dry run the outcome carries both texts, private files excepted.
 */
export async function compareContainerFiles(
  engine: DockerEngine,
  node: NodeSpec,
  have: NodeContainer | undefined,
  files: RenderedFile[],
  seen: Map<string, string | undefined> | undefined,
  dryRun: boolean,
): Promise<FileOutcome[]> {
  const ex = have && engine.executor(have.id, have.name);
  return Promise.all(
    files.map(async (f): Promise<FileOutcome> => {
      const before = seen?.has(f.path) ? seen.get(f.path) : ex ? await ex.readFile(f.path) : undefined;
      return {
        path: `${have?.name ?? nodeContainerName(node)}:${f.path}`,
        status: before === f.content ? 'unchanged' : 'changed',
        before: dryRun && !isPrivateFile(f) ? before : undefined,
        after: dryRun && !isPrivateFile(f) ? f.content : undefined,
      };
    }),
  );
}

/** Replaces a node's container (its volumes, and so its data, stay) and puts its files in. */
export async function recreateContainer(
  engine: DockerEngine,
  spec: ClusterSpec,
  imageId: string,
  node: NodeSpec,
  want: ContainerWanted,
  existing: NodeContainer | undefined,
): Promise<void> {
  if (existing) {
    if (existing.running) await engine.stop(existing.id, 15);
    await engine.remove(existing.id);
  }
  const id = await engine.createContainer(nodeContainerSpec(spec, imageId, node, want));
  const ex = engine.executor(id, nodeContainerName(node));
  // Keys and secrets belong to the account the image runs its server as (the official image: zookeeper).
  const account = want.files.some((f) => f.group) ? await serverAccount(ex) : undefined;
  for (const f of want.files)
    await ex.writeFile(f.path, f.content, f.group ? 0o600 : f.mode, f.group ? account : undefined);
}

/** The uid and gid of the image's zookeeper account (read from its /etc/passwd), else root's. */
async function serverAccount(ex: {
  readFile(file: string): Promise<string | undefined>;
}): Promise<{ uid: number; gid: number }> {
  const line = (await ex.readFile('/etc/passwd'))?.split('\n').find((l) => l.startsWith('zookeeper:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : { uid: 0, gid: 0 };
}
