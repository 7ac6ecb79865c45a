/**
 * What a node's container is made from, as pure functions of the spec: its
 * name and volumes, the files zkops puts in (rendered with the official
 * image's conventions), its environment (JVM flags), the hash that says when
 * it must be recreated, and the whole description the engine creates it from.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PreflightError } from '../errors.js';
import type { ClusterSpec, NodeSpec } from '../inventory/spec.js';
import { containerLogFlags, jvmFlags, renderNodeFiles, type HostFacts } from '../render/node.js';
import type { RenderedFile } from '../executors/types.js';
import { renderSecurity, securityFiles } from '../render/security.js';
import type { SecurityLevels } from '../security/levels.js';
import { LABEL, type NodeContainerSpec } from '../executors/docker.js';

/** What rendering needs to know inside a container built with the official image's conventions. */
const IN_CONTAINER_FACTS: Omit<HostFacts, 'zookeeperVersion'> = {
  // The account the official image runs its server as: private files are given to it.
  user: 'zookeeper',
  javaHome: '/opt/java/openjdk',
  zookeeperHome: '/apache-zookeeper',
  classpath: '',
  bindAll: false,
};

/** The client port inside every container; published on 127.0.0.1 at the node's clientPort. */
export const CLIENT_PORT_INSIDE = 2181;

/** The node's container's name: the node's name (its place). */
export function nodeContainerName(node: NodeSpec): string {
  return node.place;
}

/** The named volumes of the container `name`, which outlive it: data and transaction logs. */
export function containerVolumes(name: string): { data: string; datalog: string } {
  return { data: `${name}-data`, datalog: `${name}-datalog` };
}

/** The node's volumes as the engine mounts them: name → path in the container. */
export function volumeMounts(node: NodeSpec): Record<string, string> {
  const vols = containerVolumes(nodeContainerName(node));
  return { [vols.data]: node.dataDir, [vols.datalog]: node.dataLogDir ?? '/datalog' };
}

/**
 * The version the image runs, which decides what its zoo.cfg may say: zookeeper.version, else what the image's
 * environment names (`imageVersion`), else its tag (zookeeper:3.9.3; zookeeper:3.9 as 3.9.0, the same line).
 */
export function containerVersion(spec: ClusterSpec, image: string, imageVersion: string | undefined): string {
  const tag = /:(\d+\.\d+)(\.\d+)?$/.exec(image);
  const version = spec.zookeeper.version ?? imageVersion ?? (tag && `${tag[1]}${tag[2] ?? '.0'}`);
  if (!version)
    throw new PreflightError(
      `Cannot tell which ZooKeeper release ${image} carries: its tag is not a version and its ` +
        'environment names no apache-zookeeper-X.Y.Z-bin. Set zookeeper.version in the inventory (e.g. 3.8.4); ' +
        'it decides which keys go into zoo.cfg. Nothing was written or started.',
    );
  return version;
}

/** zoo.cfg, myid and TLS and SASL's files of a node, as the container reads them (the image brings the rest). */
export function containerFiles(
  spec: ClusterSpec,
  node: NodeSpec,
  version: string,
  options: { trustEmptySnapshot?: boolean; security?: SecurityLevels },
): RenderedFile[] {
  const facts = { ...IN_CONTAINER_FACTS, zookeeperVersion: version };
  const inside = { ...node, clientPort: CLIENT_PORT_INSIDE };
  const keep = new Set([node.zooCfg, path.posix.join(node.dataDir, 'myid'), ...securityFiles(node)]);
  return renderNodeFiles(spec, inside, facts, options).filter((f) => keep.has(f.path));
}

/**
 * The JVM flags of a node's server at `levels`: the GC log and heap dumps in /logs, the same heap,
 * OutOfMemoryError and user flags as on hosts, and no cached failed DNS look-ups (peers' names appear as their
 * containers start).
 */
export function containerJvmFlags(spec: ClusterSpec, node: NodeSpec, levels: SecurityLevels): string[] {
  return [
    ...containerLogFlags(spec),
    ...jvmFlags(spec, node),
    ...renderSecurity(spec, node, IN_CONTAINER_FACTS, levels).jvmFlags,
    '-Dnetworkaddress.cache.negative.ttl=0',
  ];
}

/** The container's environment: the JVM flags through the image's JVMFLAGS, and the node's id. */
export function containerEnv(spec: ClusterSpec, node: NodeSpec, levels: SecurityLevels): string[] {
  return [`JVMFLAGS=${containerJvmFlags(spec, node, levels).join(' ')}`, `ZOO_MY_ID=${node.id}`];
}

/** What a node's container is made from; its hash, when another, means the container must be recreated. */
export interface ContainerWanted {
  hash: string;
  files: RenderedFile[];
  security: SecurityLevels;
}

/** Everything a container is made from (image, network, port, environment, files), hashed. */
export function wantedContainer(
  spec: ClusterSpec,
  imageId: string,
  node: NodeSpec,
  files: RenderedFile[],
  security: SecurityLevels,
): ContainerWanted {
  const docker = spec.docker!;
  const h = createHash('sha256').update(imageId).update(`\0${docker.network}\0${node.clientPort}\0`);
  for (const e of containerEnv(spec, node, security)) h.update(`${e}\0`);
  for (const f of files) h.update(`${f.path}\0${f.mode}\0${f.content}\0`);
  return { hash: h.digest('hex').slice(0, 32), files, security };
}

/** The description the engine creates the node's container from (labelled with its cluster, node and hash). */
export function nodeContainerSpec(
  spec: ClusterSpec,
  imageId: string,
  node: NodeSpec,
  want: ContainerWanted,
): NodeContainerSpec {
  const docker = spec.docker!;
  return {
    name: nodeContainerName(node),
    image: imageId,
    env: containerEnv(spec, node, want.security),
    labels: {
      [LABEL.cluster]: spec.name,
      [LABEL.node]: String(node.id),
      [LABEL.config]: want.hash,
      [LABEL.image]: docker.image,
    },
    volumes: volumeMounts(node),
    network: docker.network,
    publish: { [CLIENT_PORT_INSIDE]: node.clientPort },
  };
}
