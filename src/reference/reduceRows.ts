/**
 * CPU twin of shaders/reduce_rows.wgsl, in float64:
 *
 *   out[outOffset + j] = (accumulate ? out[outOffset + j] : 0) + Σ_{i<rows} a[aOffset + i·lda + j],  j < cols
 *
 * Bias gradients are the column sums of the gate gradients over every (t, b) row. Defaults: a dense
 * [rows, cols] matrix (lda = cols), offsets 0.
 */
export interface ReduceRowsLayout {
  lda?: number;
  aOffset?: number;
  outOffset?: number;
}

export function reduceRows(a: ArrayLike<number>, out: Float64Array, rows: number, cols: number, accumulate = false, layout: ReduceRowsLayout = {}): void {
  const lda = layout.lda ?? cols;
  const aOffset = layout.aOffset ?? 0;
  const outOffset = layout.outOffset ?? 0;
  const sum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const ai = aOffset + i * lda;
    for (let j = 0; j < cols; j++) sum[j] += a[ai + j]!;
  }
  for (let j = 0; j < cols; j++) out[outOffset + j] = (accumulate ? out[outOffset + j]! : 0) + sum[j]!;
}
