/**
 * CPU twin of shaders/lstm_layer_forward.wgsl: all T steps of one LSTM layer, as the kernel's time
 * loop runs them — T steps of lstmStepForward (each with the rows alive at t), the state copied to
 * the tail slots at each row's last K steps (layerTails.ts).
 *
 * gx: [T, B, 4H]; wHh: [4H, H]; h, c: [T+1+K, B, H] (slice 0 the initial state, read; the rest
 * written); gates: [T, B, 4H] written; lengths: [B] in [1, T].
 */
import { liveAt } from './activations.js';
import { writeTails } from './layerTails.js';
import { lstmStepForward } from './lstmStepForward.js';

export function lstmLayerForward(
  gx: ArrayLike<number>, wHh: ArrayLike<number>, h: Float64Array, c: Float64Array, gates: Float64Array,
  lengths: ArrayLike<number>, B: number, H: number, T: number, K: number,
): void {
  const BH = B * H, BG = 4 * BH;
  const g = Float64Array.from(gx);
  for (let t = 0; t < T; t++) {
    lstmStepForward(g.subarray(t * BG, (t + 1) * BG), h.subarray(t * BH, (t + 1) * BH), c.subarray(t * BH, (t + 1) * BH), wHh,
      h.subarray((t + 1) * BH, (t + 2) * BH), c.subarray((t + 1) * BH, (t + 2) * BH), gates.subarray(t * BG, (t + 1) * BG), B, H, liveAt(lengths, t));
    writeTails(h, lengths, t, T, B, H, K);
    writeTails(c, lengths, t, T, B, H, K);
  }
}
