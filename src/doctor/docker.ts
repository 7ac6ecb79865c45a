/**
 * Doctor for Docker clusters: the engine answers, the image is there, every
 * node has a running container (for one that does not: its state, exit code
 * and what its server last complained about), its published port is free
 * while it is down, and the quorum (the same judgement as for hosts).
 */
import type { ClusterSpec } from '../inventory/spec.js';
import { containerName } from '../inventory/spec.js';
import { probeCluster } from '../health/cluster.js';
import { DockerEngine } from '../executors/docker.js';
import { LocalExecutor } from '../executors/local.js';
import { findPortClashes, describeClash } from '../steps/ports.js';
import { problemLines } from '../health/log.js';
import { quorumCheck } from './checks/quorum.js';
import type { Finding } from './index.js';

export async function runDockerDoctor(spec: ClusterSpec): Promise<Finding[]> {
  let engine: DockerEngine;
  try {
    engine = await DockerEngine.connect();
  } catch (err) {
    return [{ check: 'engine', severity: 'error', message: (err as Error).message, fix: 'start dockerd (systemctl start docker), or set DOCKER_HOST' }];
  }
  const findings: Finding[] = [{ check: 'engine', severity: 'ok', message: `Docker engine at ${engine.where} answers` }];
  const image = await engine.api.getImage(spec.docker!.image).inspect().catch(() => undefined);
  findings.push(
    image
      ? { check: 'image', severity: 'ok', message: `${spec.docker!.image} is on the engine` }
      : { check: 'image', severity: 'error', message: `${spec.docker!.image} is not on the engine; new containers cannot be created`, fix: `docker pull ${spec.docker!.image}, or set docker.image` },
  );
  const containers = await engine.nodeContainers(spec.name);
  const down = [];
  for (const node of spec.nodes) {
    const c = containers.find((x) => x.node === node.id);
    if (!c) {
      findings.push({ check: 'containers', severity: 'error', message: `node ${node.id} has no container (${containerName(spec, node.id)})`, fix: 'zkops init (or deploy) with the inventory creates it' });
      continue;
    }
    if (c.running) continue;
    down.push(node);
    const state = (await engine.container(c.id).inspect()).State;
    // 143 = TERM: stopped on purpose (zkops stop, docker stop), not a failure to explain.
    if (state.ExitCode === 143 || state.ExitCode === 0) {
      findings.push({ check: 'containers', severity: 'warning', message: `node ${node.id}: container ${c.name} was stopped`, fix: `zkops start ${node.id}` });
      continue;
    }
    const said = problemLines(await engine.logTail(c.id)).split('\n').slice(-5).join('\n        ');
    findings.push({
      check: 'containers',
      severity: 'error',
      message: `node ${node.id}: container ${c.name} is ${state.Status}${state.ExitCode ? ` (exit code ${state.ExitCode})` : ''}${said ? `; its server last said:\n        ${said}` : ''}`,
      fix: `zkops start ${node.id}; docker logs ${c.name} shows the whole output`,
    });
  }
  if (!findings.some((f) => f.check === 'containers')) findings.push({ check: 'containers', severity: 'ok', message: `all ${spec.nodes.length} containers run` });
  if (down.length) {
    for (const c of await findPortClashes(new LocalExecutor(), spec, down, new Set())) {
      findings.push({ check: 'ports', severity: 'error', message: describeClash(c, 'this machine'), fix: 'stop that process, or give the cluster another pseudo.basePort' });
    }
  }
  const reports = await probeCluster(spec);
  findings.push(...(await quorumCheck({ spec, targets: [], reports, processes: new Map(), allZk: new Map(), fix: false })));
  return findings;
}
