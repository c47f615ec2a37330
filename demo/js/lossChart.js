// The loss curve: a uPlot line chart of the losses read back during training (step → loss, log
// scale), which grows as points arrive. Redraws are coalesced to one per animation frame.
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

export class LossChart {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.steps = [];
    this.losses = [];
    this.frame = 0;
    this.plot = new uPlot(this.options(this.width()), [this.steps, this.losses], root);
    // Follow the card's width (the grid column changes with the window).
    this.resize = new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 260 }));
    this.resize.observe(root);
  }

  width() {
    return Math.max(320, this.root.clientWidth);
  }

  options(width) {
    return {
      width,
      height: 260,
      // distr 3: a log scale, losses span decades.
      scales: { x: { time: false }, y: { distr: 3, range: (_u, min, max) => logRange(min, max) } },
      axes: [
        { label: 'step' },
        { label: 'loss', size: 64, values: (_u, ticks) => ticks.map((v) => (v == null ? '' : v >= 0.01 ? String(+v.toPrecision(2)) : v.toExponential(0))) },
      ],
      series: [
        { label: 'step' },
        { label: 'loss', stroke: '#2f6fde', width: 1.5, points: { show: false }, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) },
      ],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
    };
  }

  /** Adds the loss read back after `step` steps; the log scale needs it positive. */
  push(step, loss) {
    if (!Number.isFinite(loss)) return;
    this.steps.push(step);
    this.losses.push(Math.max(loss, 1e-12));
    this.schedule();
  }

  clear() {
    this.steps = [];
    this.losses = [];
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
      this.plot.setData([this.steps, this.losses]);
    });
  }

  /** Draws now (for tests and screenshots that must not wait for a frame). */
  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.plot.setData([this.steps, this.losses]);
  }
}
