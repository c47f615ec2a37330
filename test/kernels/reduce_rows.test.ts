/**
 * shaders/reduce_rows.wgsl against its float64 twin `reduceRows` (src/reference/reduceRows.ts), on
 * the same float32 inputs.
 *
 * Cases (seeded): rows from {1, 3, 7, 13, 33, 65, 130, 1000, 6400} and cols from {1, 3, 7, 13, 33,
 * 65, 130, 257} (ragged against the workgroup), lda wider than cols, offsets into a and out,
 * accumulate on (out random) and off (out NaN-poisoned), WG 64 (default), 7 and 256. Every element
 * of out outside [outOffset, outOffset + cols) must come back exactly as it went in.
 *
 * Tolerance: normwise over the cols outputs, ‖out_gpu − out_ref‖ / ‖out_ref‖ ≤ 2·√R'·u
 * (test/kernels/tolerances.ts, REDUCE_ROWS: why, and the worst measured). KERNEL_TOL_REPORT=1
 * prints the worst error / bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { normwiseError } from '../../src/compare.js';
import { reduceRows } from '../../src/reference/reduceRows.js';
import { Rng } from '../../src/rng.js';
import { randomF32, runKernel } from './harness.js';
import { reduceRowsBound, TolReport } from './tolerances.js';

const report = new TolReport('reduce_rows');

interface Case { rows: number; cols: number; pad: number; aOffset: number; outOffset: number; accumulate: boolean; WG: number }

async function runCase(c: Case, seed: number): Promise<string | null> {
  const rng = new Rng(seed);
  const lda = c.cols + c.pad;
  const a = randomF32(rng, c.aOffset + (c.rows - 1) * lda + c.cols);
  const outLen = c.outOffset + c.cols + 3;
  const init = c.accumulate ? randomF32(rng, outLen) : new Float32Array(outLen).fill(Number.NaN);
  const ref = Float64Array.from(init);
  reduceRows(a, ref, c.rows, c.cols, c.accumulate, { lda, aOffset: c.aOffset, outOffset: c.outOffset });
  const got = (await runKernel('reduce_rows', {
    overrides: { WG: c.WG },
    uniforms: { rows: c.rows, cols: c.cols, lda, aOffset: c.aOffset, outOffset: c.outOffset, accumulate: Number(c.accumulate) },
    buffers: { a, out: { output: outLen, init } },
    workgroups: [Math.ceil(c.cols / c.WG)],
  })).out!;
  const problems: string[] = [];
  for (let i = 0; i < outLen; i++) {
    const inside = i >= c.outOffset && i < c.outOffset + c.cols;
    if (!inside && !Object.is(got[i], init[i])) problems.push(`out[${i}] outside the columns changed: ${init[i]} → ${got[i]}`);
  }
  const g = got.subarray(c.outOffset, c.outOffset + c.cols), r = ref.subarray(c.outOffset, c.outOffset + c.cols);
  const err = normwiseError(g, r);
  const bound = reduceRowsBound(c.rows);
  report.note('reduce_rows out (normwise)', err / bound, `seed ${seed}`);
  if (!(err <= bound)) {
    problems.unshift(`normwise error ${err.toExponential(3)} > bound ${bound.toExponential(3)}`);
    for (let j = 0; j < c.cols && problems.length < 8; j++) {
      if (!(Math.abs(g[j]! - r[j]!) <= bound * Math.max(1, Math.abs(r[j]!)))) problems.push(`out[${c.outOffset + j}]: gpu ${g[j]}, ref ${r[j]}`);
    }
  }
  return problems.length ? `seed ${seed}, case ${JSON.stringify(c)}:\n  ${problems.slice(0, 8).join('\n  ')}` : null;
}

describe('reduce_rows.wgsl against its float64 twin', () => {
  it('sums the rows of ragged, strided, offset matrices, with and without accumulate', async () => {
    const rng = new Rng(5000);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    const failures: string[] = [];
    const cases: Case[] = [];
    for (let n = 0; n < 24; n++) {
      cases.push({
        rows: pick([1, 3, 7, 13, 33, 65, 130, 1000]), cols: pick([1, 3, 7, 13, 33, 65, 130, 257]),
        pad: pick([0, 0, 1, 6]), aOffset: pick([0, 0, 5, 64]), outOffset: pick([0, 0, 1, 9]),
        accumulate: rng.int(2) === 1, WG: pick([64, 64, 7, 256]),
      });
    }
    // The engine's bias gradient at B64 T100 (rows = T·B), and a single column.
    cases.push({ rows: 6400, cols: 65, pad: 0, aOffset: 0, outOffset: 3, accumulate: true, WG: 64 });
    cases.push({ rows: 6400, cols: 1, pad: 4, aOffset: 2, outOffset: 0, accumulate: false, WG: 64 });
    for (const [n, c] of cases.entries()) {
      const f = await runCase(c, 5000 + n);
      if (f) failures.push(f);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  afterAll(() => report.print());
});
