/**
 * CPU twin of shaders/splitk_reduce.wgsl: a split-K product's partials [splits, M, N+1] added up,
 * in order s, into C (c[cOffset + i·ldc + j], + the old value when accumulating) and the row sums
 * (column N) into c[rowSumOffset + i] (and c[rowSumOffset2 + i] when rowSum = 2).
 */
export function splitkReduce(partials: ArrayLike<number>, c: Float64Array, u: {
  M: number; N: number; ldc: number; cOffset: number; accumulate: number; splits: number; rowSum: number; rowSumOffset: number; rowSumOffset2: number;
}): void {
  const W = u.N + 1;
  for (let i = 0; i < u.M; i++) {
    for (let j = 0; j < W; j++) {
      let s = 0;
      for (let k = 0; k < u.splits; k++) s += partials[(k * u.M + i) * W + j]!;
      if (j < u.N) {
        const ci = u.cOffset + i * u.ldc + j;
        c[ci] = (u.accumulate ? c[ci]! : 0) + s;
      } else if (u.rowSum) {
        c[u.rowSumOffset + i] = s;
        if (u.rowSum === 2) c[u.rowSumOffset2 + i] = s;
      }
    }
  }
}
