/** Scalar activations and the row mask shared by the step kernels' twins. */
export function sigmoid(x: number): number {
  // Stable for large |x|: never exponentiates a large positive number.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Rows alive at a step: `live[b]` is non-zero when step t < lengths[b] (PyTorch's packed
 * sequences). null means every row runs. A dead row's outputs are written as zeros (its padded
 * state and gradients), exactly as the kernels do.
 */
export type LiveRows = ArrayLike<number> | null;

/** The rows alive at step t for per-row lengths (null lengths: every row). */
export function liveAt(lengths: ArrayLike<number> | null, t: number): Uint8Array | null {
  if (!lengths) return null;
  const live = new Uint8Array(lengths.length);
  for (let b = 0; b < lengths.length; b++) live[b] = t < lengths[b]! ? 1 : 0;
  return live;
}

/** The plain RNN's nonlinearity and its derivative written through the output h = act(pre). */
export function rnnActivation(pre: number, relu: boolean): number {
  return relu ? (pre > 0 ? pre : 0) : Math.tanh(pre);
}

export function rnnActivationSlope(h: number, relu: boolean): number {
  // tanh' = 1 − h²; relu' = 1 where pre > 0, which is where h > 0 (PyTorch takes 0 at pre = 0).
  return relu ? (h > 0 ? 1 : 0) : 1 - h * h;
}
