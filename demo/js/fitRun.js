// One training run of the page: `model.fit` on the task's data (a dataset in memory, or an
// iterable of fresh batches), driven through fit's own callbacks, so the page has no step loop of
// its own:
//   - onStep: progress and steps/s (the loss is read back every `lossEvery` steps, so the steps
//     between queue up on the GPU; steps/s is measured between two readbacks, each of which waits
//     for the queue, with the time spent on evaluations and pauses left out), and the task panel's
//     evaluation when it is due (every `evalEvery.steps` steps or `evalEvery.ms` milliseconds);
//   - pause: the next onStep returns a promise that fit awaits, so no step runs until resume,
//     and fit continues where it stood (same epoch, same shuffled order, same optimizer state);
//   - stop: an AbortSignal; fit stops after the step in flight and the model stays consistent
//     and savable.

/** @typedef {'starting' | 'training' | 'paused' | 'done' | 'stopped' | 'error'} RunStatus */

export class FitRun {
  /**
   * @param {{
   *   model: import('webgpu-lstm').Model,
   *   source: import('webgpu-lstm').FitData | Iterable<import('webgpu-lstm').FitBatch> | AsyncIterable<import('webgpu-lstm').FitBatch>,
   *   fitOptions: import('webgpu-lstm').FitOptions,
   *   total: number,
   *   evalEvery: { steps?: number, ms?: number },
   *   evaluate(step: number, reason: 'start' | 'due' | 'pause' | 'end'): Promise<unknown>,
   *   onLoss(step: number, loss: number, stepsPerSecond: number): void,
   *   onStep(step: number, epoch: number): void,
   *   onEpoch?(info: import('webgpu-lstm').FitEpochInfo): void,
   *   onEvaluate(view: unknown, step: number): void,
   *   onStatus(status: RunStatus): void,
   *   onError(err: unknown): void,
   * }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.step = 0;
    this.total = opts.total;
    /** @type {RunStatus} */
    this.status = 'starting';
    this.stepsPerSecond = Number.NaN;
    this.history = null;
    this.controller = new AbortController();
    this.wantPause = false;
    this.paused = null; // { resume(): void, reached(): void } while a pause is asked for or held
    this.running = null;
  }

  /** Starts fit; resolves when it ends (done, stopped or failed). */
  start() {
    this.running ??= this.run();
    return this.running;
  }

  /** Pauses after the step in flight; resolves once paused (and the panel evaluated). */
  pause() {
    if (this.status !== 'training') return Promise.resolve();
    if (!this.paused) {
      let reached, resume;
      const whenReached = new Promise((r) => { reached = r; });
      const whenResumed = new Promise((r) => { resume = r; });
      this.paused = { reached, resume, whenReached, whenResumed };
    }
    this.wantPause = true;
    return this.paused.whenReached;
  }

  resume() {
    if (!this.paused) return;
    this.wantPause = false;
    const p = this.paused;
    this.paused = null;
    p.reached();
    p.resume();
  }

  /** Stops for good (a new run replaces this one); resolves once fit has returned. */
  async stop() {
    this.stopping = true;
    this.controller.abort();
    this.resume();
    await this.running;
  }

  setStatus(s) {
    this.status = s;
    this.opts.onStatus(s);
  }

  async run() {
    const { model, source, fitOptions } = this.opts;
    this.setStatus('training');
    this.lastEval = { step: 0, time: performance.now() };
    this.mark = { step: 0, time: performance.now(), excluded: 0 };
    try {
      await this.evaluate(0, 'start');
      this.history = await model.fit(source, {
        ...fitOptions,
        signal: this.controller.signal,
        onStep: (info) => this.onStep(info),
        onEpoch: (info) => this.opts.onEpoch?.(info),
      });
      if (!this.stopping) await this.evaluate(this.step, 'end');
      this.setStatus(this.history.stopped === 'aborted' ? 'stopped' : 'done');
    } catch (err) {
      this.setStatus('error');
      this.opts.onError(err);
    } finally {
      this.paused?.reached(); // a pause asked for as fit ended is not waited for
    }
  }

  /** fit's onStep: progress, the loss when read back, an evaluation when due, a pause when asked. */
  async onStep({ step, epoch, loss }) {
    this.step = step;
    this.opts.onStep(step, epoch);
    if (Number.isFinite(loss)) {
      const now = performance.now();
      const ms = now - this.mark.time - this.mark.excluded;
      if (ms > 0 && step > this.mark.step) {
        const rate = ((step - this.mark.step) * 1000) / ms;
        // Smoothed, so the figure reads steadily.
        this.stepsPerSecond = Number.isFinite(this.stepsPerSecond) ? 0.7 * this.stepsPerSecond + 0.3 * rate : rate;
      }
      this.mark = { step, time: now, excluded: 0 };
      this.opts.onLoss(step, loss, this.stepsPerSecond);
    }
    if (this.controller.signal.aborted) return;
    const { steps, ms } = this.opts.evalEvery;
    const due = (steps !== undefined && step - this.lastEval.step >= steps) || (ms !== undefined && performance.now() - this.lastEval.time >= ms);
    if (due && step < this.total) await this.excluding(() => this.evaluate(step, 'due'));
    if (this.wantPause && !this.controller.signal.aborted) {
      await this.excluding(async () => {
        await this.evaluate(step, 'pause');
        const p = this.paused;
        this.setStatus('paused');
        p.reached();
        await p.whenResumed;
        if (!this.controller.signal.aborted) this.setStatus('training');
      });
    }
  }

  /** Runs `work` with its time left out of the steps/s figure. */
  async excluding(work) {
    const t0 = performance.now();
    try {
      await work();
    } finally {
      this.mark.excluded += performance.now() - t0;
    }
  }

  async evaluate(step, reason) {
    this.lastEval = { step, time: performance.now() };
    this.opts.onEvaluate(await this.opts.evaluate(step, reason), step);
    this.lastEval.time = performance.now();
  }
}
