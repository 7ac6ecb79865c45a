/**
 * `zkops smoke`, `ls`, `get`, `watch`: the terminal front of ops/client.ts,
 * on any ensemble: one zkops knows (-i, --cluster, or the one here) or any
 * other (--server host:port,...).
 */
import { ExitCode } from '../errors.js';
import type { ZnodeStat } from '../client/session.js';
import type { ClusterFlags } from '../ops/cluster.js';
import { get, list, smoke, watch, type ClientInput } from '../ops/client.js';
import { color, formatMs, printJson, table, terminalContext, type OutputOptions } from '../output.js';

export interface ClientFlags extends ClusterFlags {
  /** A connect string, for an ensemble zkops does not know. */
  server?: string;
  timeout: number;
}

const inputOf = (flags: ClientFlags): ClientInput => ({
  inventory: flags.inventory,
  cluster: flags.cluster,
  server: flags.server,
  timeoutMs: flags.timeout * 1000,
});

export async function smokeCommand(flags: ClientFlags, out: OutputOptions): Promise<number> {
  const r = await smoke(inputOf(flags), terminalContext(out));
  if (out.json) printJson(r);
  else {
    const mark = (c: { ok: boolean }) => (c.ok ? color.green('✓') : color.red('✗'));
    for (const c of r.checks)
      process.stdout.write(`${mark(c)} ${c.check.padEnd(40)} ${formatMs(c.ms).padStart(7)}  ${c.detail}\n`);
    const failed = r.checks.filter((c) => !c.ok).length;
    process.stdout.write(
      r.ok
        ? `\nSmoke test passed: ${r.checks.length} checks in ${formatMs(r.ms)}.\n`
        : `\nSmoke test failed: ${failed} of ${r.checks.length} checks. zkops status and zkops doctor say more.\n`,
    );
  }
  return r.ok ? ExitCode.ok : ExitCode.unhealthy;
}

/** `zkops ls PATH [-R]`. */
export async function lsCommand(path: string, flags: ClientFlags & { recursive?: boolean }, out: OutputOptions) {
  const listed = await list(path, { ...inputOf(flags), recursive: flags.recursive }, terminalContext(out));
  if (out.json) printJson({ path, recursive: Boolean(flags.recursive), znodes: listed });
  else
    process.stdout.write(
      listed.map((l) => `${l.path}${l.decoded ? `\n    ${color.dim('→')} ${l.decoded}` : ''}\n`).join(''),
    );
  return ExitCode.ok;
}

/** `zkops get PATH`: data, stat and ACL. */
export async function getCommand(path: string, flags: ClientFlags, out: OutputOptions) {
  const r = await get(path, inputOf(flags), terminalContext(out));
  if (out.json) {
    printJson({ path, data: r.text ?? null, dataBase64: r.base64 ?? null, stat: r.stat, acl: r.acl });
    return ExitCode.ok;
  }
  const lines = [
    ...(r.decoded ? [`${color.dim('name:')} ${r.decoded}`] : []),
    r.text !== undefined ? r.text : `${color.dim('(binary, base64)')} ${r.base64}`,
    '',
    table(
      ['STAT', 'VALUE'],
      (Object.keys(r.stat) as (keyof ZnodeStat)[]).map((k) => [k, String(r.stat[k] ?? '-')]),
    ).trimEnd(),
    '',
    table(
      ['ACL', 'ID', 'PERMS'],
      r.acl.map((a) => [a.scheme, a.id, a.perms]),
    ).trimEnd(),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

/** `zkops watch PATH`: events as they happen, until Ctrl-C. */
export async function watchCommand(path: string, flags: ClientFlags, out: OutputOptions): Promise<number> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await watch(
    path,
    inputOf(flags),
    (e) => {
      if (out.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else process.stdout.write(`${e.time}  ${e.event.padEnd(9)} ${e.path}${e.detail ? `  ${e.detail}` : ''}\n`);
    },
    {
      ...terminalContext(out),
      signal: stop.signal,
      onStart: (found) => {
        if (!out.json)
          process.stderr.write(
            `Watching ${path}${found.exists ? ` (${found.children} children)` : ' (not there yet)'} on ` +
              `${found.servers}; Ctrl-C to stop.\n`,
          );
      },
    },
  );
  return ExitCode.ok;
}
