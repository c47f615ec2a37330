/** Scalar activations shared by the step kernels' twins. */
export function sigmoid(x: number): number {
  // Stable for large |x|: never exponentiates a large positive number.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
