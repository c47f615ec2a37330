/**
 * CPU twin of shaders/rnn_step_backward.wgsl: one timestep t of one plain RNN layer, backward.
 *
 *   dh = dhAbove[t] + Σ_r dgNext[b, r] · W_hh[r, j]     (recurrent term of step t+1)
 *   dg[b, j] = dh ⊙ act'(h[t])                          (tanh: 1 − h²; relu: [h > 0])
 *
 * dhAbove: [B, H]; dgNext: [B, H] or null at t = T−1; wHh: [H, H]; h: [B, H]; writes dg [B, H].
 * live: rows running this step (null: all); a dead row gets dg = 0.
 */
import { rnnActivationSlope, type LiveRows } from './activations.js';

export function rnnStepBackward(
  dhAbove: ArrayLike<number>, dgNext: ArrayLike<number> | null, wHh: ArrayLike<number>, h: ArrayLike<number>,
  dg: Float64Array, B: number, H: number, relu = false, live: LiveRows = null,
): void {
  for (let b = 0; b < B; b++) {
    if (live && !live[b]) {
      dg.fill(0, b * H, (b + 1) * H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      let dh = dhAbove[b * H + j]!;
      if (dgNext) {
        for (let r = 0; r < H; r++) dh += dgNext[b * H + r]! * wHh[r * H + j]!;
      }
      dg[b * H + j] = dh * rnnActivationSlope(h[b * H + j]!, relu);
    }
  }
}
