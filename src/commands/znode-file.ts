/**
 * `zkops export PATH -o FILE` and `zkops import FILE --into PATH [--apply]`: the dashboard's export and import
 * (ops/znode-tree.ts) from a terminal, on any ensemble (--server) or one zkops knows. Import is a dry run unless
 * --apply; applied, it carries out the plan it just computed, each write naming the version it planned with,
 * and on a cluster zkops knows it goes to the audit log.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, ZkopsError } from '../errors.js';
import { checkPath, openSession, type ClientInput } from '../ops/client.js';
import { resolveCluster } from '../ops/cluster.js';
import { parseExport, type ImportPlan } from '../ops/znode-data.js';
import { applyImport, exportTree, planImportInto } from '../ops/znode-tree.js';
import { color, printJson, terminalContext, type OutputOptions } from '../output.js';
import { appendAudit } from '../support/audit.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { ClientFlags } from './client.js';

const inputOf = (flags: ClientFlags): ClientInput => ({
  inventory: flags.inventory,
  cluster: flags.cluster,
  server: flags.server,
  timeoutMs: flags.timeout * 1000,
});

/** `zkops export PATH -o FILE`. */
export async function exportCommand(path: string, flags: ClientFlags & { output: string }, out: OutputOptions) {
  checkPath(path);
  const { session } = await openSession(inputOf(flags), terminalContext(out));
  try {
    const name = flags.server ?? (await resolveCluster(flags)).spec.name;
    const doc = await exportTree(session, path, name);
    // The data may be an application's secrets: the file is the operator's alone, also where one was there
    // before with wider rights (a new file renamed over it, never written through it or a link).
    await writeFileAtomic(flags.output, `${JSON.stringify(doc, null, 1)}\n`, 0o600);
    const summary = { path, file: flags.output, znodes: doc.znodes.length, skippedEphemerals: doc.skippedEphemerals };
    if (out.json) printJson(summary);
    else
      process.stdout.write(
        `Exported ${doc.znodes.length} znode(s) under ${path} to ${flags.output}` +
          `${doc.skippedEphemerals.length ? ` (${doc.skippedEphemerals.length} ephemeral left out)` : ''}.\n`,
      );
    return ExitCode.ok;
  } finally {
    session.close();
  }
}

/** `zkops import FILE --into PATH [--apply]`. */
export async function importCommand(
  file: string,
  flags: ClientFlags & { into: string; apply?: boolean },
  out: OutputOptions,
) {
  const into = checkPath(flags.into);
  const doc = parseExport(await readFile(file, 'utf8'));
  const spec = flags.server ? undefined : (await resolveCluster(flags)).spec;
  const { session } = await openSession(inputOf(flags), terminalContext(out));
  try {
    const plan = await planImportInto(session, doc, into);
    if (!flags.apply) {
      show(plan, out, 'would');
      return ExitCode.ok;
    }
    const t0 = Date.now();
    const audit = (entry: { outcome: 'done' | 'refused' | 'failed'; detail: string; error?: string }) =>
      spec
        ? appendAudit(spec, { via: 'terminal', operation: 'znode import', ms: Date.now() - t0, ...entry })
        : undefined;
    let r: Awaited<ReturnType<typeof applyImport>>;
    try {
      r = await applyImport(session, doc, into, plan.fingerprint);
    } catch (err) {
      // Failed half way or not at all, it is in the log as the others are.
      await audit({
        outcome: 'failed',
        detail: `path=${into} from=${doc.cluster}:${doc.root}`,
        error: (err as Error).message.split('\n')[0]!,
      });
      throw err;
    }
    const c = r.plan.counts;
    if (spec)
      await appendAudit(spec, {
        via: 'terminal',
        operation: 'znode import',
        detail: `path=${into} from=${doc.cluster}:${doc.root} create=${c.create} change=${c.change} unchanged=${c.unchanged}`,
        outcome: r.outcome === 'done' ? 'done' : 'refused',
        ms: Date.now() - t0,
        ...(r.outcome === 'conflict' ? { error: r.message } : {}),
      });
    if (r.outcome === 'conflict') throw new ZkopsError(r.message, ExitCode.failure);
    show(r.plan, out, 'did');
    return ExitCode.ok;
  } finally {
    session.close();
  }
}

function show(plan: ImportPlan, out: OutputOptions, mood: 'would' | 'did'): void {
  if (out.json) return printJson({ applied: mood === 'did', ...plan });
  for (const i of plan.items.filter((x) => x.action !== 'unchanged'))
    process.stdout.write(
      `${i.action === 'create' ? color.green('create') : color.yellow('change')} ${i.path}` +
        `${i.data ? ' (data)' : ''}${i.acl ? ' (ACL)' : ''}\n`,
    );
  const c = plan.counts;
  process.stdout.write(
    mood === 'would'
      ? `Dry run: ${c.create} to create, ${c.change} to change, ${c.unchanged} unchanged under ${plan.into}. ` +
          'Nothing was written; run again with --apply to import.\n'
      : `Imported: ${c.create} created, ${c.change} changed, ${c.unchanged} unchanged under ${plan.into}.\n`,
  );
}
