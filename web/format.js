// @ts-check
/**
 * The page's pure logic (no DOM): number and time formatting, znode data shown as text, pretty JSON, hex and
 * base64, the log level of a line, the verdict's words. Unit-tested from Node (test/unit/web-format.test.ts).
 */

/**
 * Bytes from base64, binary-safe.
 * @param {string} b64
 */
export function fromBase64(b64) {
  const bin = globalThis.atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Bytes as UTF-8 text, or undefined when they are not text (invalid UTF-8, or control characters other than
 * whitespace).
 * @param {Uint8Array} bytes
 * @returns {string | undefined}
 */
export function asText(bytes) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

/**
 * Pretty JSON, or undefined when the text is not JSON.
 * @param {string | undefined} text
 */
export function prettyJson(text) {
  if (text === undefined || !/^\s*[[{"\d-tfn]/.test(text)) return undefined;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/**
 * A hex dump: offset, 16 bytes in hex, the printable ones as characters.
 * @param {Uint8Array} bytes
 * @param {number} [max] bytes shown at most
 */
export function hexDump(bytes, max = 64 * 1024) {
  const lines = [];
  const n = Math.min(bytes.length, max);
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const chars = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${chars}`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

/**
 * The views of a znode's data the page offers, and which to show first.
 * @param {string} b64
 * @returns {{ views: Record<'text' | 'json' | 'hex' | 'base64', string | undefined>, best: 'text' | 'json' | 'hex' }}
 */
export function dataViews(b64) {
  const bytes = fromBase64(b64);
  const text = asText(bytes);
  const json = prettyJson(text);
  return {
    views: { text, json, hex: hexDump(bytes), base64: b64 },
    best: json !== undefined ? 'json' : text !== undefined ? 'text' : 'hex',
  };
}

/**
 * A number for a table cell: "–" when unknown, thousands grouped, at most `digits` decimals.
 * @param {number | null | undefined} n
 */
export function num(n, digits = 1) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/**
 * Bytes in KiB/MiB.
 * @param {number | undefined} n
 */
export function bytes(n) {
  if (n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The words for a verdict.
 * @param {string} v
 */
export function verdictLabel(v) {
  return { healthy: 'healthy', degraded: 'degraded', 'no-quorum': 'no quorum', down: 'down' }[v] ?? v;
}

/**
 * A log line's level (ZooKeeper's log4j/logback layout puts it after the timestamp).
 * @param {string} line
 * @returns {'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' | undefined}
 */
export function logLevel(line) {
  const m = /\b(ERROR|WARN|INFO|DEBUG|TRACE)\b/.exec(line.slice(0, 120));
  return /** @type {any} */ (m?.[1]);
}

/**
 * A zxid (0x…) as epoch and counter, as operators read it.
 * @param {string | undefined} zxid
 */
export function zxidParts(zxid) {
  if (!zxid) return '–';
  const v = BigInt(zxid);
  return `${zxid} (epoch ${v >> 32n}, counter ${v & 0xffffffffn})`;
}

/**
 * Splits an NDJSON stream's text into complete lines and the unfinished rest.
 * @param {string} buffer
 * @returns {{ lines: unknown[], rest: string }}
 */
export function ndjson(buffer) {
  const parts = buffer.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((l) => l.trim()).map((l) => JSON.parse(l)), rest };
}

/**
 * The parent of a znode path, and its parts for the path bar.
 * @param {string} path
 */
export function pathParts(path) {
  if (path === '/') return [{ name: '/', path: '/' }];
  const names = path.split('/').slice(1);
  return [{ name: '/', path: '/' }, ...names.map((name, i) => ({ name, path: `/${names.slice(0, i + 1).join('/')}` }))];
}

/**
 * Short time of day (HH:MM:SS) of an epoch ms.
 * @param {number | undefined} ms
 */
export function clock(ms) {
  if (ms === undefined) return '';
  const d = new Date(ms);
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
