/**
 * CPU twin of shaders/gru_layer_backward.wgsl: T steps of gruStepBackward, t = T−1 … 0, with the
 * rows alive at t and the tail slots' gradients folded into dhAbove (layerTails.ts).
 *
 * dhAbove: [T+K, B, H]; wHh: [3H, H]; gates: [T, B, 4H]; h: [T+1+K, B, H]; dgx, dgh: [T, B, 3H] and
 * dhCarry: [T, B, H] written; lengths: [B].
 */
import { liveAt } from './activations.js';
import { gruStepBackward } from './gruStepBackward.js';
import { withTails } from './layerTails.js';

export function gruLayerBackward(
  dhAbove: ArrayLike<number>, wHh: ArrayLike<number>, gates: ArrayLike<number>, h: ArrayLike<number>,
  dgx: Float64Array, dgh: Float64Array, dhCarry: Float64Array, lengths: ArrayLike<number>, B: number, H: number, T: number, K: number,
): void {
  const BH = B * H, G3 = 3 * BH;
  const hs = Float64Array.from(h), gs = Float64Array.from(gates);
  for (let t = T - 1; t >= 0; t--) {
    const last = t === T - 1;
    gruStepBackward(withTails(dhAbove, lengths, t, T, B, H, K), last ? null : dgh.subarray((t + 1) * G3, (t + 2) * G3),
      last ? null : dhCarry.subarray((t + 1) * BH, (t + 2) * BH), wHh, gs.subarray(t * 4 * BH, (t + 1) * 4 * BH),
      hs.subarray(t * BH, (t + 1) * BH), dgx.subarray(t * G3, (t + 1) * G3), dgh.subarray(t * G3, (t + 1) * G3),
      dhCarry.subarray(t * BH, (t + 1) * BH), B, H, liveAt(lengths, t));
  }
}
