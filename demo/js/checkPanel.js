// "Check against CPU": runs the bundle's runCheck (one small random case per cell × loss, and a
// 20-step training run per cell × optimizer) on a WebGPU engine and on the float64 CPU engine,
// and shows the worst normwise error ‖gpu − cpu‖ / ‖cpu‖ of each tensor, against its tolerance.
import { CpuEngine, runCheck } from 'webgpu-lstm';
import { el, replace } from './dom.js';

/** Random cases per cell × loss: small, so the check takes seconds even on a software adapter. */
const CASES = 1;

/** Worst row of each tensor name, in first-seen order. */
export function worstPerTensor(rows) {
  const worst = new Map();
  for (const r of rows) {
    const w = worst.get(r.tensor);
    const count = (w?.count ?? 0) + 1;
    if (!w || r.error / r.tolerance > w.error / w.tolerance) worst.set(r.tensor, { ...r, count });
    else w.count = count;
  }
  return [...worst.values()];
}

export class CheckPanel {
  /**
   * @param {{ button: HTMLButtonElement, status: HTMLElement, table: HTMLElement,
   *   gpuEngine(): Promise<import('webgpu-lstm').Engine | null>, around<T>(work: () => Promise<T>): Promise<T>,
   *   onError(err: unknown): void }} opts   `around` runs the check with training paused.
   */
  constructor(opts) {
    this.opts = opts;
    this.result = null;
    opts.button.addEventListener('click', () => this.run());
  }

  async run() {
    const { button, status, table } = this.opts;
    button.disabled = true;
    try {
      const gpu = await this.opts.gpuEngine();
      if (gpu === null) {
        status.textContent = 'No WebGPU here, so there is nothing to check against the CPU: training runs on the CPU reference itself.';
        return;
      }
      let done = 0;
      const t0 = performance.now();
      status.textContent = 'Checking…';
      const rows = await this.opts.around(() => runCheck(gpu, new CpuEngine(), {
        seed: 1, cases: CASES,
        log: (line) => {
          done++;
          status.textContent = `Checking… ${done} cases done; last: ${line}`;
        },
      }));
      const seconds = (performance.now() - t0) / 1000;
      const worst = worstPerTensor(rows);
      const failed = worst.filter((w) => !(w.error <= w.tolerance));
      this.result = { rows: rows.length, tensors: worst.length, failed: failed.length, seconds };
      status.replaceChildren(
        `${done} cases, ${rows.length} tensors compared in ${seconds.toFixed(1)} s on ${gpu.adapterInfo.description}: `,
        el('b', { class: failed.length ? 'bad' : 'ok' }, failed.length ? `${failed.length} tensors past tolerance` : 'all within tolerance'),
      );
      replace(table, this.table(worst));
    } catch (err) {
      status.replaceChildren(el('span', { class: 'bad' }, `Check failed: ${err instanceof Error ? err.message : String(err)}`));
      this.opts.onError(err);
    } finally {
      button.disabled = false;
    }
  }

  table(worst) {
    const head = el('tr', {}, ['tensor', 'worst error', 'tolerance', 'compared', 'worst case', ''].map((h, i) => el('th', { class: i === 0 || i === 4 ? 'left' : '' }, h)));
    const body = worst.map((w) => {
      const ok = w.error <= w.tolerance;
      return el('tr', {},
        el('td', { class: 'left mono' }, w.tensor),
        el('td', { class: 'mono' }, w.error.toExponential(2)),
        el('td', { class: 'mono' }, w.tolerance.toExponential(0)),
        el('td', {}, w.count),
        el('td', { class: 'left hint' }, w.case),
        el('td', { class: ok ? 'ok' : 'bad' }, ok ? '✓' : '✗'));
    });
    return el('table', {}, el('thead', {}, head), el('tbody', {}, body));
  }
}
