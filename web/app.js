// @ts-check
/**
 * zkops ui: the overview of every cluster and each cluster's page (nodes and charts, doctor, logs, znodes),
 * routed by the address's hash. One event stream (/api/events) brings every cluster's reading each second;
 * the page never reloads.
 */
import { Charts } from './charts.js';
import { doctorPanel } from './doctor.js';
import { fill, getJson, h } from './dom.js';
import { clock, num, verdictLabel } from './format.js';
import { jobsPanel } from './jobs.js';
import { logsPanel } from './logs.js';
import { znodePanel } from './znodes.js';

/** @typedef {import('./types').ClusterView} ClusterView */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));
/** @type {ClusterView[]} */
let clusters = [];
/** What the current page does with each reading, and what closes it. */
let onTick = (/** @type {ClusterView[]} */ _c) => {};
let leave = () => {};

// Whether this dashboard runs operations (zkops ui --allow-operations): said in the header, asked once.
let operations = false;
const modeReady = getJson('/api/mode').then(
  (m) => {
    operations = Boolean(m.operations);
    const badge = document.getElementById('mode');
    const allowed = [operations && 'operations', m.writes && 'znode edits'].filter(Boolean);
    if (badge) badge.textContent = allowed.length ? `${allowed.join(' and ')} allowed` : 'read-only';
  },
  () => undefined,
);

/** @type {() => void} */
let firstTick = () => {};
const firstReading = new Promise((resolve) => (firstTick = () => resolve(undefined)));

const events = new EventSource('/api/events');
events.addEventListener('clusters', (e) => {
  clusters = JSON.parse(/** @type {MessageEvent} */ (e).data).filter(Boolean);
  firstTick();
  live.textContent = `live · ${clock(Date.now())}`;
  live.className = 'live on';
  onTick(clusters);
});
events.addEventListener('error', () => {
  live.textContent = 'connection to zkops ui lost: retrying…';
  live.className = 'live off';
});

window.addEventListener('hashchange', render);
render();

function render() {
  leave();
  leave = () => {};
  onTick = () => {};
  const m = /^#\/c\/([^/?]+)(?:\/(\w+))?(?:\?(.*))?$/.exec(location.hash);
  if (!m) return overview();
  clusterPage(decodeURIComponent(m[1] ?? ''), m[2] ?? 'nodes', new URLSearchParams(m[3] ?? ''));
}

function overview() {
  const body = h('tbody', { id: 'overview-rows' });
  fill(
    main,
    h('h2', {}, 'Clusters'),
    h(
      'table',
      { class: 'grid', id: 'overview' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Cluster', 'Verdict', 'Nodes serving', 'Leader', 'Version', 'Runs as', 'TLS'].map((t) => h('th', {}, t)),
        ),
      ),
      body,
    ),
  );
  onTick = (list) =>
    fill(
      body,
      ...list.map((c) => {
        const serving = c.nodes.filter((n) => !['down', 'not-serving'].includes(n.mode)).length;
        return h(
          'tr',
          { 'data-cluster': c.name },
          h('td', {}, h('a', { href: `#/c/${encodeURIComponent(c.name)}` }, c.name)),
          h('td', {}, verdictBadge(c)),
          h('td', { class: 'nodes' }, `${serving}/${c.nodes.length}`),
          h('td', { class: 'leader' }, c.leader === undefined ? '–' : `node ${c.leader}`),
          h('td', {}, c.versions.join(', ') || '–'),
          h('td', {}, c.target),
          h('td', {}, c.tls ? 'yes' : 'no'),
        );
      }),
    );
  onTick(clusters);
}

/** @param {ClusterView} c */
function verdictBadge(c) {
  return h('span', { class: `verdict ${c.verdict}`, title: c.problems.join('\n') }, verdictLabel(c.verdict));
}

/**
 * @param {string} name
 * @param {string} tab
 * @param {URLSearchParams} query
 */
function clusterPage(name, tab, query) {
  const c = clusters.find((x) => x.name === name);
  const base = `#/c/${encodeURIComponent(name)}`;
  const head = h('div', { class: 'cluster-head' });
  const tabs = h(
    'nav',
    { class: 'tabs' },
    ...[
      ['nodes', 'Nodes'],
      ['doctor', 'Doctor'],
      ['logs', 'Logs'],
      ['znodes', 'Znodes'],
      ['jobs', 'Operations'],
    ].map(([t, label]) => h('a', { href: `${base}/${t}`, class: t === tab ? 'on' : '' }, label)),
  );
  const body = h('div', { class: 'tab-body' });
  fill(main, h('div', { class: 'back' }, h('a', { href: '#/' }, '← all clusters')), head, tabs, body);
  const ids = c?.nodes.map((n) => n.id) ?? [];
  const showHead = (/** @type {ClusterView | undefined} */ v) =>
    v
      ? fill(
          head,
          h('h2', {}, v.name, ' ', verdictBadge(v)),
          h(
            'div',
            { class: 'muted' },
            `${v.target}${v.tls ? ', TLS' : ''} · leader ${v.leader ?? '–'} · ${v.versions.join(', ') || 'version unknown'}`,
          ),
          ...v.problems.map((p) => h('div', { class: 'problem' }, p)),
        )
      : fill(head, h('h2', {}, name), h('div', { class: 'muted' }, 'waiting for the first reading…'));
  showHead(c);
  /** @type {(v: ClusterView) => void} */
  let tickTab = () => {};
  onTick = (list) => {
    const v = list.find((x) => x.name === name);
    showHead(v);
    if (v) tickTab(v);
  };
  if (tab === 'nodes') {
    const rows = h('tbody', { id: 'node-rows' });
    const chartBox = h('div', { class: 'charts', id: 'charts' });
    body.append(
      h(
        'table',
        { class: 'grid', id: 'nodes' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Node',
              'Address',
              'Role',
              'Mode',
              'Zxid',
              'Version',
              'Conns',
              'Latency avg/max',
              'Outstanding',
              'Znodes',
              'Watches',
              'Zxid/s',
              'Pid (run by)',
            ].map((t) => h('th', {}, t)),
          ),
        ),
        rows,
      ),
      chartBox,
    );
    /** @type {Charts | undefined} */
    let charts;
    // What runs each node (pid, and as whom): from the runtime, asked now and every 30 s (it costs more).
    /** @type {Map<number, string>} */
    const runs = new Map();
    const askRuns = () =>
      getJson(`/api/c/${encodeURIComponent(name)}/status`).then(
        (st) => {
          for (const n of st.nodes)
            runs.set(n.id, n.pid ? `${n.pid} (${n.runs?.by ?? '?'}${n.runs?.user ? `:${n.runs.user}` : ''})` : '–');
        },
        () => undefined,
      );
    void askRuns();
    const runsTimer = setInterval(() => void askRuns(), 30_000);
    let pending = /** @type {ClusterView[]} */ ([]);
    getJson(`/api/c/${encodeURIComponent(name)}/history`).then(
      (hist) => {
        charts = new Charts(chartBox, ids, hist);
        pending.forEach((v) => charts?.push(v));
      },
      (err) => chartBox.append(h('div', { class: 'error' }, `charts: ${err.message}`)),
    );
    tickTab = (v) => {
      fill(
        rows,
        ...v.nodes.map((n) =>
          h(
            'tr',
            { 'data-node': n.id, class: `node ${n.mode}` },
            h('td', {}, n.id),
            h('td', {}, n.instance),
            h('td', {}, n.role),
            h('td', { class: 'mode', title: n.error ?? '' }, n.mode),
            h('td', {}, n.zxid ?? '–'),
            h('td', {}, n.version ?? '–'),
            h('td', {}, num(n.connections)),
            h('td', {}, `${num(n.latencyAvg)} / ${num(n.latencyMax)}`),
            h('td', {}, num(n.outstanding)),
            h('td', {}, num(n.znodes)),
            h('td', {}, num(n.watches)),
            h('td', {}, num(n.zxidRate)),
            h('td', { class: 'pid' }, n.mode === 'down' ? '–' : (runs.get(n.id) ?? '…')),
          ),
        ),
      );
      if (charts) charts.push(v);
      else pending.push(v);
    };
    if (c) tickTab(c);
    leave = () => {
      clearInterval(runsTimer);
      charts?.destroy();
    };
  } else if (tab === 'doctor') doctorPanel(body, name);
  else if (tab === 'logs') leave = logsPanel(body, name, ids);
  else if (tab === 'jobs') {
    let close = () => {};
    let left = false;
    // The controls need the mode and the cluster's nodes (a page opened on this tab has no reading yet).
    void Promise.all([modeReady, firstReading]).then(() => {
      if (!left)
        close = jobsPanel(
          body,
          clusters.find((x) => x.name === name),
          name,
          operations,
        );
    });
    leave = () => ((left = true), close());
  } else if (tab === 'znodes')
    znodePanel(body, name, query.get('path') ?? '/', (path) =>
      history.replaceState(null, '', `${base}/znodes?${new URLSearchParams({ path })}`),
    );
}
