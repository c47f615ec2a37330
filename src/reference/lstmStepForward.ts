/**
 * CPU twin of shaders/lstm_step_forward.wgsl: one timestep of one LSTM layer.
 *
 *   pre[b, r] = gx[b, r] + Σ_j hPrev[b, j] · W_hh[r, j]         r over the 4H gate rows i, f, g, o
 *   i = σ(pre_i), f = σ(pre_f), g = tanh(pre_g), o = σ(pre_o)
 *   c[b, j] = f ⊙ cPrev + i ⊙ g,   h[b, j] = o ⊙ tanh(c)
 *
 * gx: [B, 4H] (input projection of this step with both biases), hPrev, cPrev: [B, H],
 * wHh: [4H, H]; writes h, c: [B, H] and the activated gates [B, 4H] (kept for backward).
 * live: rows running this step (null: all); a dead row (t ≥ its length) gets h = c = gates = 0.
 * The kernel computes the same values, each (b, j) with its four gates in registers (see its
 * header for the tiling), and also copies the state into the layer's tail slots (see the plan).
 */
import { sigmoid, type LiveRows } from './activations.js';

export function lstmStepForward(
  gx: ArrayLike<number>, hPrev: ArrayLike<number>, cPrev: ArrayLike<number>, wHh: ArrayLike<number>,
  h: Float64Array, c: Float64Array, gates: Float64Array, B: number, H: number, live: LiveRows = null,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const hp = b * H;
    if (live && !live[b]) {
      h.fill(0, hp, hp + H);
      c.fill(0, hp, hp + H);
      gates.fill(0, b * G, (b + 1) * G);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const pre = [0, 0, 0, 0];
      for (let q = 0; q < 4; q++) {
        const r = q * H + j;
        let s = gx[b * G + r]!;
        const w = r * H;
        for (let k = 0; k < H; k++) s += hPrev[hp + k]! * wHh[w + k]!;
        pre[q] = s;
      }
      const i = sigmoid(pre[0]!), f = sigmoid(pre[1]!), g = Math.tanh(pre[2]!), o = sigmoid(pre[3]!);
      const cn = f * cPrev[hp + j]! + i * g;
      c[hp + j] = cn;
      h[hp + j] = o * Math.tanh(cn);
      gates[b * G + j] = i;
      gates[b * G + H + j] = f;
      gates[b * G + 2 * H + j] = g;
      gates[b * G + 3 * H + j] = o;
    }
  }
}
