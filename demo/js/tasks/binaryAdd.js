// Task binary-add (seed 003) on the page: the recipe's tanh RNN and RMSprop + Nesterov trainer over
// 2,000 fixed sums in shuffled mini-batches, and for the panel a few held-out sums with their
// predicted bits, plus whole sums right on 1,000 held-out pairs (the CLI's measure).
import {
  BINARY_ADD_DEFAULTS, BINARY_ADD_MODEL, BINARY_ADD_RECIPE as R, binaryAddAccuracy, binaryAddData, binaryAddTrainerOptions,
  gatherRows, plannedSteps, shuffledBatches,
} from 'webgpu-lstm';
import { BinaryAddPanel } from '../panels/binaryAdd.js';
import { heldOutRng, trainRng } from './seeds.js';

const EVAL_N = 1000;
const dataOptions = { bits: R.bits, maxExclusive: BINARY_ADD_DEFAULTS.maxExclusive };

export const binaryAddTask = {
  name: 'binary-add',
  title: 'binary-add — a + b, bit by bit, least significant first (seed 003)',
  model: BINARY_ADD_MODEL,
  trainerOptions: (steps) => binaryAddTrainerOptions(steps),
  batchText: `mini-batches of ${R.batch} from ${R.samples} sums of ${R.bits}-bit numbers`,
  evalEveryMs: 1000,
  Panel: BinaryAddPanel,

  async createData(seed) {
    const rng = trainRng(seed);
    const train = binaryAddData(rng, R.samples, dataOptions);
    const test = binaryAddData(heldOutRng(seed), EVAL_N, dataOptions);
    let queue = [];
    return {
      totalSteps: plannedSteps(Math.ceil(R.samples / R.batch), R.epochs),
      batch() {
        if (queue.length === 0) queue = shuffledBatches(rng, R.samples, R.batch);
        const idx = queue.shift();
        const B = idx.length;
        return {
          x: { data: gatherRows(train.x, R.bits * 2, idx), shape: [B, R.bits, 2] },
          y: { data: gatherRows(train.y, R.bits, idx), shape: [B, R.bits, 1] },
        };
      },
      async evaluate(model) {
        const out = await model.forward({ data: test.x, shape: [EVAL_N, R.bits, 2] });
        return { bits: R.bits, a: test.a, b: test.b, logits: out.logits, accuracy: binaryAddAccuracy(out.logits, test.a, test.b, EVAL_N, R.bits) };
      },
    };
  },
};
