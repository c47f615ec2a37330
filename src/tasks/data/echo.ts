/**
 * Data and metric of task `echo` (SEEDS.md, seed 001), built exactly as the tutorial built it:
 *
 *   x = random bits, length totalLength            (one flat series)
 *   y = np.roll(x, echoStep); y[0:echoStep] = 0    (y[i] = x[i − echoStep], the first echoStep 0)
 *   x, y = x.reshape((batch, −1)), y.reshape((batch, −1))
 *
 * So row b holds flat bits [b·N, (b+1)·N), N = totalLength / batch, and the delay is taken on the
 * flat series BEFORE the reshape. Consequences, kept on purpose to match the tutorial:
 *   - row 0: y[0, t] = 0 for t < echoStep;
 *   - row b ≥ 1: y[b, t] for t < echoStep is x[b−1, N − echoStep + t], the last bits of the row
 *     above, which row b's own inputs never showed (the state starts at zero every epoch);
 *   - elsewhere y[b, t] = x[b, t − echoStep], also across window boundaries within a row.
 * Those first echoStep steps of each row are unlearnable, hence `echoAccuracy` counts t ≥ echoStep.
 * Layout: x [B, N, 1] bits, y [B, N] class ids, batch-first and row-major.
 */
import { InputError } from '../../errors.js';
import type { Rng } from '../../rng.js';
import { argmax, expectInt, expectLabels, expectLength, randomBit } from './checks.js';

export interface EchoOptions {
  totalLength: number;
  batch: number;
  echoStep: number;
}

export interface EchoSeries {
  /** [B, N, 1] input bits. */
  x: Float64Array;
  /** [B, N] targets: the flat series delayed by echoStep, then reshaped (see the file header). */
  y: Int32Array;
  B: number;
  N: number;
}

export const ECHO_DEFAULTS: EchoOptions = { totalLength: 50000, batch: 5, echoStep: 3 };

/** A fresh series of fair bits and its echo, reshaped into `batch` rows. */
export function echoSeries(rng: Rng, opts: EchoOptions = ECHO_DEFAULTS): EchoSeries {
  const { totalLength, batch, echoStep } = opts;
  expectInt('echoSeries totalLength', totalLength, 1);
  expectInt('echoSeries batch', batch, 1);
  expectInt('echoSeries echoStep', echoStep, 0, totalLength - 1);
  if (totalLength % batch !== 0) {
    throw new InputError(`echoSeries totalLength: expected a multiple of batch ${batch}, received ${totalLength}`);
  }
  const x = new Float64Array(totalLength);
  for (let i = 0; i < totalLength; i++) x[i] = randomBit(rng);
  // The flat roll then zeroing; a row-major reshape of a flat array is the same array.
  const y = new Int32Array(totalLength);
  for (let i = echoStep; i < totalLength; i++) y[i] = x[i - echoStep]!;
  return { x, y, B: batch, N: totalLength / batch };
}

/** Steps [start, start + length) of every row: one truncated-BPTT window, x [B, length, 1], y [B, length]. */
export function echoWindow(series: EchoSeries, start: number, length: number): { x: Float64Array; y: Int32Array } {
  const { B, N } = series;
  expectInt('echoWindow length', length, 1, N);
  expectInt('echoWindow start', start, 0, N - length);
  const x = new Float64Array(B * length);
  const y = new Int32Array(B * length);
  for (let b = 0; b < B; b++) {
    x.set(series.x.subarray(b * N + start, b * N + start + length), b * length);
    y.set(series.y.subarray(b * N + start, b * N + start + length), b * length);
  }
  return { x, y };
}

/** Whole windows of `length` in a row of N steps; the tutorial drops the remainder (10000 / 15 → 666). */
export function windowsPerEpoch(N: number, length: number): number {
  expectInt('windowsPerEpoch N', N, 0);
  expectInt('windowsPerEpoch length', length, 1);
  return Math.floor(N / length);
}

/**
 * Fraction of steps t ≥ fromStep of every row whose arg-max over logits [B, T, 2] is the target
 * y [B, T]. The default 3 (= echoStep) skips the targets that no input of the row determines.
 */
export function echoAccuracy(logits: ArrayLike<number>, y: Int32Array, B: number, T: number, fromStep = 3): number {
  expectInt('echoAccuracy B', B, 1);
  expectInt('echoAccuracy T', T, 1);
  expectInt('echoAccuracy fromStep', fromStep, 0, T - 1);
  expectLength('echoAccuracy logits', logits, [B, T, 2]);
  expectLength('echoAccuracy y', y, [B, T]);
  expectLabels('echoAccuracy y', y, 2);
  let correct = 0;
  for (let b = 0; b < B; b++) {
    for (let t = fromStep; t < T; t++) {
      const i = b * T + t;
      if (argmax(logits, i * 2, 2) === y[i]) correct++;
    }
  }
  return correct / (B * (T - fromStep));
}
