/**
 * shaders/matmul_small.wgsl and shaders/splitk_reduce.wgsl against their float64 twins
 * (src/reference/matmulSmall.ts — with splits = 1 exactly `matmul` — and splitkReduce.ts), and the
 * two-dispatch split-K sequence against `matmul` itself.
 *
 * matmul_small has matmul.wgsl's addressing: cases as matmul.test.ts's (seeded): M, N, K from
 * {1, 3, 7, 13, 33, 65, 130} and a few larger or prime (300, 521, 91), all four transpose forms,
 * element offsets into a, b, bias and c, leading dimensions wider than the operand, the batch-first
 * permutation on A or B on either side of a transpose, bias and bias2, accumulate (initial C random)
 * or not (C NaN-poisoned), row sums written once or twice (rowSum 1, 2), K = 0, and several
 * workgroup sizes (the linear tile index: tile = workgroup_id.x·WG + local id).
 *
 * Split K (workgroup_id.y = split s takes k ∈ [s·kChunk, min(K, (s+1)·kChunk))):
 *   - matmul_small alone with splits > 1: each split's partial tile and its row sums (column N) at
 *     partialOffset + (s·M + i)·(N+1) + j against the twin's, normwise per split; a split whose
 *     chunk starts past K (an empty split) exactly 0; bias, accumulate and rowSum set, and ignored;
 *     K ranges that start mid-batch under permA / permB (K = permBatch·permTime, a chunk that is not a
 *     multiple of permBatch), a short last split, an empty one;
 *   - split → reduce, two dispatches in one submit (the engine's sequence: the partials in a scratch
 *     buffer, splitk_reduce adding them into C and the row sums), against matmul directly;
 *   - splitk_reduce alone against splitkReduce on random partials, on a 1-D and a 2-D grid.
 * Every element of c (and of the scratch buffer) outside what a dispatch writes must come back bit
 * for bit as it went in.
 *
 * Tolerance: normwise, ‖C_gpu − C_ref‖ / max(‖C_ref‖, ‖size‖) ≤ 2·√K'·u, size = √(Σ term²) per
 * element (test/kernels/tolerances.ts, MATMUL_SMALL: K' per mode, why, and the worst measured); an
 * empty sum exactly 0. KERNEL_TOL_REPORT=1 prints the worst error / bound of each check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { normwiseError } from '../../src/compare.js';
import { matmul } from '../../src/reference/matmul.js';
import { matmulSmall } from '../../src/reference/matmulSmall.js';
import { splitkReduce } from '../../src/reference/splitkReduce.js';
import { Rng } from '../../src/rng.js';
import { flatWorkgroups } from '../../src/webgpu/kernels/grids.js';
import { SPLIT_K_CHUNK, splitsFor } from '../../src/webgpu/engine/planSpec.js';
import { randomF32, runKernel, runKernelSequence } from './harness.js';
import { matmulOperands, SIZES, type MatmulCase } from './matmulCase.js';
import { matmulSmallBound, TolReport } from './tolerances.js';

const report = new TolReport('matmul_small / splitk_reduce');
afterAll(() => report.print());

/** A matmul case, and how matmul_small splits its K. */
interface Case extends MatmulCase {
  /** 1: one dispatch writes C; > 1: partials (alone) or partials + splitk_reduce (sequence). */
  splits: number;
  /** K per split (default ceil(K / splits), as the engine). */
  kChunk?: number;
  WG?: number;
}

/** Operands, bias, c and the twin's arguments of one case, with matmul_small's split uniforms. */
function setup(c: Case, rng: Rng) {
  const s = matmulOperands(c, rng);
  const kChunk = c.kChunk ?? Math.ceil(c.K / c.splits);
  const uniforms = { ...s.uniforms, splits: c.splits, kChunk: c.splits === 1 ? c.K : kChunk, partialOffset: 0 };
  return { ...s, kChunk, uniforms };
}

const smallGroups = (M: number, N: number, splits: number, WG = 64): [number, number] =>
  [Math.max(1, Math.ceil((Math.ceil(M / 4) * Math.ceil(N / 4)) / WG)), splits];
const describeCase = (c: Case, seed: number): string => `seed ${seed}, case ${JSON.stringify(c)}`;

/**
 * The size of each result's terms, √(Σ term²), laid out as the result: the twin run on the
 * squares of every input (products a²·b², bias², old C²). A sum of random-sign terms has partial
 * sums of about this size, so its rounding errors are relative to it, not to a result that cancels
 * (a single row sum of 27 terms was drawn as 0.338 where its terms' size is 3).
 */
const squares = (x: ArrayLike<number>): Float64Array => Float64Array.from(x, (v) => v * v);
const sqrtAll = (x: Float64Array): Float64Array => x.map(Math.sqrt);

/**
 * Normwise check of got[idx] vs ref[idx] over the index list, noted under key:
 * ‖got − ref‖₂ / max(‖ref‖₂, ‖size‖₂) ≤ bound.
 */
function checkNormwise(problems: string[], key: string, got: Float32Array, ref: Float64Array, idx: number[], bound: number, where: string, size: Float64Array): void {
  const g = idx.map((i) => got[i]!), r = idx.map((i) => ref[i]!);
  if (r.some((v) => !Number.isFinite(v))) throw new Error(`${key}: the twin's result is not finite (${where}): a case addressing outside its operands`);
  const bad = g.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) { problems.push(`${key}: element ${idx[bad]} = ${g[bad]} (ref ${r[bad]}): not written, or not finite`); report.note(key, Infinity, where); return; }
  if (r.every((v) => v === 0)) {
    // An empty product: exactly zero (a K = 0 sum, an empty split).
    const nz = g.findIndex((v) => !Object.is(v, 0));
    if (nz >= 0) problems.push(`${key}: element ${idx[nz]} = ${g[nz]}, expected exactly 0 (an empty sum)`);
    return;
  }
  const sz = idx.map((i) => size[i]!);
  const e = normwiseError(g, r) * Math.min(1, norm(r) / Math.max(norm(sz), 1e-300));
  report.note(key, e / bound, where);
  if (!(e <= bound)) {
    const firsts = g.map((v, n) => [idx[n]!, v, r[n]!] as const).filter(([, v, x]) => Math.abs(v - x) > bound * Math.max(1, Math.abs(x))).slice(0, 4);
    problems.push(`${key}: normwise error ${e.toExponential(3)} > ${bound.toExponential(3)}; first mismatches [index, gpu, ref]: ${JSON.stringify(firsts)}`);
  }
}

const norm = (x: number[]): number => Math.sqrt(x.reduce((t, v) => t + v * v, 0));

/** Every element with !written[i] bit-identical to init. */
function checkUntouched(problems: string[], what: string, got: Float32Array, init: Float32Array, written: Uint8Array): void {
  const a = new Uint32Array(init.buffer, init.byteOffset, init.length), b = new Uint32Array(got.buffer, got.byteOffset, got.length);
  for (let i = 0; i < init.length; i++) {
    if (!written[i] && a[i] !== b[i]) { problems.push(`${what}[${i}], outside what the dispatch writes, changed: ${init[i]} → ${got[i]}`); return; }
  }
}

/** The C block and row sums of a case: their indices, and the written mask. */
function blockIndices(c: Case, ldc: number, cLen: number, rowSumOffset: number, rowSumOffset2: number) {
  const block: number[] = [], sums1: number[] = [], sums2: number[] = [];
  const written = new Uint8Array(cLen);
  for (let i = 0; i < c.M; i++) for (let j = 0; j < c.N; j++) block.push(c.cOffset + i * ldc + j);
  if (c.rowSum) for (let i = 0; i < c.M; i++) sums1.push(rowSumOffset + i);
  if (c.rowSum === 2) for (let i = 0; i < c.M; i++) sums2.push(rowSumOffset2 + i);
  for (const i of [...block, ...sums1, ...sums2]) written[i] = 1;
  return { block, sums1, sums2, written };
}

/** splits = 1: one matmul_small dispatch writes C (and the row sums), against matmul. */
async function oneDispatch(c: Case, seed: number): Promise<string | null> {
  const rng = new Rng(seed);
  const s = setup(c, rng);
  const cInit = c.accumulate ? randomF32(rng, s.cLen) : new Float32Array(s.cLen).fill(Number.NaN);
  const ref = Float64Array.from(cInit);
  matmulSmall(s.a, s.b, ref, { ...s.twinArgs, splits: 1 });
  const size = Float64Array.from(cInit, (v) => (c.accumulate ? v * v : 0));
  matmulSmall(squares(s.a), squares(s.b), size, { ...s.twinArgs, bias: squares(s.bias), splits: 1 });
  const sz = sqrtAll(size);
  const out = await runKernel('matmul_small', {
    overrides: c.WG ? { WG: c.WG } : {}, uniforms: s.uniforms,
    buffers: { a: s.a, b: s.b, bias: s.bias, c: { output: s.cLen, init: cInit } }, workgroups: smallGroups(c.M, c.N, 1, c.WG),
  });
  const problems: string[] = [];
  const where = `seed ${seed}`;
  const { block, sums1, sums2, written } = blockIndices(c, s.ldc, s.cLen, s.rowSumOffset, s.rowSumOffset2);
  const bound = matmulSmallBound(c.K);
  checkNormwise(problems, 'splits 1: C (normwise)', out.c!, ref, block, bound, where, sz);
  if (sums1.length) checkNormwise(problems, 'splits 1: row sums (normwise)', out.c!, ref, sums1, bound, where, sz);
  if (sums2.length) checkNormwise(problems, 'splits 1: row sums (normwise)', out.c!, ref, sums2, bound, where, sz);
  checkUntouched(problems, 'c', out.c!, cInit, written);
  return problems.length ? `${describeCase(c, seed)}:\n  ${problems.join('\n  ')}` : null;
}

/** Where split s's row i starts in the partials, and its K range. */
function splitRange(c: Case, kChunk: number, sIdx: number): [number, number] {
  const k0 = Math.min(c.K, sIdx * kChunk);
  return [k0, Math.min(c.K, k0 + kChunk)];
}

/** splits > 1, matmul_small alone: the partial tiles and row sums of every split, against matmulSmall's. */
async function partialsAlone(c: Case, seed: number): Promise<string | null> {
  const rng = new Rng(seed);
  const s = setup(c, rng);
  const { M, N, splits } = c;
  const W = N + 1;
  const partialOffset = 1 + rng.int(9);
  const scratchLen = partialOffset + splits * M * W + 4;
  // Outside the partials: random data that must stay; the partials themselves NaN (to be written).
  const init = randomF32(rng, scratchLen).fill(Number.NaN, partialOffset, partialOffset + splits * M * W);
  const ref = Float64Array.from(init);
  matmulSmall(s.a, s.b, ref, { ...s.twinArgs, cOffset: partialOffset, splits, kChunk: s.kChunk });
  const size = new Float64Array(scratchLen);
  matmulSmall(squares(s.a), squares(s.b), size, { ...s.twinArgs, cOffset: partialOffset, splits, kChunk: s.kChunk });
  const sz = sqrtAll(size);
  const out = await runKernel('matmul_small', {
    overrides: c.WG ? { WG: c.WG } : {}, uniforms: { ...s.uniforms, partialOffset },
    buffers: { a: s.a, b: s.b, bias: s.bias, c: { output: scratchLen, init } }, workgroups: smallGroups(M, N, splits, c.WG),
  });
  const problems: string[] = [];
  const where = `seed ${seed}`;
  const written = new Uint8Array(scratchLen).fill(1, partialOffset, partialOffset + splits * M * W);
  for (let sp = 0; sp < splits; sp++) {
    const [k0, k1] = splitRange(c, s.kChunk, sp);
    const tile: number[] = [], sums: number[] = [];
    for (let i = 0; i < M; i++) {
      const base = partialOffset + (sp * M + i) * W;
      for (let j = 0; j < N; j++) tile.push(base + j);
      sums.push(base + N);
    }
    const bound = matmulSmallBound(k1 - k0);
    checkNormwise(problems, 'split partial tile (normwise)', out.c!, ref, tile, bound, `${where} split ${sp}`, sz);
    checkNormwise(problems, 'split partial row sums (normwise)', out.c!, ref, sums, bound, `${where} split ${sp}`, sz);
  }
  checkUntouched(problems, 'c (scratch)', out.c!, init, written);
  return problems.length ? `${describeCase(c, seed)}, kChunk ${s.kChunk}, partialOffset ${partialOffset}:\n  ${problems.join('\n  ')}` : null;
}

/** splits > 1: matmul_small into a scratch buffer, then splitk_reduce into c, one submit; against matmul. */
async function splitThenReduce(c: Case, seed: number): Promise<string | null> {
  const rng = new Rng(seed);
  const s = setup(c, rng);
  const { M, N, splits } = c;
  const W = N + 1;
  // splitk_reduce reads the partials from element 0 of its binding (the engine's scratch buffer).
  const partialOffset = 0;
  const scratchLen = splits * M * W + 3;
  const scratchInit = randomF32(rng, scratchLen).fill(Number.NaN, partialOffset, partialOffset + splits * M * W);
  const cInit = c.accumulate ? randomF32(rng, s.cLen) : new Float32Array(s.cLen).fill(Number.NaN);
  const ref = Float64Array.from(cInit);
  matmul(s.a, s.b, ref, s.twinArgs);
  const size = Float64Array.from(cInit, (v) => (c.accumulate ? v * v : 0));
  matmul(squares(s.a), squares(s.b), size, { ...s.twinArgs, bias: squares(s.bias) });
  const sz = sqrtAll(size);
  const WG = c.WG ?? 64;
  const out = await runKernelSequence(
    { a: s.a, b: s.b, bias: s.bias, scratch: { output: scratchLen, init: scratchInit }, c: { output: s.cLen, init: cInit } },
    [
      { name: 'matmul_small', label: 'matmul_small.split', overrides: c.WG ? { WG } : {}, uniforms: { ...s.uniforms, partialOffset }, bind: { c: 'scratch' }, workgroups: smallGroups(M, N, splits, c.WG) },
      {
        name: 'splitk_reduce', label: 'splitk_reduce', bind: { partials: 'scratch' },
        uniforms: { M, N, ldc: s.ldc, cOffset: c.cOffset, accumulate: Number(c.accumulate), splits, rowSum: c.rowSum, rowSumOffset: s.rowSumOffset, rowSumOffset2: s.rowSumOffset2 },
        workgroups: flatWorkgroups(M * W, 64),
      },
    ],
  );
  const problems: string[] = [];
  const where = `seed ${seed}`;
  const { block, sums1, sums2, written } = blockIndices(c, s.ldc, s.cLen, s.rowSumOffset, s.rowSumOffset2);
  const bound = matmulSmallBound(c.K + splits);
  checkNormwise(problems, 'split → reduce: C (normwise)', out.c!, ref, block, bound, where, sz);
  if (sums1.length) checkNormwise(problems, 'split → reduce: row sums (normwise)', out.c!, ref, sums1, bound, where, sz);
  if (sums2.length) checkNormwise(problems, 'split → reduce: row sums (normwise)', out.c!, ref, sums2, bound, where, sz);
  checkUntouched(problems, 'c', out.c!, cInit, written);
  checkUntouched(problems, 'scratch', out.scratch!, scratchInit, new Uint8Array(scratchLen).fill(1, partialOffset, partialOffset + splits * M * W));
  return problems.length ? `${describeCase(c, seed)}, kChunk ${s.kChunk}:\n  ${problems.join('\n  ')}` : null;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function randomCase(rng: Rng, over: Partial<Case> = {}): Case {
  return {
    M: pick(rng, SIZES), N: pick(rng, SIZES), K: pick(rng, SIZES),
    transA: rng.int(2) === 1, transB: rng.int(2) === 1,
    padA: pick(rng, [0, 0, 1, 5]), padB: pick(rng, [0, 0, 2, 9]), padC: pick(rng, [0, 0, 3, 7]),
    aOffset: pick(rng, [0, 0, 1, 17]), bOffset: pick(rng, [0, 0, 3, 40]), cOffset: pick(rng, [0, 0, 2, 11]),
    bias: pick(rng, ['none', 'bias', 'bias+bias2', 'bias2'] as const),
    accumulate: rng.int(2) === 1,
    perm: null,
    rowSum: pick(rng, [0, 0, 1, 2] as const),
    splits: 1,
    ...over,
  };
}

async function expectCases(run: (c: Case, seed: number) => Promise<string | null>, cases: Array<[Case, number]>): Promise<void> {
  const failures: string[] = [];
  for (const [c, seed] of cases) {
    const f = await run(c, seed);
    if (f) failures.push(f);
  }
  expect(failures, failures.join('\n')).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

describe('matmul_small.wgsl, splits = 1, against matmul (float64)', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`transA ${transA}, transB ${transB}: ragged shapes, offsets, leading dimensions, bias, accumulate, row sums`, async () => {
        const seed = 5000 + 10 * Number(transA) + Number(transB);
        const rng = new Rng(seed);
        const cases: Array<[Case, number]> = [];
        for (let n = 0; n < 8; n++) cases.push([randomCase(rng, { transA, transB }), seed * 100 + n]);
        cases.push([randomCase(rng, { transA, transB, M: 130, N: 521, K: 300, bias: 'bias+bias2', accumulate: true, padA: 3, padB: 1, padC: 2, aOffset: 5, bOffset: 7, cOffset: 9, rowSum: 2 }), seed * 100 + 50]);
        cases.push([randomCase(rng, { transA, transB, M: 65, N: 33, K: 130, bias: 'none', accumulate: false, padA: 0, padB: 0, padC: 0, aOffset: 0, bOffset: 0, cOffset: 0, rowSum: 0 }), seed * 100 + 51]);
        // Skinny: N = 4H of a few (the input projection of a small model), K = 1.
        cases.push([randomCase(rng, { transA, transB, M: 2500, N: 20, K: 1, bias: 'bias+bias2' }), seed * 100 + 52]);
        cases.push([randomCase(rng, { transA, transB, M: 3, N: 1, K: 521, rowSum: 1 }), seed * 100 + 53]);
        await expectCases(oneDispatch, cases);
      });
    }
  }

  it('reads a batch-first operand as time-major rows (permA, permB), on either side of a transpose', async () => {
    const rng = new Rng(6000);
    const cases: Array<[Case, number]> = [];
    for (const [B, T] of [[3, 5], [7, 2], [1, 13], [13, 1], [4, 33]] as const) {
      const BT = B * T;
      cases.push([randomCase(rng, { M: BT, transA: false, transB: true, perm: { on: 'A', B, T } }), 6000 + cases.length]);
      cases.push([randomCase(rng, { K: BT, transA: true, transB: false, perm: { on: 'B', B, T } }), 6000 + cases.length]);
      cases.push([randomCase(rng, { K: BT, transA: true, transB: rng.int(2) === 1, perm: { on: 'A', B, T } }), 6000 + cases.length]);
      cases.push([randomCase(rng, { N: BT, transA: rng.int(2) === 1, transB: true, perm: { on: 'B', B, T } }), 6000 + cases.length]);
    }
    await expectCases(oneDispatch, cases);
  });

  it('gives the same results under every workgroup size (the linear tile index)', async () => {
    const rng = new Rng(6500);
    const cases: Array<[Case, number]> = [];
    for (const WG of [1, 8, 13, 256]) {
      for (let n = 0; n < 2; n++) cases.push([randomCase(rng, { WG }), 6500 + cases.length]);
      cases.push([randomCase(rng, { WG, M: 33, N: 130, K: 65, transA: true, perm: { on: 'B', B: 5, T: 13 } }), 6500 + cases.length]);
    }
    await expectCases(oneDispatch, cases);
  });

  it('handles K = 0 (C = old C + bias, row sums 0) and 1×1 products', async () => {
    const rng = new Rng(7000);
    await expectCases(oneDispatch, [
      [randomCase(rng, { M: 7, N: 13, K: 0, bias: 'bias+bias2', accumulate: true, rowSum: 2 }), 7001],
      [randomCase(rng, { M: 1, N: 1, K: 1 }), 7002],
      [randomCase(rng, { M: 1, N: 1, K: 521, transA: true, transB: true }), 7003],
    ]);
  });
});

/**
 * Split-K cases: chunks that do not divide K (a short last split), chunks that leave the last split
 * empty, and batch-first operands whose k range starts mid-batch (K = B·T, a chunk that is not a
 * multiple of B).
 */
function splitCases(seed: number, noBias: boolean): Array<[Case, number]> {
  const rng = new Rng(seed);
  const over = (o: Partial<Case>): Partial<Case> => (noBias ? { bias: 'none', ...o } : o);
  const cases: Array<[Case, number]> = [];
  const add = (o: Partial<Case>) => cases.push([randomCase(rng, over(o)), seed + cases.length]);
  for (let n = 0; n < 6; n++) add({ splits: pick(rng, [2, 3, 5, 8]) });
  add({ K: 10, splits: 3, kChunk: 4 }); // 4, 4, 2: the last split short
  add({ K: 10, splits: 3, kChunk: 5 }); // 5, 5, 0: the last split empty
  add({ K: 10, splits: 6 }); // chunk 2: 5 splits of 2, the sixth empty
  add({ K: 1, splits: 2 }); // one k, one empty split
  add({ K: 7, splits: 7, M: 13, N: 3 }); // one k per split
  add({ M: 20, N: 5, K: 521, splits: 4, transA: true, rowSum: 1 }); // a weight gradient with its bias gradient
  add({ M: 3, N: 130, K: 300, splits: 5, transB: true });
  for (const [B, T, splits] of [[3, 5, 2], [7, 13, 4], [4, 33, 5], [13, 1, 3], [1, 13, 4], [30, 50, 6]] as const) {
    const K = B * T;
    // dW = dGᵀ·X with X batch-first: the permuted k rows of B; and k rows of a transposed A.
    add({ K, splits, transA: true, transB: false, perm: { on: 'B', B, T }, rowSum: 1 });
    add({ K, splits, transA: true, transB: rng.int(2) === 1, perm: { on: 'A', B, T } });
    // The permuted index on the side that is not k (rows of A, rows of a transposed B), split.
    add({ M: K, splits, transA: false, perm: { on: 'A', B, T } });
    add({ N: K, splits, transB: true, perm: { on: 'B', B, T } });
  }
  add({ K: 91, splits: 4, perm: { on: 'B', B: 7, T: 13 }, transA: true, transB: false, WG: 8 });
  add({ K: 130, splits: 3, WG: 13 });
  return cases;
}

describe('matmul_small.wgsl with split K: the partials of every split, against matmulSmall (float64)', () => {
  it('ragged shapes, short and empty splits, chunks starting mid-batch; bias, accumulate and row sums ignored', async () => {
    await expectCases(partialsAlone, splitCases(8000, false));
  });
  it('chunk boundaries never a multiple of permBatch: every k of K = 7·13 in its own split, and a chunk of 23', async () => {
    const rng = new Rng(8500);
    await expectCases(partialsAlone, [
      [randomCase(rng, { K: 91, splits: 91, transA: true, transB: false, perm: { on: 'B', B: 7, T: 13 } }), 8501],
      [randomCase(rng, { K: 91, splits: 4, kChunk: 23, transA: true, perm: { on: 'A', B: 7, T: 13 } }), 8502],
    ]);
  });
});

describe('split → reduce (matmul_small with splits > 1, then splitk_reduce, one submit) against matmul (float64)', () => {
  it('ragged shapes, short and empty splits, chunks starting mid-batch, accumulate, row sums 1 and 2', async () => {
    await expectCases(splitThenReduce, splitCases(9000, true));
  });
  it('the engine\'s split of a weight gradient: dW_ih = dGᵀ·X, K = T·B = 1500, splits and chunk from splitsFor', async () => {
    const M = 20, N = 3, B = 30, T = 50, K = B * T;
    const splits = splitsFor(M, N, K);
    expect(splits).toBeGreaterThan(1);
    expect(Math.ceil(K / splits) % B).not.toBe(0); // the chunks start mid-batch
    const rng = new Rng(9900);
    await expectCases(splitThenReduce, [
      [randomCase(rng, { M, N, K, splits, transA: true, transB: false, perm: { on: 'B', B, T }, bias: 'none', accumulate: false, rowSum: 1, padA: 0, padB: 0, padC: 0, aOffset: 0, bOffset: 0, cOffset: 7 }), 9901],
      [randomCase(rng, { M: 5, N: 5, K: 4 * SPLIT_K_CHUNK + 3, splits: splitsFor(5, 5, 4 * SPLIT_K_CHUNK + 3), transA: true, bias: 'none', accumulate: true, rowSum: 2 }), 9902],
    ]);
  });
});

describe('splitk_reduce.wgsl against splitkReduce (float64)', () => {
  async function reduceCase(seed: number, o: { M: number; N: number; splits: number; padC: number; cOffset: number; accumulate: 0 | 1; rowSum: 0 | 1 | 2; grid: '1d' | '2d'; WG?: number }): Promise<string | null> {
    const rng = new Rng(seed);
    const { M, N, splits } = o;
    const W = N + 1, ldc = N + o.padC;
    const partials = randomF32(rng, splits * M * W);
    const blockEnd = o.cOffset + (M - 1) * ldc + N;
    const rowSumOffset = o.rowSum ? blockEnd + rng.int(3) : 0;
    const rowSumOffset2 = o.rowSum === 2 ? rowSumOffset + M + rng.int(3) : 0;
    const cLen = (o.rowSum === 2 ? rowSumOffset2 + M : o.rowSum ? rowSumOffset + M : blockEnd) + 4;
    const cInit = o.accumulate ? randomF32(rng, cLen) : new Float32Array(cLen).fill(Number.NaN);
    const u = { M, N, ldc, cOffset: o.cOffset, accumulate: o.accumulate, splits, rowSum: o.rowSum, rowSumOffset, rowSumOffset2 };
    const ref = Float64Array.from(cInit);
    splitkReduce(partials, ref, u);
    const size = Float64Array.from(cInit, (v) => (o.accumulate ? v * v : 0));
    splitkReduce(squares(partials), size, u);
    const sz = sqrtAll(size);
    const WG = o.WG ?? 64;
    const groups = Math.ceil((M * W) / WG);
    const workgroups: [number, number] = o.grid === '1d' ? [groups, 1] : [2, Math.ceil(groups / 2)];
    const out = await runKernel('splitk_reduce', { overrides: o.WG ? { WG } : {}, uniforms: u, buffers: { partials, c: { output: cLen, init: cInit } }, workgroups });
    const problems: string[] = [];
    const c: Case = { ...randomCase(rng), M, N, cOffset: o.cOffset, rowSum: o.rowSum };
    const { block, sums1, sums2, written } = blockIndices(c, ldc, cLen, rowSumOffset, rowSumOffset2);
    const bound = matmulSmallBound(splits);
    checkNormwise(problems, 'splitk_reduce C (normwise)', out.c!, ref, block, bound, `seed ${seed}`, sz);
    if (sums1.length) checkNormwise(problems, 'splitk_reduce row sums (normwise)', out.c!, ref, sums1, bound, `seed ${seed}`, sz);
    if (sums2.length) checkNormwise(problems, 'splitk_reduce row sums (normwise)', out.c!, ref, sums2, bound, `seed ${seed}`, sz);
    checkUntouched(problems, 'c', out.c!, cInit, written);
    return problems.length ? `seed ${seed}, ${JSON.stringify(o)}:\n  ${problems.join('\n  ')}` : null;
  }
  it('ragged M, N, 1 … 64 splits, ldc > N, offsets, accumulate, row sums 0, 1, 2, 1-D and 2-D grids, several WG', async () => {
    const rng = new Rng(9500);
    const failures: string[] = [];
    for (let n = 0; n < 16; n++) {
      const o = {
        M: pick(rng, SIZES), N: pick(rng, SIZES), splits: pick(rng, [1, 2, 3, 7, 64]), padC: pick(rng, [0, 0, 3]), cOffset: pick(rng, [0, 2, 11]),
        accumulate: (n % 2) as 0 | 1, rowSum: (n % 3) as 0 | 1 | 2, grid: n % 4 < 2 ? '1d' as const : '2d' as const, WG: pick(rng, [64, 64, 8, 13]),
      };
      const f = await reduceCase(9500 + n, o);
      if (f) failures.push(f);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
