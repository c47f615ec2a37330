// Task mnist-rows (seed 002) on the page: each digit read as 28 steps of 28 pixels, the recipe's
// LSTM and Adam + cosine trainer, fit on the task's 1,800 training digits (demo/mnistSample.mjs
// ships them; fit shuffles them every epoch). A step costs a few hundred milliseconds on a
// software adapter, so the panel scores a fixed subset of 100 test digits (10 of each class)
// every 5 steps, which climbs visibly within the first few dozen steps, and all 200 test digits
// when training pauses or ends.
import { argmax, MNIST_MODEL, MNIST_RECIPE as R, mnistTrainerOptions, plannedSteps } from 'webgpu-lstm';
import { loadMnistSample } from '../mnistData.js';
import { MnistPanel } from '../panels/mnistRows.js';

/** Test digits per class in the subset scored while training. */
const SUBSET_PER_CLASS = 10;

export const mnistRowsTask = {
  name: 'mnist-rows',
  title: 'mnist-rows — MNIST digits read row by row (seed 002)',
  model: MNIST_MODEL,
  Panel: MnistPanel,
  score: { label: 'test accuracy', unit: '%', range: [0, 1], refs: [{ label: 'chance', value: 0.1 }] },
  about: 'Each step is a batch of 64 digits through an LSTM of 128 over 28 rows; on a software adapter that is a few hundred'
    + ' milliseconds. The test accuracy below is measured every 5 steps on 100 held-out digits (on all 200 when paused or done).',

  async createData(seed) {
    const { train, test, side } = await loadMnistSample();
    const pixels = side * side, nTrain = train.y.length, nTest = test.y.length, C = MNIST_MODEL.outputSize;
    // The test set is ordered by class; the subset is the first SUBSET_PER_CLASS of each.
    const subset = Int32Array.from({ length: nTest }, (_, i) => i).filter((i) => test.y.indexOf(test.y[i]) + SUBSET_PER_CLASS > i);
    const sub = { x: new Float64Array(subset.length * pixels), y: Int32Array.from(subset, (i) => test.y[i]) };
    subset.forEach((i, k) => sub.x.set(test.x.subarray(i * pixels, (i + 1) * pixels), k * pixels));
    const perEpoch = Math.ceil(nTrain / R.batch);
    const total = plannedSteps(perEpoch, R.epochs);
    const trainerOptions = mnistTrainerOptions(total);
    const score = async (model, set, n) => {
      const out = await model.forward({ data: set.x, shape: [n, side, side] });
      const predicted = Int32Array.from({ length: n }, (_, b) => argmax(out.logits, b * C, C));
      const correct = predicted.reduce((a, p, b) => a + (p === set.y[b] ? 1 : 0), 0);
      return { predicted, accuracy: correct / n };
    };
    return {
      total,
      source: { x: { data: train.x, shape: [nTrain, side, side] }, y: { data: train.y, shape: [nTrain] } },
      trainerOptions,
      fitOptions: () => ({ ...trainerOptions, epochs: R.epochs, batchSize: R.batch, shuffle: true, seed, lossEvery: 5 }),
      batchText: `batches of ${R.batch} of ${nTrain} digits, ${perEpoch} per epoch, ${R.epochs} epochs`,
      evalEvery: { steps: 5 },
      async evaluate(model, _step, reason) {
        if (reason === 'due' || reason === 'start') {
          const r = await score(model, sub, subset.length);
          return { side, images: sub.x, labels: sub.y, predicted: r.predicted, accuracy: r.accuracy, scored: `${subset.length} test digits (${SUBSET_PER_CLASS} of each class)`, score: r.accuracy };
        }
        const r = await score(model, test, nTest);
        return { side, images: test.x, labels: test.y, predicted: r.predicted, accuracy: r.accuracy, scored: `all ${nTest} test digits`, score: r.accuracy };
      },
    };
  },
};
