// Task binary-add (seed 003) on the page: the recipe's tanh RNN and RMSprop + Nesterov trainer,
// fit on 2,000 fixed sums in shuffled mini-batches, and for the panel a few held-out sums with
// their predicted bits, plus whole sums right on 1,000 held-out pairs (the CLI's measure).
import {
  BINARY_ADD_DEFAULTS, BINARY_ADD_MODEL, BINARY_ADD_RECIPE as R, binaryAddAccuracy, binaryAddData, binaryAddTrainerOptions, plannedSteps,
} from 'webgpu-lstm';
import { BinaryAddPanel } from '../panels/binaryAdd.js';
import { heldOutRng, trainRng } from './seeds.js';

const EVAL_N = 1000;
const dataOptions = { bits: R.bits, maxExclusive: BINARY_ADD_DEFAULTS.maxExclusive };

export const binaryAddTask = {
  name: 'binary-add',
  title: 'binary-add — a + b, bit by bit, least significant first (seed 003)',
  model: BINARY_ADD_MODEL,
  Panel: BinaryAddPanel,
  score: { label: 'whole sums right', unit: '%', range: [0, 1] },
  about: `${R.samples.toLocaleString('en')} sums of two numbers below ${dataOptions.maxExclusive}, shuffled into batches of ${R.batch} each epoch by fit.`,

  async createData(seed) {
    const train = binaryAddData(trainRng(seed), R.samples, dataOptions);
    const test = binaryAddData(heldOutRng(seed), EVAL_N, dataOptions);
    const perEpoch = Math.ceil(R.samples / R.batch);
    const total = plannedSteps(perEpoch, R.epochs);
    const trainerOptions = binaryAddTrainerOptions(total);
    return {
      total,
      source: { x: { data: train.x, shape: [R.samples, R.bits, 2] }, y: { data: train.y, shape: [R.samples, R.bits, 1] } },
      trainerOptions,
      fitOptions: () => ({ ...trainerOptions, epochs: R.epochs, batchSize: R.batch, shuffle: true, seed, lossEvery: 10 }),
      batchText: `batches of ${R.batch} of ${R.samples} sums of ${R.bits}-bit numbers, ${R.epochs} epochs`,
      evalEvery: { ms: 1000 },
      async evaluate(model) {
        const out = await model.forward({ data: test.x, shape: [EVAL_N, R.bits, 2] });
        const accuracy = binaryAddAccuracy(out.logits, test.a, test.b, EVAL_N, R.bits);
        return { bits: R.bits, a: test.a, b: test.b, logits: out.logits, accuracy, score: accuracy };
      },
    };
  },
};
