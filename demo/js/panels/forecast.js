// Panel of task forecast: the held-out decade of monthly CO₂ (ppm) with the model's one-step
// forecasts and the naive forecast (the last observed value repeated) on one uPlot chart, dates
// along x; below it the RMSE of both in ppm and the skill 1 − rmse / naiveRmse against the bar.
import uPlot from 'uplot';
import { followWidth } from '../charts.js';
import { el, replace } from '../dom.js';

const SERIES = [
  { label: 'observed', stroke: '#1d2330', width: 2 },
  { label: 'model forecast', stroke: '#2f6fde', width: 1.5 },
  { label: 'naive forecast (last value)', stroke: '#d9822b', width: 1, dash: [5, 3] },
];

/** 'YYYY-MM-DD' → seconds since 1970 (uPlot's time axis). */
const seconds = (date) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 1000;

export class ForecastPanel {
  constructor(root, task) {
    this.root = root;
    this.metrics = el('p', { class: 'metric' }, 'Waiting for the first evaluation…');
    this.chartRoot = el('div', { class: 'forecast-chart' });
    replace(root, this.metrics, this.chartRoot, el('p', { class: 'hint' }, task.credit));
    this.plot = new uPlot({
      width: Math.max(480, root.clientWidth || 1000), height: 300,
      scales: { x: { time: true } },
      axes: [{}, { label: 'CO₂ (ppm)', size: 60 }],
      series: [{ label: 'month' }, ...SERIES.map((s) => ({ ...s, points: { show: false }, value: (_u, v) => (v == null ? '–' : v.toFixed(2)) }))],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
    }, [[], [], [], []], this.chartRoot);
    this.resize = followWidth(this.chartRoot, () => this.plot.setSize({ width: Math.max(480, this.chartRoot.clientWidth), height: 300 }));
  }

  /** @param {{ dates: string[], truth: Float64Array, forecast: Float64Array, naive: Float64Array, rmse: number, naiveRmse: number, skill: number, bar: number }} v */
  update(v) {
    this.view = v;
    this.plot.setData([v.dates.map(seconds), Array.from(v.truth), Array.from(v.forecast), Array.from(v.naive)]);
    const ok = v.skill >= v.bar;
    replace(this.metrics,
      `Held-out decade ${v.dates[0].slice(0, 7)} … ${v.dates[v.dates.length - 1].slice(0, 7)} (${v.dates.length} months): RMSE `,
      el('b', {}, `${v.rmse.toFixed(3)} ppm`), ` (naive ${v.naiveRmse.toFixed(3)} ppm), skill `,
      el('b', { class: ok ? 'ok' : 'bad' }, v.skill.toFixed(3)), ` (bar ${v.bar})`);
  }

  /** Points the chart holds per series (for tests). */
  get points() {
    return this.plot.data.slice(1).map((s) => s.filter((v) => v != null && Number.isFinite(v)).length);
  }

  destroy() {
    this.resize.disconnect();
    this.plot.destroy();
  }
}
