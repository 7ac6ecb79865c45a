/**
 * Prometheus text exposition (format 0.0.4), written by hand: a few dozen lines instead of a client library,
 * and the exporter stays small. Samples of one family are kept together under one HELP/TYPE, as the format
 * requires, however many nodes they come from.
 */

/** The metric types the exporter emits. */
export type MetricType = 'gauge' | 'counter' | 'summary' | 'untyped';

/** One sample: its full name (a summary's `_count`/`_sum` included), labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: samples sharing a base name, help and type. */
export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Collects samples into families in the order they were first seen. */
export class FamilySet {
  private readonly families = new Map<string, Family>();

  /** Adds one sample to family `family` (created with `help` and `type` on first use). */
  add(family: string, help: string, type: MetricType, labels: Record<string, string>, value: number, name = family) {
    let f = this.families.get(family);
    if (!f) {
      f = { name: family, help, type, samples: [] };
      this.families.set(family, f);
    }
    f.samples.push({ name, labels, value });
  }

  /** Whether a family of that name exists (a summary's `_count` must not clash with a gauge). */
  has(family: string): boolean {
    return this.families.has(family);
  }

  /** The families, in first-seen order. */
  list(): Family[] {
    return [...this.families.values()];
  }
}

/** A valid metric or label name. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * The families as Prometheus text. Built by string concatenation (V8 joins the pieces once) with the label
 * values escaped only when they need it: a scrape renders about 1,600 samples, and this runs on every one.
 */
export function renderExposition(families: Family[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${s.name}${renderLabels(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}

function renderLabels(labels: Record<string, string>): string {
  let text = '';
  for (const k in labels) text += `${text ? ',' : '{'}${k}="${escapeLabel(labels[k]!)}"`;
  return text ? `${text}}` : '';
}

const NEEDS_ESCAPE = /[\\"\n]/;

function escapeLabel(v: string): string {
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
