/**
 * The output activation of each loss, applied to logits on the host (predict, streams, fit's
 * metrics): softmax over the C classes of each row (softmax_ce), the logistic function per element
 * (sigmoid_bce), the raw values (mse). In the logits' own precision.
 */
import type { LossType } from '../config.js';

export function activate(loss: LossType, logits: Float64Array | Float32Array, C: number): Float64Array | Float32Array {
  const out = logits instanceof Float32Array ? new Float32Array(logits.length) : new Float64Array(logits.length);
  if (loss === 'mse') {
    out.set(logits);
  } else if (loss === 'sigmoid_bce') {
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]!;
      // Never exponentiates a large positive number.
      out[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
  } else {
    for (let o = 0; o < logits.length; o += C) {
      let m = -Infinity;
      for (let k = 0; k < C; k++) m = Math.max(m, logits[o + k]!);
      let s = 0;
      for (let k = 0; k < C; k++) s += Math.exp(logits[o + k]! - m);
      for (let k = 0; k < C; k++) out[o + k] = Math.exp(logits[o + k]! - m) / s;
    }
  }
  return out;
}
