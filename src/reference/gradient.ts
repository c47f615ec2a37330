/**
 * One forward and backward pass of the whole network in float64: the CPU reference of a training
 * step before the update, and of the `grad` command.
 */
import type { ResolvedConfig } from '../config.js';
import type { ParamLayout } from '../params.js';
import { backwardNetwork, forwardNetwork, rowLength, toBatchFirst, type ForwardCache } from './network.js';
import { lossAndGradient, targetsToRows, validRows } from './loss.js';

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

/** Final states [L, B, H] of a forward cache: row b of every layer at slice len_b (the state after step len_b − 1). */
export function finalStates(cache: ForwardCache): { hN: Float64Array; cN: Float64Array | null } {
  const { cfg, B, T, layers, lengths } = cache;
  const H = cfg.hiddenSize, BH = B * H, L = cfg.numLayers;
  const hN = new Float64Array(L * BH);
  const cN = cfg.cell === 'lstm' ? new Float64Array(L * BH) : null;
  layers.forEach((layer, k) => {
    for (let b = 0; b < B; b++) {
      const src = rowLength(lengths, b, T) * BH + b * H, dst = k * BH + b * H;
      hN.set(layer.h.subarray(src, src + H), dst);
      if (cN) cN.set(layer.c!.subarray(src, src + H), dst);
    }
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
  lengths: Int32Array | null = null,
): FullGradient {
  const cache = forwardNetwork(cfg, layout, params, x, B, T, h0, c0, lengths);
  const { loss, dlogits } = lossAndGradient(cfg, cache.logits, targetsToRows(cfg, y, B, T, lengths), cache.rows, validRows(cfg, B, T, lengths));
  const { grads, dh0, dc0 } = backwardNetwork(cache, dlogits);
  const { hN, cN } = finalStates(cache);
  return { loss, logits: batchFirstLogits(cache), hN, cN, grads, dh0, dc0, cache };
}
