/**
 * Reads an inventory file: YAML with line numbers, then the schema, then the
 * semantic rules. Every problem from every pass is collected and reported
 * together (file:line: field: message); nothing is returned unless all pass.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { InventoryError, type InventoryIssue } from '../errors.js';
import { InventorySchema, type Inventory } from './schema.js';
import { checkRawRules, type RuleIssue } from './raw-rules.js';
import { checkSpecRules } from './spec-rules.js';
import { buildClusterSpec } from './normalize.js';
import type { ClusterSpec } from './spec.js';

/** A parsed, validated inventory and the cluster it describes. */
export interface LoadedInventory {
  file: string;
  inventory: Inventory;
  spec: ClusterSpec;
}

/** Loads and validates an inventory file; throws InventoryError listing every problem. */
export async function loadInventoryFile(file: string, cwd = process.cwd()): Promise<LoadedInventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new InventoryError([
      { file, path: '', message: `cannot read the inventory (${reason}); pass an existing file with -i` },
    ]);
  }
  return parseInventory(text, file, cwd);
}

/** Validates inventory text (from a file or generated); `file` is used in messages. */
export function parseInventory(text: string, file: string, cwd = process.cwd()): LoadedInventory {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const located = (issues: RuleIssue[]): InventoryIssue[] =>
    issues.map((r) => ({ file, line: lineOf(locate(doc, r.path)), path: dotted(r.path), message: r.message }));

  const yamlIssues: InventoryIssue[] = doc.errors.map((e) => ({
    file,
    line: lineOf(e.pos[0]),
    path: '',
    message: `YAML syntax: ${e.message.split('\n')[0]}`,
  }));
  if (yamlIssues.length > 0) throw new InventoryError(yamlIssues);

  const raw: unknown = doc.toJS() ?? {};
  const parsed = InventorySchema.safeParse(raw);
  const schemaProblems = parsed.success
    ? []
    : parsed.error.issues.flatMap((issue) => schemaIssues(issue, raw, doc, file, lineOf));
  const rawProblems = located(checkRawRules(raw));
  // The spec rules need a spec: from the inventory, or (to report everything at once) from
  // the inventory with the values that failed the schema left out, where that parses.
  const usable = parsed.success ? { data: parsed.data, dropped: [] } : withoutInvalidValues(raw, parsed.error.issues);
  let spec: ClusterSpec | undefined;
  let specProblems: InventoryIssue[] = [];
  if (usable && rawProblems.length === 0) {
    spec = buildClusterSpec(usable.data, cwd);
    specProblems = located(checkSpecRules(usable.data, spec, usable.dropped));
  } else if (usable) {
    // A shape problem (duplicate ids, no nodes, ...) may make a spec meaningless; rules that can still run do.
    const shapeOk = !rawProblems.some((p) => p.path === '' || p.path === 'pseudo' || p.path === 'nodes');
    if (shapeOk)
      specProblems = located(checkSpecRules(usable.data, buildClusterSpec(usable.data, cwd), usable.dropped));
  }
  const all = [...schemaProblems, ...rawProblems, ...specProblems];
  if (all.length > 0 || !parsed.success || !spec) throw new InventoryError(all);
  return { file, inventory: parsed.data, spec };
}

/**
 * The inventory with every value the schema rejected left out (and unknown
 * keys dropped), parsed again so that defaults fill the gaps; undefined when
 * that still does not parse (a required value was wrong). `dropped` lists the
 * dotted paths left out.
 */
function withoutInvalidValues(
  raw: unknown,
  issues: z.core.$ZodIssue[],
): { data: Inventory; dropped: string[] } | undefined {
  const copy = structuredClone(raw) as Record<PropertyKey, unknown>;
  const dropped: string[] = [];
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const p of keys) {
      if (p.length === 0) return undefined;
      const parent = valueAt(copy, p.slice(0, -1));
      if (parent && typeof parent === 'object') delete (parent as Record<PropertyKey, unknown>)[p[p.length - 1]!];
      if (issue.code !== 'unrecognized_keys') dropped.push(p.map(String).join('.'));
    }
  }
  const again = InventorySchema.safeParse(copy);
  return again.success ? { data: again.data, dropped } : undefined;
}

type Path = readonly PropertyKey[];

/** Turns one schema issue into located inventory issues, with the offending value in the message. */
function schemaIssues(
  issue: z.core.$ZodIssue,
  raw: unknown,
  doc: Document,
  file: string,
  lineOf: (o: number | undefined) => number | undefined,
): InventoryIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return {
        file,
        line: lineOf(locateKey(doc, path)),
        path: dotted(path),
        message: `unknown key "${key}"; check its spelling and place (schema/inventory.schema.json lists every key)`,
      };
    });
  }
  const value = valueAt(raw, issue.path);
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message =
      value === undefined ? `required (expected ${issue.expected})` : `expected ${issue.expected}, got ${show(value)}`;
  } else if (issue.code === 'invalid_value') {
    message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(value)}`;
  } else if (value !== undefined && typeof value !== 'object') {
    message = `${message.replace(/^Invalid input: /, '')}, got ${show(value)}`;
  }
  return [{ file, line: lineOf(locate(doc, issue.path)), path: dotted(issue.path), message }];
}

/** Offset of the value at `path`, or of its nearest parent that exists in the file. */
function locate(doc: Document, path: Path): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** Offset of a key itself (for unknown keys, whose value may be a whole block). */
function locateKey(doc: Document, path: Path): number | undefined {
  const parent = doc.getIn(path.slice(0, -1) as unknown[], true) as { items?: { key: unknown }[] } | undefined;
  const pair = parent?.items?.find(
    (p) => isNode(p.key) && (p.key as { value?: unknown }).value === path[path.length - 1],
  );
  if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
  return locate(doc, path);
}

function valueAt(raw: unknown, path: Path): unknown {
  let cur: unknown = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** `nodes[2].clientPort` from ['nodes', 2, 'clientPort']. */
export function dotted(path: Path): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
