/**
 * The loss of the head rows against batch-first targets, with PyTorch's mean reductions:
 * softmax_ce averages over target positions, sigmoid_bce and mse over all target elements — with
 * lengths, over the valid positions only (DESIGN.md section 5: Σ len_b positions, C·Σ len_b
 * elements); targets at padded positions are never read.
 */
import type { ResolvedConfig } from '../config.js';
import type { LiveRows } from './activations.js';
import { mseLoss } from './mseLoss.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
import { sigmoidBce } from './sigmoidBce.js';

/** Target values per head row: 1 (class id) for softmax_ce, C otherwise. */
export function targetWidth(cfg: ResolvedConfig): number {
  return cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
}

/**
 * Targets reordered to the head's row order: outputs all rows are time-major (t·B + b), targets are
 * batch-first [B, T] or [B, T, C]; outputs last rows are already per batch element. Padded
 * positions (t ≥ len_b) are written as 0, never copied: their values may be anything.
 */
export function targetsToRows(cfg: ResolvedConfig, y: ArrayLike<number>, B: number, T: number, lengths: ArrayLike<number> | null = null): Float64Array {
  const w = targetWidth(cfg);
  if (cfg.outputs === 'last') return Float64Array.from(y);
  const out = new Float64Array(T * B * w);
  for (let b = 0; b < B; b++) {
    const len = lengths ? lengths[b]! : T;
    for (let t = 0; t < len; t++) {
      for (let k = 0; k < w; k++) out[(t * B + b) * w + k] = y[(b * T + t) * w + k]!;
    }
  }
  return out;
}

/** Which head rows carry a loss: all of them, except padded steps (t ≥ len_b) for outputs all. */
export function validRows(cfg: ResolvedConfig, B: number, T: number, lengths: ArrayLike<number> | null): Uint8Array | null {
  if (!lengths || cfg.outputs === 'last') return null;
  const valid = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) valid[t * B + b] = t < lengths[b]! ? 1 : 0;
  return valid;
}

/** Rows that carry a loss: R, or Σ len_b with lengths and outputs all. */
export function countValid(rows: number, valid: LiveRows): number {
  if (!valid) return rows;
  let n = 0;
  for (let i = 0; i < valid.length; i++) if (valid[i]) n++;
  return n;
}

/** The mean reduction's factor: 1/(valid rows) for softmax_ce, 1/(C·valid rows) otherwise. */
export function lossScale(cfg: ResolvedConfig, validCount: number): number {
  return cfg.loss === 'softmax_ce' ? 1 / validCount : 1 / (validCount * cfg.outputSize);
}

export function lossAndGradient(
  cfg: ResolvedConfig, logits: Float64Array, yRows: Float64Array, rows: number, valid: LiveRows = null,
): { loss: number; dlogits: Float64Array; lossRows: Float64Array } {
  const C = cfg.outputSize;
  const dlogits = new Float64Array(rows * C);
  const lossRows = new Float64Array(rows);
  const scale = lossScale(cfg, countValid(rows, valid));
  const kernel = cfg.loss === 'softmax_ce' ? softmaxCrossEntropy : cfg.loss === 'sigmoid_bce' ? sigmoidBce : mseLoss;
  const loss = kernel(logits, yRows, lossRows, dlogits, rows, C, scale, valid);
  return { loss, dlogits, lossRows };
}
