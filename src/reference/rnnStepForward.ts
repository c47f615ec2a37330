/**
 * CPU twin of shaders/rnn_step_forward.wgsl: one timestep of one tanh RNN layer.
 *
 *   h[b, j] = tanh(gx[b, j] + Σ_k hPrev[b, k] · W_hh[j, k])
 *
 * gx: [B, H] (input projection with both biases), hPrev: [B, H], wHh: [H, H]; writes h [B, H].
 * The activation h is all that backward needs (1 − h² is tanh's derivative).
 */
export function rnnStepForward(
  gx: ArrayLike<number>, hPrev: ArrayLike<number>, wHh: ArrayLike<number>, h: Float64Array, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      let s = gx[b * H + j]!;
      for (let k = 0; k < H; k++) s += hPrev[b * H + k]! * wHh[j * H + k]!;
      h[b * H + j] = Math.tanh(s);
    }
  }
}
