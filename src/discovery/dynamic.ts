/**
 * Hand-made 3.5+ ensembles with a dynamic configuration (dynamicConfigFile,
 * usually with reconfigEnabled=true): the doctor reads their members from
 * that file (scan.ts), but `adopt` refuses them. ZooKeeper itself rewrites
 * zoo.cfg and writes a new zoo.cfg.dynamic.<version> on every `reconfig`,
 * while zkops renders zoo.cfg with a static server list and changes
 * membership one server at a time: managed by both, each would undo the
 * other. The refusal says how to make the ensemble static first, keeping the
 * dynamic file's members.
 */
import { ExitCode, ZkopsError } from '../errors.js';
import type { Adopted } from './adopt.js';
import { cfgValue } from '../zookeeper/zoo-cfg.js';

/** Throws, before anything is written, when a found ensemble keeps its members in a dynamic configuration file. */
export function refuseDynamicConfig(a: Adopted): void {
  const dynamic = [...a.found.values()].filter((s) => s.dynamic);
  if (!dynamic.length) return;
  const first = dynamic[0]!;
  const members = first.cfg.servers
    .map(
      (e) =>
        `server.${e.id}=${e.host}:${e.quorumPort}:${e.electionPort}:${e.role}${e.clientPort ? `;${e.clientAddress ? `${e.clientAddress}:` : ''}${e.clientPort}` : ''}`,
    )
    .join(', ');
  const missing = dynamic.filter((s) => s.dynamic!.missing).map((s) => s.dynamic!.file);
  throw new ZkopsError(
    `This ensemble keeps its members in a dynamic configuration file (${dynamic
      .map((s) => `${s.cfg.file}: dynamicConfigFile=${s.dynamic!.file}`)
      .join('; ')}${cfgValue(first.cfg, 'reconfigEnabled') === 'true' ? ', reconfigEnabled=true' : ''})` +
      `${missing.length ? ` (not there: ${missing.join(', ')})` : ''}. ZooKeeper rewrites zoo.cfg and that file ` +
      'on every reconfig, while zkops writes zoo.cfg with a static server list, so zkops does not adopt it: ' +
      "deploying would replace the dynamic file's view with its own. zkops doctor checks it as it is. To manage " +
      'it with zkops, make it static first, one server at a time (followers first, the leader last): in its ' +
      `zoo.cfg put the members as server lines (now: ${members || 'none found'}), remove the dynamicConfigFile ` +
      'line, set reconfigEnabled=false, and restart it (zkServer.sh restart) and wait until it serves again; ' +
      'then run zkops adopt again. Nothing was written.',
    ExitCode.usage,
  );
}
