// Task echo (seed 001) on the page: the recipe's model and trainer, truncated BPTT over windows of
// a fresh series every epoch (state reset at each epoch), and for the panel the tutorial's picture:
// a held-out series run window by window with the state carried, its input, target and predicted
// bits per stream.
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
  trainerOptions: () => echoTrainerOptions(),
  batchText: `windows of ${R.window} steps over ${R.batch} streams, ${perEpoch} windows per epoch`,
  evalEveryMs: 1500,
  Panel: EchoPanel,

  async createData(seed) {
    const rng = trainRng(seed);
    let series = null;
    const B = R.batch, W = R.window;
    const shown = echoSeries(heldOutRng(seed), { ...seriesOptions, totalLength: B * W * EVAL_WINDOWS });
    const { numLayers: L, hiddenSize: H } = ECHO_MODEL;
    return {
      totalSteps: plannedSteps(perEpoch, R.epochs),
      batch(step) {
        // Each epoch: a fresh series, and the carried state back to zeros.
        const w = step % perEpoch;
        if (w === 0) series = echoSeries(rng, seriesOptions);
        const { x, y } = echoWindow(series, w * W, W);
        return { x: { data: x, shape: [B, W, 1] }, y: { data: y, shape: [B, W] }, resetState: w === 0 };
      },
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
        return { B, T, window: W, echoStep: R.echoStep, x: shown.x, y: shown.y, predicted, accuracy: echoAccuracy(logits, shown.y, B, T, R.echoStep) };
      },
    };
  },
};
