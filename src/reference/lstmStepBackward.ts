/**
 * CPU twin of shaders/lstm_step_backward.wgsl: one timestep t of one LSTM layer, backward.
 *
 *   dh = dhAbove[t] + Σ_r dgatesNext[b, r] · W_hh[r, j]      (the recurrent term of step t+1, fused)
 *   dc = dcNext + dcAbove[t] + dh ⊙ o ⊙ (1 − tanh²(c))       (dcNext = dc[t+1] ⊙ f[t+1])
 *   d(pre_i) = dc·g·i(1−i),  d(pre_f) = dc·cPrev·f(1−f),  d(pre_g) = dc·i·(1−g²),  d(pre_o) = dh·tanh(c)·o(1−o)
 *   dcOut = dc ⊙ f                                            (carried to step t−1)
 *
 * dhAbove: [B, H] (from the head or the layer above); dcAbove: [B, H] or null (a head reading c);
 * dgatesNext: [B, 4H] or null at t = T−1; dcNext: [B, H] or null; gates: [B, 4H] activated;
 * c, cPrev: [B, H]. Writes dgates [B, 4H] (pre-activation gradients) and dcOut [B, H].
 * live: rows running this step (null: all); a dead row gets dgates = dcOut = 0, so no gradient
 * flows through the padded steps (the next step's terms of a live row are then zero too).
 */
import type { LiveRows } from './activations.js';

export function lstmStepBackward(
  dhAbove: ArrayLike<number>, dcAbove: ArrayLike<number> | null, dgatesNext: ArrayLike<number> | null,
  dcNext: ArrayLike<number> | null, wHh: ArrayLike<number>, gates: ArrayLike<number>,
  c: ArrayLike<number>, cPrev: ArrayLike<number>, dgates: Float64Array, dcOut: Float64Array, B: number, H: number,
  live: LiveRows = null,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    if (live && !live[b]) {
      dgates.fill(0, b * G, (b + 1) * G);
      dcOut.fill(0, b * H, (b + 1) * H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const bj = b * H + j;
      let dh = dhAbove[bj]!;
      if (dgatesNext) {
        for (let r = 0; r < G; r++) dh += dgatesNext[b * G + r]! * wHh[r * H + j]!;
      }
      const i = gates[b * G + j]!, f = gates[b * G + H + j]!, g = gates[b * G + 2 * H + j]!, o = gates[b * G + 3 * H + j]!;
      const tc = Math.tanh(c[bj]!);
      let dc = dh * o * (1 - tc * tc);
      if (dcNext) dc += dcNext[bj]!;
      if (dcAbove) dc += dcAbove[bj]!;
      dgates[b * G + j] = dc * g * i * (1 - i);
      dgates[b * G + H + j] = dc * cPrev[bj]! * f * (1 - f);
      dgates[b * G + 2 * H + j] = dc * i * (1 - g * g);
      dgates[b * G + 3 * H + j] = dh * tc * o * (1 - o);
      dcOut[bj] = dc * f;
    }
  }
}
