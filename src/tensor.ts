/**
 * Tensors at the edge of the library: a plain typed array and a shape, row-major.
 * User sequences are [batch, time, features] (PyTorch batch_first=True).
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * A typed array and its shape, row-major (the last dimension varies fastest). Every entry point
 * checks it before any work: at most 8 non-negative integer dimensions, and exactly their product
 * of elements, else an InputError naming the tensor.
 */
export interface Tensor<A extends ArrayLike<number> = FloatArray | Int32Array> {
  /** The elements, row-major; length = the product of `shape`. */
  data: A;
  /** The dimensions, outermost first, e.g. [B, T, I] for features (README, "Tensor layout"). */
  shape: readonly number[];
}

/** Float data (Float32Array or Float64Array): feature inputs, float targets, states. */
export type FloatTensor = Tensor<FloatArray>;
/** Int32Array data: token ids, class ids, lengths. */
export type IntTensor = Tensor<Int32Array>;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
