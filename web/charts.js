// @ts-check
/**
 * The cluster page's charts (uPlot, served from the package): the last 15 minutes per node of latency,
 * outstanding requests, connections, znodes and zxid rate. Filled from /history once, then one point per
 * server-sent tick; nothing is drawn while the tab is hidden.
 */
import { h } from './dom.js';

/** @typedef {import('./types').History} History */
/** @typedef {import('./types').ClusterView} ClusterView */

const FIGURES = /** @type {const} */ ([
  ['latency', 'Latency, avg (ms)'],
  ['outstanding', 'Outstanding requests'],
  ['connections', 'Connections'],
  ['znodes', 'Znodes'],
  ['zxidRate', 'Zxid rate (/s)'],
]);
const COLORS = ['#2f7ed8', '#d9534f', '#5cb85c', '#f0ad4e', '#8e44ad', '#16a085', '#7f8c8d'];
const KEEP = 900;

/** Charts of one cluster. */
export class Charts {
  /**
   * @param {HTMLElement} parent
   * @param {number[]} ids node ids, in the order the series come
   * @param {History} history
   */
  constructor(parent, ids, history) {
    /** @type {Map<string, { plot: uPlot, data: (number | null)[][] }>} */
    this.plots = new Map();
    const width = Math.max(320, Math.min(560, (parent.clientWidth || 1100) / 2 - 24));
    for (const [key, title] of FIGURES) {
      const box = h('div', { class: 'chart', 'data-figure': key });
      parent.append(box);
      const data = [history.t.slice(), ...(history.series[key] ?? ids.map(() => [])).map((c) => c.slice())];
      const plot = new uPlot(
        {
          title,
          width,
          height: 180,
          series: [{}, ...ids.map((id, i) => ({ label: `node ${id}`, stroke: COLORS[i % COLORS.length], width: 1.5 }))],
          axes: [{}, { size: 50 }],
          scales: { x: { time: true } },
        },
        /** @type {uPlot.AlignedData} */ (/** @type {unknown} */ (data)),
        box,
      );
      this.plots.set(key, { plot, data });
    }
  }

  /**
   * One tick's values.
   * @param {ClusterView} view
   */
  push(view) {
    const values = {
      latency: view.nodes.map((n) => n.latencyAvg ?? null),
      outstanding: view.nodes.map((n) => n.outstanding ?? null),
      connections: view.nodes.map((n) => n.connections ?? null),
      znodes: view.nodes.map((n) => n.znodes ?? null),
      zxidRate: view.nodes.map((n) => n.zxidRate ?? null),
    };
    const t = Math.round(view.at / 1000);
    for (const [key, { plot, data }] of this.plots) {
      const x = data[0];
      if (!x || x[x.length - 1] === t) continue;
      x.push(t);
      values[/** @type {keyof typeof values} */ (key)].forEach((v, i) => data[i + 1]?.push(v));
      if (x.length > KEEP) for (const col of data) col.shift();
      if (!document.hidden) plot.setData(/** @type {uPlot.AlignedData} */ (/** @type {unknown} */ (data)));
    }
  }

  destroy() {
    for (const { plot } of this.plots.values()) plot.destroy();
    this.plots.clear();
  }
}
