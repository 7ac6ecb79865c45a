// @ts-check
/** Building the page without innerHTML: every text goes in as text, so nothing from a cluster can run. */

/**
 * An element with attributes (`on…` ones as listeners) and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} kids
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(typeof kid === 'string' || typeof kid === 'number' ? document.createTextNode(String(kid)) : kid);
  }
  return el;
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...(Node | string | null | undefined)} kids
 */
export function fill(el, ...kids) {
  el.replaceChildren(.../** @type {(Node | string)[]} */ (kids.filter((k) => k !== null && k !== undefined)));
}

/**
 * JSON from the API; an error answer becomes an Error with the server's words.
 * @param {string} url
 * @returns {Promise<any>}
 */
export async function getJson(url) {
  const res = await fetch(url, { credentials: 'same-origin' });
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

/**
 * POSTs JSON; an error answer becomes an Error with the server's words, except the statuses in `answers` (409 for
 * a conflict the page shows), which come back as results.
 * @param {string} url
 * @param {unknown} [body]
 * @param {number[]} [answers]
 * @returns {Promise<any>}
 */
export async function postJson(url, body = {}, answers = []) {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok && !answers.includes(res.status)) throw new Error(answer.error ?? `${res.status} ${res.statusText}`);
  return answer;
}
