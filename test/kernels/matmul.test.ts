/**
 * shaders/matmul.wgsl against its float64 twin `matmul` (src/reference/matmul.ts), on the same
 * float32 inputs, and the dispatch helper matmulWorkgroups (src/webgpu/kernels/grids.ts).
 *
 * Cases (seeded): M, N, K from {1, 3, 7, 13, 33, 65, 130} and a few larger (300, 521), none a
 * multiple of every tile; all four transpose combinations; element offsets into a, b, bias and c;
 * leading dimensions wider than the operand; the batch-first row permutation on A (rows, as for
 * Gx = X·W_ihᵀ) and on B (k rows, as for dW_ih = dGᵀ·X) and on the transposed sides; bias and bias2
 * (GRU's folded b_hr, b_hz); the row sums S[i] = Σ_k op(A)[i, k] written beside the block once or
 * twice (rowSum 1, 2: a bias gradient folded into its weight gradient's matmul), each copy checked
 * normwise against the twin's; accumulate on (initial C random) and off (C NaN-poisoned); the
 * default tile and three more override sets (every TM, both TN, odd workgroup shapes). Every
 * element of c outside the M×N block (and the row sums) must come back exactly as it went in
 * (poison or initial value).
 *
 * Tolerance: normwise over the M×N block, ‖C_gpu − C_ref‖ / ‖C_ref‖ ≤ 2·√K'·u (test/kernels/
 * tolerances.ts, MATMUL: why, and the worst measured); a wrong index gives ratios near 10⁶.
 * KERNEL_TOL_REPORT=1 prints the worst error / bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { normwiseError } from '../../src/compare.js';
import { matmul } from '../../src/reference/matmul.js';
import { Rng } from '../../src/rng.js';
import { MATMUL_DEFAULTS, matmulOverrides, matmulWorkgroups, type MatmulOverrides } from '../../src/webgpu/kernels/grids.js';
import { randomF32, runKernel } from './harness.js';
import { matmulOperands, SIZES, type MatmulCase } from './matmulCase.js';
import { matmulBound, TolReport } from './tolerances.js';

const report = new TolReport('matmul');

/** A matmul case and the tile overrides it runs with. */
interface Case extends MatmulCase {
  overrides: Partial<MatmulOverrides>;
}

/** Runs one case on the GPU and through the twin; returns a failure message or null. */
async function runCase(c: Case, seed: number): Promise<string | null> {
  const rng = new Rng(seed);
  const { M, N, K } = c;
  const { a, b, bias, ldc, cLen, rowSumOffset, rowSumOffset2, uniforms, twinArgs } = matmulOperands(c, rng);
  const cInit = c.accumulate ? randomF32(rng, cLen) : new Float32Array(cLen).fill(Number.NaN);
  const ref = Float64Array.from(cInit);
  matmul(a, b, ref, twinArgs);

  const out = await runKernel('matmul', {
    overrides: matmulOverrides(c.overrides),
    uniforms,
    buffers: { a, b, bias, c: { output: cLen, init: cInit } },
    workgroups: matmulWorkgroups(M, N, c.overrides),
  });
  const got = out.c!;

  const gotBlock: number[] = [], refBlock: number[] = [];
  const problems: string[] = [];
  const inBlock = new Uint8Array(cLen);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const idx = c.cOffset + i * ldc + j;
      inBlock[idx] = 1;
      gotBlock.push(got[idx]!);
      refBlock.push(ref[idx]!);
      if (!Number.isFinite(got[idx]!) && problems.length < 5) problems.push(`C[${i},${j}] = ${got[idx]} (ref ${ref[idx]})`);
    }
  }
  // The row sums: normwise per copy (a K-term f32 sum of exact inputs: the same bound as C's).
  for (const [copy, off] of [[1, rowSumOffset], [2, rowSumOffset2]] as const) {
    if (c.rowSum < copy) continue;
    inBlock.fill(1, off, off + M);
    const g = got.subarray(off, off + M), r = ref.subarray(off, off + M);
    const bad = g.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) problems.push(`row sum copy ${copy}: S[${bad}] = ${g[bad]} (ref ${r[bad]})`);
    const e = normwiseError(g, r), bound = matmulBound(K);
    report.note('matmul row sums (normwise)', e / bound, `seed ${seed}`);
    if (!(e <= bound)) problems.push(`row sum copy ${copy}: normwise error ${e.toExponential(3)} > bound ${bound.toExponential(3)}`);
  }
  for (let idx = 0; idx < cLen; idx++) {
    if (inBlock[idx]) continue;
    if (!Object.is(got[idx], cInit[idx]) && problems.length < 10) problems.push(`c[${idx}] outside the block changed: ${cInit[idx]} → ${got[idx]}`);
  }
  const err = normwiseError(gotBlock, refBlock);
  const bound = matmulBound(K);
  report.note('matmul C (normwise)', err / bound, `seed ${seed}`);
  if (!(err <= bound)) {
    let shown = 0;
    for (let n = 0; n < gotBlock.length && shown < 5; n++) {
      const d = Math.abs(gotBlock[n]! - refBlock[n]!);
      if (!(d <= bound * Math.max(1, Math.abs(refBlock[n]!)))) {
        problems.push(`C[${Math.floor(n / N)},${n % N}]: gpu ${gotBlock[n]}, ref ${refBlock[n]}`);
        shown++;
      }
    }
    problems.unshift(`normwise error ${err.toExponential(3)} > bound ${bound.toExponential(3)}`);
  }
  return problems.length ? `seed ${seed}, case ${JSON.stringify(c)}:\n  ${problems.join('\n  ')}` : null;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

/** A random case; `over` fixes some fields. */
function randomCase(rng: Rng, over: Partial<Case> = {}): Case {
  return {
    M: pick(rng, SIZES), N: pick(rng, SIZES), K: pick(rng, SIZES),
    transA: rng.int(2) === 1, transB: rng.int(2) === 1,
    padA: pick(rng, [0, 0, 1, 5]), padB: pick(rng, [0, 0, 2, 9]), padC: pick(rng, [0, 0, 3, 7]),
    aOffset: pick(rng, [0, 0, 1, 17]), bOffset: pick(rng, [0, 0, 3, 40]), cOffset: pick(rng, [0, 0, 2, 11]),
    bias: pick(rng, ['none', 'bias', 'bias+bias2', 'bias2'] as const),
    accumulate: rng.int(2) === 1,
    perm: null,
    rowSum: 0, // no draw: the seeded cases stay those measured before row sums existed
    overrides: {},
    ...over,
  };
}

async function expectCases(cases: Array<[Case, number]>): Promise<void> {
  const failures: string[] = [];
  for (const [c, seed] of cases) {
    const f = await runCase(c, seed);
    if (f) failures.push(f);
  }
  expect(failures, failures.join('\n')).toEqual([]);
}

describe('matmul.wgsl against its float64 twin', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`transA ${transA}, transB ${transB}: ragged shapes, offsets, leading dimensions, bias, accumulate`, async () => {
        const seed = 1000 + 10 * Number(transA) + Number(transB);
        const rng = new Rng(seed);
        const cases: Array<[Case, number]> = [];
        for (let n = 0; n < 8; n++) cases.push([randomCase(rng, { transA, transB }), seed * 100 + n]);
        // A larger ragged one with everything on, and the plain dense form.
        cases.push([randomCase(rng, { transA, transB, M: 130, N: 521, K: 300, bias: 'bias+bias2', accumulate: true, padA: 3, padB: 1, padC: 2, aOffset: 5, bOffset: 7, cOffset: 9 }), seed * 100 + 50]);
        cases.push([randomCase(rng, { transA, transB, M: 65, N: 33, K: 130, bias: 'none', accumulate: false, padA: 0, padB: 0, padC: 0, aOffset: 0, bOffset: 0, cOffset: 0 }), seed * 100 + 51]);
        // Row sums (a bias gradient beside its weight gradient): one copy, and two.
        cases.push([randomCase(rng, { transA, transB, rowSum: 1 }), seed * 100 + 52]);
        cases.push([randomCase(rng, { transA, transB, M: 33, K: 521, rowSum: 2, accumulate: true }), seed * 100 + 53]);
        await expectCases(cases);
      });
    }
  }

  it('reads a batch-first operand as time-major rows (permA, permB), on either side of a transpose', async () => {
    const rng = new Rng(2000);
    const cases: Array<[Case, number]> = [];
    for (const [B, T] of [[3, 5], [7, 2], [1, 13], [13, 1], [4, 33]] as const) {
      const BT = B * T;
      // Gx = X·W_ihᵀ + b: A = x [B, T, I] batch-first, rows i = t·B + b.
      cases.push([randomCase(rng, { M: BT, K: pick(rng, SIZES), transA: false, transB: true, perm: { on: 'A', B, T } }), 2000 + cases.length]);
      // dW_ih = dGᵀ·X: B = x [B, T, I] batch-first, its rows are the k index.
      cases.push([randomCase(rng, { K: BT, transA: true, transB: false, perm: { on: 'B', B, T } }), 2000 + cases.length]);
      // The permuted index on the other side of each operand: k rows of a transposed A, j rows of a transposed B.
      cases.push([randomCase(rng, { K: BT, transA: true, transB: rng.int(2) === 1, perm: { on: 'A', B, T } }), 2000 + cases.length]);
      cases.push([randomCase(rng, { N: BT, transA: rng.int(2) === 1, transB: true, perm: { on: 'B', B, T } }), 2000 + cases.length]);
    }
    await expectCases(cases);
  });

  it('gives the same results under every tile and workgroup shape', async () => {
    // With the default 8×8: every TM and TN the kernel implements, every 4×4 block of the largest
    // tile, and odd workgroup shapes (each set is one pipeline compile, 0.2–2 s on SwiftShader).
    const sets: Array<Partial<MatmulOverrides>> = [
      { TM: 4, TN: 4, WG_X: 4, WG_Y: 2 },
      { TM: 12, TN: 4, WG_X: 1, WG_Y: 8 },
      { TM: 16, TN: 8, WG_X: 32, WG_Y: 1 },
    ];
    const rng = new Rng(3000);
    const cases: Array<[Case, number]> = [];
    for (const overrides of sets) {
      for (let n = 0; n < 3; n++) cases.push([randomCase(rng, { overrides }), 3000 + cases.length]);
      cases.push([randomCase(rng, { overrides, M: 33, N: 130, K: 65, transA: true, perm: { on: 'B', B: 5, T: 13 } }), 3000 + cases.length]);
    }
    await expectCases(cases);
  });

  it('handles K = 0 (C = old C + bias) and 1×1 products', async () => {
    const rng = new Rng(4000);
    await expectCases([
      [randomCase(rng, { M: 7, N: 13, K: 0, bias: 'bias+bias2', accumulate: true, rowSum: 2 }), 4001],
      [randomCase(rng, { M: 1, N: 1, K: 1 }), 4002],
      [randomCase(rng, { M: 1, N: 1, K: 521, transA: true, transB: true }), 4003],
    ]);
  });

  afterAll(() => report.print());
});

describe('matmulWorkgroups', () => {
  it('covers C with (WG_X·TN) × (WG_Y·TM) tiles', () => {
    expect(MATMUL_DEFAULTS).toEqual({ WG_X: 16, WG_Y: 4, TM: 8, TN: 8 });
    expect(matmulWorkgroups(6400, 1024)).toEqual([8, 200, 1]);
    expect(matmulWorkgroups(1, 1)).toEqual([1, 1, 1]);
    expect(matmulWorkgroups(33, 129)).toEqual([2, 2, 1]);
    expect(matmulWorkgroups(33, 129, { TM: 4, TN: 4, WG_X: 8, WG_Y: 8 })).toEqual([5, 2, 1]);
    expect(matmulWorkgroups(0, 5)).toEqual([1, 0, 1]);
  });
  it('refuses tiles the kernel does not implement', () => {
    expect(() => matmulWorkgroups(8, 8, { TM: 5 })).toThrow(/override TM: expected one of 4, 8, 12, 16, received 5/);
    expect(() => matmulWorkgroups(8, 8, { TN: 16 })).toThrow(/override TN: expected one of 4, 8, received 16/);
    expect(() => matmulWorkgroups(8, 8, { WG_X: 32, WG_Y: 16 })).toThrow(/at most 256 invocations, received 32·16 = 512/);
    expect(() => matmulWorkgroups(8, 8, { WG_Y: 0 })).toThrow(/WG_Y: expected a positive integer, received 0/);
  });
});
