/**
 * Loads the files in templates/ and fills them in with Mustache. Output is
 * config and shell, not HTML, so Mustache's HTML escaping is turned off;
 * values that reach a shell are quoted before they get here (see render/node.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';

/** templates/ at the package root (dist/render/ and src/render/ are both two levels down). */
export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

const cache = new Map<string, string>();

/** Renders templates/<name> with `view`. Pure apart from reading (and caching) the template file. */
export function renderTemplate(name: string, view: object): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(TEMPLATES_DIR, name), 'utf8');
    cache.set(name, text);
  }
  return Mustache.render(text, view, {}, { escape: (v: unknown) => String(v) });
}
