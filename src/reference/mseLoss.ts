/**
 * CPU twin of shaders/mse_loss.wgsl: mean squared error on the raw logits (PyTorch's mse_loss,
 * reduction 'mean'), loss and gradient in one pass.
 *
 *   loss[n] = Σ_k (z[n, k] − y[n, k])²
 *   dlogits[n, k] = scale · 2 · (z[n, k] − y[n, k])
 *
 * logits, targets: [N, C]; scale = 1/(N·C), the mean over all target elements (1/(C·valid rows)
 * with lengths). valid: rows that carry a loss (null: all); an invalid row gets loss 0 and
 * dlogits 0 and its targets are never read. Returns scale · Σ loss.
 */
import type { LiveRows } from './activations.js';

export function mseLoss(
  logits: ArrayLike<number>, targets: ArrayLike<number>, lossRows: Float64Array, dlogits: Float64Array,
  N: number, C: number, scale: number, valid: LiveRows = null,
): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    if (valid && !valid[n]) {
      lossRows[n] = 0;
      dlogits.fill(0, n * C, (n + 1) * C);
      continue;
    }
    let row = 0;
    for (let k = 0; k < C; k++) {
      const i = n * C + k;
      const d = logits[i]! - targets[i]!;
      row += d * d;
      dlogits[i] = scale * 2 * d;
    }
    lossRows[n] = row;
    total += row;
  }
  return total * scale;
}
