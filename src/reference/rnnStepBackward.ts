/**
 * CPU twin of shaders/rnn_step_backward.wgsl: one timestep t of one tanh RNN layer, backward.
 *
 *   dh = dhAbove[t] + Σ_r dgNext[b, r] · W_hh[r, j]     (recurrent term of step t+1)
 *   dg[b, j] = dh ⊙ (1 − h[t]²)                         (pre-activation gradient)
 *
 * dhAbove: [B, H]; dgNext: [B, H] or null at t = T−1; wHh: [H, H]; h: [B, H]; writes dg [B, H].
 */
export function rnnStepBackward(
  dhAbove: ArrayLike<number>, dgNext: ArrayLike<number> | null, wHh: ArrayLike<number>, h: ArrayLike<number>,
  dg: Float64Array, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      let dh = dhAbove[b * H + j]!;
      if (dgNext) {
        for (let r = 0; r < H; r++) dh += dgNext[b * H + r]! * wHh[r * H + j]!;
      }
      const hv = h[b * H + j]!;
      dg[b * H + j] = dh * (1 - hv * hv);
    }
  }
}
