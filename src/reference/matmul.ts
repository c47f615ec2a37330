/**
 * CPU twin of shaders/matmul.wgsl, in float64.
 *
 *   C[M, N] = op(A)[M, K] · op(B)[K, N]  (+ bias[N])  (+ C when accumulate)
 *
 * op(A) = A stored row-major [M, K], or with transA the transpose of A stored [K, M];
 * op(B) = B stored [K, N], or with transB the transpose of B stored [N, K].
 * The engine uses the four forms: Gx = X·W_ihᵀ + b (transB), dW = dGᵀ·X (transA), dX = dG·W (none),
 * logits = F·W_headᵀ + b (transB).
 */
export interface MatmulArgs {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  bias?: ArrayLike<number> | null;
  accumulate?: boolean;
}

export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, c: Float64Array, args: MatmulArgs): void {
  const { M, N, K } = args;
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  if (!args.accumulate) c.fill(0, 0, M * N);
  if (!transB) {
    // Row i of C accumulates a(i,k) · row k of B: the inner loop runs over contiguous memory.
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const aik = transA ? a[k * M + i]! : a[i * K + k]!;
        if (aik === 0) continue;
        const bk = k * N;
        for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j]!;
      }
    }
  } else {
    // C[i,j] = Σ_k a(i,k) · B[j,k]: a dot product of two rows when A is not transposed.
    if (!transA) {
      for (let i = 0; i < M; i++) {
        const ai = i * K;
        const ci = i * N;
        for (let j = 0; j < N; j++) {
          const bj = j * K;
          let s = 0;
          for (let k = 0; k < K; k++) s += a[ai + k]! * b[bj + k]!;
          c[ci + j] += s;
        }
      }
    } else {
      for (let i = 0; i < M; i++) {
        const ci = i * N;
        for (let j = 0; j < N; j++) {
          const bj = j * K;
          let s = 0;
          for (let k = 0; k < K; k++) s += a[k * M + i]! * b[bj + k]!;
          c[ci + j] += s;
        }
      }
    }
  }
  if (args.bias) {
    const bias = args.bias;
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let j = 0; j < N; j++) c[ci + j] += bias[j]!;
    }
  }
}
