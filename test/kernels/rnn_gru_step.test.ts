/**
 * rnn_step_forward / rnn_step_backward / gru_step_forward / gru_step_backward against their
 * float64 twins (src/reference/*), on Dawn.
 *
 * Single steps: seeded ragged shapes (B, H ∈ {1, 3, 7, 13, 33, 65, …}), t at 0, the middle and
 * T − 1, K ∈ {1, 2, 3} tail slots, the RNN with tanh and with relu, W_hh (and b_hn) at non-zero
 * offsets inside a larger params array whose other entries are NaN, per-row lengths at each t
 * (rows dead at t, in their tail window, live before it, one of full length:
 * test/kernels/lengths.ts). Every slice a kernel must write starts NaN (the tail slots it must
 * write included); every element it must read holds data; every other element of a read-only
 * buffer is NaN (a stray read — a dead row's input, a wrong tail slot of dhAbove — shows up as
 * NaN), and every other element of a read_write buffer holds data that must come back bit for bit
 * (a stray write shows up). Dead rows' outputs must be exactly 0; a live row's tail slot must be
 * bit-identical to what it wrote to slice t+1. The twin is fed the same float32 inputs, widened to
 * float64, with the live mask; the backward twins get each row's effective gradient
 * dhAbove[t] + dhAbove[T + s] in its tail window.
 *
 * Chains: T = 20 steps forward, then 20 backward, as 40 dispatches in one submit, with lengths
 * and K tails (rnn with tanh and relu, gru), against the twins run in float64 all the way
 * (forward states included), every step compared normwise, padded steps exactly 0.
 *
 * Tolerances: test/kernels/tolerances.ts (RNN_GRU_STEP: the bounds, why, the worst measured on
 * SwiftShader); KERNEL_TOL_REPORT=1 prints each check's worst error / bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { liveAt } from '../../src/reference/activations.js';
import { rnnStepForward } from '../../src/reference/rnnStepForward.js';
import { rnnStepBackward } from '../../src/reference/rnnStepBackward.js';
import { gruStepForward } from '../../src/reference/gruStepForward.js';
import { gruStepBackward } from '../../src/reference/gruStepBackward.js';
import { runKernel, runKernelSequence, type KernelStep } from './harness.js';
import { stepInvocations } from '../../src/webgpu/kernels/grids.js';
import { sequenceLengths, showLengths, stepLengths, tailSlot } from './lengths.js';
import { EPS, rnnGruChainBound, rnnGruStepBound, TolReport } from './tolerances.js';

const report = new TolReport('rnn/gru step kernels');
afterAll(() => report.print());

// ---------------------------------------------------------------------------------------------
// Helpers.

/** ‖a − r‖₂ / max(‖r‖₂, ‖size‖₂, 1e-30); `size`: the magnitude of the terms that sum to r, where they cancel. */
function relErr(a: ArrayLike<number>, r: ArrayLike<number>, size?: ArrayLike<number>): number {
  let d = 0, n = 0, m = 0;
  for (let i = 0; i < r.length; i++) {
    d += (a[i]! - r[i]!) ** 2;
    n += r[i]! ** 2;
    if (size) m += size[i]! ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), Math.sqrt(m), 1e-30);
}

/**
 * The size of GRU's h = (1 − z)·n + z·hPrev: |(1 − z)·n| + |z·hPrev| per element (tolerances.ts:
 * its two terms may cancel, and the kernel's error is relative to them, not to h).
 */
function gruHSize(gates: ArrayLike<number>, hPrev: ArrayLike<number>, B: number, H: number, live: Uint8Array | null): Float64Array {
  const size = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    if (live && !live[b]) continue; // a dead row's h is 0 whatever its (NaN) inputs
    for (let j = 0; j < H; j++) {
      const z = gates[b * 4 * H + H + j]!, n = gates[b * 4 * H + 2 * H + j]!;
      size[b * H + j] = Math.abs((1 - z) * n) + Math.abs(z * hPrev[b * H + j]!);
    }
  }
  return size;
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
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Fills row b (n values per row) of slice `slice` of a [·, B, n] buffer for every row with live[b]. */
function fillLiveRows(a: Float32Array, rng: Rng, slice: number, B: number, n: number, live: Uint8Array, lo = -1, hi = 1): Float32Array {
  for (let b = 0; b < B; b++) if (live[b]) fill(a, rng, (slice * B + b) * n, n, lo, hi);
  return a;
}

/** Sets row b of slice `slice` of a [·, B, n] buffer to NaN for every row with !live[b]. */
function poisonDeadRows(a: Float32Array, slice: number, B: number, n: number, live: Uint8Array): Float32Array {
  for (let b = 0; b < B; b++) if (!live[b]) a.fill(Number.NaN, (slice * B + b) * n, (slice * B + b + 1) * n);
  return a;
}

/** dhAbove [T+K, B, H]: NaN except, for each live row, slice t and (in its tail window) slot T + s. */
function aboveFor(rng: Rng, lengths: Int32Array, t: number, T: number, K: number, B: number, H: number): Float32Array {
  const BH = B * H, a = nan((T + K) * BH);
  for (let b = 0; b < B; b++) {
    if (t >= lengths[b]!) continue;
    fill(a, rng, t * BH + b * H, H);
    const s = tailSlot(t, lengths[b]!, K);
    if (s !== null) fill(a, rng, (T + s) * BH + b * H, H);
  }
  return a;
}

/** dhAbove[t] + (in the tail window) dhAbove[T + s] of every live row, in float64; 0 for dead rows. */
function effectiveAbove(above: Float32Array, lengths: Int32Array, t: number, T: number, K: number, B: number, H: number): Float64Array {
  const BH = B * H, eff = new Float64Array(BH);
  for (let b = 0; b < B; b++) {
    if (t >= lengths[b]!) continue;
    const s = tailSlot(t, lengths[b]!, K);
    for (let j = 0; j < H; j++) eff[b * H + j] = above[t * BH + b * H + j]! + (s === null ? 0 : above[(T + s) * BH + b * H + j]!);
  }
  return eff;
}

interface Expected {
  buffer: string;
  start: number;
  ref: Float64Array;
  tol: number;
  /** Key in the worst-error table. */
  key: string;
  /** Elements per batch row, and the rows that are dead (their elements must be exactly 0). */
  rowLen?: number;
  live?: Uint8Array;
  /** A tail copy: must equal buffer[copyOf + i] bit for bit. */
  copyOf?: number;
  /** The magnitude of the terms of ref, where they may cancel (relErr's `size`). */
  size?: Float64Array;
}

/**
 * Every expected slice: finite and within its normwise tolerance, dead rows exactly 0, tail copies
 * bit-identical to their source. Every other element of every buffer: bit-identical to what was
 * uploaded.
 */
function check(label: string, out: Record<string, Float32Array>, uploaded: Record<string, Float32Array>, expected: Expected[]): void {
  for (const e of expected) {
    const got = out[e.buffer]!.subarray(e.start, e.start + e.ref.length);
    const bad = got.findIndex((v) => !Number.isFinite(v));
    expect(bad, `${label}: ${e.buffer}[${e.start + bad}] = ${got[bad]} (not written, or not finite)`).toBe(-1);
    if (e.copyOf !== undefined) {
      const g = bits(out[e.buffer]!);
      const off = got.findIndex((_, i) => g[e.start + i] !== g[e.copyOf! + i]);
      expect(off, `${label}: ${e.buffer}[${e.start + off}] = ${got[off]} is not a copy of [${e.copyOf + off}] = ${out[e.buffer]![e.copyOf + off]} (tail slot)`).toBe(-1);
    }
    if (e.live) {
      const dead = got.findIndex((v, i) => !e.live![Math.floor(i / e.rowLen!)] && !Object.is(v, 0));
      expect(dead, `${label}: ${e.buffer}[${e.start + dead}] = ${got[dead]} in a dead row (expected exactly 0)`).toBe(-1);
    }
    const err = relErr(got, e.ref, e.size);
    report.note(e.key, err / e.tol, label);
    if (!(err <= e.tol)) {
      const firsts = [...got].map((v, i) => [i, v, e.ref[i]!] as const).filter(([, v, r]) => Math.abs(v - r) > e.tol * Math.max(1, Math.abs(r))).slice(0, 4);
      expect(err, `${label}: ${e.buffer} slice at ${e.start}: normwise error ${err.toExponential(3)} > ${e.tol.toExponential(3)}; first mismatches [i, gpu, ref]: ${JSON.stringify(firsts)}`).toBeLessThanOrEqual(e.tol);
    }
  }
  for (const [name, before] of Object.entries(uploaded)) {
    const a = bits(before), b = bits(out[name]!);
    const own = expected.filter((e) => e.buffer === name);
    for (let i = 0; i < a.length; i++) {
      if (own.some((e) => i >= e.start && i < e.start + e.ref.length)) continue;
      if (a[i] !== b[i]) expect(b[i], `${label}: ${name}[${i}] changed from ${before[i]} to ${out[name]![i]} (outside the slices the kernel may write)`).toBe(a[i]);
    }
  }
}

/** The expected tail slots of step t: each live row in its window, a copy of its row of slice t+1. */
function tailExpected(buffer: string, key: string, ref: Float64Array, lengths: Int32Array, t: number, T: number, K: number, B: number, H: number, tol: number,
  size?: Float64Array): Expected[] {
  const BH = B * H, out: Expected[] = [];
  for (let b = 0; b < B; b++) {
    const s = tailSlot(t, lengths[b]!, K);
    if (s === null) continue;
    out.push({
      buffer, key, tol, start: (T + 1 + s) * BH + b * H, ref: ref.slice(b * H, (b + 1) * H), copyOf: (t + 1) * BH + b * H,
      ...(size ? { size: size.slice(b * H, (b + 1) * H) } : {}),
    });
  }
  return out;
}

/** NaN at every tail element that step t writes (so a tail slot the kernel forgets shows). */
function poisonTails(h: Float32Array, lengths: Int32Array, t: number, T: number, K: number, B: number, H: number): Float32Array {
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    const s = tailSlot(t, lengths[b]!, K);
    if (s !== null) h.fill(Number.NaN, (T + 1 + s) * BH + b * H, (T + 1 + s) * BH + (b + 1) * H);
  }
  return h;
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

interface Case { B: number; H: number; T: number; K: number; WG: number; extraGroups: number; gxScale: number; seed: number }

// Ragged shapes: 1, primes, and sizes on either side of the workgroup size; WG 64 (default), a
// WG that does not divide anything, and WG 1; a few cases dispatch one workgroup too many (the
// guard must hold); the last one drives every pre-activation to about ±100 (saturation: tanh and
// σ must stay finite and exact there).
const CASES: Case[] = [
  { B: 1, H: 1, T: 1, K: 1, WG: 64, extraGroups: 0, gxScale: 2, seed: 1 },
  { B: 3, H: 7, T: 3, K: 2, WG: 64, extraGroups: 1, gxScale: 2, seed: 2 },
  { B: 7, H: 13, T: 4, K: 3, WG: 13, extraGroups: 0, gxScale: 2, seed: 3 },
  { B: 13, H: 3, T: 2, K: 1, WG: 1, extraGroups: 2, gxScale: 2, seed: 4 },
  { B: 1, H: 65, T: 5, K: 2, WG: 64, extraGroups: 0, gxScale: 2, seed: 5 },
  { B: 33, H: 65, T: 3, K: 3, WG: 64, extraGroups: 0, gxScale: 2, seed: 6 },
  { B: 65, H: 33, T: 2, K: 2, WG: 13, extraGroups: 1, gxScale: 2, seed: 7 },
  { B: 2, H: 64, T: 3, K: 1, WG: 64, extraGroups: 0, gxScale: 2, seed: 8 },
  { B: 16, H: 6, T: 2, K: 2, WG: 8, extraGroups: 0, gxScale: 2, seed: 10 }, // whole 8 × 2 and 4 × 4 tiles, the engine's WG
  { B: 11, H: 5, T: 4, K: 3, WG: 8, extraGroups: 0, gxScale: 2, seed: 11 }, // every kind of row at t = 1, 2
  { B: 5, H: 17, T: 3, K: 2, WG: 64, extraGroups: 0, gxScale: 100, seed: 9 },
];

const timesteps = (T: number): number[] => [...new Set([0, Math.floor((T - 1) / 2), T - 1])];
const describeCase = (c: Case, t: number, lay: Layout, lengths: Int32Array): string =>
  `seed ${c.seed} B=${c.B} H=${c.H} T=${c.T} K=${c.K} t=${t} WG=${c.WG}${c.extraGroups ? `+${c.extraGroups} groups` : ''} wOffset=${lay.wOffset} bhnOffset=${lay.bhnOffset}${c.gxScale > 2 ? ` |gx|≤${c.gxScale}` : ''} ${showLengths(lengths)}`;
/** The engine's grid for `kernel` (src/webgpu/kernels/grids.ts: the rnn kernels run 4 × 4 tiles), plus extraGroups. */
const groups = (c: Case, kernel: string): number => Math.ceil(stepInvocations(kernel, c.B, c.H) / c.WG) + c.extraGroups;

describe('rnn_step_forward / rnn_step_backward, single steps', () => {
  for (const c of CASES) {
    for (const t of timesteps(c.T)) {
      for (const relu of [0, 1] as const) {
        it(`B=${c.B} H=${c.H} T=${c.T} K=${c.K} t=${t} WG=${c.WG} ${relu ? 'relu' : 'tanh'}`, async () => {
          const { B, H, T, K } = c;
          const BH = B * H, S = T + 1 + K;
          const rng = new Rng(1000 * c.seed + 10 * t + relu);
          const lay = layout(rng, H * H, H);
          const lengths = stepLengths(rng, B, T, t, K);
          const live = liveAt(lengths, t)!;
          const label = `${describeCase(c, t, lay, lengths)} ${relu ? 'relu' : 'tanh'}`;
          const ws = 1.2 / Math.sqrt(H);
          const params = fill(nan(lay.length), rng, lay.wOffset, H * H, -ws, ws);
          const W = f64(params, lay.wOffset, H * H);
          const tailBase = (T + 1) * BH;

          // forward: reads gx[t], h[t] of live rows; writes h[t+1] and the live rows' tail slots
          const gx = fillLiveRows(nan(T * BH), rng, t, B, H, live, -c.gxScale, c.gxScale);
          // h: S slices and a guard slice of data (a write past the tails shows there)
          const h = poisonTails(poisonDeadRows(rand(rng, (S + 1) * BH), t, B, H, live).fill(Number.NaN, (t + 1) * BH, (t + 2) * BH), lengths, t, T, K, B, H);
          const fwd = await runKernel('rnn_step_forward', {
            overrides: { WG: c.WG }, uniforms: { B, H, t, wOffset: lay.wOffset, tailBase, tailK: K, relu },
            buffers: { gx, params, h: { output: h.length, init: h }, lengths }, workgroups: [groups(c, 'rnn_step_forward')],
          });
          const hRef = new Float64Array(BH);
          rnnStepForward(f64(gx, t * BH, BH), f64(h, t * BH, BH), W, hRef, B, H, relu === 1, live);
          const tf = rnnGruStepBound('rnn_step_forward', H);
          check(`rnn_step_forward ${label}`, fwd, { gx, params, h }, [
            { buffer: 'h', start: (t + 1) * BH, ref: hRef, tol: tf, key: `rnn_step_forward h (${relu ? 'relu' : 'tanh'})`, rowLen: H, live },
            ...tailExpected('h', 'rnn_step_forward h tail', hRef, lengths, t, T, K, B, H, tf),
          ]);

          // backward: reads dhAbove[t] (+ the tail slot), h[t+1], dg[t+1] (t+1 < T) of live rows; writes dg[t]
          const dhAbove = aboveFor(rng, lengths, t, T, K, B, H);
          // relu's h ≥ 0, with exact zeros (slope 0) mixed in
          const hs = fillLiveRows(nan(S * BH), rng, t + 1, B, H, live, relu ? -0.5 : -1, relu ? 1.5 : 1);
          if (relu) for (let i = 0; i < hs.length; i++) if (hs[i]! < 0) hs[i] = 0;
          const dg = rand(rng, (T + 1) * BH).fill(Number.NaN, t * BH, (t + 1) * BH); // + a guard slice
          if (t + 1 < T) poisonDeadRows(dg, t + 1, B, H, live);
          const bwd = await runKernel('rnn_step_backward', {
            overrides: { WG: c.WG }, uniforms: { B, H, t, T, wOffset: lay.wOffset, tailK: K, relu },
            buffers: { dhAbove, h: hs, params, dg: { output: dg.length, init: dg }, lengths }, workgroups: [groups(c, 'rnn_step_backward')],
          });
          const dgRef = new Float64Array(BH);
          rnnStepBackward(effectiveAbove(dhAbove, lengths, t, T, K, B, H), t + 1 < T ? f64(dg, (t + 1) * BH, BH) : null, W,
            f64(hs, (t + 1) * BH, BH), dgRef, B, H, relu === 1, live);
          check(`rnn_step_backward ${label}`, bwd, { dhAbove, h: hs, params, dg }, [
            { buffer: 'dg', start: t * BH, ref: dgRef, tol: rnnGruStepBound('rnn_step_backward', H), key: `rnn_step_backward dg (${relu ? 'relu' : 'tanh'})`, rowLen: H, live },
          ]);
        });
      }
    }
  }
});

describe('gru_step_forward / gru_step_backward, single steps', () => {
  for (const c of CASES) {
    for (const t of timesteps(c.T)) {
      it(`B=${c.B} H=${c.H} T=${c.T} K=${c.K} t=${t} WG=${c.WG}`, async () => {
        const { B, H, T, K } = c;
        const BH = B * H, S = T + 1 + K;
        const rng = new Rng(2000 * c.seed + t);
        const lay = layout(rng, 3 * H * H, H);
        const lengths = stepLengths(rng, B, T, t, K);
        const live = liveAt(lengths, t)!;
        const label = describeCase(c, t, lay, lengths);
        const ws = 1.2 / Math.sqrt(H);
        const params = fill(nan(lay.length), rng, lay.wOffset, 3 * H * H, -ws, ws);
        fill(params, rng, lay.bhnOffset, H, -0.5, 0.5);
        const W = f64(params, lay.wOffset, 3 * H * H);
        const tailBase = (T + 1) * BH;

        // forward: reads gx[t], h[t] of live rows; writes h[t+1], gates[t] and the tail slots
        const gx = fillLiveRows(nan(T * 3 * BH), rng, t, B, 3 * H, live, -c.gxScale, c.gxScale);
        // S slices and a guard slice of data each (a write past the end shows there)
        const h = poisonTails(poisonDeadRows(rand(rng, (S + 1) * BH), t, B, H, live).fill(Number.NaN, (t + 1) * BH, (t + 2) * BH), lengths, t, T, K, B, H);
        const gates = rand(rng, (T + 1) * 4 * BH).fill(Number.NaN, t * 4 * BH, (t + 1) * 4 * BH);
        const fwd = await runKernel('gru_step_forward', {
          overrides: { WG: c.WG }, uniforms: { B, H, t, wOffset: lay.wOffset, bhnOffset: lay.bhnOffset, tailBase, tailK: K },
          buffers: { gx, params, h: { output: h.length, init: h }, gates: { output: gates.length, init: gates }, lengths },
          workgroups: [groups(c, 'gru_step_forward')],
        });
        const hRef = new Float64Array(BH);
        const gatesRef = new Float64Array(4 * BH);
        gruStepForward(f64(gx, t * 3 * BH, 3 * BH), f64(h, t * BH, BH), W, f64(params, lay.bhnOffset, H), hRef, gatesRef, B, H, live);
        const tf = rnnGruStepBound('gru_step_forward', H);
        const hSize = gruHSize(gatesRef, f64(h, t * BH, BH), B, H, live);
        check(`gru_step_forward ${label}`, fwd, { gx, params, h, gates }, [
          { buffer: 'h', start: (t + 1) * BH, ref: hRef, tol: tf, key: 'gru_step_forward h', rowLen: H, live, size: hSize },
          { buffer: 'gates', start: t * 4 * BH, ref: gatesRef, tol: tf, key: 'gru_step_forward gates', rowLen: 4 * H, live },
          ...tailExpected('h', 'gru_step_forward h tail', hRef, lengths, t, T, K, B, H, tf, hSize),
        ]);

        // backward: reads dhAbove[t] (+ tail slot), gates[t], h[t], dgh[t+1] and dhCarry[t+1]
        // (t+1 < T) of live rows; writes dgx[t], dgh[t], dhCarry[t]
        const dhAbove = aboveFor(rng, lengths, t, T, K, B, H);
        const gb = nan(T * 4 * BH);
        for (let b = 0; b < B; b++) {
          if (!live[b]) continue;
          const o = t * 4 * BH + b * 4 * H;
          fill(gb, rng, o, H, 0, 1); // r
          fill(gb, rng, o + H, H, 0, 1); // z
          fill(gb, rng, o + 2 * H, H, -1, 1); // n
          fill(gb, rng, o + 3 * H, H, -2, 2); // ghn
        }
        const hb = fillLiveRows(nan(S * BH), rng, t, B, H, live);
        const dgx = rand(rng, (T + 1) * 3 * BH).fill(Number.NaN, t * 3 * BH, (t + 1) * 3 * BH); // each + a guard slice
        const dgh = rand(rng, (T + 1) * 3 * BH).fill(Number.NaN, t * 3 * BH, (t + 1) * 3 * BH);
        const dhCarry = rand(rng, (T + 1) * BH).fill(Number.NaN, t * BH, (t + 1) * BH);
        if (t + 1 < T) {
          poisonDeadRows(dgh, t + 1, B, 3 * H, live);
          poisonDeadRows(dhCarry, t + 1, B, H, live);
        }
        const bwd = await runKernel('gru_step_backward', {
          overrides: { WG: c.WG }, uniforms: { B, H, t, T, wOffset: lay.wOffset, tailK: K },
          buffers: {
            dhAbove, gates: gb, h: hb, params, lengths,
            dgx: { output: dgx.length, init: dgx }, dgh: { output: dgh.length, init: dgh }, dhCarry: { output: dhCarry.length, init: dhCarry },
          },
          workgroups: [groups(c, 'gru_step_backward')],
        });
        const dgxRef = new Float64Array(3 * BH), dghRef = new Float64Array(3 * BH), carryRef = new Float64Array(BH);
        const more = t + 1 < T;
        gruStepBackward(
          effectiveAbove(dhAbove, lengths, t, T, K, B, H), more ? f64(dgh, (t + 1) * 3 * BH, 3 * BH) : null, more ? f64(dhCarry, (t + 1) * BH, BH) : null,
          W, f64(gb, t * 4 * BH, 4 * BH), f64(hb, t * BH, BH), dgxRef, dghRef, carryRef, B, H, live,
        );
        const tb = rnnGruStepBound('gru_step_backward', 3 * H);
        check(`gru_step_backward ${label}`, bwd, { dhAbove, gates: gb, h: hb, params, dgx, dgh, dhCarry }, [
          { buffer: 'dgx', start: t * 3 * BH, ref: dgxRef, tol: tb, key: 'gru_step_backward dgx', rowLen: 3 * H, live },
          { buffer: 'dgh', start: t * 3 * BH, ref: dghRef, tol: tb, key: 'gru_step_backward dgh', rowLen: 3 * H, live },
          { buffer: 'dhCarry', start: t * BH, ref: carryRef, tol: tb, key: 'gru_step_backward dhCarry', rowLen: H, live },
        ]);
      });
    }
  }
});

describe('saturation: pre-activations where WGSL tanh is NaN on SwiftShader (|x| ≥ 89)', () => {
  // Tiny W_hh, so the pre-activation is gx: every value below saturates tanh and σ in f32.
  const big = [89, -89, 90, -90, 100, -100, 1e4, -1e4, 3e30, -3e30];
  const H = big.length;
  const lengths = Int32Array.from([1]);
  it('rnn_step_forward gives exactly ±1 (tanh) and the pre-activation\'s positive part (relu), and copies it to the tail', async () => {
    const wOffset = 3;
    const params = new Float32Array(wOffset + H * H).fill(1e-3);
    const gx = Float32Array.from(big);
    for (const relu of [0, 1]) {
      const h = new Float32Array(3 * H).fill(Number.NaN).fill(0.5, 0, H);
      const out = await runKernel('rnn_step_forward', {
        uniforms: { B: 1, H, t: 0, wOffset, tailBase: 2 * H, tailK: 1, relu },
        buffers: { gx, params, h: { output: h.length, init: h }, lengths }, workgroups: [1],
      });
      if (relu === 0) {
        expect(Array.from(out.h!.subarray(H, 2 * H))).toEqual(big.map(Math.sign));
      } else {
        const ref = new Float64Array(H);
        rnnStepForward(gx, h.subarray(0, H), params.subarray(wOffset), ref, 1, H, true);
        expect(relErr(out.h!.subarray(H, 2 * H), ref)).toBeLessThanOrEqual(rnnGruStepBound('rnn_step_forward', H));
      }
      expect(Array.from(out.h!.subarray(2 * H))).toEqual(Array.from(out.h!.subarray(H, 2 * H)));
    }
  });
  it('gru_step_forward gives the twin\'s r, z, n (0, 1 or ±1, up to subnormals) and h', async () => {
    const wOffset = 2, bhnOffset = wOffset + 3 * H * H;
    const params = new Float32Array(bhnOffset + H).fill(1e-3);
    const gx = Float32Array.from([...big, ...big.slice().reverse(), ...big]);
    const h = new Float32Array(3 * H).fill(Number.NaN).fill(0.25, 0, H);
    const out = await runKernel('gru_step_forward', {
      uniforms: { B: 1, H, t: 0, wOffset, bhnOffset, tailBase: 2 * H, tailK: 1 },
      buffers: { gx, params, h: { output: h.length, init: h }, gates: { output: 4 * H }, lengths }, workgroups: [1],
    });
    const hRef = new Float64Array(H), gatesRef = new Float64Array(4 * H);
    gruStepForward(gx, h.subarray(0, H), params.subarray(wOffset, bhnOffset), params.subarray(bhnOffset), hRef, gatesRef, 1, H);
    // σ(−89) ≈ 2e-39 is subnormal in f32, and SwiftShader flushes subnormals to 0: allow 2⁻¹²⁶.
    const off = Array.from(out.gates!.subarray(0, 3 * H)).findIndex((g, i) => !(Math.abs(g - gatesRef[i]!) <= 2 ** -126 + 2 * EPS * Math.abs(gatesRef[i]!)));
    expect(off, `gates[${off}] = ${out.gates![off]}, twin ${gatesRef[off]}`).toBe(-1);
    const err = relErr(out.h!.subarray(H, 2 * H), hRef);
    expect(err).toBeLessThanOrEqual(rnnGruStepBound('gru_step_forward', H));
    expect(Array.from(out.h!.subarray(2 * H))).toEqual(Array.from(out.h!.subarray(H, 2 * H)));
  });
});

// ---------------------------------------------------------------------------------------------
// Chains: T steps forward then T steps backward, one submit, against float64 all the way.

const CHAINS = [
  { B: 3, H: 33, T: 20, K: 2, seed: 11 },
  { B: 7, H: 13, T: 20, K: 3, seed: 12 },
  { B: 9, H: 4, T: 20, K: 1, seed: 13 },
];
const WG = 64;

/** Normwise error of every timestep slice [start(s), start(s) + n), each within tol. */
function checkSteps(label: string, key: string, tol: number, got: Float32Array, ref: Float64Array, steps: number[], start: (s: number) => number, n: number,
  size?: (s: number) => Float64Array): void {
  for (const s of steps) {
    const g = got.subarray(start(s), start(s) + n);
    const bad = g.findIndex((v) => !Number.isFinite(v));
    expect(bad, `${label}: ${key} step ${s}: element ${bad} = ${g[bad]}`).toBe(-1);
    const err = relErr(g, ref.subarray(start(s), start(s) + n), size?.(s));
    report.note(`${key} (chain)`, err / tol, `${label} step ${s}`);
    expect(err, `${label}: ${key} step ${s}: normwise error`).toBeLessThanOrEqual(tol);
  }
}
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Padded steps (t ≥ len_b) of buffer `a` ([T', B, n], step t at slice t + shift) exactly 0. */
function checkPadded(label: string, key: string, a: Float32Array, lengths: Int32Array, T: number, B: number, n: number, shift: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = lengths[b]!; t < T; t++) {
      const o = ((t + shift) * B + b) * n;
      const i = a.subarray(o, o + n).findIndex((v) => !Object.is(v, 0));
      expect(i, `${label}: ${key} at padded step ${t}, row ${b}: ${a[o + i]} (expected exactly 0)`).toBe(-1);
    }
  }
}

/** Tail slots of h after a chain: copies of each row's states of its last K steps; slots a row never fills untouched (NaN). */
function checkTails(label: string, h: Float32Array, lengths: Int32Array, T: number, K: number, B: number, H: number): void {
  const BH = B * H, w = bits(h);
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    for (let s = 0; s < K; s++) {
      const dst = (T + 1 + s) * BH + b * H, src = (len - K + s + 1) * BH + b * H;
      for (let j = 0; j < H; j++) {
        if (s < K - len) expect(Number.isNaN(h[dst + j]!), `${label}: tail slot ${s} of row ${b} (len ${len}) was written: ${h[dst + j]}`).toBe(true);
        else expect(w[dst + j], `${label}: tail slot ${s} row ${b}: ${h[dst + j]} is not the state of step ${len - K + s}, ${h[src + j]}`).toBe(w[src + j]);
      }
    }
  }
}

describe('chains of T = 20 steps forward then backward in one submit, with lengths and tails', () => {
  for (const c of CHAINS) {
    for (const relu of [0, 1] as const) {
      it(`rnn B=${c.B} H=${c.H} T=${c.T} K=${c.K} ${relu ? 'relu' : 'tanh'}`, async () => {
        const { B, H, T, K } = c;
        const BH = B * H, S = T + 1 + K, tailBase = (T + 1) * BH;
        const rng = new Rng(3000 + 10 * c.seed + relu);
        const lay = layout(rng, H * H, H);
        const lengths = sequenceLengths(rng, B, T, K);
        const label = `rnn chain seed ${c.seed} B=${B} H=${H} T=${T} K=${K} ${relu ? 'relu' : 'tanh'} wOffset=${lay.wOffset} ${showLengths(lengths)}`;
        const ws = 1.2 / Math.sqrt(H);
        const params = fill(nan(lay.length), rng, lay.wOffset, H * H, -ws, ws);
        const gx = rand(rng, T * BH, -1.5, 1.5);
        const h = fill(nan(S * BH), rng, 0, BH);
        const dhAbove = rand(rng, (T + K) * BH);
        const gf = Math.ceil(stepInvocations('rnn_step_forward', B, H) / WG), gb = Math.ceil(stepInvocations('rnn_step_backward', B, H) / WG);
        const steps: KernelStep[] = [
          ...range(T).map((t) => ({ name: 'rnn_step_forward', uniforms: { B, H, t, wOffset: lay.wOffset, tailBase, tailK: K, relu }, workgroups: [gf] as [number], label: `rnn_step_forward[t=${t}]` })),
          ...range(T).reverse().map((t) => ({ name: 'rnn_step_backward', uniforms: { B, H, t, T, wOffset: lay.wOffset, tailK: K, relu }, workgroups: [gb] as [number], label: `rnn_step_backward[t=${t}]` })),
        ];
        const out = await runKernelSequence({ gx, params, dhAbove, lengths, h: { output: h.length, init: h }, dg: { output: T * BH } }, steps);

        const W = f64(params, lay.wOffset, H * H);
        const hRef = Float64Array.from(h.subarray(0, (T + 1) * BH)), dgRef = new Float64Array(T * BH);
        for (let t = 0; t < T; t++) {
          rnnStepForward(gx.subarray(t * BH, (t + 1) * BH), hRef.subarray(t * BH, (t + 1) * BH), W, hRef.subarray((t + 1) * BH, (t + 2) * BH), B, H, relu === 1, liveAt(lengths, t));
        }
        for (let t = T - 1; t >= 0; t--) {
          rnnStepBackward(effectiveAbove(dhAbove, lengths, t, T, K, B, H), t + 1 < T ? dgRef.subarray((t + 1) * BH, (t + 2) * BH) : null, W,
            hRef.subarray((t + 1) * BH, (t + 2) * BH), dgRef.subarray(t * BH, (t + 1) * BH), B, H, relu === 1, liveAt(lengths, t));
        }
        expect(Array.from(out.h!.subarray(0, BH))).toEqual(Array.from(h.subarray(0, BH)));
        const mode = relu ? 'relu' : 'tanh';
        checkSteps(label, `rnn_step_forward h (${mode})`, rnnGruChainBound('rnn_step_forward', H, T), out.h!, hRef, range(T + 1).slice(1), (s) => s * BH, BH);
        checkSteps(label, `rnn_step_backward dg (${mode})`, rnnGruChainBound('rnn_step_backward', H, T), out.dg!, dgRef, range(T), (s) => s * BH, BH);
        checkPadded(label, 'h', out.h!, lengths, T, B, H, 1);
        checkPadded(label, 'dg', out.dg!, lengths, T, B, H, 0);
        checkTails(label, out.h!, lengths, T, K, B, H);
      });
    }

    it(`gru B=${c.B} H=${c.H} T=${c.T} K=${c.K}`, async () => {
      const { B, H, T, K } = c;
      const BH = B * H, S = T + 1 + K, tailBase = (T + 1) * BH;
      const rng = new Rng(4000 + c.seed);
      const lay = layout(rng, 3 * H * H, H);
      const lengths = sequenceLengths(rng, B, T, K);
      const label = `gru chain seed ${c.seed} B=${B} H=${H} T=${T} K=${K} wOffset=${lay.wOffset} bhnOffset=${lay.bhnOffset} ${showLengths(lengths)}`;
      const ws = 1.2 / Math.sqrt(H);
      const params = fill(nan(lay.length), rng, lay.wOffset, 3 * H * H, -ws, ws);
      fill(params, rng, lay.bhnOffset, H, -0.5, 0.5);
      const gx = rand(rng, T * 3 * BH, -1.5, 1.5);
      const h = fill(nan(S * BH), rng, 0, BH);
      const dhAbove = rand(rng, (T + K) * BH);
      const gf = Math.ceil(stepInvocations('gru_step_forward', B, H) / WG), gb = Math.ceil(stepInvocations('gru_step_backward', B, H) / WG);
      const steps: KernelStep[] = [
        ...range(T).map((t) => ({ name: 'gru_step_forward', uniforms: { B, H, t, wOffset: lay.wOffset, bhnOffset: lay.bhnOffset, tailBase, tailK: K }, workgroups: [gf] as [number], label: `gru_step_forward[t=${t}]` })),
        ...range(T).reverse().map((t) => ({ name: 'gru_step_backward', uniforms: { B, H, t, T, wOffset: lay.wOffset, tailK: K }, workgroups: [gb] as [number], label: `gru_step_backward[t=${t}]` })),
      ];
      const out = await runKernelSequence({
        gx, params, dhAbove, lengths, h: { output: h.length, init: h }, gates: { output: T * 4 * BH },
        dgx: { output: T * 3 * BH }, dgh: { output: T * 3 * BH }, dhCarry: { output: T * BH },
      }, steps);

      const W = f64(params, lay.wOffset, 3 * H * H), bHn = f64(params, lay.bhnOffset, H);
      const hRef = Float64Array.from(h.subarray(0, (T + 1) * BH)), gatesRef = new Float64Array(T * 4 * BH);
      const dgxRef = new Float64Array(T * 3 * BH), dghRef = new Float64Array(T * 3 * BH), carryRef = new Float64Array(T * BH);
      for (let t = 0; t < T; t++) {
        gruStepForward(gx.subarray(t * 3 * BH, (t + 1) * 3 * BH), hRef.subarray(t * BH, (t + 1) * BH), W, bHn,
          hRef.subarray((t + 1) * BH, (t + 2) * BH), gatesRef.subarray(t * 4 * BH, (t + 1) * 4 * BH), B, H, liveAt(lengths, t));
      }
      for (let t = T - 1; t >= 0; t--) {
        const more = t + 1 < T;
        gruStepBackward(
          effectiveAbove(dhAbove, lengths, t, T, K, B, H),
          more ? dghRef.subarray((t + 1) * 3 * BH, (t + 2) * 3 * BH) : null, more ? carryRef.subarray((t + 1) * BH, (t + 2) * BH) : null,
          W, gatesRef.subarray(t * 4 * BH, (t + 1) * 4 * BH), hRef.subarray(t * BH, (t + 1) * BH),
          dgxRef.subarray(t * 3 * BH, (t + 1) * 3 * BH), dghRef.subarray(t * 3 * BH, (t + 1) * 3 * BH), carryRef.subarray(t * BH, (t + 1) * BH), B, H,
          liveAt(lengths, t),
        );
      }
      expect(Array.from(out.h!.subarray(0, BH))).toEqual(Array.from(h.subarray(0, BH)));
      const tf = rnnGruChainBound('gru_step_forward', H, T), tb = rnnGruChainBound('gru_step_backward', 3 * H, T);
      checkSteps(label, 'gru_step_forward h', tf, out.h!, hRef, range(T + 1).slice(1), (s) => s * BH, BH,
        (s) => gruHSize(gatesRef.subarray((s - 1) * 4 * BH, s * 4 * BH), hRef.subarray((s - 1) * BH, s * BH), B, H, liveAt(lengths, s - 1)));
      checkSteps(label, 'gru_step_forward gates', tf, out.gates!, gatesRef, range(T), (s) => s * 4 * BH, 4 * BH);
      checkSteps(label, 'gru_step_backward dgx', tb, out.dgx!, dgxRef, range(T), (s) => s * 3 * BH, 3 * BH);
      checkSteps(label, 'gru_step_backward dgh', tb, out.dgh!, dghRef, range(T), (s) => s * 3 * BH, 3 * BH);
      checkSteps(label, 'gru_step_backward dhCarry', tb, out.dhCarry!, carryRef, range(T), (s) => s * BH, BH);
      checkPadded(label, 'h', out.h!, lengths, T, B, H, 1);
      checkPadded(label, 'gates', out.gates!, lengths, T, B, 4 * H, 0);
      checkPadded(label, 'dgx', out.dgx!, lengths, T, B, 3 * H, 0);
      checkPadded(label, 'dgh', out.dgh!, lengths, T, B, 3 * H, 0);
      checkPadded(label, 'dhCarry', out.dhCarry!, lengths, T, B, H, 0);
      checkTails(label, out.h!, lengths, T, K, B, H);
    });
  }
});
