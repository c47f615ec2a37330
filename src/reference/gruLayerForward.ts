/**
 * CPU twin of shaders/gru_layer_forward.wgsl: T steps of gruStepForward with the rows alive at t,
 * h copied to the tail slots at each row's last K steps (layerTails.ts).
 *
 * gx: [T, B, 3H]; wHh: [3H, H]; bHn: [H]; h: [T+1+K, B, H]; gates: [T, B, 4H]; lengths: [B].
 */
import { liveAt } from './activations.js';
import { gruStepForward } from './gruStepForward.js';
import { writeTails } from './layerTails.js';

export function gruLayerForward(
  gx: ArrayLike<number>, wHh: ArrayLike<number>, bHn: ArrayLike<number>, h: Float64Array, gates: Float64Array,
  lengths: ArrayLike<number>, B: number, H: number, T: number, K: number,
): void {
  const BH = B * H;
  const g = Float64Array.from(gx);
  for (let t = 0; t < T; t++) {
    gruStepForward(g.subarray(t * 3 * BH, (t + 1) * 3 * BH), h.subarray(t * BH, (t + 1) * BH), wHh, bHn,
      h.subarray((t + 1) * BH, (t + 2) * BH), gates.subarray(t * 4 * BH, (t + 1) * 4 * BH), B, H, liveAt(lengths, t));
    writeTails(h, lengths, t, T, B, H, K);
  }
}
