/**
 * Task `binary-add` (seed 003): add two 6-bit numbers written least significant bit first. A tanh
 * RNN of 3 units with a learned initial state, a logistic output and binary cross-entropy; RMSprop
 * (decay 0.5, lr 0.05) with Nesterov momentum 0.8 on the RMS-normalised gradient (DESIGN.md
 * section 8), mini-batches of 100 over 2,000 samples, 5 epochs. Measured as whole sums right on
 * 1,000 fresh pairs.
 */
import { Rng } from '../rng.js';
import { binaryAddAccuracy, binaryAddData } from './data/binaryAdd.js';
import { gatherRows, shuffledBatches } from './data/mnistRows.js';
import { LossWindow, plannedSteps, type TaskDefinition } from './task.js';

export const BINARY_ADD_RECIPE = { samples: 2000, batch: 100, epochs: 5, bits: 7, lr: 0.05, alpha: 0.5, momentum: 0.8, eps: 1e-6 };

export const binaryAdd: TaskDefinition = {
  name: 'binary-add',
  summary: 'binary addition, tanh RNN 3, learned initial state, RMSprop + Nesterov momentum, 5 epochs',
  async run(engine, opts) {
    const R = BINARY_ADD_RECIPE;
    const model = engine.createModel({
      cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 1, outputs: 'all', loss: 'sigmoid_bce',
      learnedInitialState: true, seed: opts.seed,
    });
    const trainer = model.trainer({
      optimizer: { name: 'rmsprop', lr: R.lr, alpha: R.alpha, momentum: R.momentum, nesterov: true, eps: R.eps },
    });
    const rng = new Rng(opts.seed * 7919 + 1);
    const train = binaryAddData(rng, R.samples, { bits: R.bits, maxExclusive: 64 });
    const perEpoch = Math.ceil(R.samples / R.batch);
    const total = plannedSteps(perEpoch, opts.epochs ?? R.epochs, opts.steps);
    const losses = new LossWindow();
    let done = 0;
    while (done < total) {
      for (const idx of shuffledBatches(rng, R.samples, R.batch)) {
        if (done >= total) break;
        const B = idx.length;
        const x = gatherRows(train.x, R.bits * 2, idx), y = gatherRows(train.y, R.bits, idx);
        const { loss } = await trainer.step({ data: x, shape: [B, R.bits, 2] }, { data: y, shape: [B, R.bits, 1] });
        losses.push(loss);
        opts.onProgress?.(++done, total, loss);
      }
    }
    const n = 1000;
    const test = binaryAddData(new Rng(opts.seed * 7919 + 2), n, { bits: R.bits, maxExclusive: 64 });
    const out = await model.forward({ data: test.x, shape: [n, R.bits, 2] });
    const accuracy = binaryAddAccuracy(out.logits, test.a, test.b, n, R.bits);
    return { model, result: { task: 'binary-add', steps: total, loss: losses.mean(), accuracy } };
  },
};
