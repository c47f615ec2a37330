/**
 * One forward and backward pass of the whole network in float64: the CPU reference of a training
 * step before the update, and of the `grad` command.
 */
import type { ResolvedConfig } from '../config.js';
import type { ParamLayout } from '../params.js';
import { backwardNetwork, forwardNetwork, toBatchFirst, type ForwardCache } from './network.js';
import { lossAndGradient, targetsToRows } from './loss.js';

export interface FullGradient {
  loss: number;
  /** Batch-first logits: [B, T, C] (outputs all) or [B, C]. */
  logits: Float64Array;
  /** Final states [L, B, H]. */
  hN: Float64Array;
  cN: Float64Array | null;
  grads: Float64Array;
  dh0: Float64Array;
  dc0: Float64Array | null;
  cache: ForwardCache;
}

/** Final states [L, B, H] of a forward cache: slice T of every layer. */
export function finalStates(cache: ForwardCache): { hN: Float64Array; cN: Float64Array | null } {
  const { cfg, B, T, layers } = cache;
  const BH = B * cfg.hiddenSize, L = cfg.numLayers;
  const hN = new Float64Array(L * BH);
  const cN = cfg.cell === 'lstm' ? new Float64Array(L * BH) : null;
  layers.forEach((layer, k) => {
    hN.set(layer.h.subarray(T * BH, (T + 1) * BH), k * BH);
    if (cN) cN.set(layer.c!.subarray(T * BH, (T + 1) * BH), k * BH);
  });
  return { hN, cN };
}

/** Head logits in the caller's batch-first layout. */
export function batchFirstLogits(cache: ForwardCache): Float64Array {
  const { cfg, B, T, logits } = cache;
  return cfg.outputs === 'all' ? toBatchFirst(logits, B, T, cfg.outputSize) : logits.slice();
}

export function fullGradient(
  cfg: ResolvedConfig, layout: ParamLayout, params: Float64Array,
  x: ArrayLike<number>, y: ArrayLike<number>, B: number, T: number, h0: Float64Array, c0: Float64Array | null,
): FullGradient {
  const cache = forwardNetwork(cfg, layout, params, x, B, T, h0, c0);
  const { loss, dlogits } = lossAndGradient(cfg, cache.logits, targetsToRows(cfg, y, B, T), cache.rows);
  const { grads, dh0, dc0 } = backwardNetwork(cache, dlogits);
  const { hN, cN } = finalStates(cache);
  return { loss, logits: batchFirstLogits(cache), hN, cN, grads, dh0, dc0, cache };
}
