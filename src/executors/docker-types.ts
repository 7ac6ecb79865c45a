/** What zkops records about its containers, and the labels it finds them by (the engine: docker.ts). */

/** What zkops needs to know about one of its containers. */
export interface NodeContainer {
  id: string;
  name: string;
  node: number;
  running: boolean;
  /** The JVM's pid on this machine (the container's main process), when running. */
  pid?: number;
  /** Hash of everything the container was created from (image, files, settings). */
  config: string;
}

/** How a container last ended, for explaining a node that is down. */
export interface ContainerEnd {
  status: string;
  exitCode: number;
}

/** What a node container is made from. */
export interface NodeContainerSpec {
  name: string;
  image: string;
  env: string[];
  labels: Record<string, string>;
  /** Named volumes → mount points. */
  volumes: Record<string, string>;
  network: string;
  /** Container port (tcp) → host port, published on 127.0.0.1. */
  publish: Record<number, number>;
}

/** Labels zkops puts on what it creates. */
export const LABEL = {
  /** On a throw-away helper container (see withHelper): the node it works for. */
  helper: 'zkops.helper',
  cluster: 'zkops.cluster',
  node: 'zkops.node',
  config: 'zkops.config',
  image: 'zkops.image',
} as const;
