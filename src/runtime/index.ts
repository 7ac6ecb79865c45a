/**
 * Opens the runtime for a cluster: the one place that maps an executor kind
 * to the runtime that runs such nodes. Each implementation is loaded only when
 * needed (dockerode and ssh2 cost a noticeable part of a short command's time).
 */
import type { ClusterSpec } from '../inventory/spec.js';
import type { Runtime, RuntimeOptions } from './types.js';

export type * from './types.js';

/** Opens (connects) the runtime for `spec`; close it when done (see withRuntime). */
export async function openRuntime(spec: ClusterSpec, options: RuntimeOptions = {}): Promise<Runtime> {
  switch (spec.executor) {
    case 'docker':
      return (await import('./containers.js')).ContainerRuntime.open(spec, options);
    case 'local':
    case 'ssh':
      return (await import('./hosts.js')).HostRuntime.open(spec, options);
  }
}

/** Runs `fn` with the cluster's runtime open, and closes it afterwards. */
export async function withRuntime<T>(
  spec: ClusterSpec,
  options: RuntimeOptions,
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const rt = await openRuntime(spec, options);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}
