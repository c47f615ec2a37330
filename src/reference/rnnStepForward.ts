/**
 * CPU twin of shaders/rnn_step_forward.wgsl: one timestep of one plain (Elman) RNN layer,
 * PyTorch's nn.RNN with nonlinearity 'tanh' (cell rnn_tanh) or 'relu' (cell rnn_relu).
 *
 *   h[b, j] = act(gx[b, j] + Σ_k hPrev[b, k] · W_hh[j, k]),   act = tanh or relu
 *
 * gx: [B, H] (input projection with both biases), hPrev: [B, H], wHh: [H, H]; writes h [B, H].
 * The output h is all that backward needs (tanh' = 1 − h², relu' = [h > 0]). live: rows running
 * this step (null: all); a dead row gets h = 0.
 */
import { rnnActivation, type LiveRows } from './activations.js';

export function rnnStepForward(
  gx: ArrayLike<number>, hPrev: ArrayLike<number>, wHh: ArrayLike<number>, h: Float64Array, B: number, H: number,
  relu = false, live: LiveRows = null,
): void {
  for (let b = 0; b < B; b++) {
    if (live && !live[b]) {
      h.fill(0, b * H, (b + 1) * H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      let s = gx[b * H + j]!;
      for (let k = 0; k < H; k++) s += hPrev[b * H + k]! * wHh[j * H + k]!;
      h[b * H + j] = rnnActivation(s, relu);
    }
  }
}
