/**
 * Task `echo` (seed 001): the target is the input delayed by 3 steps. 3 × LSTM 4, logits from c and
 * h of the last layer, Adagrad 0.3 (initial accumulator 0.1, as the tutorial's framework had it),
 * truncated BPTT over windows of 15 with the state carried across windows and reset every epoch;
 * each epoch a fresh series of 50,000 bits as 5 streams (666 windows). Measured on a fresh series,
 * steps t ≥ 3, the state carried across its windows.
 */
import type { CreateModelOptions, Model, TrainerOptions } from '../api.js';
import { Rng } from '../rng.js';
import { echoAccuracy, echoSeries, echoWindow, windowsPerEpoch } from './data/echo.js';
import { LossWindow, plannedSteps, readsLoss, type TaskDefinition } from './task.js';

export const ECHO_RECIPE = { totalLength: 50000, batch: 5, echoStep: 3, window: 15, epochs: 100, lr: 0.3, initialAccumulatorValue: 0.1 };

/** The recipe's model (without the seed), shared with the demo page. */
export const ECHO_MODEL: Omit<CreateModelOptions, 'seed'> = {
  cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', loss: 'softmax_ce', headFrom: 'ch',
};

/** The recipe's trainer: Adagrad, the state carried across windows (reset every epoch by the caller). */
export function echoTrainerOptions(): TrainerOptions {
  return { optimizer: { name: 'adagrad', lr: ECHO_RECIPE.lr, initialAccumulatorValue: ECHO_RECIPE.initialAccumulatorValue }, stateful: true };
}

export const echo: TaskDefinition = {
  name: 'echo',
  summary: 'input echoed 3 steps later, 3×LSTM 4, head from c and h, Adagrad 0.3, windows of 15, state carried',
  async run(engine, opts) {
    const R = ECHO_RECIPE;
    const model = engine.createModel({ ...ECHO_MODEL, seed: opts.seed });
    const trainer = model.trainer(echoTrainerOptions());
    const rng = new Rng(opts.seed * 7919 + 1);
    const N = R.totalLength / R.batch;
    const perEpoch = windowsPerEpoch(N, R.window);
    const total = plannedSteps(perEpoch, opts.epochs ?? R.epochs, opts.steps);
    const losses = new LossWindow();
    let done = 0;
    while (done < total) {
      const series = echoSeries(rng, { totalLength: R.totalLength, batch: R.batch, echoStep: R.echoStep });
      trainer.resetState();
      for (let w = 0; w < perEpoch && done < total; w++) {
        const { x, y } = echoWindow(series, w * R.window, R.window);
        const { loss } = await trainer.step({ data: x, shape: [R.batch, R.window, 1] }, { data: y, shape: [R.batch, R.window] }, { readLoss: readsLoss(done, total) });
        losses.push(loss);
        opts.onProgress?.(++done, total, losses.last);
      }
    }
    const accuracy = await evaluate(model, new Rng(opts.seed * 7919 + 2));
    return { model, result: { task: 'echo', steps: total, loss: losses.mean(), accuracy } };
  },
};

/** Runs a fresh series window by window, carrying the state, and scores steps t ≥ 3 of each stream. */
async function evaluate(model: Model, rng: Rng): Promise<number> {
  const R = ECHO_RECIPE;
  const B = R.batch, W = R.window, windows = 100, L = 3, H = 4;
  const series = echoSeries(rng, { totalLength: B * W * windows, batch: B, echoStep: R.echoStep });
  const all = new Float64Array(B * W * windows * 2);
  let h0: Float64Array | Float32Array | undefined, c0: Float64Array | Float32Array | undefined;
  for (let w = 0; w < windows; w++) {
    const { x } = echoWindow(series, w * W, W);
    const out = await model.forward({ data: x, shape: [B, W, 1] }, {
      ...(h0 ? { h0: { data: h0, shape: [L, B, H] }, c0: { data: c0!, shape: [L, B, H] } } : {}),
    });
    h0 = out.hN;
    c0 = out.cN;
    for (let b = 0; b < B; b++) for (let t = 0; t < W; t++) for (let k = 0; k < 2; k++) {
      all[(b * W * windows + w * W + t) * 2 + k] = out.logits[(b * W + t) * 2 + k]!;
    }
  }
  return echoAccuracy(all, series.y, B, W * windows, R.echoStep);
}
