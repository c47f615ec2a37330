// Small data helpers for the browser suite's page (test/browser/engine.browser.test.ts evaluates
// functions that call them as `window.helpers.*`): seeded toy datasets and timestep slicing, plain
// JavaScript on the tasks bundle's seeded generator, so the page and Node draw the same numbers.
import { Rng } from '/dist/browser/webgpu-lstm-tasks.js';

/**
 * A toy sequence task an LSTM learns in a few dozen steps: x [N, T, 1] uniform in [−1, 1), the
 * class of step t is 1 when x[t] + x[t−1] > 0 (x[−1] = 0), else 0.
 */
export function signData(N, T, seed) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: N * T }, () => rng.range(-1, 1));
  const y = new Int32Array(N * T);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) y[n * T + t] = x[n * T + t] + (t > 0 ? x[n * T + t - 1] : 0) > 0 ? 1 : 0;
  }
  return { x: { data: x, shape: [N, T, 1] }, y: { data: y, shape: [N, T] } };
}

/** Uniform floats in [−1, 1) of the given shape, as a Float32Array tensor. */
export function floats(shape, seed) {
  const rng = new Rng(seed);
  return { data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.range(-1, 1)), shape };
}

/** Token ids in [0, V) of the given shape. */
export function tokens(shape, V, seed) {
  const rng = new Rng(seed);
  return { data: Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(V)), shape };
}

/** Timestep t of x [B, T, I] (or token ids [B, T]) as the stream's input [B, I] (or [B]). */
export function timestep(x, t) {
  const [B, T] = x.shape;
  const I = x.shape.length === 3 ? x.shape[2] : 1;
  const out = new x.data.constructor(B * I);
  for (let b = 0; b < B; b++) out.set(x.data.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
  return { data: out, shape: x.shape.length === 3 ? [B, I] : [B] };
}

/** Row t of every batch row of [B, T, C] values: [B, C]. */
export function rowsAt(values, B, T, C, t) {
  const out = new Float64Array(B * C);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) out[b * C + c] = values[(b * T + t) * C + c];
  return out;
}

/** The worst normwise error over the tensors of two parameter maps (by name), and which. */
export function worstParameterError(got, ref, normwiseError) {
  let worst = { tensor: '', error: 0 };
  for (const [k, v] of ref) {
    const e = normwiseError(got.get(k), v, 1e-30);
    if (!(e <= worst.error)) worst = { tensor: k, error: e };
  }
  return worst;
}
