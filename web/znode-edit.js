// @ts-check
/**
 * Znode edits on the page (`zkops ui --allow-writes`): the shown znode's data (as text, JSON or base64), its
 * ACL (digest, ip, world), a new child, delete (a subtree only after the server counted it and the count was
 * confirmed), export of the subtree to a file and import from one (a dry run first, then the plan it showed).
 * Every write names the version the page showed; a concurrent change comes back as a conflict shown beside
 * what the page had. Export is a read: offered also on a read-only dashboard.
 */
import { fill, getJson, h, postJson } from './dom.js';
import { dataViews } from './format.js';

/** @typedef {import('./types').Znode} Znode */
/** @typedef {import('./types').EditResult} EditResult */
/** @typedef {import('./types').ImportPlan} ImportPlan */

/**
 * Whether this dashboard takes edits.
 * @param {string} cluster
 * @returns {Promise<boolean>}
 */
export async function editsAllowed(cluster) {
  const allowed = await getJson(`/api/c/${encodeURIComponent(cluster)}/edits`).then(
    (r) => Boolean(r.allowWrites),
    () => false,
  );
  // (The header's word on what the dashboard may do is app.js's, from /api/mode.)
  return allowed;
}

/**
 * Data as the editor shows it: text when it is text, else base64.
 * @param {string} b64
 * @returns {{ format: 'text' | 'json' | 'base64', value: string }}
 */
function editable(b64) {
  const { views } = dataViews(b64);
  const t = views.text;
  // JSON is edited as typed (not pretty-printed), so saving it unchanged keeps its bytes.
  if (t !== undefined && t.trim() && views.json !== undefined) return { format: 'json', value: t };
  return t !== undefined ? { format: 'text', value: t } : { format: 'base64', value: b64 };
}

/**
 * @param {string} id
 * @param {string} value
 */
const formatSelect = (id, value) =>
  /** @type {HTMLSelectElement} */ (
    h('select', { id }, ...['text', 'json', 'base64'].map((f) => h('option', { value: f, selected: f === value }, f)))
  );

/**
 * The tools under a znode's details: export always; edits when `allowed`.
 * @param {string} cluster
 * @param {Znode} z
 * @param {boolean} allowed
 * @param {(path: string) => void} reload shows a path again (after an edit)
 * @returns {HTMLElement}
 */
export function znodeTools(cluster, z, allowed, reload) {
  const base = `/api/c/${encodeURIComponent(cluster)}`;
  const exportLink = h(
    'a',
    { id: 'zk-export', href: `${base}/export?${new URLSearchParams({ path: z.path })}`, download: '' },
    `Export ${z.path} and below to a file`,
  );
  if (!allowed) return h('div', { class: 'zk-tools' }, h('h4', {}, 'Export'), exportLink);
  const result = h('div', { id: 'zk-edit-result', role: 'status' });
  /** @param {string} text */
  const fail = (text) => fill(result, h('div', { class: 'error' }, text));
  /**
   * Shows how an edit ended; a conflict with the page's value beside the current one.
   * @param {EditResult} r
   * @param {string} done what to say when it is done
   * @param {string} [next] the path to show afterwards
   */
  const ended = (r, done, next = z.path) => {
    if (r.outcome === 'done') {
      fill(result, h('div', { class: 'ok' }, done));
      return void setTimeout(() => reload(next), 600);
    }
    const cur = r.current;
    const mine = editable(z.base64);
    const now = cur ? editable(cur.base64) : undefined;
    fill(
      result,
      h(
        'div',
        { class: 'conflict', id: 'zk-conflict' },
        h('div', { class: 'error' }, r.message),
        h('div', {}, h('b', {}, `The page had version ${z.stat.version} (ACL version ${z.stat.aversion}):`)),
        h('pre', { class: 'data', 'data-side': 'page' }, mine.value),
        cur
          ? h('div', {}, h('b', {}, `Now: version ${cur.version} (ACL version ${cur.aversion}):`))
          : h('div', {}, h('b', {}, 'Now: the znode does not exist.')),
        now ? h('pre', { class: 'data', 'data-side': 'current' }, now.value) : null,
        h('button', { type: 'button', id: 'zk-reload', onclick: () => reload(z.path) }, 'Reload'),
      ),
    );
  };
  /**
   * @param {string} what
   * @param {Record<string, unknown>} body
   */
  const call = (what, body) => postJson(`${base}/${what}`, body, [409]);

  // The data.
  const start = editable(z.base64);
  const fmt = formatSelect('zk-edit-format', start.format);
  const value = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'zk-edit-value', rows: 6, cols: 60 }));
  value.value = start.value;
  const save = async () => {
    try {
      ended(
        await call('set', { path: z.path, version: z.stat.version, format: fmt.value, value: value.value }),
        `Saved ${z.path}.`,
      );
    } catch (err) {
      fail(/** @type {Error} */ (err).message);
    }
  };

  // A new child.
  const childName = /** @type {HTMLInputElement} */ (h('input', { id: 'zk-new-name', placeholder: 'name' }));
  const childFmt = formatSelect('zk-new-format', 'text');
  const childValue = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'zk-new-value', rows: 2, cols: 60 }));
  const create = async () => {
    const path = `${z.path === '/' ? '' : z.path}/${childName.value.trim()}`;
    try {
      ended(await call('create', { path, format: childFmt.value, value: childValue.value }), `Created ${path}.`, path);
    } catch (err) {
      fail(/** @type {Error} */ (err).message);
    }
  };

  // Delete: one znode at its version, or a subtree once its count is confirmed.
  const parent = z.path.slice(0, z.path.lastIndexOf('/')) || '/';
  const confirmBox = h('div', { id: 'zk-delete-box' });
  const askDelete = async () => {
    try {
      if (!z.stat.numChildren) {
        return fill(
          confirmBox,
          `Delete ${z.path} (version ${z.stat.version})? `,
          h('button', { type: 'button', id: 'zk-delete-confirm', onclick: () => void doDelete({}) }, 'Delete'),
        );
      }
      fill(confirmBox, 'counting…');
      const t = await call('subtree', { path: z.path });
      fill(
        confirmBox,
        h('span', { id: 'zk-delete-count', 'data-count': t.count }, `${t.count}`),
        ` znodes would be removed (${z.path} and everything below it${t.ephemerals ? `, ${t.ephemerals} ephemeral` : ''}). `,
        h(
          'button',
          {
            type: 'button',
            id: 'zk-delete-confirm',
            onclick: () => void doDelete({ recursive: true, count: t.count, fingerprint: t.fingerprint }),
          },
          `Delete ${t.count} znodes`,
        ),
      );
    } catch (err) {
      fail(/** @type {Error} */ (err).message);
    }
  };
  /** @param {Record<string, unknown>} extra */
  const doDelete = async (extra) => {
    try {
      const r = await call('delete', { path: z.path, version: z.stat.version, ...extra });
      ended(r, `Deleted ${r.removed ?? 1} znode(s).`, parent);
    } catch (err) {
      fail(/** @type {Error} */ (err).message);
    }
  };

  const aclBox = aclEditor(z, async (acl) => {
    try {
      ended(await call('acl', { path: z.path, aversion: z.stat.aversion, acl }), `ACL of ${z.path} saved.`);
    } catch (err) {
      fail(/** @type {Error} */ (err).message);
    }
  });

  return h(
    'div',
    { class: 'zk-tools', id: 'zk-edit' },
    result,
    h('h4', {}, 'Edit data'),
    h('div', {}, 'as ', fmt),
    value,
    h(
      'div',
      {},
      h(
        'button',
        { type: 'button', id: 'zk-save', onclick: () => void save() },
        `Save (expects version ${z.stat.version})`,
      ),
    ),
    h('h4', {}, 'ACL'),
    aclBox,
    h('h4', {}, 'New child'),
    h('div', {}, childName, ' as ', childFmt),
    childValue,
    h('div', {}, h('button', { type: 'button', id: 'zk-create', onclick: () => void create() }, 'Create')),
    h('h4', {}, 'Delete'),
    h('button', { type: 'button', id: 'zk-delete', onclick: () => void askDelete() }, `Delete ${z.path}…`),
    confirmBox,
    h('h4', {}, 'Export and import'),
    exportLink,
    importBox(base, z.path, fail, (r) =>
      r.outcome === 'done' ? ended(r, `Imported into ${z.path}.`) : fail(r.message),
    ),
  );
}

/**
 * The ACL as editable rows: scheme, id (for digest: the user, with a password, or user:hash as shown), perms.
 * @param {Znode} z
 * @param {(acl: {scheme: string, id: string, perms: string, password?: string}[]) => void} onSave
 */
function aclEditor(z, onSave) {
  const rows = h('tbody', { id: 'zk-acl-rows' });
  /** @param {{scheme: string, id: string, perms: string}} a */
  const row = (a) => {
    const scheme = /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { class: 'acl-scheme' },
        ...['world', 'digest', 'ip'].map((s) => h('option', { value: s, selected: s === a.scheme }, s)),
      )
    );
    const tr = h(
      'tr',
      {},
      h('td', {}, scheme),
      h('td', {}, h('input', { class: 'acl-id', value: a.id, size: 30 })),
      h('td', {}, h('input', { class: 'acl-password', type: 'password', placeholder: 'digest password', size: 14 })),
      h('td', {}, h('input', { class: 'acl-perms', value: a.perms, size: 6 })),
      h('td', {}, h('button', { type: 'button', onclick: () => tr.remove() }, '×')),
    );
    return tr;
  };
  fill(rows, ...z.acl.map(row));
  const read = () =>
    [...rows.querySelectorAll('tr')].map((tr) => {
      const v = (/** @type {string} */ c) => /** @type {HTMLInputElement} */ (tr.querySelector(c)).value.trim();
      const password = v('.acl-password');
      return { scheme: v('.acl-scheme'), id: v('.acl-id'), perms: v('.acl-perms'), ...(password ? { password } : {}) };
    });
  return h(
    'div',
    {},
    h(
      'table',
      { class: 'kv' },
      h('thead', {}, h('tr', {}, ...['scheme', 'id', 'password', 'perms', ''].map((t) => h('th', {}, t)))),
      rows,
    ),
    h(
      'button',
      { type: 'button', id: 'zk-acl-add', onclick: () => rows.append(row({ scheme: 'ip', id: '', perms: 'r' })) },
      'Add entry',
    ),
    ' ',
    h(
      'button',
      { type: 'button', id: 'zk-acl-save', onclick: () => onSave(read()) },
      `Save ACL (expects ACL version ${z.stat.aversion})`,
    ),
  );
}

/**
 * Import from an export file into `path`: a dry run lists what would be created, changed, left alone; apply
 * carries that plan's fingerprint.
 * @param {string} base
 * @param {string} path
 * @param {(text: string) => void} fail
 * @param {(r: EditResult) => void} ended
 */
function importBox(base, path, fail, ended) {
  const file = /** @type {HTMLInputElement} */ (
    h('input', { type: 'file', id: 'zk-import-file', accept: '.json,application/json' })
  );
  const plan = h('div', { id: 'zk-import-plan' });
  const dry = async () => {
    const f = file.files?.[0];
    if (!f) return fail('Choose an export file first.');
    try {
      const document = JSON.parse(await f.text());
      /** @type {ImportPlan} */
      const p = await postJson(`${base}/import`, { path, document, dryRun: true }, [409]);
      const c = p.counts;
      fill(
        plan,
        h('div', { id: 'zk-import-counts' }, `${c.create} to create, ${c.change} to change, ${c.unchanged} unchanged`),
        h(
          'ul',
          {},
          ...p.items
            .filter((i) => i.action !== 'unchanged')
            .slice(0, 500)
            .map((i) =>
              h(
                'li',
                { 'data-action': i.action },
                `${i.action} ${i.path}${i.data ? ' (data)' : ''}${i.acl ? ' (ACL)' : ''}`,
              ),
            ),
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'zk-import-apply',
            onclick: async () => {
              try {
                ended(await postJson(`${base}/import`, { path, document, fingerprint: p.fingerprint }, [409]));
              } catch (err) {
                fail(/** @type {Error} */ (err).message);
              }
            },
          },
          'Apply this plan',
        ),
      );
    } catch (err) {
      fail(/** @type {Error} */ (err).message);
    }
  };
  return h(
    'div',
    {},
    h(
      'div',
      {},
      'Import into ',
      h('code', {}, path),
      ': ',
      file,
      h('button', { type: 'button', id: 'zk-import-dry', onclick: () => void dry() }, 'Dry run'),
    ),
    plan,
  );
}
