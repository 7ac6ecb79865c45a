// @ts-check
/**
 * The merged logs of every node: the last lines, then (follow) what is new each second, filtered by node and
 * level in the page. At most 3000 lines are kept.
 */
import { h, fill } from './dom.js';
import { clock, logLevel } from './format.js';

/** @typedef {import('./types').LogEntry} LogEntry */

const KEEP = 3000;

/**
 * The panel; returns what closes its stream.
 * @param {HTMLElement} parent
 * @param {string} cluster
 * @param {number[]} ids
 */
export function logsPanel(parent, cluster, ids) {
  const node = h(
    'select',
    { id: 'log-node' },
    h('option', { value: '' }, 'all nodes'),
    ...ids.map((id) => h('option', { value: id }, `node ${id}`)),
  );
  const level = h(
    'select',
    { id: 'log-level' },
    ...[
      ['', 'all levels'],
      ['WARN', 'WARN and ERROR'],
      ['ERROR', 'ERROR only'],
      ['INFO', 'INFO and above'],
    ].map(([v, t]) => h('option', { value: v }, t)),
  );
  const follow = /** @type {HTMLInputElement} */ (h('input', { id: 'log-follow', type: 'checkbox', checked: true }));
  const status = h('span', { class: 'muted', id: 'log-status' }, 'reading…');
  const box = h('div', { id: 'log-lines', class: 'logs' });
  parent.append(h('div', { class: 'toolbar' }, node, level, h('label', {}, follow, ' follow'), status), box);

  /** @type {LogEntry[]} */
  let entries = [];
  const RANK = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
  const show = () => {
    const n = /** @type {HTMLSelectElement} */ (node).value;
    const l = /** @type {HTMLSelectElement} */ (level).value;
    const min = l ? RANK[/** @type {keyof typeof RANK} */ (l)] : -1;
    const shown = entries.filter((e) => {
      if (n && String(e.node) !== n) return false;
      const lv = logLevel(e.text);
      return min < 0 || (lv !== undefined && RANK[lv] >= min);
    });
    fill(
      box,
      ...shown
        .slice(-1000)
        .map((e) =>
          h(
            'div',
            { class: `log ${(logLevel(e.text) ?? '').toLowerCase()}`, 'data-node': e.node },
            h('span', { class: 'lnode' }, `[${e.node}]`),
            ' ',
            e.text,
          ),
        ),
    );
    if (follow.checked) box.scrollTop = box.scrollHeight;
  };
  node.addEventListener('change', show);
  level.addEventListener('change', show);
  const es = new EventSource(`/api/c/${encodeURIComponent(cluster)}/logs?lines=300`);
  es.addEventListener('entries', (e) => {
    if (!follow.checked && entries.length) return;
    entries = [...entries, ...JSON.parse(/** @type {MessageEvent} */ (e).data)].slice(-KEEP);
    status.textContent = `${entries.length} lines, last read ${clock(Date.now())}`;
    show();
  });
  es.addEventListener('warning', (e) => {
    parent.prepend(h('div', { class: 'warning' }, JSON.parse(/** @type {MessageEvent} */ (e).data)));
  });
  return () => es.close();
}
