/**
 * The cases of matmul.wgsl's addressing, shared by its tests and matmul_small's (the two kernels
 * read the same uniforms): a case's fields, and its operands laid out with offsets, leading
 * dimensions, bias/bias2 and row-sum slots, with the twin's arguments and the kernel's uniforms.
 */
import type { MatmulArgs } from '../../src/reference/matmul.js';
import type { Rng } from '../../src/rng.js';
import { randomF32 } from './harness.js';

export const SIZES = [1, 3, 7, 13, 33, 65, 130];

/** One product C (+)= op(A)·op(B) (+ bias) as stored in buffers. */
export interface MatmulCase {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  /** Extra elements per stored row beyond the operand's width. */
  padA: number;
  padB: number;
  padC: number;
  aOffset: number;
  bOffset: number;
  cOffset: number;
  bias: 'none' | 'bias' | 'bias+bias2' | 'bias2';
  accumulate: boolean;
  /** Which operand is read batch-first, with its (B, T). */
  perm: null | { on: 'A' | 'B'; B: number; T: number };
  /** 0: no row sums; 1: S at rowSumOffset; 2: also at rowSumOffset2. */
  rowSum: 0 | 1 | 2;
}

/**
 * A case's operands, drawn from `rng` in a fixed order (row-sum gaps, A, B, bias offsets, bias),
 * and what the twin and the kernel take. C itself (poisoned or random) is the caller's.
 */
export function matmulOperands(c: MatmulCase, rng: Rng) {
  const { M, N, K, transA, transB } = c;
  // Stored shapes: A is [M, K] or [K, M] (transA), B is [K, N] or [N, K] (transB); K may be 0.
  const aRows = transA ? K : M, aCols = transA ? M : K;
  const bRows = transB ? N : K, bCols = transB ? K : N;
  const lda = aCols + c.padA, ldb = bCols + c.padB, ldc = N + c.padC;
  const aLen = c.aOffset + Math.max(0, aRows - 1) * lda + aCols;
  const bLen = c.bOffset + Math.max(0, bRows - 1) * ldb + bCols;
  const blockEnd = c.cOffset + (M - 1) * ldc + N;
  // Row sums after the block (with a gap), each copy M long.
  const rowSumOffset = c.rowSum ? blockEnd + 1 + rng.int(3) : 0;
  const rowSumOffset2 = c.rowSum === 2 ? rowSumOffset + M + rng.int(3) : 0;
  const cLen = (c.rowSum === 2 ? rowSumOffset2 + M : c.rowSum ? rowSumOffset + M : blockEnd) + 5; // 5 trailing elements that must stay untouched
  const a = randomF32(rng, Math.max(aLen, 1)), b = randomF32(rng, Math.max(bLen, 1));
  // Bias buffer: bias at biasOffset (N values), bias2 at bias2Offset (bias2Len values).
  const biasLen = c.bias === 'bias' || c.bias === 'bias+bias2' ? N : 0;
  const bias2Len = c.bias === 'bias+bias2' || c.bias === 'bias2' ? Math.max(1, Math.floor((2 * N) / 3)) : 0;
  const biasOffset = c.bias === 'none' ? 0 : 1 + rng.int(5);
  const bias2Offset = biasOffset + biasLen + rng.int(4);
  const bias = randomF32(rng, bias2Offset + bias2Len + 2);
  const args: Required<Omit<MatmulArgs, 'bias' | 'rowSumOffset' | 'rowSumOffset2'>> = {
    M, N, K, transA, transB, accumulate: c.accumulate, lda, ldb, ldc,
    aOffset: c.aOffset, bOffset: c.bOffset, cOffset: c.cOffset,
    biasOffset, biasLen, bias2Offset, bias2Len,
    permBatch: c.perm?.B ?? 0, permTime: c.perm?.T ?? 0, permA: c.perm?.on === 'A', permB: c.perm?.on === 'B',
  };
  const uniforms: Record<string, number> = { rowSum: c.rowSum, rowSumOffset, rowSumOffset2 };
  for (const [k, v] of Object.entries(args)) uniforms[k] = typeof v === 'boolean' ? Number(v) : v;
  const twinArgs: MatmulArgs = { ...args, bias, ...(c.rowSum ? { rowSumOffset } : {}), ...(c.rowSum === 2 ? { rowSumOffset2 } : {}) };
  return { a, b, bias, ldc, cLen, rowSumOffset, rowSumOffset2, uniforms, twinArgs };
}
