/**
 * CPU twin of shaders/rnn_layer_backward.wgsl: T steps of rnnStepBackward, t = T−1 … 0, with the rows
 * alive at t and the tail slots' gradients folded into dhAbove (layerTails.ts).
 *
 * dhAbove: [T+K, B, H]; wHh: [H, H]; h: [T+1+K, B, H]; dg: [T, B, H] written; lengths: [B].
 */
import { liveAt } from './activations.js';
import { withTails } from './layerTails.js';
import { rnnStepBackward } from './rnnStepBackward.js';

export function rnnLayerBackward(
  dhAbove: ArrayLike<number>, wHh: ArrayLike<number>, h: ArrayLike<number>, dg: Float64Array,
  lengths: ArrayLike<number>, B: number, H: number, T: number, K: number, relu: boolean,
): void {
  const BH = B * H;
  const hs = Float64Array.from(h);
  for (let t = T - 1; t >= 0; t--) {
    rnnStepBackward(withTails(dhAbove, lengths, t, T, B, H, K), t === T - 1 ? null : dg.subarray((t + 1) * BH, (t + 2) * BH), wHh,
      hs.subarray((t + 1) * BH, (t + 2) * BH), dg.subarray(t * BH, (t + 1) * BH), B, H, relu, liveAt(lengths, t));
  }
}
