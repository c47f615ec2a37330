/**
 * Argument checks and the arg-max shared by the example tasks' data and metrics. Every message
 * names the argument, what was expected and what was received (DESIGN.md section 5).
 */
import { InputError } from '../../errors.js';

/** `value` is an integer in [min, max]. */
export function expectInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new InputError(`${name}: expected ${range}, received ${String(value)}`);
  }
}

/** A flat array holds exactly the elements of `shape` (row-major). */
export function expectLength(name: string, a: ArrayLike<number>, shape: readonly number[]): void {
  const n = shape.reduce((p, d) => p * d, 1);
  if (a.length !== n) {
    throw new InputError(`${name}: expected ${n} elements (shape [${shape.join(', ')}]), received ${a.length}`);
  }
}

/** Index of the largest of `a[offset .. offset+n)`; the first one wins a tie. */
export function argmax(a: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = a[offset]!;
  for (let k = 1; k < n; k++) {
    const v = a[offset + k]!;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/** One fair bit: the top bit of a uniform 32-bit word (p = 0.5 exactly). */
export function randomBit(rng: { nextU32(): number }): number {
  return rng.nextU32() >>> 31;
}

/** Every class id in [0, classes). */
export function expectLabels(name: string, y: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new InputError(`${name}: expected class ids in [0, ${classes - 1}], received ${v} at flat index ${i}`);
    }
  }
}
