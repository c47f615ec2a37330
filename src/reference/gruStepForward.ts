/**
 * CPU twin of shaders/gru_step_forward.wgsl: one timestep of one GRU layer (PyTorch's equations).
 *
 *   gh[b, r] = Σ_k hPrev[b, k] · W_hh[r, k]                  r over the 3H rows r, z, n
 *   r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z)                  (gx holds b_ih and b_hr, b_hz)
 *   ghn = gh_n + b_hn,   n = tanh(gx_n + r ⊙ ghn)            (b_hn stays inside r ⊙ (…))
 *   h = (1 − z) ⊙ n + z ⊙ hPrev
 *
 * gx: [B, 3H], hPrev: [B, H], wHh: [3H, H], bHn: [H]; writes h [B, H] and
 * gates [B, 4H] = (r, z, n, ghn), what backward needs. live: rows running this step (null: all);
 * a dead row gets h = gates = 0.
 */
import { sigmoid, type LiveRows } from './activations.js';

export function gruStepForward(
  gx: ArrayLike<number>, hPrev: ArrayLike<number>, wHh: ArrayLike<number>, bHn: ArrayLike<number>,
  h: Float64Array, gates: Float64Array, B: number, H: number, live: LiveRows = null,
): void {
  const G3 = 3 * H, G4 = 4 * H;
  for (let b = 0; b < B; b++) {
    const hp = b * H;
    if (live && !live[b]) {
      h.fill(0, hp, hp + H);
      gates.fill(0, b * G4, (b + 1) * G4);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const gh = [0, 0, 0];
      for (let q = 0; q < 3; q++) {
        const w = (q * H + j) * H;
        let s = 0;
        for (let k = 0; k < H; k++) s += hPrev[hp + k]! * wHh[w + k]!;
        gh[q] = s;
      }
      const r = sigmoid(gx[b * G3 + j]! + gh[0]!);
      const z = sigmoid(gx[b * G3 + H + j]! + gh[1]!);
      const ghn = gh[2]! + bHn[j]!;
      const n = Math.tanh(gx[b * G3 + 2 * H + j]! + r * ghn);
      h[hp + j] = (1 - z) * n + z * hPrev[hp + j]!;
      gates[b * G4 + j] = r;
      gates[b * G4 + H + j] = z;
      gates[b * G4 + 2 * H + j] = n;
      gates[b * G4 + 3 * H + j] = ghn;
    }
  }
}
