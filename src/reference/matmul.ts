/**
 * CPU twin of shaders/matmul.wgsl, in float64.
 *
 *   C[M, N] = (accumulate ? C : 0) + op(A)[M, K] · op(B)[K, N]  (+ bias)
 *
 * op(A) = A stored row-major [M, K], or with transA the transpose of A stored [K, M];
 * op(B) = B stored [K, N], or with transB the transpose of B stored [N, K].
 * The engine uses the four forms: Gx = X·W_ihᵀ + b (transB), dW = dGᵀ·X (transA), dX = dG·W (none),
 * logits = F·W_headᵀ + b (transB).
 *
 * The optional fields give the kernel's full addressing (docs/kernels.md, "matmul"):
 *   op(A)[i, k] = transA ? a[aOffset + rowA(k)·lda + i] : a[aOffset + rowA(i)·lda + k]
 *   op(B)[k, j] = transB ? b[bOffset + rowB(j)·ldb + k] : b[bOffset + rowB(k)·ldb + j]
 *   rowX(r)     = permX ? (r % permBatch)·permTime + ⌊r / permBatch⌋ : r
 *   C[i, j]     = c[cOffset + i·ldc + j]
 * Defaults: dense operands (lda = transA ? M : K, ldb = transB ? K : N, ldc = N), offsets 0, no
 * permutation. Only the M×N block of c is written.
 *
 * Row sums (rowSumOffset, rowSumOffset2): S[i] = Σ_k op(A)[i, k] written into c as well — the
 * bias gradient Σ_rows dG beside the weight gradient dGᵀ·X, in one kernel.
 *
 * Bias: `bias[biasOffset + j]` is added for j < biasLen and `bias[bias2Offset + j]` for
 * j < bias2Len. With neither length given, a bias array is the simple form: N values added to
 * every row (biasLen = N, biasOffset = 0).
 */
export interface MatmulArgs {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  bias?: ArrayLike<number> | null;
  accumulate?: boolean;
  lda?: number;
  ldb?: number;
  ldc?: number;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  biasOffset?: number;
  /** Columns that get bias[biasOffset + j]: N (default when bias is given) or 0. */
  biasLen?: number;
  bias2Offset?: number;
  /** Columns j < bias2Len also get bias[bias2Offset + j] (default 0). */
  bias2Len?: number;
  /** B of a batch-first [B, T, ·] operand read as time-major rows t·B + b. */
  permBatch?: number;
  /** T of that operand. */
  permTime?: number;
  permA?: boolean;
  permB?: boolean;
  /**
   * Also write the row sums of op(A), S[i] = Σ_k op(A)[i, k], to c[rowSumOffset + i] (and to
   * c[rowSumOffset2 + i] when given): a bias gradient folded into its weight gradient's matmul.
   */
  rowSumOffset?: number;
  rowSumOffset2?: number;
}

export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, c: Float64Array, args: MatmulArgs): void {
  const { M, N, K } = args;
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const lda = args.lda ?? (transA ? M : K);
  const ldb = args.ldb ?? (transB ? K : N);
  const ldc = args.ldc ?? N;
  const aOffset = args.aOffset ?? 0, bOffset = args.bOffset ?? 0, cOffset = args.cOffset ?? 0;
  const bias = args.bias ?? null;
  const biasLen = args.biasLen ?? (bias ? N : 0);
  const biasOffset = args.biasOffset ?? 0;
  const bias2Len = args.bias2Len ?? 0;
  const bias2Offset = args.bias2Offset ?? 0;
  if ((biasLen > 0 || bias2Len > 0) && !bias) throw new RangeError('matmul: biasLen or bias2Len > 0 needs a bias array');
  const permBatch = args.permBatch ?? 0, permTime = args.permTime ?? 0;
  const storedRow = (r: number, perm: boolean): number => (perm ? (r % permBatch) * permTime + Math.floor(r / permBatch) : r);

  // Element offsets: op(A)[i, k] = a[aRow[i] + aCol[k]] and op(B)[k, j] = b[bRow[k] + bCol[j]]
  // (bCol[j] = j without transB, bRow[k] = k with it).
  const aRow = new Float64Array(M), aCol = new Float64Array(K);
  const bRow = new Float64Array(K), bCol = new Float64Array(N);
  const permA = args.permA ?? false, permB = args.permB ?? false;
  for (let i = 0; i < M; i++) aRow[i] = transA ? i : aOffset + storedRow(i, permA) * lda;
  for (let k = 0; k < K; k++) aCol[k] = transA ? aOffset + storedRow(k, permA) * lda : k;
  for (let k = 0; k < K; k++) bRow[k] = transB ? k : bOffset + storedRow(k, permB) * ldb;
  for (let j = 0; j < N; j++) bCol[j] = transB ? bOffset + storedRow(j, permB) * ldb : j;

  // Row i of the product, in float64, from row i of op(A) gathered into aRowI.
  const aRowI = new Float64Array(K);
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) aRowI[k] = a[aRow[i]! + aCol[k]!]!;
    if (args.rowSumOffset !== undefined) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += aRowI[k]!;
      c[args.rowSumOffset + i] = sum;
      if (args.rowSumOffset2 !== undefined) c[args.rowSumOffset2 + i] = sum;
    }
    if (!transB) {
      // row = Σ_k op(A)[i, k] · (stored row k of B): the inner loop runs along a row of B.
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const aik = aRowI[k]!;
        const bk = bRow[k]!;
        for (let j = 0; j < N; j++) row[j] += aik * b[bk + j]!;
      }
    } else {
      // row[j] = op(A)[i, ·] · (stored row j of B), a dot product along a row of B.
      for (let j = 0; j < N; j++) {
        const bj = bCol[j]!;
        let s = 0;
        for (let k = 0; k < K; k++) s += aRowI[k]! * b[bj + k]!;
        row[j] = s;
      }
    }
    const ci = cOffset + i * ldc;
    for (let j = 0; j < N; j++) {
      let v = row[j]!;
      if (j < biasLen) v += bias![biasOffset + j]!;
      if (j < bias2Len) v += bias![bias2Offset + j]!;
      c[ci + j] = args.accumulate ? c[ci + j]! + v : v;
    }
  }
}
