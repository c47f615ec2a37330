/** Mini-batching of a fixed data set: shuffled index batches and row gathers (row-major). */
import type { Rng } from '../../rng.js';
import { InputError } from '../../errors.js';
import { expectInt } from './checks.js';

/**
 * One epoch: a fresh permutation of 0 … n−1 cut into ceil(n / batchSize) batches in order; the
 * last batch is smaller when batchSize does not divide n (1800 / 64 → 28 of 64 and one of 8).
 */
export function shuffledBatches(rng: Rng, n: number, batchSize: number): Int32Array[] {
  expectInt('shuffledBatches n', n, 1);
  expectInt('shuffledBatches batchSize', batchSize, 1);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const batches: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) batches.push(order.slice(s, Math.min(n, s + batchSize)));
  return batches;
}

/** Rows idx[0], idx[1], … of x viewed as [rows, rowSize], stacked into [idx.length, rowSize]. */
export function gatherRows(x: Float64Array, rowSize: number, idx: Int32Array): Float64Array;
export function gatherRows(x: Int32Array, rowSize: number, idx: Int32Array): Int32Array;
export function gatherRows(x: Float64Array | Int32Array, rowSize: number, idx: Int32Array): Float64Array | Int32Array {
  expectInt('gatherRows rowSize', rowSize, 1);
  if (x.length % rowSize !== 0) {
    throw new InputError(`gatherRows x: expected a multiple of rowSize ${rowSize} elements, received ${x.length}`);
  }
  const rows = x.length / rowSize;
  const out = x instanceof Float64Array ? new Float64Array(idx.length * rowSize) : new Int32Array(idx.length * rowSize);
  for (let k = 0; k < idx.length; k++) {
    const r = idx[k]!;
    if (r < 0 || r >= rows) throw new InputError(`gatherRows idx: expected row indices in [0, ${rows - 1}], received ${r} at ${k}`);
    out.set(x.subarray(r * rowSize, (r + 1) * rowSize), k * rowSize);
  }
  return out;
}

/** Labels y[idx[0]], y[idx[1]], …: gatherRows with rows of one. */
export function gatherLabels(y: Int32Array, idx: Int32Array): Int32Array {
  return gatherRows(y, 1, idx);
}
