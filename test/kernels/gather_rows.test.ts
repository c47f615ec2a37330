/**
 * shaders/gather_rows.wgsl against its twin gatherRows (src/reference/gatherRows.ts): a batch of
 * B dataset rows gathered by index, W = T·w words each, batch-first (timeMajor 0) or in the
 * head's time-major row order t·B + b (timeMajor 1).
 *
 * The kernel copies raw 32-bit words, so the words here are random bit patterns — f32 NaNs with
 * payloads, negative i32s, denormals — and the comparison is bit for bit (read back with
 * runKernelRaw: no conversion through numbers). Cases (seeded, both modes each): f32 features
 * [T, w = I], token or class ids (w = 1), per-row lengths (W = w = 1), T = 1, ragged B, W against
 * WG 64, 7 and 256, the dataset at a non-zero srcOffset after other words, idx with repeats and
 * in any order, out followed by a guard of words that must come back unchanged, and grids from
 * flatWorkgroups with a capped x (a ragged 2-D grid: gid.y and the guard in y).
 *
 * Tolerance: exact (test/kernels/tolerances.ts GATHER_EXACT).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { gatherRows } from '../../src/reference/gatherRows.js';
import { flatWorkgroups } from '../../src/webgpu/kernels/grids.js';
import { runKernelRaw } from './harness.js';
import { TolReport } from './tolerances.js';

const report = new TolReport('gather_rows');
afterAll(() => report.print());

interface Case { what: string; N: number; B: number; T: number; w: number; WG: number; twoD: boolean; seed: number }

const CASES: Case[] = [
  { what: 'one word', N: 1, B: 1, T: 1, w: 1, WG: 64, twoD: false, seed: 1 },
  { what: 'features [T 5, I 7]', N: 9, B: 3, T: 5, w: 7, WG: 64, twoD: false, seed: 2 },
  { what: 'token ids [T 13]', N: 40, B: 13, T: 13, w: 1, WG: 7, twoD: false, seed: 3 },
  { what: 'lengths (W 1)', N: 100, B: 65, T: 1, w: 1, WG: 64, twoD: false, seed: 4 },
  { what: 'features, T 1', N: 4, B: 7, T: 1, w: 13, WG: 256, twoD: false, seed: 5 },
  { what: 'features [T 20, I 3], 2-D grid', N: 70, B: 65, T: 20, w: 3, WG: 64, twoD: true, seed: 6 },
  { what: 'targets [T 100, C 17], 2-D grid', N: 11, B: 5, T: 100, w: 17, WG: 7, twoD: true, seed: 7 },
];

/** A random 32-bit word, with f32 NaN payloads, infinities, denormals and negative i32s mixed in. */
function word(rng: Rng): number {
  const u = rng.uniform();
  if (u < 0.05) return (0x7f800001 + rng.int(0x7fffff)) >>> 0; // NaN with a payload
  if (u < 0.08) return rng.int(2) ? 0x7f800000 : 0xff800000; // ±∞
  if (u < 0.12) return rng.int(0x7fffff) + 1; // a denormal
  return rng.nextU32();
}

describe('gather_rows.wgsl against gatherRows, word for word', () => {
  for (const c of CASES) {
    for (const timeMajor of [0, 1] as const) {
      it(`${c.what}: N ${c.N}, B ${c.B}, W ${c.T * c.w}, WG ${c.WG}, timeMajor ${timeMajor}`, async () => {
        const rng = new Rng(9500 + 10 * c.seed + timeMajor);
        const { N, B, T, w, WG } = c;
        const W = T * w, n = B * W, guard = 6;
        const srcOffset = rng.int(20);
        const src = Uint32Array.from({ length: srcOffset + N * W + 3 }, () => word(rng));
        const idx = Int32Array.from({ length: B }, () => rng.int(N));
        if (B > 2) idx[B - 1] = idx[0]!; // a repeat
        const out = Uint32Array.from({ length: n + guard }, () => word(rng));
        const groups = Math.ceil(n / WG);
        const g = flatWorkgroups(n, WG, c.twoD ? Math.max(2, Math.ceil(Math.sqrt(groups)) + 1) : 65535);
        if (c.twoD) expect(g[1] > 1 && g[0] * g[1] * WG > n, `grid ${g} for ${n} words should be 2-D and ragged`).toBe(true);
        const got = (await runKernelRaw('gather_rows', {
          overrides: { WG }, uniforms: { B, W, w, timeMajor, srcOffset },
          buffers: { idx, src, out: { output: out.length, init: out } },
          workgroups: g,
        })).out!;
        const want = out.slice();
        gatherRows(idx, src, want, B, W, w, timeMajor === 1, srcOffset);
        const bad: string[] = [];
        for (let i = 0; i < want.length && bad.length < 5; i++) {
          if (got[i] !== want[i]) bad.push(`out[${i}]${i >= n ? ' (guard)' : ''}: 0x${got[i]!.toString(16)}, expected 0x${want[i]!.toString(16)}`);
        }
        report.note('gather_rows out (exact)', bad.length ? Infinity : 0);
        expect(bad, `seed ${9500 + 10 * c.seed + timeMajor}, idx ${Array.from(idx.subarray(0, 10)).join(' ')}`).toEqual([]);
      });
    }
  }

  it('timeMajor 1 puts row b\'s step t at row t·B + b (a hand-made case)', async () => {
    // 2 sequences of T 3, w 2: words 100 + 10·row + e.
    const src = Uint32Array.from({ length: 2 * 6 }, (_, i) => 100 + 10 * Math.floor(i / 6) + (i % 6));
    const idx = Int32Array.from([1, 0]);
    const got = (await runKernelRaw('gather_rows', {
      uniforms: { B: 2, W: 6, w: 2, timeMajor: 1, srcOffset: 0 },
      buffers: { idx, src, out: { output: 12, init: new Uint32Array(12) } },
      workgroups: [1],
    })).out!;
    // rows t·B + b: (t0 b0) = seq 1 words 0,1; (t0 b1) = seq 0 words 0,1; (t1 b0) = seq 1 words 2,3; …
    expect(Array.from(got)).toEqual([110, 111, 100, 101, 112, 113, 102, 103, 114, 115, 104, 105]);
  });
});
