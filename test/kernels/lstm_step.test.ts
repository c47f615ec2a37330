/**
 * shaders/lstm_step_forward.wgsl and lstm_step_backward.wgsl against their float64 twins
 * (src/reference/lstmStepForward.ts, lstmStepBackward.ts), which take one [B, ·] slice of each
 * time-major buffer and the live-row mask, where the kernels take the whole buffer, the uniform t
 * and lengths [B].
 *
 * Single steps on seeded random shapes (B, H ∈ {1, 3, 7, 13, 33, 65, 130}, a few T, t at 0, a middle
 * step and T − 1, K ∈ {1, 2, 3} tail slots, hasDcAbove 0 and 1, W_hh inside a params array that is
 * NaN elsewhere, several WG) with per-row lengths at each t: rows dead at t, rows in their tail
 * window, rows live before it, one of full length (test/kernels/lengths.ts). Outputs NaN-poisoned
 * first; every element the step must not write checked bit for bit (the other slices, the tail
 * slots of other rows and steps, a guard slice); dead rows' outputs exactly 0, and their inputs NaN
 * (a dead row must not depend on them); a live row's tail slot bit-identical to what it wrote to
 * slice t+1. Backward: every dhAbove / dcAbove element the step must not read is NaN, so a wrong
 * tail slot or a read for a dead row poisons the result; the twin gets each row's effective
 * gradient dhAbove[t] + dhAbove[T + s] in its tail window. Saturated inputs (|x| = 100). Whole
 * sequences: T forward steps then T backward steps in one submit, with lengths and K tails,
 * against the twins run in float64 all the way with the live masks.
 *
 * Tolerances: test/kernels/tolerances.ts (LSTM_STEP). KERNEL_TOL_REPORT=1 prints each check's
 * worst error / bound. Measured with lengths and tails (SwiftShader): see the table there.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { liveAt } from '../../src/reference/activations.js';
import { lstmStepForward } from '../../src/reference/lstmStepForward.js';
import { lstmStepBackward } from '../../src/reference/lstmStepBackward.js';
import { stepInvocations } from '../../src/webgpu/kernels/grids.js';
import { randomF32, runKernel, runKernelSequence, type KernelStep } from './harness.js';
import { sequenceLengths, showLengths, stepLengths, tailSlot } from './lengths.js';
import { lstmSequenceBound, lstmStepBound, TolReport } from './tolerances.js';

const report = new TolReport('lstm_step');
afterAll(() => report.print());

interface Shape { B: number; H: number; T: number; K: number }

/**
 * Rows of got[off …] against ref (rowLen elements per row): a live row within |Δ| ≤ atol +
 * rtol·|ref|, a dead row exactly +0. Returns the first mismatches.
 */
function checkRows(what: string, got: Float32Array, off: number, ref: ArrayLike<number>, rowLen: number, live: Uint8Array,
  atol: number, rtol: number): string[] {
  const bad: string[] = [];
  let ratio = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[off + i]!, r = ref[i]!, b = Math.floor(i / rowLen);
    if (!live[b]) {
      if (!Object.is(g, 0) && bad.length < 5) bad.push(`${what}[${i}] (row ${b}, dead): gpu ${g}, expected exactly 0`);
      continue;
    }
    const d = Math.abs(g - r);
    const bound = atol + rtol * Math.abs(r);
    if (!(d <= bound)) {
      if (bad.length < 5) bad.push(`${what}[${i}] (row ${b}): gpu ${g}, ref ${r}, |Δ| ${d.toExponential(3)} > ${bound.toExponential(3)}`);
      ratio = Infinity;
    } else {
      ratio = Math.max(ratio, d / bound);
    }
  }
  report.note(what.replace(/\[.*$/, ''), ratio);
  return bad;
}

/** Every element i with !written[i] must be exactly what was uploaded (bit for bit). */
function checkUntouched(what: string, got: Float32Array, init: Float32Array, written: Uint8Array): string[] {
  const bad: string[] = [];
  const a = new Uint32Array(init.buffer, init.byteOffset, init.length), b = new Uint32Array(got.buffer, got.byteOffset, got.length);
  for (let i = 0; i < init.length; i++) {
    if (written[i]) continue;
    if (a[i] !== b[i] && bad.length < 5) bad.push(`${what}[${i}], which the step must not write, changed: ${init[i]} → ${got[i]}`);
  }
  return bad;
}

/** got[dst + i] === got[src + i] bit for bit, i < n (a tail slot against the slice it copies). */
function checkCopy(what: string, got: Float32Array, dst: number, src: number, n: number): string[] {
  const w = new Uint32Array(got.buffer, got.byteOffset, got.length);
  for (let i = 0; i < n; i++) {
    if (w[dst + i] !== w[src + i]) return [`${what}[${dst + i}] = ${got[dst + i]}, expected the value written at [${src + i}], ${got[src + i]}`];
  }
  return [];
}

const nan = (n: number): Float32Array => new Float32Array(n).fill(Number.NaN);
function fillRandom(a: Float32Array, rng: Rng, start: number, n: number, lo = -1, hi = 1): void {
  for (let i = 0; i < n; i++) a[start + i] = rng.range(lo, hi);
}

/** A params array, NaN except W_hh [4H, H] ~ U(±2/√H) at wOffset (a stray read poisons the result). */
function paramsWith(rng: Rng, H: number, wOffset: number, wScale = 2 / Math.sqrt(H)): Float32Array {
  const p = nan(wOffset + 4 * H * H + 1 + rng.int(9));
  p.set(randomF32(rng, 4 * H * H, -wScale, wScale), wOffset);
  return p;
}

/** A buffer of n random values followed by a guard slice of NaN (never read, never written). */
function withGuard(rng: Rng, n: number, guard: number, lo = -1, hi = 1): Float32Array {
  const a = nan(n + guard);
  a.set(randomF32(rng, n, lo, hi));
  return a;
}

/** The engine's grid (src/webgpu/kernels/grids.ts): one invocation per tile of batch rows × columns. */
function workgroups(kernel: string, B: number, H: number, wg: number): [number] {
  return [Math.max(1, Math.ceil(stepInvocations(kernel, B, H) / wg))];
}

interface StepCase extends Shape { t: number; wOffset: number; wg: number; seed: number }

async function forwardStep(k: StepCase, gxRange = 2, cRange = 2): Promise<string[]> {
  const { B, H, T, K, t, wOffset, wg } = k;
  const rng = new Rng(k.seed);
  const BH = B * H, BG = 4 * BH, S = T + 1 + K, tailBase = (T + 1) * BH;
  const lengths = stepLengths(rng, B, T, t, K);
  const live = liveAt(lengths, t)!;
  const gx = randomF32(rng, T * BG, -gxRange, gxRange);
  const params = paramsWith(rng, H, wOffset);
  // Every slice (tails included) holds values; the written ones are poisoned; a NaN guard follows.
  const h = withGuard(rng, S * BH, BH);
  const c = withGuard(rng, S * BH, BH, -cRange, cRange);
  const gates = withGuard(rng, T * BG, BG, 0, 1);
  const hWritten = new Uint8Array(h.length), gWritten = new Uint8Array(gates.length);
  hWritten.fill(1, (t + 1) * BH, (t + 2) * BH);
  gWritten.fill(1, t * BG, (t + 1) * BG);
  const tails: Array<{ b: number; s: number }> = [];
  for (let b = 0; b < B; b++) {
    const s = tailSlot(t, lengths[b]!, K);
    if (s !== null) {
      tails.push({ b, s });
      hWritten.fill(1, tailBase + s * BH + b * H, tailBase + s * BH + (b + 1) * H);
    }
    if (!live[b]) {
      // A dead row's inputs are never needed: NaN, so that an output depending on them shows.
      gx.fill(Number.NaN, t * BG + b * 4 * H, t * BG + (b + 1) * 4 * H);
      h.fill(Number.NaN, t * BH + b * H, t * BH + (b + 1) * H);
      c.fill(Number.NaN, t * BH + b * H, t * BH + (b + 1) * H);
    }
  }
  hWritten.forEach((w, i) => { if (w) { h[i] = Number.NaN; c[i] = Number.NaN; } });
  gates.fill(Number.NaN, t * BG, (t + 1) * BG);

  const out = await runKernel('lstm_step_forward', {
    overrides: { WG: wg },
    uniforms: { B, H, t, wOffset, tailBase, tailK: K },
    buffers: { gx, params, h: { output: h.length, init: h }, c: { output: c.length, init: c }, gates: { output: gates.length, init: gates }, lengths },
    workgroups: workgroups('lstm_step_forward', B, H, wg),
  });

  const hRef = new Float64Array(BH), cRef = new Float64Array(BH), gRef = new Float64Array(BG);
  lstmStepForward(gx.subarray(t * BG, (t + 1) * BG), h.subarray(t * BH, (t + 1) * BH), c.subarray(t * BH, (t + 1) * BH),
    params.subarray(wOffset, wOffset + 4 * H * H), hRef, cRef, gRef, B, H, live);
  const { atol, rtol } = lstmStepBound('forward', H);
  const bad = [
    ...checkRows('forward h[t+1]', out.h!, (t + 1) * BH, hRef, H, live, atol, rtol),
    ...checkRows('forward c[t+1]', out.c!, (t + 1) * BH, cRef, H, live, atol, rtol),
    ...checkRows('forward gates[t]', out.gates!, t * BG, gRef, 4 * H, live, atol, rtol),
    ...checkUntouched('h', out.h!, h, hWritten),
    ...checkUntouched('c', out.c!, c, hWritten),
    ...checkUntouched('gates', out.gates!, gates, gWritten),
  ];
  for (const { b, s } of tails) {
    const dst = tailBase + s * BH + b * H, src = (t + 1) * BH + b * H;
    bad.push(...checkCopy(`h tail slot ${s} row ${b}`, out.h!, dst, src, H), ...checkCopy(`c tail slot ${s} row ${b}`, out.c!, dst, src, H));
  }
  return bad.length ? [showLengths(lengths), ...bad] : [];
}

/** dhAbove[t] + (in the tail window) dhAbove[T + s] of every live row, in float64; 0 for dead rows. */
function effectiveAbove(above: Float32Array, lengths: Int32Array, t: number, T: number, K: number, B: number, H: number): Float64Array {
  const BH = B * H, eff = new Float64Array(BH);
  for (let b = 0; b < B; b++) {
    if (t >= lengths[b]!) continue;
    const s = tailSlot(t, lengths[b]!, K);
    for (let j = 0; j < H; j++) {
      eff[b * H + j] = above[t * BH + b * H + j]! + (s === null ? 0 : above[(T + s) * BH + b * H + j]!);
    }
  }
  return eff;
}

async function backwardStep(k: StepCase & { hasDcAbove: 0 | 1 }, cRange = 2): Promise<string[]> {
  const { B, H, T, K, t, wOffset, wg, hasDcAbove } = k;
  const rng = new Rng(k.seed);
  const BH = B * H, BG = 4 * BH, G = 4 * H;
  const lengths = stepLengths(rng, B, T, t, K);
  const live = liveAt(lengths, t)!;
  // Read-only inputs: NaN except what step t reads for its live rows (slice t of dhAbove, the row's
  // tail slot in its window; gates[t]; c[t], c[t+1]). Without hasDcAbove, dcAbove is all NaN.
  const dhAbove = nan((T + K) * BH), dcAbove = nan((T + K) * BH);
  const gates = nan(T * BG), c = nan((T + 1 + K) * BH);
  for (let b = 0; b < B; b++) {
    if (!live[b]) continue;
    const s = tailSlot(t, lengths[b]!, K);
    for (const above of hasDcAbove ? [dhAbove, dcAbove] : [dhAbove]) {
      fillRandom(above, rng, t * BH + b * H, H);
      if (s !== null) fillRandom(above, rng, (T + s) * BH + b * H, H);
    }
    fillRandom(gates, rng, t * BG + b * G, 2 * H, 0, 1); // i, f
    fillRandom(gates, rng, t * BG + b * G + 2 * H, H, -1, 1); // g
    fillRandom(gates, rng, t * BG + b * G + 3 * H, H, 0, 1); // o
    fillRandom(c, rng, t * BH + b * H, H, -cRange, cRange);
    fillRandom(c, rng, (t + 1) * BH + b * H, H, -cRange, cRange);
  }
  const params = paramsWith(rng, H, wOffset);
  // Slice t poisoned, slice t+1 (and the rest) random, then a NaN guard slice T: reading it at
  // t = T − 1 (a wrong t+1 < T branch) would poison the result. Dead rows' slice t+1: NaN.
  const dgates = withGuard(rng, T * BG, BG);
  const dcCarry = withGuard(rng, T * BH, BH);
  dgates.fill(Number.NaN, t * BG, (t + 1) * BG);
  dcCarry.fill(Number.NaN, t * BH, (t + 1) * BH);
  for (let b = 0; b < B; b++) {
    if (live[b] || t + 1 >= T) continue;
    dgates.fill(Number.NaN, (t + 1) * BG + b * G, (t + 1) * BG + (b + 1) * G);
    dcCarry.fill(Number.NaN, (t + 1) * BH + b * H, (t + 1) * BH + (b + 1) * H);
  }

  const out = await runKernel('lstm_step_backward', {
    overrides: { WG: wg },
    uniforms: { B, H, t, T, wOffset, hasDcAbove, tailK: K },
    buffers: { dhAbove, dcAbove, gates, c, params, dgates: { output: dgates.length, init: dgates }, dcCarry: { output: dcCarry.length, init: dcCarry }, lengths },
    workgroups: workgroups('lstm_step_backward', B, H, wg),
  });

  const last = t + 1 >= T;
  const dgRef = new Float64Array(BG), dcRef = new Float64Array(BH);
  lstmStepBackward(effectiveAbove(dhAbove, lengths, t, T, K, B, H), hasDcAbove ? effectiveAbove(dcAbove, lengths, t, T, K, B, H) : null,
    last ? null : dgates.subarray((t + 1) * BG, (t + 2) * BG), last ? null : dcCarry.subarray((t + 1) * BH, (t + 2) * BH),
    params.subarray(wOffset, wOffset + 4 * H * H), gates.subarray(t * BG, (t + 1) * BG),
    c.subarray((t + 1) * BH, (t + 2) * BH), c.subarray(t * BH, (t + 1) * BH), dgRef, dcRef, B, H, live);
  const { atol, rtol } = lstmStepBound('backward', H);
  const dgW = new Uint8Array(dgates.length).fill(1, t * BG, (t + 1) * BG), dcW = new Uint8Array(dcCarry.length).fill(1, t * BH, (t + 1) * BH);
  const bad = [
    ...checkRows('backward dgates[t]', out.dgates!, t * BG, dgRef, G, live, atol, rtol),
    ...checkRows('backward dcCarry[t]', out.dcCarry!, t * BH, dcRef, H, live, atol, rtol),
    ...checkUntouched('dgates', out.dgates!, dgates, dgW),
    ...checkUntouched('dcCarry', out.dcCarry!, dcCarry, dcW),
  ];
  return bad.length ? [showLengths(lengths), ...bad] : [];
}

const SIZES = [1, 3, 7, 13, 33, 65, 130];
const WGS = [64, 8, 32, 13, 256]; // 8: the engine's (src/webgpu/kernels/grids.ts STEP_WG)

/** Seeded cases: the four size corners, then random (B, H) pairs; each with T ∈ {1, 2, 3, 5}, K ∈ {1, 2, 3}. */
function stepCases(seed: number, n: number): Array<StepCase & { ts: number[] }> {
  const rng = new Rng(seed);
  const pairs: Array<[number, number]> = [[1, 1], [130, 130], [1, 130], [130, 1]];
  while (pairs.length < n) pairs.push([SIZES[rng.int(SIZES.length)]!, SIZES[rng.int(SIZES.length)]!]);
  return pairs.map(([B, H], k) => {
    const T = [1, 2, 3, 5][rng.int(4)]!;
    const ts = [...new Set([0, Math.floor(T / 2), T - 1])];
    return { B, H, T, K: 1 + (k % 3), t: 0, ts, wOffset: 1 + rng.int(97), wg: WGS[k % WGS.length]!, seed: seed * 1000 + k };
  });
}

const CASES = stepCases(2024, 14);
const label = (k: StepCase) => `seed ${k.seed}, B ${k.B}, H ${k.H}, T ${k.T}, K ${k.K}, t ${k.t}, wOffset ${k.wOffset}, WG ${k.wg}`;
const caseName = (k: StepCase & { ts: number[] }) => `B ${k.B}, H ${k.H}, T ${k.T}, K ${k.K}, t ∈ {${k.ts.join(', ')}}, wOffset ${k.wOffset}, WG ${k.wg}`;

describe('lstm_step_forward.wgsl against lstmStepForward (float64)', () => {
  it.each(CASES.map((k) => [caseName(k), k] as const))('%s', async (_, k) => {
    for (const t of k.ts) {
      const c = { ...k, t, seed: k.seed + t };
      expect(await forwardStep(c), label(c)).toEqual([]);
    }
  });
  // 8 × 2 tiles: B one short of, equal to and one past a multiple of 8 (rows 0…3 and 4…7 both
  // ragged), H odd and even.
  it.each([[3], [4], [5], [7], [8], [9], [16], [17]] as const)('ragged tiles: B %i, H ∈ {1, 2, 3, 6}', async (B) => {
    for (const H of [1, 2, 3, 6]) {
      const c = { B, H, T: 4, K: 1 + (H % 3), t: 2, wOffset: 5, wg: 64, seed: 300 + 10 * B + H };
      expect(await forwardStep(c), label(c)).toEqual([]);
    }
  });
  it('every K ∈ {1, 2, 3} at every t of T 4: each row writes its own tail slot, no other', async () => {
    for (const K of [1, 2, 3]) {
      for (let t = 0; t < 4; t++) {
        const c = { B: 11, H: 5, T: 4, K, t, wOffset: 3, wg: 8, seed: 500 + 10 * K + t };
        expect(await forwardStep(c), label(c)).toEqual([]);
      }
    }
  });
  it('stays finite and exact in saturation (pre-activations and c near ±100)', async () => {
    const k = { B: 3, H: 5, T: 2, K: 2, t: 1, wOffset: 4, wg: 64, seed: 77 };
    expect(await forwardStep(k, 100, 100), label(k)).toEqual([]);
  });
});

describe('lstm_step_backward.wgsl against lstmStepBackward (float64)', () => {
  it.each(CASES.map((k) => [caseName(k), k] as const))('%s', async (_, k) => {
    for (const t of k.ts) {
      for (const hasDcAbove of [0, 1] as const) {
        const c = { ...k, t, hasDcAbove, seed: k.seed + 10 * t + hasDcAbove };
        expect(await backwardStep(c), `${label(c)}, hasDcAbove ${hasDcAbove}`).toEqual([]);
      }
    }
  });
  it('stays finite in saturation (c near ±100)', async () => {
    for (const t of [0, 1]) {
      const k = { B: 3, H: 5, T: 2, K: 2, t, wOffset: 4, wg: 64, seed: 78, hasDcAbove: 1 as const };
      expect(await backwardStep(k, 100), label(k)).toEqual([]);
    }
  });
  // 8 × 4 tiles: B and H one short of, equal to and one past a multiple of the tile.
  it.each([[8, 4], [9, 3], [7, 5], [5, 4], [3, 8], [16, 9], [17, 7]] as const)('ragged tiles: B %i, H %i', async (B, H) => {
    for (const t of [0, 1, 2]) {
      const k = { B, H, T: 3, K: 1 + ((B + H) % 3), t, wOffset: 6, wg: 64, seed: 400 + 10 * B + H + t, hasDcAbove: 1 as const };
      expect(await backwardStep(k), label(k)).toEqual([]);
    }
  });
  it('every K ∈ {1, 2, 3} at every t of T 4: each row adds its own tail slot\'s gradient, no other', async () => {
    for (const K of [1, 2, 3]) {
      for (let t = 0; t < 4; t++) {
        for (const hasDcAbove of [0, 1] as const) {
          const c = { B: 11, H: 5, T: 4, K, t, wOffset: 3, wg: 8, seed: 600 + 10 * K + t, hasDcAbove };
          expect(await backwardStep(c), `${label(c)}, hasDcAbove ${hasDcAbove}`).toEqual([]);
        }
      }
    }
  });
});

/**
 * T forward steps, then T backward steps, as the engine records them: one encoder, one submit,
 * the buffers never leaving the GPU, with per-row lengths and K tail slots. The twins run the same
 * sequence in float64 from the same f32 inputs with the live masks (their tails copied from their
 * states, their gradients given the tails' as dhAbove[t] + dhAbove[T + s]), so the GPU's rounding
 * errors are carried through all 2T steps before the comparison. Every input a padded step must
 * not read (gx, dhAbove, dcAbove at t ≥ len; tail slots a row never fills) is NaN.
 */
async function sequence(shape: Shape, hasDcAbove: 0 | 1, seed: number): Promise<string[]> {
  const { B, H, T, K } = shape;
  const rng = new Rng(seed);
  const BH = B * H, BG = 4 * BH, G = 4 * H, wOffset = 11, S = T + 1 + K, tailBase = (T + 1) * BH;
  const lengths = sequenceLengths(rng, B, T, K);
  const gx = randomF32(rng, T * BG, -2, 2);
  const params = paramsWith(rng, H, wOffset);
  const h = nan(S * BH), c = nan(S * BH);
  h.set(randomF32(rng, BH));
  c.set(randomF32(rng, BH, -2, 2));
  const dhAbove = randomF32(rng, (T + K) * BH);
  const dcAbove = hasDcAbove ? randomF32(rng, (T + K) * BH) : nan((T + K) * BH);
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    for (let t = len; t < T; t++) {
      gx.fill(Number.NaN, t * BG + b * G, t * BG + (b + 1) * G);
      dhAbove.fill(Number.NaN, t * BH + b * H, t * BH + (b + 1) * H);
      dcAbove.fill(Number.NaN, t * BH + b * H, t * BH + (b + 1) * H);
    }
    for (let s = 0; s < K - len; s++) {
      dhAbove.fill(Number.NaN, (T + s) * BH + b * H, (T + s) * BH + (b + 1) * H);
      dcAbove.fill(Number.NaN, (T + s) * BH + b * H, (T + s) * BH + (b + 1) * H);
    }
  }

  const steps: KernelStep[] = [];
  for (let t = 0; t < T; t++) {
    steps.push({ name: 'lstm_step_forward', label: `lstm_step_forward[t=${t}]`, uniforms: { B, H, t, wOffset, tailBase, tailK: K }, workgroups: workgroups('lstm_step_forward', B, H, 64) });
  }
  for (let t = T - 1; t >= 0; t--) {
    steps.push({ name: 'lstm_step_backward', label: `lstm_step_backward[t=${t}]`, uniforms: { B, H, t, T, wOffset, hasDcAbove, tailK: K }, workgroups: workgroups('lstm_step_backward', B, H, 64) });
  }
  const out = await runKernelSequence({
    gx, params, dhAbove, dcAbove, lengths,
    h: { output: h.length, init: h }, c: { output: c.length, init: c },
    gates: { output: T * BG }, dgates: { output: T * BG }, dcCarry: { output: T * BH },
  }, steps);

  // The float64 reference, step by step through the twins.
  const W = params.subarray(wOffset, wOffset + 4 * H * H);
  const hR = new Float64Array((T + 1) * BH), cR = new Float64Array((T + 1) * BH), gR = new Float64Array(T * BG);
  hR.set(h.subarray(0, BH));
  cR.set(c.subarray(0, BH));
  for (let t = 0; t < T; t++) {
    lstmStepForward(gx.subarray(t * BG, (t + 1) * BG), hR.subarray(t * BH, (t + 1) * BH), cR.subarray(t * BH, (t + 1) * BH), W,
      hR.subarray((t + 1) * BH, (t + 2) * BH), cR.subarray((t + 1) * BH, (t + 2) * BH), gR.subarray(t * BG, (t + 1) * BG), B, H, liveAt(lengths, t));
  }
  const dgR = new Float64Array(T * BG), dcR = new Float64Array(T * BH);
  for (let t = T - 1; t >= 0; t--) {
    const last = t === T - 1;
    lstmStepBackward(effectiveAbove(dhAbove, lengths, t, T, K, B, H), hasDcAbove ? effectiveAbove(dcAbove, lengths, t, T, K, B, H) : null,
      last ? null : dgR.subarray((t + 1) * BG, (t + 2) * BG), last ? null : dcR.subarray((t + 1) * BH, (t + 2) * BH), W,
      gR.subarray(t * BG, (t + 1) * BG), cR.subarray((t + 1) * BH, (t + 2) * BH), cR.subarray(t * BH, (t + 1) * BH),
      dgR.subarray(t * BG, (t + 1) * BG), dcR.subarray(t * BH, (t + 1) * BH), B, H, liveAt(lengths, t));
  }

  const bound = lstmSequenceBound(H);
  const where = `T ${T}, B ${B}, H ${H}, K ${K}, seed ${seed}, ${showLengths(lengths)}`;
  const bad: string[] = [];
  const normwise = (what: string, got: Float32Array, ref: Float64Array, from: number, to: number) => {
    let num = 0, den = 0;
    for (let i = from; i < to; i++) {
      num += (got[i]! - ref[i]!) ** 2;
      den += ref[i]! ** 2;
    }
    const rel = Math.sqrt(num / den);
    report.note(`sequence ${what}`, rel / bound, where);
    if (!(rel <= bound)) bad.push(`${what}: ‖Δ‖/‖ref‖ = ${rel.toExponential(3)} > ${bound.toExponential(3)} (${where})`);
  };
  normwise('h', out.h!, hR, BH, (T + 1) * BH);
  normwise('c', out.c!, cR, BH, (T + 1) * BH);
  normwise('gates', out.gates!, gR, 0, T * BG);
  normwise('dgates', out.dgates!, dgR, 0, T * BG);
  normwise('dcCarry', out.dcCarry!, dcR, 0, T * BH);
  // Exact parts: slice 0 as uploaded; padded steps 0; tail slots copies of the states of the
  // row's last K steps; slots a row never fills (len < K) untouched.
  const hw = new Uint8Array(h.length).fill(1, BH, (T + 1) * BH);
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    for (let t = len; t < T; t++) {
      const zero = (name: string, a: Float32Array, off: number, n: number) => {
        for (let i = 0; i < n; i++) if (!Object.is(a[off + i], 0)) { bad.push(`${name} at padded step ${t}, row ${b}: ${a[off + i]}, expected 0 (${where})`); return; }
      };
      zero('h', out.h!, (t + 1) * BH + b * H, H);
      zero('c', out.c!, (t + 1) * BH + b * H, H);
      zero('gates', out.gates!, t * BG + b * G, G);
      zero('dgates', out.dgates!, t * BG + b * G, G);
      zero('dcCarry', out.dcCarry!, t * BH + b * H, H);
    }
    for (let s = Math.max(0, K - len); s < K; s++) {
      const dst = tailBase + s * BH + b * H, src = (len - K + s + 1) * BH + b * H;
      hw.fill(1, dst, dst + H);
      bad.push(...checkCopy(`h tail slot ${s} row ${b}`, out.h!, dst, src, H), ...checkCopy(`c tail slot ${s} row ${b}`, out.c!, dst, src, H));
    }
  }
  bad.push(...checkUntouched('h', out.h!, h, hw), ...checkUntouched('c', out.c!, c, hw));
  return bad;
}

describe('a whole sequence: T forward then T backward steps in one submit, with lengths and tails', () => {
  it.each([[0, 901, 1], [1, 902, 3]] as const)('hasDcAbove %i, T 20, B 5, H 7 (seed %i, K %i)', async (hasDcAbove, seed, K) => {
    expect(await sequence({ B: 5, H: 7, T: 20, K }, hasDcAbove, seed)).toEqual([]);
  });
  it('T 9, B 13, H 33, K 2', async () => {
    expect(await sequence({ B: 13, H: 33, T: 9, K: 2 }, 1, 903)).toEqual([]);
  });
  it('T 50, B 3, H 1, K 3', async () => {
    expect(await sequence({ B: 3, H: 1, T: 50, K: 3 }, 0, 904)).toEqual([]);
  });
  it('T 6, B 17, H 5, K 1 (the engine\'s lower layers)', async () => {
    expect(await sequence({ B: 17, H: 5, T: 6, K: 1 }, 1, 905)).toEqual([]);
  });
});
