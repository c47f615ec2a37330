/**
 * CPU twin of shaders/lstm_layer_backward.wgsl: all T steps of one LSTM layer's backward pass, t =
 * T−1 … 0, as the kernel's time loop runs them — lstmStepBackward with the rows alive at t, the
 * tail slots' gradients folded into what reaches h and c from above (layerTails.ts).
 *
 * dhAbove, dcAbove (or null): [T+K, B, H]; wHh: [4H, H]; gates: [T, B, 4H]; c: [T+1+K, B, H];
 * dgates: [T, B, 4H] and dcCarry: [T, B, H] written; lengths: [B] in [1, T].
 */
import { liveAt } from './activations.js';
import { withTails } from './layerTails.js';
import { lstmStepBackward } from './lstmStepBackward.js';

export function lstmLayerBackward(
  dhAbove: ArrayLike<number>, dcAbove: ArrayLike<number> | null, wHh: ArrayLike<number>, gates: ArrayLike<number>,
  c: ArrayLike<number>, dgates: Float64Array, dcCarry: Float64Array, lengths: ArrayLike<number>, B: number, H: number, T: number, K: number,
): void {
  const BH = B * H, BG = 4 * BH;
  const cs = Float64Array.from(c), gs = Float64Array.from(gates);
  for (let t = T - 1; t >= 0; t--) {
    const last = t === T - 1;
    lstmStepBackward(withTails(dhAbove, lengths, t, T, B, H, K), dcAbove ? withTails(dcAbove, lengths, t, T, B, H, K) : null,
      last ? null : dgates.subarray((t + 1) * BG, (t + 2) * BG), last ? null : dcCarry.subarray((t + 1) * BH, (t + 2) * BH), wHh,
      gs.subarray(t * BG, (t + 1) * BG), cs.subarray((t + 1) * BH, (t + 2) * BH), cs.subarray(t * BH, (t + 1) * BH),
      dgates.subarray(t * BG, (t + 1) * BG), dcCarry.subarray(t * BH, (t + 1) * BH), B, H, liveAt(lengths, t));
  }
}
