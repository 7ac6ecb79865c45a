// @ts-check
/**
 * The doctor's panel: runs it (POST, so the Origin check applies) and shows each check's findings as the
 * server streams them (NDJSON), errors first, each with its evidence and the fix to run.
 */
import { h, fill } from './dom.js';
import { ndjson } from './format.js';

/** @typedef {import('./types').Finding} Finding */

const ORDER = { error: 0, warning: 1, ok: 2 };

/**
 * The panel, run once on opening; its button runs the doctor again.
 * @param {HTMLElement} parent
 * @param {string} cluster
 */
export function doctorPanel(parent, cluster) {
  const status = h('span', { id: 'doctor-status', class: 'muted' });
  const list = h('div', { id: 'findings' });
  const button = h('button', { id: 'doctor-run', type: 'button' }, 'Run the doctor again');
  /** @type {Finding[]} */
  let found = [];
  const show = () => {
    const sorted = [...found].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
    fill(list, ...sorted.map(findingView));
  };
  const run = async () => {
    button.setAttribute('disabled', '');
    found = [];
    show();
    status.textContent = 'running…';
    const started = Date.now();
    try {
      const res = await fetch(`/api/c/${encodeURIComponent(cluster)}/doctor`, {
        method: 'POST',
        credentials: 'same-origin',
      });
      if (!res.ok || !res.body) throw new Error(`${res.status} ${await res.text()}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let checks = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const { lines, rest } = ndjson(buffer + value);
        buffer = rest;
        for (const l of /** @type {any[]} */ (lines)) {
          if (l.type === 'findings') {
            checks++;
            found.push(...l.findings);
            status.textContent = `running… ${checks} checks done`;
          } else if (l.type === 'done') found = l.findings;
          else if (l.type === 'error') throw new Error(l.message);
        }
        show();
      }
      const counts = ['error', 'warning', 'ok'].map((s) => `${found.filter((f) => f.severity === s).length} ${s}`);
      status.textContent = `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.join(', ')}`;
    } catch (err) {
      status.textContent = `the doctor could not run: ${/** @type {Error} */ (err).message}`;
    } finally {
      button.removeAttribute('disabled');
    }
  };
  button.addEventListener('click', () => void run());
  parent.append(h('div', { class: 'toolbar' }, button, status), list);
  void run();
}

/**
 * One finding.
 * @param {Finding} f
 */
function findingView(f) {
  return h(
    'div',
    { class: `finding ${f.severity}` },
    h(
      'div',
      {},
      h('span', { class: `badge ${f.severity}` }, f.severity),
      ' ',
      h('b', {}, f.check),
      f.node ? ` · node ${f.node}` : '',
      ' — ',
      f.message,
    ),
    f.evidence?.length ? h('pre', { class: 'evidence' }, f.evidence.join('\n')) : null,
    f.fix ? h('div', { class: 'fix' }, 'fix: ', h('code', {}, f.fix)) : null,
  );
}
