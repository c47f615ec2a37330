// The training loop of the page: steps in time slices, yielding to the page between slices so it
// stays responsive; the loss is read back only every 10th step (`readsLoss`, as the CLI's tasks
// do), so the steps in between queue up on the GPU instead of each waiting for it (a readback
// costs about 2 ms on SwiftShader, as much as a hundred dispatches). Pause, resume and stop take
// effect between steps. Evaluations (the task panel's forward pass) run between slices, every
// `evalEveryMs` and once when the loop pauses or ends, and are left out of the steps/s figure.
import { readsLoss } from 'webgpu-lstm';

/** Longest run of steps before the page gets the thread back (ms). */
const SLICE_MS = 30;

/** Gives the thread back to the page: input events, rendering and animation frames run. */
function yieldToPage() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class TrainLoop {
  /**
   * @param {{ trainer: import('webgpu-lstm').Trainer, batch(step: number): { x: object, y: object, resetState?: boolean },
   *   evaluate(): Promise<unknown>, total: number, evalEveryMs: number, onLoss(step: number, loss: number, stepsPerSecond: number): void,
   *   onEvaluate(view: unknown): void, onStatus(status: string): void, onError(err: unknown): void }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.step = 0;
    this.status = 'paused';
    this.stepsPerSecond = Number.NaN;
    this.running = null;
    this.wantPause = false;
  }

  /** Starts or resumes; resolves when the loop pauses, stops, ends or fails. */
  resume() {
    if (this.running) return this.running;
    if (this.status === 'done' || this.status === 'error' || this.status === 'stopped') return Promise.resolve();
    this.wantPause = false;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Pauses after the current step; resolves once paused (and the panel evaluated). */
  pause() {
    this.wantPause = true;
    return this.running ?? Promise.resolve();
  }

  /** Stops for good (a new run replaces this one). */
  async stop() {
    this.wantPause = true;
    this.stopped = true;
    await this.running;
    this.status = 'stopped';
  }

  setStatus(s) {
    this.status = s;
    this.opts.onStatus(s);
  }

  async run() {
    const { trainer, batch, total, evalEveryMs } = this.opts;
    this.setStatus('training');
    let lastEval = -Infinity;
    // Throughput between two readbacks: each readback waits for the queue, so the span between
    // two of them is the real cost of the steps in it.
    let markTime = performance.now(), markStep = this.step;
    try {
      if (this.step === 0) {
        await this.evaluate();
        lastEval = performance.now();
        markTime = lastEval;
      }
      while (!this.wantPause && this.step < total) {
        const sliceEnd = performance.now() + SLICE_MS;
        do {
          const { x, y, resetState } = batch(this.step);
          if (resetState) trainer.resetState();
          const read = readsLoss(this.step, total);
          const { loss } = await trainer.step(x, y, { readLoss: read });
          this.step++;
          if (read) {
            const now = performance.now();
            if (now > markTime && this.step > markStep) {
              const rate = ((this.step - markStep) * 1000) / (now - markTime);
              // Smoothed, so the figure reads steadily.
              this.stepsPerSecond = Number.isFinite(this.stepsPerSecond) ? 0.7 * this.stepsPerSecond + 0.3 * rate : rate;
            }
            markTime = now;
            markStep = this.step;
            this.opts.onLoss(this.step, loss, this.stepsPerSecond);
          }
        } while (!this.wantPause && this.step < total && performance.now() < sliceEnd);
        if (performance.now() - lastEval >= evalEveryMs) {
          await this.evaluate();
          lastEval = performance.now();
          markTime = lastEval;
          markStep = this.step;
        }
        await yieldToPage();
      }
      if (!this.stopped) await this.evaluate();
      this.setStatus(this.step >= total ? 'done' : this.stopped ? 'stopped' : 'paused');
    } catch (err) {
      this.setStatus('error');
      this.opts.onError(err);
    }
  }

  async evaluate() {
    this.opts.onEvaluate(await this.opts.evaluate());
  }
}
