// Task mnist-rows (seed 002) on the page: each digit read as 28 steps of 28 pixels, the recipe's
// LSTM and Adam + cosine trainer over the task's 1,800 training digits (demo/mnistSample.mjs ships
// them), and for the panel the 200 test digits' predictions.
import { argmax, gatherRows, MNIST_MODEL, MNIST_RECIPE as R, mnistTrainerOptions, plannedSteps, shuffledBatches } from 'webgpu-lstm';
import { loadMnistSample } from '../mnistData.js';
import { MnistPanel } from '../panels/mnistRows.js';
import { trainRng } from './seeds.js';

export const mnistRowsTask = {
  name: 'mnist-rows',
  title: 'mnist-rows — MNIST digits read row by row (seed 002)',
  model: MNIST_MODEL,
  trainerOptions: (steps) => mnistTrainerOptions(steps),
  batchText: `batches of ${R.batch} digits, ${R.epochs} epochs`,
  evalEveryMs: 10_000, // a forward pass over 200 digits costs about a training step
  Panel: MnistPanel,

  async createData(seed) {
    const { train, test, side } = await loadMnistSample();
    const pixels = side * side, nTrain = train.y.length, nTest = test.y.length, C = MNIST_MODEL.outputSize;
    const rng = trainRng(seed);
    let queue = [];
    return {
      totalSteps: plannedSteps(Math.ceil(nTrain / R.batch), R.epochs),
      batch() {
        if (queue.length === 0) queue = shuffledBatches(rng, nTrain, R.batch);
        const idx = queue.shift();
        const B = idx.length;
        return {
          x: { data: gatherRows(train.x, pixels, idx), shape: [B, side, side] },
          y: { data: Int32Array.from(idx, (i) => train.y[i]), shape: [B] },
        };
      },
      async evaluate(model) {
        const out = await model.forward({ data: test.x, shape: [nTest, side, side] });
        const predicted = Int32Array.from({ length: nTest }, (_, b) => argmax(out.logits, b * C, C));
        const correct = predicted.reduce((n, p, b) => n + (p === test.y[b] ? 1 : 0), 0);
        return { side, images: test.x, labels: test.y, predicted, accuracy: correct / nTest };
      },
    };
  },
};
