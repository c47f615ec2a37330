/**
 * The loss of the head rows against batch-first targets, with PyTorch's mean reductions:
 * softmax_ce averages over target positions (B·T or B), sigmoid_bce over all elements.
 */
import type { ResolvedConfig } from '../config.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
import { sigmoidBce } from './sigmoidBce.js';

/**
 * Targets reordered to the head's row order: outputs all rows are time-major (t·B + b), targets are
 * batch-first [B, T] or [B, T, C]; outputs last rows are already per batch element.
 */
export function targetsToRows(cfg: ResolvedConfig, y: ArrayLike<number>, B: number, T: number): Float64Array {
  const w = cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
  if (cfg.outputs === 'last') return Float64Array.from(y);
  const out = new Float64Array(T * B * w);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < w; k++) out[(t * B + b) * w + k] = y[(b * T + t) * w + k]!;
    }
  }
  return out;
}

export function lossAndGradient(
  cfg: ResolvedConfig, logits: Float64Array, yRows: Float64Array, rows: number,
): { loss: number; dlogits: Float64Array; lossRows: Float64Array } {
  const C = cfg.outputSize;
  const dlogits = new Float64Array(rows * C);
  const lossRows = new Float64Array(rows);
  const loss = cfg.loss === 'softmax_ce'
    ? softmaxCrossEntropy(logits, yRows, lossRows, dlogits, rows, C, 1 / rows)
    : sigmoidBce(logits, yRows, lossRows, dlogits, rows, C, 1 / (rows * C));
  return { loss, dlogits, lossRows };
}
