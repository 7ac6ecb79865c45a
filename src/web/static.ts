/**
 * The page's files, served from the package itself (nothing fetched from the internet): web/ at the package's
 * top, and uPlot's built script and style from its own package. Read and gzipped once at start, so a page
 * load costs no disk read and no compression.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** One file ready to send. */
export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The package's web/ directory (from dist/web/ or src/web/, two levels up). */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

/** Every servable file by URL path: `/index.html`, `/assets/<file>`, `/vendor/uPlot.{js,css}`. */
export function loadAssets(dir = WEB_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const add = (url: string, file: string) => {
    const body = readFileSync(file);
    out.set(url, {
      type: TYPES[path.extname(file)] ?? 'application/octet-stream',
      body,
      gzip: gzipSync(body, { level: 9 }),
    });
  };
  for (const name of readdirSync(dir)) {
    const ext = path.extname(name);
    // Type declarations and the type-check config are for the build, not the page.
    if (!TYPES[ext] || name.endsWith('.d.ts') || name.endsWith('.test.js')) continue;
    add(name === 'index.html' ? '/index.html' : `/assets/${name}`, path.join(dir, name));
  }
  const uplot = path.dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  add('/vendor/uPlot.js', path.join(uplot, 'dist/uPlot.iife.min.js'));
  add('/vendor/uPlot.css', path.join(uplot, 'dist/uPlot.min.css'));
  return out;
}

/** What the page costs to download, gzipped (bytes), for the figures. */
export function gzippedSize(assets: Map<string, Asset>): number {
  return [...assets.values()].reduce((n, a) => n + a.gzip.length, 0);
}
