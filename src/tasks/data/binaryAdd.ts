/**
 * Data and metric of task `binary-add` (SEEDS.md, seed 003): pairs of random integers a, b in
 * [0, maxExclusive), written in `bits` binary digits LEAST significant bit first. Step k reads
 * (bit k of a, bit k of b) and its target is bit k of a + b, so the carry flows forward in time.
 * Layout: x [n, bits, 2], y [n, bits, 1], batch-first and row-major.
 */
import { InputError } from '../../errors.js';
import type { Rng } from '../../rng.js';
import { expectInt, expectLength } from './checks.js';

export interface BinaryAddOptions {
  bits: number;
  maxExclusive: number;
}

export interface BinaryAddData {
  /** [n, bits, 2]: (bit k of a, bit k of b) at step k. */
  x: Float64Array;
  /** [n, bits, 1]: bit k of a + b at step k. */
  y: Float64Array;
  a: Int32Array;
  b: Int32Array;
}

export const BINARY_ADD_DEFAULTS: BinaryAddOptions = { bits: 7, maxExclusive: 64 };

/** Bit k (k = 0 least significant) of a non-negative integer. */
function bitOf(v: number, k: number): number {
  return (v >>> k) & 1;
}

/** n random sums; a then b drawn for each sample in turn. */
export function binaryAddData(rng: Rng, n: number, opts: BinaryAddOptions = BINARY_ADD_DEFAULTS): BinaryAddData {
  const { bits, maxExclusive } = opts;
  expectInt('binaryAddData n', n, 1);
  expectInt('binaryAddData bits', bits, 1, 30);
  expectInt('binaryAddData maxExclusive', maxExclusive, 1);
  // The largest sum, 2·(maxExclusive − 1), must fit in `bits` digits or its top bit is lost.
  if (2 * (maxExclusive - 1) >= 2 ** bits) {
    throw new InputError(`binaryAddData maxExclusive: expected sums below 2^${bits} (maxExclusive ≤ ${2 ** (bits - 1)}), received ${maxExclusive}`);
  }
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const x = new Float64Array(n * bits * 2);
  const y = new Float64Array(n * bits);
  for (let s = 0; s < n; s++) {
    const av = rng.int(maxExclusive);
    const bv = rng.int(maxExclusive);
    a[s] = av;
    b[s] = bv;
    for (let k = 0; k < bits; k++) {
      x[(s * bits + k) * 2] = bitOf(av, k);
      x[(s * bits + k) * 2 + 1] = bitOf(bv, k);
      y[s * bits + k] = bitOf(av + bv, k);
    }
  }
  return { x, y, a, b };
}

/** The integer whose bit k (least significant first) is set where logits [bits] at `offset` are > 0. */
export function decodeBits(logits: ArrayLike<number>, offset: number, bits: number): number {
  let v = 0;
  for (let k = 0; k < bits; k++) if (logits[offset + k]! > 0) v += 2 ** k;
  return v;
}

/**
 * Fraction of samples whose every predicted bit (logit > 0, i.e. sigmoid > 0.5) matches a + b:
 * a sum counts only when it is entirely right. logits [n, bits, 1].
 */
export function binaryAddAccuracy(logits: ArrayLike<number>, a: Int32Array, b: Int32Array, n: number, bits: number): number {
  expectInt('binaryAddAccuracy n', n, 1);
  expectInt('binaryAddAccuracy bits', bits, 1, 30);
  expectLength('binaryAddAccuracy logits', logits, [n, bits, 1]);
  expectLength('binaryAddAccuracy a', a, [n]);
  expectLength('binaryAddAccuracy b', b, [n]);
  const mask = 2 ** bits;
  let correct = 0;
  for (let s = 0; s < n; s++) if (decodeBits(logits, s * bits, bits) === (a[s]! + b[s]!) % mask) correct++;
  return correct / n;
}
