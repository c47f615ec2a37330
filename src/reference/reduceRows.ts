/**
 * CPU twin of shaders/reduce_rows.wgsl: out[j] (+)= Σ_i a[i, j] for a row-major [rows, cols] matrix.
 * Bias gradients are the column sums of the gate gradients over every (t, b) row.
 */
export function reduceRows(a: ArrayLike<number>, out: Float64Array, rows: number, cols: number, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const ai = i * cols;
    for (let j = 0; j < cols; j++) out[j] += a[ai + j]!;
  }
}
