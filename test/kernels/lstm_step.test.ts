/**
 * shaders/lstm_step_forward.wgsl and lstm_step_backward.wgsl against their float64 twins
 * (src/reference/lstmStepForward.ts, lstmStepBackward.ts), which take one [B, ·] slice of each
 * time-major buffer where the kernels take the whole buffer and the uniform t.
 *
 * Single steps on seeded random shapes (B, H ∈ {1, 3, 7, 13, 33, 65, 130}, a few T, t at 0, a middle
 * step and T − 1, hasDcAbove 0 and 1, W_hh inside a larger params array, several WG), outputs
 * NaN-poisoned first, every element the step must not write checked bit for bit; saturated inputs
 * (|x| = 100); and whole sequences: T forward steps then T backward steps in one submit, against
 * the twins run in float64 all the way.
 *
 * Tolerances (ε = ε₃₂ = 2⁻²³; K = the dot product's length: H forward, 4H backward). Inputs are
 * scaled as in training (W_hh ~ U(±2/√H), states and gradients O(1)), so the partial sums of a dot
 * product stay O(1) and its f32 rounding grows like √K·ε; SwiftShader's exp is off by up to ≈ 9
 * ulp (measured), which enters σ and tanh.
 *
 *   kernel, outputs                 bound                            reason                          worst measured
 *   lstm_step_forward               |Δ| ≤ ε·(8 + 2·√H) + 16·ε·|ref|  pointwise after an H-long dot    |Δ| ≤ 9.1ε, 0.26 of
 *     h[t+1], c[t+1], gates[t]                                       product; σ, tanh have slope ≤ 1  the bound (gates)
 *   lstm_step_backward              |Δ| ≤ ε·(8 + 2·√4H) + 16·ε·|ref| pointwise after the 4H-long dot    |Δ| ≤ 14.3ε, 0.16
 *     dgates[t], dcCarry[t]                                          product of dh; gates ≤ 1         of the bound (dgates)
 *   a sequence, T forward then      ‖Δ‖₂/‖ref‖₂ ≤ 4·√4H·ε            normwise: long sequences carry   ‖Δ‖/‖ref‖ ≤ 2.8ε,
 *     T backward steps: h, c,       per tensor, all steps            rounding through 2T steps; the   0.25 of the bound
 *     gates, dgates, dcCarry                                         recurrence contracts (f < 1)     (H 1, T 50, dgates)
 *
 * Worst measured over 94 single-step cases (3 seeds of stepCases) and 60 sequences (B·H·T from
 * 3·1·50 to 4·130·30) on SwiftShader; KERNEL_TOL_REPORT=1 prints each check's error / bound.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { lstmStepForward } from '../../src/reference/lstmStepForward.js';
import { lstmStepBackward } from '../../src/reference/lstmStepBackward.js';
import { stepInvocations } from '../../src/webgpu/kernels/grids.js';
import { randomF32, runKernel, runKernelSequence, type KernelStep } from './harness.js';

const EPS = 2 ** -23;

/** The table above: |Δ| ≤ ε·(a0 + a1·√K) + r·ε·|ref| per step; ‖Δ‖/‖ref‖ ≤ sequence·√4H·ε. */
const TOL = {
  forward: { a0: 8, a1: 2, r: 16 },
  backward: { a0: 8, a1: 2, r: 16 },
  sequence: 4,
};

/** Set KERNEL_TOL_REPORT=1 to print the worst error of each check as a fraction of its bound. */
const REPORT = process.env.KERNEL_TOL_REPORT === '1';
const worst: Record<string, number> = {};
function note(key: string, v: number): void {
  worst[key] = Math.max(worst[key] ?? 0, v);
  if (REPORT) process.stdout.write(`${key}: ${v.toFixed(4)} (worst ${worst[key]!.toFixed(4)})\n`);
}

interface Shape { B: number; H: number; T: number }

/** Elements of got[off …] against ref, |Δ| ≤ atol + rtol·|ref|; returns the first mismatches. */
function checkClose(what: string, got: Float32Array, off: number, ref: ArrayLike<number>, atol: number, rtol: number): string[] {
  const bad: string[] = [];
  let ratio = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[off + i]!, r = ref[i]!;
    const d = Math.abs(g - r);
    const bound = atol + rtol * Math.abs(r);
    if (!(d <= bound)) {
      if (bad.length < 5) bad.push(`${what}[${i}]: gpu ${g}, ref ${r}, |Δ| ${d.toExponential(3)} > ${bound.toExponential(3)}`);
      ratio = Infinity;
    } else {
      ratio = Math.max(ratio, d / bound);
    }
  }
  note(what.replace(/\[.*$/, ''), ratio);
  return bad;
}

/** Every element outside [from, to) must be exactly what was uploaded (the step must not write it). */
function checkUntouched(what: string, got: Float32Array, init: Float32Array, from: number, to: number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < init.length; i++) {
    if (i >= from && i < to) continue;
    if (!Object.is(got[i], init[i])) {
      if (bad.length < 5) bad.push(`${what}[${i}] outside the written slice changed: ${init[i]} → ${got[i]}`);
    }
  }
  return bad;
}

/** A params array with W_hh [4H, H] ~ U(±2/√H) at wOffset inside other (random) parameters. */
function paramsWith(rng: Rng, H: number, wOffset: number, wScale = 2 / Math.sqrt(H)): Float32Array {
  const p = randomF32(rng, wOffset + 4 * H * H + 1 + rng.int(9), -3, 3);
  p.set(randomF32(rng, 4 * H * H, -wScale, wScale), wOffset);
  return p;
}

/** A buffer of n random values followed by a guard slice of NaN (never read, never written). */
function withGuard(rng: Rng, n: number, guard: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n + guard).fill(Number.NaN);
  a.set(randomF32(rng, n, lo, hi));
  return a;
}

/** The engine's grid (src/webgpu/stepDispatch.ts): one invocation per tile of batch rows × columns. */
function workgroups(kernel: string, B: number, H: number, wg: number): [number] {
  return [Math.max(1, Math.ceil(stepInvocations(kernel, B, H) / wg))];
}

interface StepCase extends Shape { t: number; wOffset: number; wg: number; seed: number }

async function forwardStep(k: StepCase, gxRange = 2, cRange = 2): Promise<string[]> {
  const { B, H, T, t, wOffset, wg } = k;
  const rng = new Rng(k.seed);
  const BH = B * H, BG = 4 * BH;
  const gx = randomF32(rng, T * BG, -gxRange, gxRange);
  const params = paramsWith(rng, H, wOffset);
  // Every slice holds values; the written ones are poisoned; a NaN guard slice follows.
  const h = withGuard(rng, (T + 1) * BH, BH);
  const c = withGuard(rng, (T + 1) * BH, BH, -cRange, cRange);
  const gates = withGuard(rng, T * BG, BG, 0, 1);
  h.fill(Number.NaN, (t + 1) * BH, (t + 2) * BH);
  c.fill(Number.NaN, (t + 1) * BH, (t + 2) * BH);
  gates.fill(Number.NaN, t * BG, (t + 1) * BG);

  const out = await runKernel('lstm_step_forward', {
    overrides: { WG: wg },
    uniforms: { B, H, t, wOffset },
    buffers: { gx, params, h: { output: h.length, init: h }, c: { output: c.length, init: c }, gates: { output: gates.length, init: gates } },
    workgroups: workgroups('lstm_step_forward', B, H, wg),
  });

  const hRef = new Float64Array(BH), cRef = new Float64Array(BH), gRef = new Float64Array(BG);
  lstmStepForward(gx.subarray(t * BG, (t + 1) * BG), h.subarray(t * BH, (t + 1) * BH), c.subarray(t * BH, (t + 1) * BH),
    params.subarray(wOffset, wOffset + 4 * H * H), hRef, cRef, gRef, B, H);
  const atol = EPS * (TOL.forward.a0 + TOL.forward.a1 * Math.sqrt(H)), rtol = TOL.forward.r * EPS;
  return [
    ...checkClose('forward h[t+1]', out.h!, (t + 1) * BH, hRef, atol, rtol),
    ...checkClose('forward c[t+1]', out.c!, (t + 1) * BH, cRef, atol, rtol),
    ...checkClose('forward gates[t]', out.gates!, t * BG, gRef, atol, rtol),
    ...checkUntouched('h', out.h!, h, (t + 1) * BH, (t + 2) * BH),
    ...checkUntouched('c', out.c!, c, (t + 1) * BH, (t + 2) * BH),
    ...checkUntouched('gates', out.gates!, gates, t * BG, (t + 1) * BG),
  ];
}

async function backwardStep(k: StepCase & { hasDcAbove: 0 | 1 }, cRange = 2): Promise<string[]> {
  const { B, H, T, t, wOffset, wg, hasDcAbove } = k;
  const rng = new Rng(k.seed);
  const BH = B * H, BG = 4 * BH;
  const dhAbove = randomF32(rng, T * BH);
  // Without hasDcAbove the buffer is all NaN: one read would poison the result.
  const dcAbove = hasDcAbove ? randomF32(rng, T * BH) : new Float32Array(T * BH).fill(Number.NaN);
  const gates = randomF32(rng, T * BG, 0, 1);
  for (let s = 0; s < T * B; s++) gates.set(randomF32(rng, H), s * 4 * H + 2 * H); // g ∈ (−1, 1)
  const c = randomF32(rng, (T + 1) * BH, -cRange, cRange);
  const params = paramsWith(rng, H, wOffset);
  // Slice t poisoned, slice t+1 (and the rest) random, then a NaN guard slice T: reading it at
  // t = T − 1 (a wrong t+1 < T branch) would poison the result.
  const dgates = withGuard(rng, T * BG, BG);
  const dcCarry = withGuard(rng, T * BH, BH);
  dgates.fill(Number.NaN, t * BG, (t + 1) * BG);
  dcCarry.fill(Number.NaN, t * BH, (t + 1) * BH);

  const out = await runKernel('lstm_step_backward', {
    overrides: { WG: wg },
    uniforms: { B, H, t, T, wOffset, hasDcAbove },
    buffers: { dhAbove, dcAbove, gates, c, params, dgates: { output: dgates.length, init: dgates }, dcCarry: { output: dcCarry.length, init: dcCarry } },
    workgroups: workgroups('lstm_step_backward', B, H, wg),
  });

  const last = t + 1 >= T;
  const dgRef = new Float64Array(BG), dcRef = new Float64Array(BH);
  lstmStepBackward(dhAbove.subarray(t * BH, (t + 1) * BH), hasDcAbove ? dcAbove.subarray(t * BH, (t + 1) * BH) : null,
    last ? null : dgates.subarray((t + 1) * BG, (t + 2) * BG), last ? null : dcCarry.subarray((t + 1) * BH, (t + 2) * BH),
    params.subarray(wOffset, wOffset + 4 * H * H), gates.subarray(t * BG, (t + 1) * BG),
    c.subarray((t + 1) * BH, (t + 2) * BH), c.subarray(t * BH, (t + 1) * BH), dgRef, dcRef, B, H);
  const atol = EPS * (TOL.backward.a0 + TOL.backward.a1 * Math.sqrt(4 * H)), rtol = TOL.backward.r * EPS;
  return [
    ...checkClose('backward dgates[t]', out.dgates!, t * BG, dgRef, atol, rtol),
    ...checkClose('backward dcCarry[t]', out.dcCarry!, t * BH, dcRef, atol, rtol),
    ...checkUntouched('dgates', out.dgates!, dgates, t * BG, (t + 1) * BG),
    ...checkUntouched('dcCarry', out.dcCarry!, dcCarry, t * BH, (t + 1) * BH),
  ];
}

const SIZES = [1, 3, 7, 13, 33, 65, 130];
const WGS = [64, 8, 32, 13, 256]; // 8: the engine's (src/webgpu/stepDispatch.ts STEP_WG)

/** Seeded cases: the four size corners, then random (B, H) pairs; each with T ∈ {1, 2, 3, 5}. */
function stepCases(seed: number, n: number): Array<StepCase & { ts: number[] }> {
  const rng = new Rng(seed);
  const pairs: Array<[number, number]> = [[1, 1], [130, 130], [1, 130], [130, 1]];
  while (pairs.length < n) pairs.push([SIZES[rng.int(SIZES.length)]!, SIZES[rng.int(SIZES.length)]!]);
  return pairs.map(([B, H], k) => {
    const T = [1, 2, 3, 5][rng.int(4)]!;
    const ts = [...new Set([0, Math.floor(T / 2), T - 1])];
    return { B, H, T, t: 0, ts, wOffset: 1 + rng.int(97), wg: WGS[k % WGS.length]!, seed: seed * 1000 + k };
  });
}

const CASES = stepCases(2024, 14);
const label = (k: StepCase) => `seed ${k.seed}, B ${k.B}, H ${k.H}, T ${k.T}, t ${k.t}, wOffset ${k.wOffset}, WG ${k.wg}`;
const caseName = (k: StepCase & { ts: number[] }) => `B ${k.B}, H ${k.H}, T ${k.T}, t ∈ {${k.ts.join(', ')}}, wOffset ${k.wOffset}, WG ${k.wg}`;

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
      const c = { B, H, T: 3, t: 1, wOffset: 5, wg: 64, seed: 300 + 10 * B + H };
      expect(await forwardStep(c), label(c)).toEqual([]);
    }
  });
  it('stays finite and exact in saturation (pre-activations and c near ±100)', async () => {
    const k = { B: 3, H: 5, T: 2, t: 1, wOffset: 4, wg: 64, seed: 77 };
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
      const k = { B: 3, H: 5, T: 2, t, wOffset: 4, wg: 64, seed: 78, hasDcAbove: 1 as const };
      expect(await backwardStep(k, 100), label(k)).toEqual([]);
    }
  });
  // 8 × 4 tiles: B and H one short of, equal to and one past a multiple of the tile.
  it.each([[8, 4], [9, 3], [7, 5], [5, 4], [3, 8], [16, 9], [17, 7]] as const)('ragged tiles: B %i, H %i', async (B, H) => {
    for (const t of [0, 1]) {
      const k = { B, H, T: 3, t, wOffset: 6, wg: 64, seed: 400 + 10 * B + H + t, hasDcAbove: 1 as const };
      expect(await backwardStep(k), label(k)).toEqual([]);
    }
  });
});

/**
 * T forward steps, then T backward steps, as the engine records them: one encoder, one submit,
 * the buffers never leaving the GPU. The twins run the same sequence in float64 from the same f32
 * inputs, so the GPU's rounding errors are carried through all 2T steps before the comparison.
 */
async function sequence(shape: Shape, hasDcAbove: 0 | 1, seed: number): Promise<string[]> {
  const { B, H, T } = shape;
  const rng = new Rng(seed);
  const BH = B * H, BG = 4 * BH, wOffset = 11;
  const gx = randomF32(rng, T * BG, -2, 2);
  const params = paramsWith(rng, H, wOffset);
  const h = new Float32Array((T + 1) * BH).fill(Number.NaN);
  const c = new Float32Array((T + 1) * BH).fill(Number.NaN);
  h.set(randomF32(rng, BH));
  c.set(randomF32(rng, BH, -2, 2));
  const dhAbove = randomF32(rng, T * BH);
  const dcAbove = hasDcAbove ? randomF32(rng, T * BH) : new Float32Array(T * BH).fill(Number.NaN);

  const steps: KernelStep[] = [];
  for (let t = 0; t < T; t++) {
    steps.push({ name: 'lstm_step_forward', label: `lstm_step_forward[t=${t}]`, uniforms: { B, H, t, wOffset }, workgroups: workgroups('lstm_step_forward', B, H, 64) });
  }
  for (let t = T - 1; t >= 0; t--) {
    steps.push({ name: 'lstm_step_backward', label: `lstm_step_backward[t=${t}]`, uniforms: { B, H, t, T, wOffset, hasDcAbove }, workgroups: workgroups('lstm_step_backward', B, H, 64) });
  }
  const out = await runKernelSequence({
    gx, params, dhAbove, dcAbove,
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
      hR.subarray((t + 1) * BH, (t + 2) * BH), cR.subarray((t + 1) * BH, (t + 2) * BH), gR.subarray(t * BG, (t + 1) * BG), B, H);
  }
  const dgR = new Float64Array(T * BG), dcR = new Float64Array(T * BH);
  for (let t = T - 1; t >= 0; t--) {
    const last = t === T - 1;
    lstmStepBackward(dhAbove.subarray(t * BH, (t + 1) * BH), hasDcAbove ? dcAbove.subarray(t * BH, (t + 1) * BH) : null,
      last ? null : dgR.subarray((t + 1) * BG, (t + 2) * BG), last ? null : dcR.subarray((t + 1) * BH, (t + 2) * BH), W,
      gR.subarray(t * BG, (t + 1) * BG), cR.subarray((t + 1) * BH, (t + 2) * BH), cR.subarray(t * BH, (t + 1) * BH),
      dgR.subarray(t * BG, (t + 1) * BG), dcR.subarray(t * BH, (t + 1) * BH), B, H);
  }

  const bound = TOL.sequence * Math.sqrt(4 * H) * EPS;
  const bad: string[] = [];
  const normwise = (what: string, got: Float32Array, ref: Float64Array, from = 0) => {
    let num = 0, den = 0;
    for (let i = from; i < ref.length; i++) {
      num += (got[i]! - ref[i]!) ** 2;
      den += ref[i]! ** 2;
    }
    const rel = Math.sqrt(num / den);
    note(`sequence ${what}`, rel / bound);
    if (!(rel <= bound)) bad.push(`${what}: ‖Δ‖/‖ref‖ = ${rel.toExponential(3)} > ${bound.toExponential(3)} (T ${T}, B ${B}, H ${H}, seed ${seed})`);
  };
  normwise('h', out.h!, hR, BH);
  normwise('c', out.c!, cR, BH);
  normwise('gates', out.gates!, gR);
  normwise('dgates', out.dgates!, dgR);
  normwise('dcCarry', out.dcCarry!, dcR);
  bad.push(...checkUntouched('h', out.h!, h, BH, h.length), ...checkUntouched('c', out.c!, c, BH, c.length));
  return bad;
}

describe('a whole sequence: T forward then T backward steps in one submit', () => {
  it.each([[0, 901], [1, 902]] as const)('hasDcAbove %i, T 20, B 5, H 7', async (hasDcAbove, seed) => {
    expect(await sequence({ B: 5, H: 7, T: 20 }, hasDcAbove, seed)).toEqual([]);
  });
  it('T 9, B 13, H 33', async () => {
    expect(await sequence({ B: 13, H: 33, T: 9 }, 1, 903)).toEqual([]);
  });
  it('T 50, B 3, H 1', async () => {
    expect(await sequence({ B: 3, H: 1, T: 50 }, 0, 904)).toEqual([]);
  });
});
