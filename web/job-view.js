// @ts-check
/**
 * One job on the page: its state, its events as they come (over server-sent events: the job whole on every
 * connection, then each event; a lost connection reconnects and reads it whole again, so nothing is missed or
 * shown twice), and its pause, resume and abort buttons. Closing the tab leaves the job running in zkops ui.
 */
import { fill, h, postJson } from './dom.js';
import { clock } from './format.js';

/** @typedef {import('./types').Job} Job */
/** @typedef {import('./types').JobEvent} JobEvent */

const FINAL = ['done', 'failed', 'aborted', 'interrupted'];
/** The job kinds that hold and stop between nodes (src/web/job-state.ts says the same to the API). */
const SAFE_POINTS = ['restart', 'deploy', 'upgrade', 'certs-rotate'];

/**
 * One event as a line of text.
 * @param {JobEvent['event']} e
 */
export function eventText(e) {
  const secs = (/** @type {number | undefined} */ ms) => (ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`);
  switch (e.type) {
    case 'step-start':
      return `▶ ${e.step}`;
    case 'step-end':
      return `${e.ok ? '✓' : '✗'} ${e.step}${secs(e.ms)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'node':
      return `node ${e.node}: ${e.phase}${e.mode ? ` as ${e.mode}` : ''}${secs(e.ms)}`;
    case 'wait':
      return `waiting for ${e.for === 'quorum' ? 'the quorum' : 'catch-up'} of node${e.nodes.length > 1 ? 's' : ''} ${e.nodes.join(', ')}`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'note':
      return e.message;
    case 'state':
      return `— ${e.state}${e.message ? `: ${e.message}` : ''}`;
  }
}

/**
 * Shows a job in `box` and follows it until it ends; returns what stops following (the job goes on).
 * @param {HTMLElement} box
 * @param {string} id
 * @param {{ allowed: boolean, onEnd: (job: Job) => void }} o
 */
export function followJob(box, id, o) {
  const title = h('h3', { id: 'job-title' });
  const state = h('span', { id: 'job-state', class: 'job-state' });
  const message = h('div', { id: 'job-error', class: 'error' });
  const list = h('ol', { id: 'job-events', class: 'job-events' });
  const act = (/** @type {string} */ what) => async () => {
    try {
      await postJson(`/api/jobs/${id}/${what}`);
    } catch (err) {
      message.textContent = /** @type {Error} */ (err).message;
    }
  };
  const pause = h('button', { id: 'job-pause', type: 'button', onclick: act('pause') }, 'Pause between nodes');
  const resume = h('button', { id: 'job-resume', type: 'button', onclick: act('resume') }, 'Resume');
  const abort = h('button', { id: 'job-abort', type: 'button', onclick: act('abort') }, 'Abort at the next safe point');
  const buttons = h('div', { class: 'job-buttons' }, ...(o.allowed ? [pause, resume, abort] : []));
  box.setAttribute('data-job', id);
  box.removeAttribute('data-state');
  fill(box, title, h('div', {}, 'State: ', state), buttons, message, list);
  /** @type {Job | undefined} */
  let job;
  const line = (/** @type {JobEvent} */ e) =>
    h(
      'li',
      { 'data-type': e.event.type, class: `ev ${e.event.type}` },
      h('span', { class: 'muted' }, clock(e.at)),
      ' ',
      eventText(e.event),
    );
  const showState = () => {
    if (!job) return;
    const s = job.aborting
      ? `${job.state} (stopping at the next safe point)`
      : job.pausing
        ? `${job.state} (pausing at the next safe point)`
        : job.state;
    state.textContent = s;
    state.className = `job-state ${job.state}`;
    box.setAttribute('data-state', job.state);
    message.textContent = job.error ?? '';
    const ended = FINAL.includes(job.state);
    pause.toggleAttribute('disabled', ended || job.state === 'paused' || Boolean(job.pausing || job.aborting));
    resume.toggleAttribute('disabled', ended || !(job.state === 'paused' || job.pausing));
    abort.toggleAttribute('disabled', ended || Boolean(job.aborting));
    // A start, stop or backup has no point between nodes to hold at: no buttons that could not keep their word.
    buttons.hidden = !SAFE_POINTS.includes(job.kind);
  };
  const source = new EventSource(`/api/jobs/${id}/events`);
  source.addEventListener('job', (ev) => {
    job = JSON.parse(/** @type {MessageEvent} */ (ev).data);
    if (!job) return;
    const p = Object.entries(job.params)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    title.textContent = `${job.kind}${p ? ` (${p})` : ''} · started ${clock(job.created)} by ${job.user} from ${job.via}`;
    fill(list, ...job.events.map(line));
    showState();
    if (FINAL.includes(job.state)) end();
  });
  source.addEventListener('event', (ev) => {
    const d = JSON.parse(/** @type {MessageEvent} */ (ev).data);
    if (!job) return;
    Object.assign(job, {
      state: d.state,
      pausing: d.pausing,
      aborting: d.aborting,
      error: d.error,
      outcome: d.outcome,
    });
    if (d.event) {
      job.events.push(d.event);
      list.append(line(d.event));
    }
    showState();
    if (FINAL.includes(job.state)) end();
  });
  let ended = false;
  const end = () => {
    source.close();
    if (!ended && job) o.onEnd(job);
    ended = true;
  };
  return () => source.close();
}
