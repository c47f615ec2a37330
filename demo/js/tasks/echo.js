// Task echo (seed 001) on the page: the recipe's model and trainer, truncated BPTT over windows of
// a fresh series every epoch (the state reset at each epoch), given to fit as an iterable of
// windows that starts a fresh series each time fit iterates it; and for the panel the tutorial's
// picture: a held-out series run window by window with the state carried, its input, target and
// predicted bits per stream.
import { argmax, echoAccuracy, echoSeries, echoTrainerOptions, echoWindow, ECHO_MODEL, ECHO_RECIPE as R, plannedSteps, windowsPerEpoch } from 'webgpu-lstm';
import { EchoPanel } from '../panels/echo.js';
import { heldOutRng, trainRng } from './seeds.js';

/** Windows of the held-out series the panel shows. */
const EVAL_WINDOWS = 4;
const perEpoch = windowsPerEpoch(R.totalLength / R.batch, R.window);
const seriesOptions = { totalLength: R.totalLength, batch: R.batch, echoStep: R.echoStep };

export const echoTask = {
  name: 'echo',
  title: 'echo — the input bit, 3 steps later (seed 001)',
  model: ECHO_MODEL,
  Panel: EchoPanel,
  score: { label: 'held-out accuracy', unit: '%', range: [0, 1], refs: [{ label: 'chance', value: 0.5 }] },
  about: `Each epoch is a fresh series of ${R.totalLength.toLocaleString('en')} bits as ${R.batch} streams, read in windows of ${R.window} steps`
    + ' with the state carried from one window to the next and reset at the next epoch.',

  async createData(seed) {
    const rng = trainRng(seed);
    const B = R.batch, W = R.window;
    const shown = echoSeries(heldOutRng(seed), { ...seriesOptions, totalLength: B * W * EVAL_WINDOWS });
    const { numLayers: L, hiddenSize: H } = ECHO_MODEL;
    const trainerOptions = echoTrainerOptions();
    let trainer = null;
    // Each epoch (each iteration by fit): a fresh series, and the carried state back to zeros.
    const source = {
      *[Symbol.iterator]() {
        const series = echoSeries(rng, seriesOptions);
        trainer.resetState();
        for (let w = 0; w < perEpoch; w++) {
          const { x, y } = echoWindow(series, w * W, W);
          yield { x: { data: x, shape: [B, W, 1] }, y: { data: y, shape: [B, W] } };
        }
      },
    };
    return {
      total: plannedSteps(perEpoch, R.epochs),
      source,
      trainerOptions,
      fitOptions: (model) => ({ trainer: (trainer = model.trainer(trainerOptions)), epochs: R.epochs, lossEvery: 10 }),
      batchText: `windows of ${W} steps over ${B} streams, ${perEpoch} windows per epoch, ${R.epochs} epochs`,
      evalEvery: { ms: 1500 },
      async evaluate(model) {
        const T = W * EVAL_WINDOWS;
        const logits = new Float64Array(B * T * 2);
        let state = {};
        for (let w = 0; w < EVAL_WINDOWS; w++) {
          const { x } = echoWindow(shown, w * W, W);
          const out = await model.forward({ data: x, shape: [B, W, 1] }, state);
          state = { h0: { data: out.hN, shape: [L, B, H] }, c0: { data: out.cN, shape: [L, B, H] } };
          for (let b = 0; b < B; b++) logits.set(out.logits.subarray(b * W * 2, (b + 1) * W * 2), (b * T + w * W) * 2);
        }
        const predicted = Uint8Array.from({ length: B * T }, (_, i) => argmax(logits, 2 * i, 2));
        const accuracy = echoAccuracy(logits, shown.y, B, T, R.echoStep);
        return { B, T, window: W, echoStep: R.echoStep, x: shown.x, y: shown.y, predicted, accuracy, score: accuracy };
      },
    };
  },
};
