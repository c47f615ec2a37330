/**
 * Tensors at the edge of the library: a plain typed array and a shape, row-major.
 * User sequences are [batch, time, features] (PyTorch batch_first=True).
 */
export type FloatArray = Float32Array | Float64Array;

export interface Tensor<A extends ArrayLike<number> = FloatArray | Int32Array> {
  data: A;
  shape: readonly number[];
}

export type FloatTensor = Tensor<FloatArray>;
export type IntTensor = Tensor<Int32Array>;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
