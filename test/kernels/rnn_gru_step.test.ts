/**
 * rnn_step_forward / rnn_step_backward / gru_step_forward / gru_step_backward against their
 * float64 twins (src/reference/*), on Dawn.
 *
 * Single steps: seeded ragged shapes (B, H ∈ {1, 3, 7, 13, 33, 65, …}), t at 0, the middle and
 * T − 1, W_hh (and b_hn) at non-zero offsets inside a larger params array whose other entries are
 * NaN. Every slice a kernel must write starts NaN; every slice it must read holds data; every other
 * slice of a read-only buffer is NaN (a stray read shows up as NaN), and every other slice of a
 * read_write buffer holds data that must come back bit for bit (a stray write shows up). The twin
 * is fed the same float32 inputs, widened to float64.
 *
 * Chains: T = 20 steps forward, then 20 backward, as 40 dispatches in one submit, against the
 * twins run in float64 all the way (forward states included), every step compared normwise.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { rnnStepForward } from '../../src/reference/rnnStepForward.js';
import { rnnStepBackward } from '../../src/reference/rnnStepBackward.js';
import { gruStepForward } from '../../src/reference/gruStepForward.js';
import { gruStepBackward } from '../../src/reference/gruStepBackward.js';
import { runKernel, runKernelSequence, type KernelStep } from './harness.js';
import { stepInvocations } from '../../src/webgpu/kernels/grids.js';

// ---------------------------------------------------------------------------------------------
// Tolerances. Measure (DESIGN.md §5): ‖gpu − ref‖₂ / max(‖ref‖₂, 1e-30) per output tensor and
// timestep slice, ref in float64. ε = 2⁻²³ (float32 machine epsilon); K = the length of the
// kernel's dot products. Single step: c · √(K + 1) · ε — the roundings of a K-term f32 sum add up
// like a random walk on random data (the worst case, K·ε, is never approached), + 1 for the
// pointwise tail. Chain of T steps: c · √((K + 1) · T) · ε — every step adds its own rounding,
// carried on through the later steps; W_hh ~ U(±1.2/√H) has spectral radius ≈ 1.2/√3 ≈ 0.7 and
// tanh′, σ′ ≤ 1, so the recurrence contracts and T steps' errors add like a random walk again.
//
// | kernel            | outputs             | K  | c | why c                                              |
// |-------------------|---------------------|----|---|----------------------------------------------------|
// | rnn_step_forward  | h[t+1]              | H  | 2 | one sum, then tanh_safe (≤ 3.2ε, measured); at     |
// |                   |                     |    |   | H = 1 the tanh rounding is all there is            |
// | rnn_step_backward | dg[t]               | H  | 2 | one sum, times (1 − h)(1 + h): two roundings       |
// | gru_step_forward  | h[t+1], gates[t]    | H  | 4 | three sums; n = tanh(gx + r·ghn) compounds the     |
// |                   |                     |    |   | errors of r and ghn, then (1 − z)·n + z·hPrev      |
// | gru_step_backward | dgx, dgh, dhCarry   | 3H | 4 | one sum, then a chain of up to 5 products          |
// ---------------------------------------------------------------------------------------------
const EPS = 2 ** -23;
const C = { rnn_step_forward: 2, rnn_step_backward: 2, gru_step_forward: 4, gru_step_backward: 4 } as const;
type KernelName = keyof typeof C;
const tolFor = (kernel: KernelName, K: number): number => C[kernel] * Math.sqrt(K + 1) * EPS;
const chainTol = (kernel: KernelName, K: number, T: number): number => C[kernel] * Math.sqrt((K + 1) * T) * EPS;

/** Worst measured error per kernel/tensor, as a fraction of its tolerance and absolute; printed at the end. */
const worst = new Map<string, { err: number; ratio: number; where: string }>();
function note(key: string, err: number, tol: number, where: string): void {
  const w = worst.get(key);
  if (!w || err / tol > w.ratio) worst.set(key, { err, ratio: err / tol, where });
}
afterAll(() => {
  const rows = [...worst].map(([k, w]) => `  ${k.padEnd(34)} worst ${w.err.toExponential(2)} (${(100 * w.ratio).toFixed(1)}% of tol) at ${w.where}`);
  console.log(`rnn/gru step kernels, worst normwise errors:\n${rows.join('\n')}`);
});

// ---------------------------------------------------------------------------------------------
// Helpers.

function relErr(a: ArrayLike<number>, r: ArrayLike<number>): number {
  let d = 0, n = 0;
  for (let i = 0; i < r.length; i++) {
    d += (a[i]! - r[i]!) ** 2;
    n += r[i]! ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-30);
}

const nan = (n: number): Float32Array => new Float32Array(n).fill(Number.NaN);
function rand(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}
/** Overwrites a[start, start + n) with uniform values in [lo, hi). */
function fill(a: Float32Array, rng: Rng, start: number, n: number, lo = -1, hi = 1): Float32Array {
  for (let i = 0; i < n; i++) a[start + i] = rng.range(lo, hi);
  return a;
}
const f64 = (a: Float32Array, start: number, n: number): Float64Array => Float64Array.from(a.subarray(start, start + n));

interface Expected {
  buffer: string;
  start: number;
  ref: Float64Array;
  tol: number;
  /** Key in the worst-error table. */
  key: string;
}

/**
 * Every expected slice: finite and within its normwise tolerance. Every other element of every
 * buffer: bit-identical to what was uploaded.
 */
function check(label: string, out: Record<string, Float32Array>, uploaded: Record<string, Float32Array>, expected: Expected[]): void {
  for (const e of expected) {
    const got = out[e.buffer]!.subarray(e.start, e.start + e.ref.length);
    const bad = got.findIndex((v) => !Number.isFinite(v));
    expect(bad, `${label}: ${e.buffer}[${e.start + bad}] = ${got[bad]} (not written, or not finite)`).toBe(-1);
    const err = relErr(got, e.ref);
    note(e.key, err, e.tol, label);
    if (err > e.tol) {
      const firsts = [...got].map((v, i) => [i, v, e.ref[i]!] as const).filter(([, v, r]) => Math.abs(v - r) > e.tol * Math.max(1, Math.abs(r))).slice(0, 4);
      expect.fail(`${label}: ${e.buffer} slice at ${e.start}: normwise error ${err.toExponential(3)} > ${e.tol.toExponential(3)}; first mismatches [i, gpu, ref]: ${JSON.stringify(firsts)}`);
    }
  }
  for (const [name, before] of Object.entries(uploaded)) {
    const a = new Uint32Array(before.buffer, before.byteOffset, before.length);
    const b = new Uint32Array(out[name]!.buffer, out[name]!.byteOffset, out[name]!.length);
    const own = expected.filter((e) => e.buffer === name);
    for (let i = 0; i < a.length; i++) {
      if (own.some((e) => i >= e.start && i < e.start + e.ref.length)) continue;
      if (a[i] !== b[i]) expect.fail(`${label}: ${name}[${i}] changed from ${before[i]} to ${out[name]![i]} (outside the slices the kernel may write)`);
    }
  }
}

/** Flat params of the given length, NaN except the regions filled by the caller. */
interface Layout { length: number; wOffset: number; bhnOffset: number }
function layout(rng: Rng, wLen: number, H: number): Layout {
  // W_hh at a non-zero offset; b_hn before it or after it, with gaps, so neither sits at 0.
  const wOffset = 1 + H + rng.int(30);
  const bhnOffset = rng.int(2) === 0 ? 1 + rng.int(wOffset - H) : wOffset + wLen + rng.int(20);
  return { length: Math.max(wOffset + wLen, bhnOffset + H) + 1 + rng.int(20), wOffset, bhnOffset };
}

// ---------------------------------------------------------------------------------------------
// Single steps.

interface Case { B: number; H: number; T: number; WG: number; extraGroups: number; gxScale: number; seed: number }

// Ragged shapes: 1, primes, and sizes on either side of the workgroup size; WG 64 (default), a
// WG that does not divide anything, and WG 1; a few cases dispatch one workgroup too many (the
// guard must hold); the last one drives every pre-activation to about ±100 (saturation: tanh and
// σ must stay finite and exact there).
const CASES: Case[] = [
  { B: 1, H: 1, T: 1, WG: 64, extraGroups: 0, gxScale: 2, seed: 1 },
  { B: 3, H: 7, T: 3, WG: 64, extraGroups: 1, gxScale: 2, seed: 2 },
  { B: 7, H: 13, T: 4, WG: 13, extraGroups: 0, gxScale: 2, seed: 3 },
  { B: 13, H: 3, T: 2, WG: 1, extraGroups: 2, gxScale: 2, seed: 4 },
  { B: 1, H: 65, T: 5, WG: 64, extraGroups: 0, gxScale: 2, seed: 5 },
  { B: 33, H: 65, T: 3, WG: 64, extraGroups: 0, gxScale: 2, seed: 6 },
  { B: 65, H: 33, T: 2, WG: 13, extraGroups: 1, gxScale: 2, seed: 7 },
  { B: 2, H: 64, T: 3, WG: 64, extraGroups: 0, gxScale: 2, seed: 8 },
  { B: 16, H: 6, T: 2, WG: 8, extraGroups: 0, gxScale: 2, seed: 10 }, // whole 8 × 2 and 4 × 4 tiles, the engine's WG
  { B: 5, H: 17, T: 3, WG: 64, extraGroups: 0, gxScale: 100, seed: 9 },
];

const timesteps = (T: number): number[] => [...new Set([0, Math.floor((T - 1) / 2), T - 1])];
const describeCase = (c: Case, t: number, lay: Layout): string =>
  `seed ${c.seed} B=${c.B} H=${c.H} T=${c.T} t=${t} WG=${c.WG}${c.extraGroups ? `+${c.extraGroups} groups` : ''} wOffset=${lay.wOffset} bhnOffset=${lay.bhnOffset}${c.gxScale > 2 ? ` |gx|≤${c.gxScale}` : ''}`;
/** The engine's grid for `kernel` (src/webgpu/stepDispatch.ts: the rnn kernels run 4 × 4 tiles), plus extraGroups. */
const groups = (c: Case, kernel: string): number => Math.ceil(stepInvocations(kernel, c.B, c.H) / c.WG) + c.extraGroups;

describe('rnn_step_forward / rnn_step_backward, single steps', () => {
  for (const c of CASES) {
    for (const t of timesteps(c.T)) {
      it(`B=${c.B} H=${c.H} T=${c.T} t=${t} WG=${c.WG}`, async () => {
        const { B, H, T } = c;
        const BH = B * H;
        const rng = new Rng(1000 * c.seed + t);
        const lay = layout(rng, H * H, H);
        const label = describeCase(c, t, lay);
        const ws = 1.2 / Math.sqrt(H);
        const params = fill(nan(lay.length), rng, lay.wOffset, H * H, -ws, ws);
        const W = f64(params, lay.wOffset, H * H);

        // forward: reads gx[t], h[t]; writes h[t+1]
        const gx = fill(nan(T * BH), rng, t * BH, BH, -c.gxScale, c.gxScale);
        const h = rand(rng, (T + 1) * BH).fill(Number.NaN, (t + 1) * BH, (t + 2) * BH);
        const fwd = await runKernel('rnn_step_forward', {
          overrides: { WG: c.WG }, uniforms: { B, H, t, wOffset: lay.wOffset },
          buffers: { gx, params, h: { output: h.length, init: h } }, workgroups: [groups(c, 'rnn_step_forward')],
        });
        const hRef = new Float64Array(BH);
        rnnStepForward(f64(gx, t * BH, BH), f64(h, t * BH, BH), W, hRef, B, H);
        check(`rnn_step_forward ${label}`, fwd, { gx, params, h }, [
          { buffer: 'h', start: (t + 1) * BH, ref: hRef, tol: tolFor('rnn_step_forward', H), key: 'rnn_step_forward h' },
        ]);

        // backward: reads dhAbove[t], h[t+1], dg[t+1] (t+1 < T); writes dg[t]
        const dhAbove = fill(nan(T * BH), rng, t * BH, BH);
        const hs = fill(nan((T + 1) * BH), rng, (t + 1) * BH, BH);
        const dg = rand(rng, T * BH).fill(Number.NaN, t * BH, (t + 1) * BH);
        const bwd = await runKernel('rnn_step_backward', {
          overrides: { WG: c.WG }, uniforms: { B, H, t, T, wOffset: lay.wOffset },
          buffers: { dhAbove, h: hs, params, dg: { output: dg.length, init: dg } }, workgroups: [groups(c, 'rnn_step_backward')],
        });
        const dgRef = new Float64Array(BH);
        rnnStepBackward(f64(dhAbove, t * BH, BH), t + 1 < T ? f64(dg, (t + 1) * BH, BH) : null, W, f64(hs, (t + 1) * BH, BH), dgRef, B, H);
        check(`rnn_step_backward ${label}`, bwd, { dhAbove, h: hs, params, dg }, [
          { buffer: 'dg', start: t * BH, ref: dgRef, tol: tolFor('rnn_step_backward', H), key: 'rnn_step_backward dg' },
        ]);
      });
    }
  }
});

describe('gru_step_forward / gru_step_backward, single steps', () => {
  for (const c of CASES) {
    for (const t of timesteps(c.T)) {
      it(`B=${c.B} H=${c.H} T=${c.T} t=${t} WG=${c.WG}`, async () => {
        const { B, H, T } = c;
        const BH = B * H;
        const rng = new Rng(2000 * c.seed + t);
        const lay = layout(rng, 3 * H * H, H);
        const label = describeCase(c, t, lay);
        const ws = 1.2 / Math.sqrt(H);
        const params = fill(nan(lay.length), rng, lay.wOffset, 3 * H * H, -ws, ws);
        fill(params, rng, lay.bhnOffset, H, -0.5, 0.5);
        const W = f64(params, lay.wOffset, 3 * H * H);

        // forward: reads gx[t], h[t]; writes h[t+1], gates[t]
        const gx = fill(nan(T * 3 * BH), rng, t * 3 * BH, 3 * BH, -c.gxScale, c.gxScale);
        const h = rand(rng, (T + 1) * BH).fill(Number.NaN, (t + 1) * BH, (t + 2) * BH);
        const gates = rand(rng, T * 4 * BH).fill(Number.NaN, t * 4 * BH, (t + 1) * 4 * BH);
        const fwd = await runKernel('gru_step_forward', {
          overrides: { WG: c.WG }, uniforms: { B, H, t, wOffset: lay.wOffset, bhnOffset: lay.bhnOffset },
          buffers: { gx, params, h: { output: h.length, init: h }, gates: { output: gates.length, init: gates } },
          workgroups: [groups(c, 'gru_step_forward')],
        });
        const hRef = new Float64Array(BH);
        const gatesRef = new Float64Array(4 * BH);
        gruStepForward(f64(gx, t * 3 * BH, 3 * BH), f64(h, t * BH, BH), W, f64(params, lay.bhnOffset, H), hRef, gatesRef, B, H);
        const tf = tolFor('gru_step_forward', H);
        check(`gru_step_forward ${label}`, fwd, { gx, params, h, gates }, [
          { buffer: 'h', start: (t + 1) * BH, ref: hRef, tol: tf, key: 'gru_step_forward h' },
          { buffer: 'gates', start: t * 4 * BH, ref: gatesRef, tol: tf, key: 'gru_step_forward gates' },
        ]);

        // backward: reads dhAbove[t], gates[t], h[t], dgh[t+1] and dhCarry[t+1] (t+1 < T);
        // writes dgx[t], dgh[t], dhCarry[t]
        const dhAbove = fill(nan(T * BH), rng, t * BH, BH);
        const gb = nan(T * 4 * BH);
        for (let b = 0; b < B; b++) {
          const o = t * 4 * BH + b * 4 * H;
          fill(gb, rng, o, H, 0, 1); // r
          fill(gb, rng, o + H, H, 0, 1); // z
          fill(gb, rng, o + 2 * H, H, -1, 1); // n
          fill(gb, rng, o + 3 * H, H, -2, 2); // ghn
        }
        const hb = fill(nan((T + 1) * BH), rng, t * BH, BH);
        const dgx = rand(rng, T * 3 * BH).fill(Number.NaN, t * 3 * BH, (t + 1) * 3 * BH);
        const dgh = rand(rng, T * 3 * BH).fill(Number.NaN, t * 3 * BH, (t + 1) * 3 * BH);
        const dhCarry = rand(rng, T * BH).fill(Number.NaN, t * BH, (t + 1) * BH);
        const bwd = await runKernel('gru_step_backward', {
          overrides: { WG: c.WG }, uniforms: { B, H, t, T, wOffset: lay.wOffset },
          buffers: {
            dhAbove, gates: gb, h: hb, params,
            dgx: { output: dgx.length, init: dgx }, dgh: { output: dgh.length, init: dgh }, dhCarry: { output: dhCarry.length, init: dhCarry },
          },
          workgroups: [groups(c, 'gru_step_backward')],
        });
        const dgxRef = new Float64Array(3 * BH), dghRef = new Float64Array(3 * BH), carryRef = new Float64Array(BH);
        const more = t + 1 < T;
        gruStepBackward(
          f64(dhAbove, t * BH, BH), more ? f64(dgh, (t + 1) * 3 * BH, 3 * BH) : null, more ? f64(dhCarry, (t + 1) * BH, BH) : null,
          W, f64(gb, t * 4 * BH, 4 * BH), f64(hb, t * BH, BH), dgxRef, dghRef, carryRef, B, H,
        );
        const tb = tolFor('gru_step_backward', 3 * H);
        check(`gru_step_backward ${label}`, bwd, { dhAbove, gates: gb, h: hb, params, dgx, dgh, dhCarry }, [
          { buffer: 'dgx', start: t * 3 * BH, ref: dgxRef, tol: tb, key: 'gru_step_backward dgx' },
          { buffer: 'dgh', start: t * 3 * BH, ref: dghRef, tol: tb, key: 'gru_step_backward dgh' },
          { buffer: 'dhCarry', start: t * BH, ref: carryRef, tol: tb, key: 'gru_step_backward dhCarry' },
        ]);
      });
    }
  }
});

describe('saturation: pre-activations where WGSL tanh is NaN on SwiftShader (|x| ≥ 89)', () => {
  // Tiny W_hh, so the pre-activation is gx: every value below saturates tanh and σ in f32.
  const big = [89, -89, 90, -90, 100, -100, 1e4, -1e4, 3e30, -3e30];
  const H = big.length;
  it('rnn_step_forward gives exactly ±1', async () => {
    const wOffset = 3;
    const params = new Float32Array(wOffset + H * H).fill(1e-3);
    const gx = Float32Array.from(big);
    const h = new Float32Array(2 * H).fill(Number.NaN).fill(0.5, 0, H);
    const out = await runKernel('rnn_step_forward', { uniforms: { B: 1, H, t: 0, wOffset }, buffers: { gx, params, h: { output: h.length, init: h } }, workgroups: [1] });
    expect(Array.from(out.h!.subarray(H))).toEqual(big.map(Math.sign));
  });
  it('gru_step_forward gives the twin\'s r, z, n (0, 1 or ±1, up to subnormals) and h', async () => {
    const wOffset = 2, bhnOffset = wOffset + 3 * H * H;
    const params = new Float32Array(bhnOffset + H).fill(1e-3);
    const gx = Float32Array.from([...big, ...big.slice().reverse(), ...big]);
    const h = new Float32Array(2 * H).fill(Number.NaN).fill(0.25, 0, H);
    const out = await runKernel('gru_step_forward', {
      uniforms: { B: 1, H, t: 0, wOffset, bhnOffset },
      buffers: { gx, params, h: { output: h.length, init: h }, gates: { output: 4 * H } }, workgroups: [1],
    });
    const hRef = new Float64Array(H), gatesRef = new Float64Array(4 * H);
    gruStepForward(gx, h.subarray(0, H), params.subarray(wOffset, bhnOffset), params.subarray(bhnOffset), hRef, gatesRef, 1, H);
    // σ(−89) ≈ 2e-39 is subnormal in f32, and SwiftShader flushes subnormals to 0: allow 2⁻¹²⁶.
    const off = Array.from(out.gates!.subarray(0, 3 * H)).findIndex((g, i) => !(Math.abs(g - gatesRef[i]!) <= 2 ** -126 + 2 * EPS * Math.abs(gatesRef[i]!)));
    expect(off, `gates[${off}] = ${out.gates![off]}, twin ${gatesRef[off]}`).toBe(-1);
    const err = relErr(out.h!.subarray(H), hRef);
    expect(err).toBeLessThanOrEqual(tolFor('gru_step_forward', H));
  });
});

// ---------------------------------------------------------------------------------------------
// Chains: T steps forward then T steps backward, one submit, against float64 all the way.

const CHAINS = [
  { B: 3, H: 33, T: 20, seed: 11 },
  { B: 7, H: 13, T: 20, seed: 12 },
];
const WG = 64;

/** Normwise error of every timestep slice [start(s), start(s) + n), each within tol. */
function checkSteps(label: string, key: string, tol: number, got: Float32Array, ref: Float64Array, steps: number[], start: (s: number) => number, n: number): void {
  for (const s of steps) {
    const g = got.subarray(start(s), start(s) + n);
    const bad = g.findIndex((v) => !Number.isFinite(v));
    expect(bad, `${label}: ${key} step ${s}: element ${bad} = ${g[bad]}`).toBe(-1);
    const err = relErr(g, ref.subarray(start(s), start(s) + n));
    note(`${key} (chain)`, err, tol, `${label} step ${s}`);
    expect(err, `${label}: ${key} step ${s}: normwise error`).toBeLessThanOrEqual(tol);
  }
}
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('chains of T = 20 steps forward then backward in one submit', () => {
  for (const c of CHAINS) {
    it(`rnn B=${c.B} H=${c.H} T=${c.T}`, async () => {
      const { B, H, T } = c;
      const BH = B * H;
      const rng = new Rng(3000 + c.seed);
      const lay = layout(rng, H * H, H);
      const label = `rnn chain seed ${c.seed} B=${B} H=${H} T=${T} wOffset=${lay.wOffset}`;
      const ws = 1.2 / Math.sqrt(H);
      const params = fill(nan(lay.length), rng, lay.wOffset, H * H, -ws, ws);
      const gx = rand(rng, T * BH, -1.5, 1.5);
      const h = fill(nan((T + 1) * BH), rng, 0, BH);
      const dhAbove = rand(rng, T * BH);
      const gf = Math.ceil(stepInvocations('rnn_step_forward', B, H) / WG), gb = Math.ceil(stepInvocations('rnn_step_backward', B, H) / WG);
      const steps: KernelStep[] = [
        ...range(T).map((t) => ({ name: 'rnn_step_forward', uniforms: { B, H, t, wOffset: lay.wOffset }, workgroups: [gf] as [number], label: `rnn_step_forward[t=${t}]` })),
        ...range(T).reverse().map((t) => ({ name: 'rnn_step_backward', uniforms: { B, H, t, T, wOffset: lay.wOffset }, workgroups: [gb] as [number], label: `rnn_step_backward[t=${t}]` })),
      ];
      const out = await runKernelSequence({ gx, params, dhAbove, h: { output: h.length, init: h }, dg: { output: T * BH } }, steps);

      const W = f64(params, lay.wOffset, H * H);
      const hRef = Float64Array.from(h), dgRef = new Float64Array(T * BH);
      for (let t = 0; t < T; t++) {
        const next = hRef.subarray((t + 1) * BH, (t + 2) * BH);
        rnnStepForward(gx.subarray(t * BH, (t + 1) * BH), hRef.subarray(t * BH, (t + 1) * BH), W, next, B, H);
      }
      for (let t = T - 1; t >= 0; t--) {
        rnnStepBackward(dhAbove.subarray(t * BH, (t + 1) * BH), t + 1 < T ? dgRef.subarray((t + 1) * BH, (t + 2) * BH) : null, W,
          hRef.subarray((t + 1) * BH, (t + 2) * BH), dgRef.subarray(t * BH, (t + 1) * BH), B, H);
      }
      expect(Array.from(out.h!.subarray(0, BH))).toEqual(Array.from(h.subarray(0, BH)));
      checkSteps(label, 'rnn_step_forward h', chainTol('rnn_step_forward', H, T), out.h!, hRef, range(T + 1).slice(1), (s) => s * BH, BH);
      checkSteps(label, 'rnn_step_backward dg', chainTol('rnn_step_backward', H, T), out.dg!, dgRef, range(T), (s) => s * BH, BH);
    });

    it(`gru B=${c.B} H=${c.H} T=${c.T}`, async () => {
      const { B, H, T } = c;
      const BH = B * H;
      const rng = new Rng(4000 + c.seed);
      const lay = layout(rng, 3 * H * H, H);
      const label = `gru chain seed ${c.seed} B=${B} H=${H} T=${T} wOffset=${lay.wOffset} bhnOffset=${lay.bhnOffset}`;
      const ws = 1.2 / Math.sqrt(H);
      const params = fill(nan(lay.length), rng, lay.wOffset, 3 * H * H, -ws, ws);
      fill(params, rng, lay.bhnOffset, H, -0.5, 0.5);
      const gx = rand(rng, T * 3 * BH, -1.5, 1.5);
      const h = fill(nan((T + 1) * BH), rng, 0, BH);
      const dhAbove = rand(rng, T * BH);
      const g = Math.ceil(BH / WG);
      const steps: KernelStep[] = [
        ...range(T).map((t) => ({ name: 'gru_step_forward', uniforms: { B, H, t, wOffset: lay.wOffset, bhnOffset: lay.bhnOffset }, workgroups: [g] as [number], label: `gru_step_forward[t=${t}]` })),
        ...range(T).reverse().map((t) => ({ name: 'gru_step_backward', uniforms: { B, H, t, T, wOffset: lay.wOffset }, workgroups: [g] as [number], label: `gru_step_backward[t=${t}]` })),
      ];
      const out = await runKernelSequence({
        gx, params, dhAbove, h: { output: h.length, init: h }, gates: { output: T * 4 * BH },
        dgx: { output: T * 3 * BH }, dgh: { output: T * 3 * BH }, dhCarry: { output: T * BH },
      }, steps);

      const W = f64(params, lay.wOffset, 3 * H * H), bHn = f64(params, lay.bhnOffset, H);
      const hRef = Float64Array.from(h), gatesRef = new Float64Array(T * 4 * BH);
      const dgxRef = new Float64Array(T * 3 * BH), dghRef = new Float64Array(T * 3 * BH), carryRef = new Float64Array(T * BH);
      for (let t = 0; t < T; t++) {
        gruStepForward(gx.subarray(t * 3 * BH, (t + 1) * 3 * BH), hRef.subarray(t * BH, (t + 1) * BH), W, bHn,
          hRef.subarray((t + 1) * BH, (t + 2) * BH), gatesRef.subarray(t * 4 * BH, (t + 1) * 4 * BH), B, H);
      }
      for (let t = T - 1; t >= 0; t--) {
        const more = t + 1 < T;
        gruStepBackward(
          dhAbove.subarray(t * BH, (t + 1) * BH),
          more ? dghRef.subarray((t + 1) * 3 * BH, (t + 2) * 3 * BH) : null, more ? carryRef.subarray((t + 1) * BH, (t + 2) * BH) : null,
          W, gatesRef.subarray(t * 4 * BH, (t + 1) * 4 * BH), hRef.subarray(t * BH, (t + 1) * BH),
          dgxRef.subarray(t * 3 * BH, (t + 1) * 3 * BH), dghRef.subarray(t * 3 * BH, (t + 1) * 3 * BH), carryRef.subarray(t * BH, (t + 1) * BH), B, H,
        );
      }
      expect(Array.from(out.h!.subarray(0, BH))).toEqual(Array.from(h.subarray(0, BH)));
      const tf = chainTol('gru_step_forward', H, T), tb = chainTol('gru_step_backward', 3 * H, T);
      checkSteps(label, 'gru_step_forward h', tf, out.h!, hRef, range(T + 1).slice(1), (s) => s * BH, BH);
      checkSteps(label, 'gru_step_forward gates', tf, out.gates!, gatesRef, range(T), (s) => s * 4 * BH, 4 * BH);
      checkSteps(label, 'gru_step_backward dgx', tb, out.dgx!, dgxRef, range(T), (s) => s * 3 * BH, 3 * BH);
      checkSteps(label, 'gru_step_backward dgh', tb, out.dgh!, dghRef, range(T), (s) => s * 3 * BH, 3 * BH);
      checkSteps(label, 'gru_step_backward dhCarry', tb, out.dhCarry!, carryRef, range(T), (s) => s * BH, BH);
    });
  }
});
