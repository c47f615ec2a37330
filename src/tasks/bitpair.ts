/**
 * Task `bitpair` (seed 000): the class of each step is 2·previous + current bit. 2 × LSTM 5, softmax
 * over 4 classes at every step, SGD 0.1, global-norm clip 10, batch 7 × 50 steps, 3000 steps, the
 * final state of one batch carried (detached) into the next. Measured on fresh streams, steps t ≥ 1.
 */
import type { CreateModelOptions, TrainerOptions } from '../api.js';
import { Rng } from '../rng.js';
import { BitpairStreams, bitpairAccuracy } from './data/bitpair.js';
import { LossWindow, readsLoss, type TaskDefinition } from './task.js';

export const BITPAIR_RECIPE = { batch: 7, length: 50, steps: 3000, lr: 0.1, clipNorm: 10 };

/** The recipe's model (without the seed), shared with the demo page. */
export const BITPAIR_MODEL: Omit<CreateModelOptions, 'seed'> = {
  cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce',
};

/** The recipe's trainer: SGD, global-norm clipping, the final state carried into the next batch. */
export function bitpairTrainerOptions(): TrainerOptions {
  return { optimizer: { name: 'sgd', lr: BITPAIR_RECIPE.lr }, clipNorm: BITPAIR_RECIPE.clipNorm, stateful: true };
}

export const bitpair: TaskDefinition = {
  name: 'bitpair',
  summary: '2·previous + current bit, 2×LSTM 5, SGD 0.1, clip 10, 3000 steps, state carried',
  async run(engine, opts) {
    const R = BITPAIR_RECIPE;
    const model = engine.createModel({ ...BITPAIR_MODEL, seed: opts.seed });
    const trainer = model.trainer(bitpairTrainerOptions());
    const total = opts.steps ?? (opts.epochs !== undefined ? opts.epochs * R.steps : R.steps);
    const streams = new BitpairStreams(new Rng(opts.seed * 7919 + 1), R.batch);
    const losses = new LossWindow();
    for (let s = 0; s < total; s++) {
      const { x, y } = streams.next(R.length);
      const { loss } = await trainer.step({ data: x, shape: [R.batch, R.length, 1] }, { data: y, shape: [R.batch, R.length] }, { readLoss: readsLoss(s, total) });
      losses.push(loss);
      opts.onProgress?.(s + 1, total, losses.last);
    }
    // Fresh streams from a generator the training never saw; state starts at zero (previous bit 0).
    const B = 64, T = 200;
    const fresh = new BitpairStreams(new Rng(opts.seed * 7919 + 2), B).next(T);
    const out = await model.forward({ data: fresh.x, shape: [B, T, 1] });
    const m = bitpairAccuracy(out.logits, fresh.y, B, T, 1);
    return { model, result: { task: 'bitpair', steps: total, loss: losses.mean(), accuracy: m.accuracy, perClass: m.perClass } };
  },
};
