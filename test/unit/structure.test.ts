/**
 * The shape of src/, checked on every unit run: no import cycle (type-only imports count: they are how one
 * module comes to know another's insides), no import from a lower layer to a higher one, no file over 300 lines.
 * Imports are read with the TypeScript parser, so `import type`, `export … from`, `import('…')` calls and
 * `import('…').T` types all count, and nothing in a comment or a string does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');
const MAX_LINES = 300;

/**
 * The layers, low to high, by folder of src/ (or by file, for files at its top). A module may import its own
 * layer and those below it; between folders of one layer imports may go either way, but never round in a
 * cycle. Why each layer sits where it does:
 * - the ground: errors, the events operations report (events.ts), shell quoting, generic helpers (util/), what is about ZooKeeper itself (zookeeper/);
 * - inventory: the spec every other layer works from;
 * - executors: how commands and files reach a machine (the files rendering makes are the executors' RenderedFile);
 * - render, security, distribution: pure files, secrets, where ZooKeeper and Java come from (distribution runs
 *   its probes through an executor, so it sits above executors);
 * - hosts, health, client: what a host's shell, a node's client port and a ZooKeeper session say (the runtimes
 *   wait for quorum with health/, so health sits below runtime), and runtime/types.ts: the Runtime interface and
 *   what it returns (ZkProcess, NodeSurvey, ...) are the words hosts/ answers in, below the runtimes using it;
 * - runtime: the runtimes;
 * - what works over a runtime: steps, doctor, discovery, backup, logs, support;
 * - operations (ops/) and other layers built on all of that (metrics/); a folder not named here is put here;
 * - front ends: the terminal (commands/, cli.ts, output.ts), the exporter, the web dashboard, the package's API.
 */
const LAYERS: string[][] = [
  ['errors.ts', 'events.ts', 'shell.ts', 'user-cache.ts', 'util', 'zookeeper'],
  ['inventory'],
  ['executors'],
  ['render', 'security', 'distribution'],
  ['hosts', 'health', 'client', 'runtime/types.ts'],
  ['runtime'],
  ['steps', 'doctor', 'discovery', 'backup', 'logs', 'support'],
  ['ops', 'metrics'],
  ['commands', 'cli', 'exporter', 'web', 'output.ts', 'cli.ts', 'index.ts'],
];
const DEFAULT_RANK = LAYERS.findIndex((l) => l.includes('ops'));

/**
 * Upward imports known today, each with who removes it. A listed import that is gone fails too: the list
 * only shrinks.
 */
const KNOWN_UPWARD: Record<string, string> = {};

/** Every .ts file under src/ (declaration files describe libraries, not our modules), relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The relative module specifiers one file imports, by every form TypeScript knows. */
function specifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) found.push(lit.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((s) => s.startsWith('.'));
}

/** The src/ file a specifier names (`./x.js` is `./x.ts` on disk), or undefined for anything else. */
function resolve(from: string, spec: string, files: Set<string>): string | undefined {
  const base = path.normalize(path.join(path.dirname(from), spec));
  return [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')].find((c) => files.has(c));
}

/** The layer a file belongs to: its own, when LAYERS names the file; else its top folder's (or name's, at the top). */
function rankOf(file: string): number {
  const own = LAYERS.findIndex((l) => l.includes(file));
  if (own >= 0) return own;
  const unit = file.split(path.sep)[0]!;
  const rank = LAYERS.findIndex((l) => l.includes(unit));
  return rank >= 0 ? rank : DEFAULT_RANK;
}

/** Import cycles as lists of files (strongly connected components of more than one file, or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || graph.get(v)!.includes(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const files = sourceFiles().sort();
const fileSet = new Set(files);
const texts = new Map(files.map((f) => [f, readFileSync(path.join(SRC, f), 'utf8')]));
const graph = new Map(
  files.map((f) => [
    f,
    [...new Set(specifiers(f, texts.get(f)!).map((s) => resolve(f, s, fileSet)))].filter(
      (r): r is string => r !== undefined,
    ),
  ]),
);

describe('structure of src/', () => {
  it('reads the imports of every module (the parser finds what the code uses)', () => {
    expect(files.length).toBeGreaterThan(50);
    // Each form of import is seen: a static one, a type-only one, a dynamic one.
    expect(graph.get('cli.ts')).toContain('output.ts');
    expect(graph.get('inventory/cache.ts')).toContain('inventory/load.ts');
    expect([...graph.values()].flat().length).toBeGreaterThan(300);
  });

  it('has no import cycle, type-only imports included', () => {
    const found = cycles(graph).map((c) => c.join(', '));
    expect(
      found,
      `import cycles, each line the files one cycle runs through (move what they share below them):\n${found.join('\n')}`,
    ).toEqual([]);
  });

  it('imports only from its own layer or the layers below', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph)
      for (const to of targets) if (rankOf(to) > rankOf(from)) upward.push(`${from} -> ${to}`);
    const unexpected = upward.filter((e) => !(e in KNOWN_UPWARD));
    const gone = Object.keys(KNOWN_UPWARD).filter((e) => !upward.includes(e));
    expect(unexpected, `imports from a lower layer to a higher one (see LAYERS):\n${unexpected.join('\n')}`).toEqual(
      [],
    );
    expect(gone, `these upward imports are gone: take them out of KNOWN_UPWARD`).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f, n: texts.get(f)!.split('\n').length - (texts.get(f)!.endsWith('\n') ? 1 : 0) }))
      .filter(({ n }) => n > MAX_LINES)
      .map(({ f, n }) => `${f}: ${n} lines`);
    expect(long, `files over ${MAX_LINES} lines (split them by job):\n${long.join('\n')}`).toEqual([]);
  });
});
