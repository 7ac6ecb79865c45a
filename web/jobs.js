// @ts-check
/**
 * A cluster's Operations tab: with `zkops ui --allow-operations`, the operations it can run as jobs (rolling
 * restart, start or stop one node, deploy of its inventory after its dry run, upgrade to a version, certificate
 * rotation, a backup), each confirmed on the page first; then the running or last job followed live, the jobs
 * that ran (kept across restarts of zkops ui) and the cluster's audit log. Read-only, only the last three.
 */
import { fill, getJson, h, postJson } from './dom.js';
import { clock } from './format.js';
import { followJob } from './job-view.js';

/** @typedef {import('./types').ClusterView} ClusterView */
/** @typedef {import('./types').Job} Job */
/** @typedef {import('./types').AuditEntry} AuditEntry */

/**
 * @param {HTMLElement} parent
 * @param {ClusterView | undefined} view
 * @param {string} cluster
 * @param {boolean} allowed
 * @returns {() => void} what the page calls when it leaves the tab
 */
export function jobsPanel(parent, view, cluster, allowed) {
  const api = `/api/c/${encodeURIComponent(cluster)}`;
  const confirmBox = h('div', { id: 'op-confirm', class: 'confirm', hidden: true });
  const problem = h('div', { id: 'op-error', class: 'error' });
  const jobBox = h('div', { id: 'job', class: 'job' });
  const jobsRows = h('tbody', { id: 'jobs-rows' });
  const auditRows = h('tbody', { id: 'audit-rows' });
  let unfollow = () => {};

  const show = (/** @type {string} */ id) => {
    unfollow();
    unfollow = followJob(jobBox, id, { allowed, onEnd: (job) => (refresh(), forceOffer(job)) });
  };

  /** A stop or start refused by the quorum guard can be sent again with force: a second, explicit confirmation. */
  const forceOffer = (/** @type {Job} */ job) => {
    if (!allowed || job.state !== 'failed' || job.params.force || !['stop', 'start'].includes(job.kind)) return;
    if (!/quorum/i.test(job.error ?? '')) return;
    const node = String(job.params.node);
    jobBox.append(
      h(
        'button',
        {
          id: 'op-force',
          type: 'button',
          class: 'danger',
          onclick: () =>
            ask(
              `${job.kind} node ${node} anyway (force): the ensemble may lose its quorum and stop serving until ` +
                'enough nodes run again.',
              { kind: job.kind, params: { node, force: true } },
            ),
        },
        `${job.kind === 'stop' ? 'Stop' : 'Start'} node ${node} anyway (force)…`,
      ),
    );
  };

  /**
   * The confirmation: what will happen (and, for a deploy or upgrade, its dry run per node), then Confirm.
   * @param {string} text
   * @param {{ kind: string, params?: Record<string, unknown> }} job
   * @param {HTMLElement} [details]
   */
  const ask = (text, job, details) => {
    // One key per confirmation: the POST sent again after a lost connection gets the same job, not a second.
    const key = crypto.randomUUID();
    const go = h('button', { id: 'op-go', type: 'button', class: 'danger' }, 'Confirm');
    go.addEventListener('click', async () => {
      go.setAttribute('disabled', '');
      problem.textContent = '';
      try {
        const created = await sendOnce(`${api}/jobs`, { ...job, key });
        confirmBox.hidden = true;
        show(created.id);
        refresh();
      } catch (err) {
        problem.textContent = /** @type {Error} */ (err).message;
        confirmBox.hidden = true;
      }
    });
    const cancel = h(
      'button',
      { id: 'op-cancel', type: 'button', onclick: () => (confirmBox.hidden = true) },
      'Cancel',
    );
    fill(confirmBox, h('p', {}, text), details ?? null, h('div', {}, go, ' ', cancel));
    confirmBox.hidden = false;
  };

  /** A deploy or an upgrade: its dry run first, then the confirmation. */
  const planned = async (/** @type {string} */ kind, /** @type {string | undefined} */ version) => {
    problem.textContent = '';
    fill(confirmBox, h('p', { class: 'muted' }, 'Working out what would change (dry run)…'));
    confirmBox.hidden = false;
    try {
      const plan = await getJson(`${api}/plan${version ? `?version=${encodeURIComponent(version)}` : ''}`);
      const what = kind === 'upgrade' ? `Upgrade ${cluster} to ZooKeeper ${version}` : `Deploy ${cluster}'s inventory`;
      ask(
        `${what}: nodes that change restart one at a time, followers first, the leader last.`,
        { kind, params: version ? { version } : {} },
        planView(plan),
      );
    } catch (err) {
      confirmBox.hidden = true;
      problem.textContent = /** @type {Error} */ (err).message;
    }
  };

  const nodes = view?.nodes.map((n) => n.id) ?? [];
  const nodeSelect = h('select', { id: 'op-node' }, ...nodes.map((id) => h('option', { value: id }, `node ${id}`)));
  const version = h('input', { id: 'op-version', placeholder: '3.8.4', size: 8 });
  const selected = () => /** @type {HTMLSelectElement} */ (nodeSelect).value;
  const button = (/** @type {string} */ id, /** @type {string} */ label, /** @type {() => void} */ onclick) =>
    h('button', { id, type: 'button', onclick }, label);
  const controls = allowed
    ? h(
        'div',
        { class: 'ops', id: 'ops' },
        button('op-restart', 'Rolling restart…', () =>
          ask(
            `Restart every node of ${cluster}, one at a time: followers first, the leader last, each back in the quorum before the next.`,
            { kind: 'restart' },
          ),
        ),
        h(
          'span',
          { class: 'op-group' },
          nodeSelect,
          ' ',
          button('op-stop', 'Stop…', () =>
            ask(`Stop node ${selected()} of ${cluster} (refused if the quorum would be lost).`, {
              kind: 'stop',
              params: { node: selected() },
            }),
          ),
          button('op-start', 'Start…', () =>
            ask(`Start node ${selected()} of ${cluster} and wait for the quorum.`, {
              kind: 'start',
              params: { node: selected() },
            }),
          ),
        ),
        button('op-deploy', 'Deploy the inventory…', () => void planned('deploy', undefined)),
        h(
          'span',
          { class: 'op-group' },
          version,
          ' ',
          button(
            'op-upgrade',
            'Upgrade…',
            () => void planned('upgrade', /** @type {HTMLInputElement} */ (version).value.trim()),
          ),
        ),
        view?.tls
          ? button('op-certs', 'Rotate certificates…', () =>
              ask(`Give every node of ${cluster} a new key and certificate, rolled out by rolling restarts.`, {
                kind: 'certs-rotate',
              }),
            )
          : null,
        button('op-backup', 'Back up the data…', () =>
          ask(`Copy ${cluster}'s data (a consistent snapshot) to zkops's data directory on this machine.`, {
            kind: 'backup',
          }),
        ),
      )
    : h(
        'p',
        { id: 'read-only', class: 'muted' },
        'Read-only: zkops ui was started without --allow-operations, so this page runs no operation. Jobs run from a dashboard that allowed them, and the audit log, are shown below.',
      );

  fill(
    parent,
    controls,
    confirmBox,
    problem,
    jobBox,
    h('h3', {}, 'Jobs'),
    h(
      'table',
      { class: 'grid', id: 'jobs' },
      h('thead', {}, h('tr', {}, ...['Started', 'Job', 'State', 'Took', 'By', 'Error'].map((t) => h('th', {}, t)))),
      jobsRows,
    ),
    h('h3', {}, 'Audit log'),
    h(
      'table',
      { class: 'grid', id: 'audit' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Time', 'Operation', 'Outcome', 'Took', 'User', 'Via', 'Error'].map((t) => h('th', {}, t))),
      ),
      auditRows,
    ),
  );

  let first = true;
  const refresh = async () => {
    try {
      /** @type {Job[]} */
      const jobs = await getJson(`${api}/jobs`);
      fill(
        jobsRows,
        ...jobs.map((j) =>
          h(
            'tr',
            { 'data-job': j.id, 'data-state': j.state, class: 'job-row', onclick: () => show(j.id) },
            h('td', {}, clock(j.created)),
            h(
              'td',
              {},
              `${j.kind}${
                Object.keys(j.params).length
                  ? ` (${Object.entries(j.params)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(', ')})`
                  : ''
              }`,
            ),
            h('td', { class: `job-state ${j.state}` }, j.state),
            h('td', {}, j.ended ? `${((j.ended - j.created) / 1000).toFixed(1)} s` : '…'),
            h('td', {}, `${j.user} (${j.via})`),
            h('td', { class: 'error' }, j.error ?? ''),
          ),
        ),
      );
      // Reopened while a job runs (or after the tab was closed): that job is shown and followed again.
      if (first) {
        first = false;
        const active = jobs.find((j) => j.state === 'running' || j.state === 'paused');
        if (active) show(active.id);
      }
      /** @type {AuditEntry[]} */
      const audit = await getJson(`${api}/audit?limit=50`);
      fill(
        auditRows,
        ...audit.map((a) =>
          h(
            'tr',
            { class: 'audit-row', 'data-outcome': a.outcome },
            h('td', {}, new Date(a.time).toLocaleString()),
            h('td', {}, `${a.operation}${a.detail ? ` ${a.detail}` : ''}`),
            h('td', {}, a.outcome),
            h('td', {}, `${(a.ms / 1000).toFixed(1)} s`),
            h('td', {}, a.user),
            h('td', {}, a.via),
            h('td', { class: 'error' }, a.error ?? ''),
          ),
        ),
      );
    } catch (err) {
      problem.textContent = /** @type {Error} */ (err).message;
    }
  };
  void refresh();
  // Changes made elsewhere (a terminal, another dashboard) reach the lists too.
  const timer = setInterval(() => void refresh(), 10_000);
  return () => {
    clearInterval(timer);
    unfollow();
  };
}

/**
 * POSTs a job; a lost connection is retried with the same key (the server returns the job it already started).
 * @param {string} url
 * @param {unknown} body
 */
async function sendOnce(url, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await postJson(url, body);
    } catch (err) {
      // fetch's own TypeError is a lost connection; an answer with an error is final.
      if (!(err instanceof TypeError) || attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/**
 * A dry run, node by node: what each would do and which files change (for zoo.cfg, the settings).
 * @param {any} plan
 */
function planView(plan) {
  if (plan.kind === 'membership-dry-run')
    return h('ol', { id: 'plan' }, ...plan.membership.map((/** @type {string} */ m) => h('li', {}, m)));
  const lines = [
    ...plan.warnings.map((/** @type {string} */ w) => h('li', { class: 'warning' }, `warning: ${w}`)),
    ...plan.actions.map((/** @type {string} */ a) => h('li', {}, `first: ${a}`)),
    ...plan.upgrades.map((/** @type {any} */ u) => h('li', {}, `node ${u.id}: ${u.from} → ${u.to}`)),
    ...plan.nodes.map((/** @type {any} */ n) => {
      const changed = n.files.filter((/** @type {any} */ f) => f.status === 'changed');
      return h(
        'li',
        { 'data-node': n.id, class: 'plan-node' },
        `node ${n.id} on ${n.host}: ${n.action.replace('would-', 'would ')}${changed.length ? `, ${changed.length} file(s) would change` : ', no file would change'}`,
        h('ul', {}, ...changed.map((/** @type {any} */ f) => h('li', {}, f.path, ...settingLines(f.settings)))),
      );
    }),
  ];
  return h('ul', { id: 'plan', class: 'plan' }, ...lines);
}

/** @param {any} d */
function settingLines(d) {
  if (!d) return [];
  return [
    ...d.changed.map((/** @type {any} */ c) => h('div', { class: 'setting' }, `${c.key}: ${c.from} → ${c.to}`)),
    ...d.removed.map((/** @type {any} */ c) => h('div', { class: 'setting' }, `- ${c.key}=${c.value}`)),
    ...d.added.map((/** @type {any} */ c) => h('div', { class: 'setting' }, `+ ${c.key}=${c.value}`)),
  ];
}
