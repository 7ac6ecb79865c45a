// @ts-check
/**
 * The znode browser: a lazy tree (children asked for when a node opens), a path bar, search by name below a
 * path, and a znode's data (text, pretty JSON, hex, base64), stat, ACL, Dubbo name decoded and, for an
 * ephemeral, the session holding it and that session's client address.
 */
import { fill, getJson, h } from './dom.js';
import { dataViews, pathParts } from './format.js';
import { editsAllowed, znodeTools } from './znode-edit.js';

/** @typedef {import('./types').Child} Child */
/** @typedef {import('./types').Znode} Znode */

/**
 * The panel.
 * @param {HTMLElement} parent
 * @param {string} cluster
 * @param {string} start the path to open first
 * @param {(path: string) => void} navigate records the open path in the address
 */
export function znodePanel(parent, cluster, start, navigate) {
  const allowed = editsAllowed(cluster);
  const api = (/** @type {string} */ what, /** @type {Record<string, string>} */ q) =>
    getJson(`/api/c/${encodeURIComponent(cluster)}/${what}?${new URLSearchParams(q)}`);
  const pathInput = /** @type {HTMLInputElement} */ (
    h('input', { id: 'zk-path', value: start, size: 40, 'aria-label': 'path' })
  );
  const searchInput = /** @type {HTMLInputElement} */ (
    h('input', { id: 'zk-search', placeholder: 'name contains…', size: 20 })
  );
  const crumbs = h('div', { class: 'crumbs', id: 'zk-crumbs' });
  const tree = h('ul', { class: 'tree', id: 'zk-tree' });
  const detail = h('div', { class: 'detail', id: 'zk-detail' });
  const results = h('div', { id: 'zk-results' });

  /** @param {string} path */
  const open = async (path) => {
    pathInput.value = path;
    navigate(path);
    fill(
      crumbs,
      ...pathParts(path).flatMap((p, i) => [
        i > 1 ? '/' : '',
        h('a', { href: '#', onclick: (/** @type {Event} */ e) => (e.preventDefault(), void open(p.path)) }, p.name),
      ]),
    );
    fill(tree, h('li', { class: 'muted' }, 'loading…'));
    const [kids] = await Promise.all([loadChildren(path, tree), showZnode(path)]);
    return kids;
  };
  /**
   * @param {string} path
   * @param {HTMLElement} ul
   */
  const loadChildren = async (path, ul) => {
    try {
      const r = await api('children', { path });
      fill(
        ul,
        ...r.children.map((/** @type {Child} */ c) => item(c)),
        ...(r.more ? [h('li', { class: 'muted' }, `… ${r.more} more`)] : []),
      );
      if (!r.children.length) fill(ul, h('li', { class: 'muted' }, 'no children'));
    } catch (err) {
      fill(ul, h('li', { class: 'error' }, /** @type {Error} */ (err).message));
    }
  };
  /** @param {Child} c */
  const item = (c) => {
    const sub = h('ul', { class: 'tree' });
    let opened = false;
    const toggle = h('span', { class: 'toggle' }, c.children ? '▸' : ' ');
    toggle.addEventListener('click', () => {
      if (!c.children) return;
      opened = !opened;
      toggle.textContent = opened ? '▾' : '▸';
      if (opened) void loadChildren(c.path, sub);
      else fill(sub);
    });
    const label = h(
      'a',
      { href: '#', class: `zname${c.ephemeral ? ' ephemeral' : ''}`, 'data-path': c.path, title: c.path },
      c.decoded ? h('span', { class: 'decoded' }, c.decoded) : c.name,
      c.decoded ? h('span', { class: 'raw' }, ` ${c.name}`) : null,
      c.ephemeral ? h('span', { class: 'badge eph' }, 'ephemeral') : null,
      c.children ? h('span', { class: 'muted' }, ` (${c.children})`) : null,
    );
    label.addEventListener('click', (e) => (e.preventDefault(), void showZnode(c.path)));
    return h('li', {}, toggle, label, sub);
  };
  /** @param {string} path */
  const showZnode = async (path) => {
    fill(detail, h('div', { class: 'muted' }, `reading ${path}…`));
    /** @type {Znode} */
    let z;
    try {
      z = await api('znode', { path });
    } catch (err) {
      return fill(detail, h('div', { class: 'error' }, /** @type {Error} */ (err).message));
    }
    navigate(path);
    const { views, best } = dataViews(z.base64);
    const pre = h('pre', { class: 'data', id: 'zk-data' });
    /** @param {keyof typeof views} v */
    const showView = (v) => {
      pre.textContent = views[v] ?? (v === 'json' ? '(not JSON)' : '(not text: see hex or base64)');
      for (const b of tabs.children) b.classList.toggle('on', b.getAttribute('data-view') === v);
    };
    const tabs = h(
      'div',
      { class: 'views' },
      ...['text', 'json', 'hex', 'base64'].map((v) =>
        h('button', { type: 'button', 'data-view': v, onclick: () => showView(/** @type {any} */ (v)) }, v),
      ),
    );
    const o = z.owner;
    fill(
      detail,
      h('h3', { id: 'zk-detail-path' }, z.path),
      z.decoded ? h('div', { class: 'decoded-name', id: 'zk-decoded' }, h('b', {}, 'decoded: '), z.decoded) : null,
      o
        ? h(
            'div',
            { class: 'owner', id: 'zk-owner' },
            h('b', {}, 'ephemeral, held by session '),
            h('code', {}, o.session),
            o.client
              ? h(
                  'span',
                  {},
                  ' from client ',
                  h('code', { id: 'zk-owner-client' }, o.client),
                  ` (connected to ${o.server})`,
                )
              : h('span', { class: 'muted' }, ` — ${o.note}`),
          )
        : null,
      h('div', { class: 'muted' }, `${Number(z.stat.dataLength)} bytes`),
      tabs,
      pre,
      h('h4', {}, 'Stat'),
      h(
        'table',
        { class: 'kv' },
        ...Object.entries(z.stat).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v ?? '–')))),
      ),
      h('h4', {}, 'ACL'),
      h(
        'table',
        { class: 'kv' },
        ...z.acl.map((a) => h('tr', {}, h('th', {}, a.scheme), h('td', {}, a.id), h('td', {}, a.perms))),
      ),
    );
    showView(best);
    detail.append(znodeTools(cluster, z, await allowed, (p) => void open(p)));
  };
  const search = async () => {
    const q = searchInput.value.trim();
    if (!q) return fill(results);
    fill(results, h('div', { class: 'muted' }, 'searching…'));
    try {
      /** @type {Child[]} */
      const found = await api('search', { path: pathInput.value, q });
      fill(
        results,
        h('div', { class: 'muted' }, `${found.length} found below ${pathInput.value}`),
        h('ul', { class: 'tree' }, ...found.map(item)),
      );
    } catch (err) {
      fill(results, h('div', { class: 'error' }, /** @type {Error} */ (err).message));
    }
  };
  const form = h(
    'form',
    { class: 'toolbar' },
    pathInput,
    h('button', { type: 'submit' }, 'Go'),
    searchInput,
    h('button', { type: 'button', id: 'zk-search-go', onclick: () => void search() }, 'Search'),
  );
  form.addEventListener('submit', (e) => (e.preventDefault(), void open(pathInput.value.trim() || '/')));
  searchInput.addEventListener('keydown', (e) => e.key === 'Enter' && (e.preventDefault(), void search()));
  parent.append(form, crumbs, h('div', { class: 'split' }, h('div', { class: 'left' }, results, tree), detail));
  void open(start);
}
