/**
 * Rules over the normalised ClusterSpec: they run whenever one could be
 * built, skipped only where a value they read had to be dropped for failing
 * the schema (their findings would be follow-on noise).
 */
import path from 'node:path';
import type { Inventory } from './schema.js';
import { maxBasePort } from './ports.js';
import type { ClusterSpec, NodeSpec } from './spec.js';
import type { RuleIssue } from './raw-rules.js';

/** A rule over the normalised spec, with the inventory fields it reads (`*` matches one step). */
interface SpecRule {
  reads: string[];
  check(inv: Inventory, spec: ClusterSpec): RuleIssue[];
}

/** Ids given to more than one node: their clashes are the duplicate's doing, not separate problems. */
const duplicateIds = (spec: ClusterSpec) =>
  new Set(spec.nodes.map((n) => n.id).filter((id, i, all) => all.indexOf(id) !== i));
const indexOf = (inv: Inventory, node: NodeSpec) => (inv.nodes ?? []).findIndex((n) => n.id === node.id);

const SPEC_RULES: SpecRule[] = [
  {
    // Observers follow a quorum; they cannot make one.
    reads: ['pseudo.count', 'pseudo.observers', 'nodes.*.role'],
    check(inv, spec) {
      if (spec.nodes.some((n) => n.role === 'participant')) return [];
      const observers = inv.pseudo ? inv.pseudo.observers : 0;
      return [
        {
          path: inv.pseudo ? ['pseudo', 'observers'] : ['nodes'],
          message: inv.pseudo
            ? `${observers} observers of ${inv.pseudo.count} nodes leave no participant to vote; expected at most ` +
              `${inv.pseudo.count - 1}`
            : 'every node is an observer: at least one must be a participant (observers have no vote)',
        },
      ];
    },
  },
  {
    reads: ['pseudo.*'],
    check(inv) {
      if (!inv.pseudo) return [];
      const max = maxBasePort(inv.pseudo.count);
      return inv.pseudo.basePort > max
        ? [
            {
              path: ['pseudo', 'basePort'],
              message:
                `with ${inv.pseudo.count} nodes the highest service port would pass 65535; expected a base ` +
                `port ≤ ${max}, got ${inv.pseudo.basePort}`,
            },
          ]
        : [];
    },
  },
  {
    // portsDoNotClash
    reads: ['nodes.*.id', 'nodes.*.host', 'nodes.*.*Port', 'pseudo.*', 'hosts.*.address', 'settings.*'],
    check(inv, spec) {
      const owner = new Map<string, string>();
      const issues: RuleIssue[] = [];
      const dup = duplicateIds(spec);
      for (const node of spec.nodes.filter((n) => !dup.has(n.id))) {
        for (const { name, port } of node.listens) {
          const key = `${node.host.address}:${port}`;
          const what = `node ${node.id} ${name} port`;
          const taken = owner.get(key);
          if (!taken) {
            owner.set(key, what);
            continue;
          }
          issues.push({
            path: inv.pseudo ? ['pseudo', 'basePort'] : ['nodes', indexOf(inv, node), `${name}Port`],
            message: `${what} ${key} is also the ${taken}; give every service on a host its own port`,
          });
        }
      }
      return issues;
    },
  },
  {
    // dirsDoNotOverlap
    reads: [
      'nodes.*.id',
      'nodes.*.host',
      'nodes.*.dir',
      'nodes.*.dataDir',
      'nodes.*.dataLogDir',
      'dir',
      'hosts.*.address',
    ],
    check(inv, spec) {
      // Containers each have their own file system.
      if (spec.executor === 'docker') return [];
      const dup = duplicateIds(spec);
      const inside = (p: string, dir: string) => p.startsWith(dir + path.sep);
      const dirs = spec.nodes
        .filter((n) => !dup.has(n.id))
        .flatMap((n) => [
          { node: n, key: 'dir', p: n.dir },
          ...(inside(n.dataDir, n.dir) ? [] : [{ node: n, key: 'dataDir', p: n.dataDir }]),
          ...(n.dataLogDir && !inside(n.dataLogDir, n.dir) ? [{ node: n, key: 'dataLogDir', p: n.dataLogDir }] : []),
        ]);
      const issues: RuleIssue[] = [];
      for (let i = 0; i < dirs.length; i++) {
        for (let j = i + 1; j < dirs.length; j++) {
          const a = dirs[i]!;
          const b = dirs[j]!;
          if (a.node === b.node || a.node.host.address !== b.node.host.address) continue;
          if (a.p === b.p || inside(a.p, b.p) || inside(b.p, a.p)) {
            const idx = indexOf(inv, b.node);
            issues.push({
              path: idx >= 0 ? ['nodes', idx, b.key] : ['dir'],
              message:
                `node ${b.node.id} ${b.key} ${b.p} overlaps node ${a.node.id} ${a.key} ${a.p} on the same ` +
                `host; each node needs its own directories`,
            });
          }
        }
      }
      return issues;
    },
  },
];

/**
 * Runs the spec rules. `dropped`: dotted paths of values that failed the
 * schema and were left out to build the spec; rules reading them are skipped.
 */
export function checkSpecRules(inv: Inventory, spec: ClusterSpec, dropped: string[] = []): RuleIssue[] {
  return SPEC_RULES.filter((rule) => !dropped.some((d) => rule.reads.some((pattern) => matches(pattern, d)))).flatMap(
    (rule) => rule.check(inv, spec),
  );
}

/** `nodes.*.clientPort` matches `nodes.1.clientPort`; a pattern also matches what lies beneath it. */
function matches(pattern: string, dotted: string): boolean {
  const p = pattern.split('.');
  const d = dotted.split('.');
  if (d.length < p.length) return p.slice(0, d.length).every((seg, i) => glob(seg, d[i]!));
  return p.every((seg, i) => glob(seg, d[i]!));
}

function glob(seg: string, value: string): boolean {
  if (seg === '*') return true;
  if (!seg.includes('*')) return seg === value;
  const [pre = '', post = ''] = seg.split('*');
  return value.startsWith(pre) && value.endsWith(post);
}
