/**
 * Checks shared by the file readers and by anything else that takes tensors from a caller
 * (in-memory typed arrays included). Each throws an InputError whose message names where the
 * tensor came from, the tensor, what was expected and what was received, e.g.
 *   batch file b.safetensors: tensor "x" expected shape [7, 50, 1], received [7, 50, 2]
 */
import { InputError } from '../errors.js';
import { shapeString } from '../tensor.js';

/** `[i, j, k]` for a flat row-major index into `shape`, or `index i` when no shape is known. */
export function describeIndex(flat: number, shape?: readonly number[]): string {
  if (!shape || shape.length === 0) return shape ? '[]' : `index ${flat}`;
  const idx = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx[d] = rest % n;
    rest = Math.floor(rest / n);
  }
  return shapeString(idx);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The received shape must equal the expected one, dimension for dimension. */
export function expectShape(
  where: string,
  name: string,
  expected: readonly number[],
  received: readonly number[],
): void {
  if (!sameShape(expected, received)) {
    throw new InputError(
      `${where}: tensor "${name}" expected shape ${shapeString(expected)}, received ${shapeString(received)}`,
    );
  }
}

/** The received shape must equal one of several (e.g. targets [B, T] or [B]). */
export function expectShapeOneOf(
  where: string,
  name: string,
  expected: ReadonlyArray<readonly number[]>,
  received: readonly number[],
): void {
  if (!expected.some((e) => sameShape(e, received))) {
    throw new InputError(
      `${where}: tensor "${name}" expected shape ${expected.map(shapeString).join(' or ')}, received ${shapeString(received)}`,
    );
  }
}

/** The received rank (number of dimensions) must be `rank`; `pattern` shows the meaning, e.g. `[B, T, I]`. */
export function expectRank(
  where: string,
  name: string,
  rank: number,
  pattern: string,
  received: readonly number[],
): void {
  if (received.length !== rank) {
    throw new InputError(
      `${where}: tensor "${name}" expected rank ${rank} ${pattern}, received shape ${shapeString(received)}`,
    );
  }
}

/** The element type must be one of `allowed` (safetensors dtype names, e.g. F32). */
export function expectDType<D extends string>(
  where: string,
  name: string,
  allowed: readonly D[],
  received: string,
): asserts received is D {
  if (!(allowed as readonly string[]).includes(received)) {
    throw new InputError(
      `${where}: tensor "${name}" expected dtype ${allowed.join(' or ')}, received ${received}`,
    );
  }
}

/** The data must hold exactly the number of elements its shape says. */
export function expectLength(
  where: string,
  name: string,
  shape: readonly number[],
  data: ArrayLike<number>,
): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (data.length !== n) {
    throw new InputError(
      `${where}: tensor "${name}" of shape ${shapeString(shape)} expected ${n} elements, received ${data.length}`,
    );
  }
}

/** Every value finite: a NaN or ±Infinity is reported with its position. */
export function expectFinite(
  where: string,
  name: string,
  data: ArrayLike<number>,
  shape?: readonly number[],
): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is 0 for every finite number and NaN for NaN and ±Infinity.
    if (v - v !== 0) {
      throw new InputError(
        `${where}: tensor "${name}" expected finite values, received ${v} at ${describeIndex(i, shape)}`,
      );
    }
  }
}

/** Every value an integer in [lo, hiExclusive), e.g. class ids in [0, C). */
export function expectIntRange(
  where: string,
  name: string,
  data: ArrayLike<number>,
  lo: number,
  hiExclusive: number,
  shape?: readonly number[],
  what = 'values',
): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(Number.isInteger(v) && v >= lo && v < hiExclusive)) {
      throw new InputError(
        `${where}: tensor "${name}" expected ${what} in [${lo}, ${hiExclusive}), received ${v} at ${describeIndex(i, shape)}`,
      );
    }
  }
}

/** Every value in the closed interval [lo, hi] (NaN fails), e.g. probabilities in [0, 1]. */
export function expectInRange(
  where: string,
  name: string,
  data: ArrayLike<number>,
  lo: number,
  hi: number,
  shape?: readonly number[],
  what = 'values',
): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= lo && v <= hi)) {
      throw new InputError(
        `${where}: tensor "${name}" expected ${what} in [${lo}, ${hi}], received ${v} at ${describeIndex(i, shape)}`,
      );
    }
  }
}
