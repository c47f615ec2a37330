/**
 * CPU twin of shaders/rnn_layer_forward.wgsl: T steps of rnnStepForward (tanh or relu) with the rows
 * alive at t, h copied to the tail slots at each row's last K steps (layerTails.ts).
 *
 * gx: [T, B, H]; wHh: [H, H]; h: [T+1+K, B, H]; lengths: [B].
 */
import { liveAt } from './activations.js';
import { writeTails } from './layerTails.js';
import { rnnStepForward } from './rnnStepForward.js';

export function rnnLayerForward(
  gx: ArrayLike<number>, wHh: ArrayLike<number>, h: Float64Array, lengths: ArrayLike<number>,
  B: number, H: number, T: number, K: number, relu: boolean,
): void {
  const BH = B * H;
  const g = Float64Array.from(gx);
  for (let t = 0; t < T; t++) {
    rnnStepForward(g.subarray(t * BH, (t + 1) * BH), h.subarray(t * BH, (t + 1) * BH), wHh, h.subarray((t + 1) * BH, (t + 2) * BH), B, H, relu, liveAt(lengths, t));
    writeTails(h, lengths, t, T, B, H, K);
  }
}
