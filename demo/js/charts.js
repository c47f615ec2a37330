// The page's line charts (uPlot): StepChart plots values read during training against the step
// (the training loss on a log scale; a held-out score on a linear one), with optional constant
// reference lines (chance level, a task's bar); it grows as points arrive, and redraws are
// coalesced to one per animation frame.
import uPlot from 'uplot';

/**
 * The y range of a log axis: min down to a multiple of its own power of ten, max up to a multiple
 * of its own (0.0073 … 1.38 → 0.007 … 2), not to whole decades, so a narrow range still fills the
 * chart. uPlot's log ticks step from the range's minimum, so it must be such a round number.
 */
export function logRange(min, max) {
  if (min == null || !(min > 0) || !(max > 0)) return [0.1, 10];
  if (min === max) [min, max] = [min / 2, max * 2];
  const round = (v) => parseFloat(v.toPrecision(12));
  const lo = 10 ** Math.floor(Math.log10(min)), hi = 10 ** Math.floor(Math.log10(max));
  return [round(Math.floor(round(min / lo)) * lo), round(Math.ceil(round(max / hi)) * hi)];
}

/** Tick labels: two significant digits, exponents below 0.01. */
function tickText(v) {
  return v == null ? '' : Math.abs(v) >= 0.01 || v === 0 ? String(+v.toPrecision(2)) : v.toExponential(0);
}

const PALETTE = ['#2f6fde', '#d9822b', '#1a8f4c', '#8e44ad'];

/**
 * Calls `resize` after `root`'s width changes (the grid column follows the window), in the next
 * animation frame: resizing the chart inside the observer's callback would change the layout it
 * observes, which the browser reports as "ResizeObserver loop completed with undelivered
 * notifications". Returns the observer (disconnect() it to stop).
 */
export function followWidth(root, resize) {
  let width = root.clientWidth, frame = 0;
  const observer = new ResizeObserver(() => {
    if (root.clientWidth === width || frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      width = root.clientWidth;
      resize();
    });
  });
  observer.observe(root);
  return observer;
}

export class StepChart {
  /**
   * @param {HTMLElement} root
   * @param {{ yLabel: string, log?: boolean, height?: number, range?: [number, number],
   *   series: Array<{ label: string, stroke?: string, format?: (v: number) => string }>,
   *   refs?: Array<{ label: string, value: number }> }} opts
   *   series: the values pushed with each step; refs: constant lines (drawn dashed, grey).
   */
  constructor(root, opts) {
    this.root = root;
    this.opts = opts;
    this.height = opts.height ?? 260;
    this.refs = opts.refs ?? [];
    this.data = [[], ...opts.series.map(() => []), ...this.refs.map(() => [])];
    this.frame = 0;
    this.plot = new uPlot(this.options(this.width()), this.data, root);
    this.resize = followWidth(root, () => this.plot.setSize({ width: this.width(), height: this.height }));
  }

  width() {
    return Math.max(320, this.root.clientWidth);
  }

  options(width) {
    const { yLabel, log, range, series } = this.opts;
    const y = log
      ? { distr: 3, range: (_u, min, max) => logRange(min, max) }
      : { range: range ? () => range : (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) };
    return {
      width,
      height: this.height,
      scales: { x: { time: false }, y },
      axes: [{ label: 'step' }, { label: yLabel, size: 64, values: (_u, ticks) => ticks.map(tickText) }],
      series: [
        { label: 'step' },
        ...series.map((s, i) => ({
          // uPlot's default points: drawn while they are few and far apart (a single reading is a dot, not nothing).
          label: s.label, stroke: s.stroke ?? PALETTE[i % PALETTE.length], width: 1.5, points: { size: 5 },
          value: (_u, v) => (v == null ? '–' : (s.format ?? ((x) => x.toFixed(4)))(v)),
        })),
        ...this.refs.map((r) => ({ label: r.label, stroke: '#98a2b3', width: 1, dash: [4, 4], points: { show: false }, value: () => tickText(r.value) })),
      ],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
    };
  }

  /** Adds the values at `step`; a value that is not finite (or not positive on a log scale) is skipped. */
  push(step, values) {
    const ok = (v) => Number.isFinite(v) && (!this.opts.log || v > 0);
    if (!values.some(ok)) return;
    this.data[0].push(step);
    values.forEach((v, i) => this.data[1 + i].push(ok(v) ? v : null));
    this.refs.forEach((r, i) => this.data[1 + values.length + i].push(r.value));
    this.schedule();
  }

  clear() {
    this.data = this.data.map(() => []);
    this.schedule();
  }

  /** Points the chart holds (what uPlot itself has, not what was pushed). */
  get points() {
    return this.plot.data[0]?.length ?? 0;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.plot.setData(this.data);
    });
  }

  /** Draws now (for tests and screenshots that must not wait for a frame). */
  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.plot.setData(this.data);
  }

  destroy() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    this.plot.destroy();
  }
}
