// Task bitpair (seed 000) on the page: the recipe's model and trainer, its endless bit streams, and
// for the panel a confusion matrix of the 4 classes on fresh streams (steps t ≥ 1, as the CLI scores).
import { BITPAIR_MODEL, BITPAIR_RECIPE as R, BitpairStreams, bitpairAccuracy, bitpairTrainerOptions } from 'webgpu-lstm';
import { BitpairPanel } from '../panels/bitpair.js';
import { heldOutRng, trainRng } from './seeds.js';

/** Held-out streams for the panel: enough steps for every cell of the matrix to be counted. */
const EVAL_B = 32, EVAL_T = 100;

export const bitpairTask = {
  name: 'bitpair',
  title: 'bitpair — class = 2·previous bit + current bit (seed 000)',
  model: BITPAIR_MODEL,
  trainerOptions: () => bitpairTrainerOptions(),
  batchText: `batches of ${R.batch} streams × ${R.length} steps`,
  evalEveryMs: 1500,
  Panel: BitpairPanel,

  async createData(seed) {
    const streams = new BitpairStreams(trainRng(seed), R.batch);
    const fresh = new BitpairStreams(heldOutRng(seed), EVAL_B).next(EVAL_T);
    return {
      totalSteps: R.steps,
      batch() {
        const { x, y } = streams.next(R.length);
        return { x: { data: x, shape: [R.batch, R.length, 1] }, y: { data: y, shape: [R.batch, R.length] } };
      },
      async evaluate(model) {
        const out = await model.forward({ data: fresh.x, shape: [EVAL_B, EVAL_T, 1] });
        return bitpairAccuracy(out.logits, fresh.y, EVAL_B, EVAL_T, 1);
      },
    };
  },
};
