/**
 * CPU twin of shaders/matmul_small.wgsl: the same product as matmul.wgsl (src/reference/matmul.ts:
 * the same addressing, bias and row sums), optionally over one split of K per partial, whose tile
 * and row sums go to a [splits, M, N+1] buffer for splitk_reduce.wgsl to add up.
 *
 *   splits = 1: exactly matmul(a, b, c, args).
 *   splits > 1: for split s, k ∈ [s·kChunk, min(K, (s+1)·kChunk)):
 *     partials[(s·M + i)·(N+1) + j] = Σ_k op(A)[i, k]·op(B)[k, j],  partials[(s·M + i)·(N+1) + N] = Σ_k op(A)[i, k]
 */
import { matmul, type MatmulArgs } from './matmul.js';

export function matmulSmall(a: ArrayLike<number>, b: ArrayLike<number>, c: Float64Array, args: MatmulArgs & { splits?: number; kChunk?: number }): void {
  const splits = args.splits ?? 1;
  if (splits <= 1) {
    matmul(a, b, c, args);
    return;
  }
  const { M, N, K } = args;
  const chunk = args.kChunk ?? Math.ceil(K / splits);
  const { opA, opB } = operands(a, b, args);
  const W = N + 1;
  for (let s = 0; s < splits; s++) {
    const k0 = Math.min(K, s * chunk), k1 = Math.min(K, k0 + chunk);
    for (let i = 0; i < M; i++) {
      const base = (args.cOffset ?? 0) + (s * M + i) * W;
      let rs = 0;
      for (let k = k0; k < k1; k++) rs += opA[i * K + k]!;
      c[base + N] = rs;
      for (let j = 0; j < N; j++) {
        let v = 0;
        for (let k = k0; k < k1; k++) v += opA[i * K + k]! * opB[k * N + j]!;
        c[base + j] = v;
      }
    }
  }
}

/** op(A) [M, K] and op(B) [K, N] as dense row-major arrays, by matmul's addressing (docs/kernels.md). */
function operands(a: ArrayLike<number>, b: ArrayLike<number>, args: MatmulArgs): { opA: Float64Array; opB: Float64Array } {
  const { M, N, K } = args;
  // Multiplying by identities reuses matmul's own addressing (offsets, leading dimensions, permutations).
  const eye = (n: number) => { const e = new Float64Array(n * n); for (let i = 0; i < n; i++) e[i * n + i] = 1; return e; };
  const opA = new Float64Array(M * K), opB = new Float64Array(K * N);
  matmul(a, eye(K), opA, { ...args, N: K, ldb: K, bOffset: 0, transB: false, permB: false, cOffset: 0, ldc: K, accumulate: false, bias: null, biasLen: 0, bias2Len: 0, rowSumOffset: undefined, rowSumOffset2: undefined });
  matmul(eye(K), b, opB, { ...args, M: K, lda: K, aOffset: 0, transA: false, permA: false, cOffset: 0, ldc: N, accumulate: false, bias: null, biasLen: 0, bias2Len: 0, rowSumOffset: undefined, rowSumOffset2: undefined });
  return { opA, opB };
}
