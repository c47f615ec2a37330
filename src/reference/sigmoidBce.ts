/**
 * CPU twin of shaders/sigmoid_bce.wgsl: binary cross-entropy on logits, loss and gradient in one pass.
 *
 *   loss[n, k] = max(z, 0) − z·y + log(1 + exp(−|z|))       (stable form of −y·log σ(z) − (1−y)·log(1−σ(z)))
 *   dlogits[n, k] = scale · (σ(z) − y)
 *
 * logits, targets: [N, C]; scale = 1/(N·C) for the mean over all elements (1/(C·valid rows) with
 * lengths). valid: rows that carry a loss (null: all); an invalid row gets loss 0 and dlogits 0 and
 * its targets are never read. Writes the per-row loss (unscaled sum over k) and dlogits; returns
 * scale · Σ loss.
 */
import { sigmoid, type LiveRows } from './activations.js';

export function sigmoidBce(
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
      const z = logits[i]!, y = targets[i]!;
      row += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dlogits[i] = scale * (sigmoid(z) - y);
    }
    lossRows[n] = row;
    total += row;
  }
  return total * scale;
}
