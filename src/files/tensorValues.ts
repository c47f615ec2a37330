/**
 * Between a file's tensors and the arrays the engine computes with, both directions:
 *
 * - reading: floats of any stored width (F16, BF16, F32, F64) widened exactly to float64; integers
 *   (I32, or PyTorch's I64) as an Int32Array, each I64 value range-checked into int32 from its
 *   exact BigInt (a value outside int32 is an error naming the tensor, the value and its position);
 * - writing: float64 values as F32 or F64 tensors, refusing what a reader would refuse. A value
 *   can be finite in float64 and not in float32 (1e39 rounds to Infinity): the writer names the
 *   tensor and the position instead of writing an Infinity that every reader then refuses.
 */
import { InputError } from '../errors.js';
import { describeIndex, expectFinite } from '../checks/elements.js';
import type { StTensor } from './safetensors.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The largest finite float32 (FLT_MAX); from 2^128 − 2^103 on, a magnitude rounds to Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A float tensor's values as float64 (a fresh array, or the reader's own F64 array). */
export function float64Values(t: StTensor): Float64Array {
  return t.data instanceof Float64Array && t.dtype === 'F64' ? t.data : Float64Array.from(t.data);
}

/**
 * An I32 or I64 tensor's values as an Int32Array. I64 values outside int32 are refused, except at
 * positions where `skip(i)` is true (padding that is never read: there any value is accepted, and
 * an out-of-range one is stored clamped to int32).
 */
export function int32Values(where: string, name: string, t: StTensor, skip?: (i: number) => boolean): Int32Array {
  if (t.dtype === 'I32' && t.data instanceof Int32Array) return t.data;
  const exact = t.int64;
  if (t.dtype !== 'I64' || !exact) {
    throw new InputError(`${where}: tensor "${name}" expected dtype I32 or I64, received ${t.dtype}`);
  }
  const out = new Int32Array(exact.length);
  for (let i = 0; i < exact.length; i++) {
    const v = exact[i]!;
    if (v >= INT32_MIN && v <= INT32_MAX) {
      out[i] = Number(v);
    } else if (skip?.(i)) {
      out[i] = v < 0 ? INT32_MIN : INT32_MAX;
    } else {
      throw new InputError(
        `${where}: tensor "${name}" expected I64 values within int32 [${INT32_MIN}, ${INT32_MAX}], received ${v} at ${describeIndex(i, t.shape)}`,
      );
    }
  }
  return out;
}

/**
 * The first integer of an I32 or I64 tensor outside [lo, hiExclusive), compared exactly (an I64
 * value by its BigInt), skipping positions where `skip(i)`; its flat index and its value as text.
 */
export function firstOutOfRange(
  t: StTensor, lo: number, hiExclusive: number, skip?: (i: number) => boolean,
): { index: number; value: string } | null {
  if (t.dtype === 'I64' && t.int64) {
    const a = BigInt(lo), b = BigInt(hiExclusive);
    const v = t.int64;
    for (let i = 0; i < v.length; i++) if ((v[i]! < a || v[i]! >= b) && !skip?.(i)) return { index: i, value: String(v[i]) };
    return null;
  }
  const v = t.data;
  for (let i = 0; i < v.length; i++) if (!(v[i]! >= lo && v[i]! < hiExclusive) && !skip?.(i)) return { index: i, value: String(v[i]) };
  return null;
}

/**
 * Refuse values that are finite in float64 but overflow float32 (|v| rounds to Infinity), naming
 * the tensor and the first such position.
 */
export function expectFloat32Range(where: string, name: string, data: ArrayLike<number>, shape?: readonly number[]): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Math.abs(Math.fround(v)) === Infinity && Number.isFinite(v)) {
      throw new InputError(
        `${where}: tensor "${name}" holds ${v} at ${describeIndex(i, shape)}, outside the float32 range (±${FLOAT32_MAX}): expected values that F32 can hold (or write F64)`,
      );
    }
  }
}

/**
 * A float tensor to write: finite values (as every reader requires), converted to `dtype`; for
 * F32 also within the float32 range.
 */
export function floatTensor(where: string, name: string, data: ArrayLike<number>, shape: number[], dtype: 'F32' | 'F64'): StTensor {
  expectFinite(where, name, data, shape);
  if (dtype === 'F32') {
    expectFloat32Range(where, name, data, shape);
    return { dtype, shape, data: Float32Array.from(data) };
  }
  return { dtype, shape, data: Float64Array.from(data) };
}
