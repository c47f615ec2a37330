/**
 * CPU twin of shaders/gru_step_backward.wgsl: one timestep t of one GRU layer, backward.
 *
 *   dh = dhAbove[t] + Σ_r dghNext[b, r] · W_hh[r, j] + dhCarryNext      (terms of step t+1)
 *   dn = dh ⊙ (1 − z),  dz = dh ⊙ (hPrev − n)
 *   dpre_n = dn ⊙ (1 − n²),  dpre_r = dpre_n ⊙ ghn ⊙ r(1 − r),  dpre_z = dz ⊙ z(1 − z)
 *   dgx = (dpre_r, dpre_z, dpre_n)            gradient of the input-side pre-activations [B, 3H]
 *   dgh = (dpre_r, dpre_z, dpre_n ⊙ r)        gradient of the hidden-side ones W_hh·h + b_hh
 *   dhCarry = dh ⊙ z                          the direct path h[t−1] → h[t], carried to step t−1
 *
 * dhAbove: [B, H]; dghNext: [B, 3H] or null; dhCarryNext: [B, H] or null; wHh: [3H, H];
 * gates: [B, 4H] = (r, z, n, ghn); hPrev: [B, H]. Writes dgx, dgh [B, 3H] and dhCarry [B, H].
 * live: rows running this step (null: all); a dead row gets dgx = dgh = dhCarry = 0.
 */
import type { LiveRows } from './activations.js';

export function gruStepBackward(
  dhAbove: ArrayLike<number>, dghNext: ArrayLike<number> | null, dhCarryNext: ArrayLike<number> | null,
  wHh: ArrayLike<number>, gates: ArrayLike<number>, hPrev: ArrayLike<number>,
  dgx: Float64Array, dgh: Float64Array, dhCarry: Float64Array, B: number, H: number, live: LiveRows = null,
): void {
  const G3 = 3 * H, G4 = 4 * H;
  for (let b = 0; b < B; b++) {
    if (live && !live[b]) {
      dgx.fill(0, b * G3, (b + 1) * G3);
      dgh.fill(0, b * G3, (b + 1) * G3);
      dhCarry.fill(0, b * H, (b + 1) * H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const bj = b * H + j;
      let dh = dhAbove[bj]!;
      if (dghNext) {
        for (let r = 0; r < G3; r++) dh += dghNext[b * G3 + r]! * wHh[r * H + j]!;
      }
      if (dhCarryNext) dh += dhCarryNext[bj]!;
      const r = gates[b * G4 + j]!, z = gates[b * G4 + H + j]!, n = gates[b * G4 + 2 * H + j]!, ghn = gates[b * G4 + 3 * H + j]!;
      const dn = dh * (1 - z);
      const dz = dh * (hPrev[bj]! - n);
      const dpn = dn * (1 - n * n);
      const dpr = dpn * ghn * r * (1 - r);
      const dpz = dz * z * (1 - z);
      dgx[b * G3 + j] = dpr;
      dgx[b * G3 + H + j] = dpz;
      dgx[b * G3 + 2 * H + j] = dpn;
      dgh[b * G3 + j] = dpr;
      dgh[b * G3 + H + j] = dpz;
      dgh[b * G3 + 2 * H + j] = dpn * r;
      dhCarry[bj] = dh * z;
    }
  }
}
