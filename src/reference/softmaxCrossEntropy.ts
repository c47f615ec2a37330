/**
 * CPU twin of shaders/softmax_cross_entropy.wgsl: loss and gradient in one pass.
 *
 *   p = softmax(logits[n, :]),  loss[n] = −log p[y[n]] = logsumexp(z) − z[y]
 *   dlogits[n, :] = scale · (p − onehot(y[n]))
 *
 * logits: [N, C], targets: [N] class ids; scale = 1/N for PyTorch's mean reduction (1/(valid rows)
 * with lengths). valid: rows that carry a loss (null: all); an invalid row (a padded step) gets
 * loss 0 and dlogits 0 and its target is never read. Writes the per-row loss (unscaled) and
 * dlogits; returns scale · Σ loss.
 */
import type { LiveRows } from './activations.js';

export function softmaxCrossEntropy(
  logits: ArrayLike<number>, targets: ArrayLike<number>, lossRows: Float64Array, dlogits: Float64Array,
  N: number, C: number, scale: number, valid: LiveRows = null,
): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const o = n * C;
    if (valid && !valid[n]) {
      lossRows[n] = 0;
      dlogits.fill(0, o, o + C);
      continue;
    }
    let m = -Infinity;
    for (let k = 0; k < C; k++) m = Math.max(m, logits[o + k]!);
    let s = 0;
    for (let k = 0; k < C; k++) s += Math.exp(logits[o + k]! - m);
    const lse = m + Math.log(s);
    const y = targets[n]!;
    lossRows[n] = lse - logits[o + y]!;
    total += lossRows[n]!;
    for (let k = 0; k < C; k++) dlogits[o + k] = scale * (Math.exp(logits[o + k]! - lse) - (k === y ? 1 : 0));
  }
  return total * scale;
}
