/**
 * shaders/grad_norm.wgsl + grad_norm_finish.wgsl against gradNorm/clipGradNorm
 * (src/reference/gradNorm.ts), and shaders/optimizer_update.wgsl (with its host side,
 * src/webgpu/kernels/optimizerUniforms.ts) against optimizerUpdate (src/reference/optimizerUpdate.ts).
 *
 * grad_norm: n ∈ {1, 3, 7, 13, 65, 1000, 100003} × P ∈ {1, 7, 64, 256, 1000} (P > n too), WG 64
 * and 7, magnitudes 10⁻³…10³, partials and stats NaN-poisoned (stats[2], stats[3] must stay so);
 * clip on (scale < 1), on with maxNorm above the norm (scale 1), off; the f32 range: |g| ~ 10³⁰
 * (g² overflows f32) and ~ 10⁻³⁰ (g² underflows), each exact to rounding; NaN, ±∞, n = 0.
 *
 * optimizer_update: every recipe (the six names, SGD with dampening, RMSprop with momentum, and
 * seed 003's RMSprop-Nesterov) × weight decay 0 and 0.01, each run for STEPS consecutive steps on
 * the GPU in one submit — grad_norm → grad_norm_finish → optimizer_update per step, a fresh
 * gradient and scheduled lr each step, parameters and state staying in GPU buffers — against the
 * twin run in float64 from the same float32 start on the same float32 gradients, clipped by
 * clipGradNorm (clip scale < 1 at every step, asserted on the twin), plus runs without clipping.
 * Unused state bindings get NaN placeholders that must come back untouched. Some runs use a
 * 2-D grid (x capped at a few workgroups) to exercise the kernel's gid.y indexing.
 *
 * Tolerances: test/kernels/tolerances.ts (GRAD_NORM, OPTIMIZER: each bound, why, and the worst
 * measured); KERNEL_TOL_REPORT=1 prints the worst |Δ|/bound of each check, with the relative
 * errors. K = n/P + P, the longest chain of f32 additions in the norm; A = 16 + 2√K.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { clipGradNorm, gradNorm } from '../../src/reference/gradNorm.js';
import {
  createOptimizerState, optimizerUpdate, resolveOptimizer, type OptimizerOptions, type ResolvedOptimizer,
} from '../../src/reference/optimizerUpdate.js';
import { optimizerStateSlots, optimizerUniforms } from '../../src/webgpu/kernels/optimizerUniforms.js';
import { flatWorkgroups } from '../../src/webgpu/kernels/grids.js';
import { gpu, randomF32, runKernelSequence, type KernelBuffer, type KernelStep } from './harness.js';
import { EPS, gradNormBound, optimizerA, TolReport } from './tolerances.js';

const SIZES = [1, 3, 7, 13, 65, 1000, 100003];
const STEPS = 4;

const report = new TolReport('grad_norm / optimizer_update');
afterAll(() => report.print());
const note = (key: string, v: number): void => report.note(key, v);

/** |got − ref| ≤ bound; NaN or a miss is a failure message. Records |Δ|/bound. */
function within(what: string, got: number, ref: number, bound: number, bad: string[]): void {
  const d = Math.abs(got - ref);
  if (!(d <= bound)) {
    bad.push(`${what}: gpu ${got}, ref ${ref}, |Δ| ${d.toExponential(3)} > ${bound.toExponential(3)}`);
    note(what.replace(/\[.*$/, ''), Infinity);
  } else if (bound > 0) {
    note(what.replace(/\[.*$/, ''), d / bound);
  }
  if (ref !== 0 && Number.isFinite(ref)) note(`${what.replace(/\[.*$/, '')} |Δ|/|ref|`, d / Math.abs(ref));
}

/** A normwise check: err = ‖gpu − ref‖₂ ≤ bound. Records err/bound. */
function normwise(what: string, err: number, refNorm: number, bound: number, bad: string[]): void {
  if (refNorm > 0) note(`${what} ‖Δ‖/‖ref‖`, err / refNorm);
  if (!(err <= bound)) {
    bad.push(`${what}: ‖gpu − ref‖₂ = ${err.toExponential(3)} > bound ${bound.toExponential(3)} (‖ref‖₂ = ${refNorm.toExponential(3)})`);
    note(what, Infinity);
  } else if (bound > 0) {
    note(what, err / bound);
  }
}

/** The norm of a strided subset, i ≡ p (mod P). */
function subsetNorm(g: Float32Array, p: number, P: number): number {
  const sub: number[] = [];
  for (let i = p; i < g.length; i += P) sub.push(g[i]!);
  return gradNorm(sub);
}

function normSteps(gradsName: string, n: number, P: number, clip: 0 | 1, maxNorm: number, WG: number): KernelStep[] {
  return [
    { name: 'grad_norm', overrides: { WG }, uniforms: { n, P }, workgroups: [Math.ceil(P / WG)], bind: { grads: gradsName }, label: `grad_norm[${gradsName}]` },
    { name: 'grad_norm_finish', uniforms: { P, clip, maxNorm }, workgroups: [1] },
  ];
}

async function runNorm(g: Float32Array, P: number, clip: 0 | 1, maxNorm: number, WG = 64): Promise<Record<string, Float32Array>> {
  return runKernelSequence({ grads: g, partials: { output: P }, stats: { output: 4 } }, normSteps('grads', g.length, P, clip, maxNorm, WG));
}

describe('grad_norm.wgsl + grad_norm_finish.wgsl against gradNorm / clipGradNorm', () => {
  it('matches on ragged n and P, with clipping on (scale < 1), on (scale 1) and off', async () => {
    const rng = new Rng(8001);
    const failures: string[] = [];
    let c = 0;
    for (const n of SIZES) {
      for (const P of [1, 7, 64, 256, 1000]) {
        const mag = 10 ** rng.range(-3, 3);
        const g = randomF32(rng, n, -mag, mag);
        const WG = c % 2 === 0 ? 64 : 7;
        const norm = gradNorm(g);
        const mode = c++ % 3;                       // 0: clip to half the norm, 1: clip above it, 2: off
        const maxNorm = mode === 0 ? 0.5 * norm : mode === 1 ? 2 * norm + 1 : 1;
        const out = await runNorm(g, P, mode === 2 ? 0 : 1, maxNorm, WG);
        const bad: string[] = [];
        for (let p = 0; p < P; p++) {
          const ref = subsetNorm(g, p, P);
          within(`partials[${p}]`, out.partials![p]!, ref, gradNormBound('partials', Math.ceil(n / P), ref), bad);
        }
        const K = n / P + P;
        within('stats[0]', out.stats![0]!, norm, gradNormBound('norm', K, norm), bad);
        const scale = mode === 2 ? 1 : clipGradNorm(Float64Array.from(g), maxNorm).scale;
        if (mode === 0) expect(scale).toBeLessThan(1);
        within('stats[1]', out.stats![1]!, scale, gradNormBound('scale', K, scale), bad);
        if (!Number.isNaN(out.stats![2]!) || !Number.isNaN(out.stats![3]!)) bad.push(`stats[2..3] written: ${out.stats![2]}, ${out.stats![3]}`);
        if (bad.length) failures.push(`seed 8001, n=${n} P=${P} WG=${WG} mode=${mode}:\n  ${bad.slice(0, 6).join('\n  ')}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('covers the f32 range: squares that overflow (|g| ~ 1e30) or underflow (|g| ~ 1e-30) keep their norm', async () => {
    const rng = new Rng(8002);
    for (const mag of [1e30, 1e36, 1e-30, 1e-36]) {
      const g = randomF32(rng, 1000, -mag, mag);
      const P = 7, norm = gradNorm(g);
      const maxNorm = mag < 1 ? 1 : 0.5 * norm;
      const out = await runNorm(g, P, 1, maxNorm);
      const K = 1000 / P + P;
      expect(Math.abs(out.stats![0]! - norm) / norm, `|g| ~ ${mag}: gpu ${out.stats![0]}, ref ${norm}`).toBeLessThanOrEqual(gradNormBound('norm', K, 1));
      const scale = clipGradNorm(Float64Array.from(g), maxNorm).scale;
      expect(Math.abs(out.stats![1]! - scale) / scale, `scale at |g| ~ ${mag}`).toBeLessThanOrEqual(gradNormBound('scale', K, 1));
    }
    // The limit: a norm above f32's largest finite value (~3.4e38) is +∞, so the clip scale is 0.
    const g = new Float32Array(1000).fill(3e37);
    const out = await runNorm(g, 7, 1, 1);
    expect(out.stats![0]).toBe(Infinity);
    expect(out.stats![1]).toBe(0);
  });

  it('NaN makes the norm NaN (scale 1), ∞ makes it ∞ (scale 0), n = 0 gives 0 (scale 1), as the twin', async () => {
    const base = Float32Array.from({ length: 50 }, (_, i) => Math.cos(i));
    const cases: Array<[string, Float32Array, number, number]> = [];
    const withNan = base.slice(); withNan[17] = NaN;
    cases.push(['NaN', withNan, NaN, 1]);
    const withInf = base.slice(); withInf[3] = -Infinity;
    cases.push(['-∞', withInf, Infinity, 0]);
    const twoInf = base.slice(); twoInf[3] = Infinity; twoInf[10] = Infinity; // same partial for P = 7
    cases.push(['two ∞ in one partial', twoInf, Infinity, 0]);
    cases.push(['n = 0', new Float32Array(0), 0, 1]);
    for (const [what, g, norm, scale] of cases) {
      const out = await runNorm(g, 7, 1, 1);
      const ref = clipGradNorm(Float64Array.from(g), 1);
      expect(ref.norm, `twin ${what}`).toBe(norm);
      expect(ref.scale, `twin ${what}`).toBe(scale);
      expect(out.stats![0], `norm, ${what}`).toBe(norm);
      expect(out.stats![1], `scale, ${what}`).toBe(scale);
    }
  });
});

interface Recipe { label: string; options: OptimizerOptions }

const RECIPES: Recipe[] = [
  { label: 'sgd', options: { name: 'sgd', lr: 0.05 } },
  { label: 'sgd momentum 0.8 dampening 0.3', options: { name: 'sgd', lr: 0.05, momentum: 0.8, dampening: 0.3 } },
  { label: 'momentum', options: { name: 'momentum', lr: 0.05 } },
  { label: 'nesterov', options: { name: 'nesterov', lr: 0.05 } },
  { label: 'rmsprop', options: { name: 'rmsprop', lr: 0.01 } },
  { label: 'rmsprop momentum 0.9', options: { name: 'rmsprop', lr: 0.01, momentum: 0.9 } },
  { label: 'rmsprop-nesterov (seed 003)', options: { name: 'rmsprop', lr: 0.05, alpha: 0.5, momentum: 0.8, nesterov: true } },
  { label: 'adagrad lrDecay 0.01 init 0.1', options: { name: 'adagrad', lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 } },
  { label: 'adam', options: { name: 'adam', lr: 0.01 } },
];

/** Scheduled learning rates of the STEPS steps, as factors of the base lr. */
const LR_FACTORS = [1, 0.8, 0.6, 1.1];

/** The twin: STEPS updates in float64 from the same float32 start, gradients clipped by clipGradNorm. */
function twinRun(opt: ResolvedOptimizer, p0: Float32Array, grads: Float32Array[], lrs: number[], maxNorm: number | null) {
  const p = Float64Array.from(p0);
  const state = createOptimizerState(opt, p.length);
  let sumUpdate = 0, sumParams = 0;
  const scales: number[] = [];
  for (let k = 0; k < grads.length; k++) {
    const g = Float64Array.from(grads[k]!);
    scales.push(maxNorm === null ? 1 : clipGradNorm(g, maxNorm).scale);
    const before = p.slice();
    optimizerUpdate(opt, state, p, g, lrs[k]!);
    let du = 0, pp = 0;
    for (let i = 0; i < p.length; i++) { du += (p[i]! - before[i]!) ** 2; pp += p[i]! ** 2; }
    sumUpdate += Math.sqrt(du);
    sumParams += Math.sqrt(pp);
  }
  return { p, state, sumUpdate, sumParams, scales };
}

function norm2(a: ArrayLike<number>, b?: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i]! - (b ? b[i]! : 0)) ** 2;
  return Math.sqrt(s);
}

/** Runs STEPS steps of (clip, update) on the GPU in one submit; returns every buffer read back. */
async function gpuRun(opt: ResolvedOptimizer, p0: Float32Array, grads: Float32Array[], lrs: number[], clip: { maxNorm: number } | null,
  P: number, WG: number, maxPerDimension: number): Promise<Record<string, Float32Array>> {
  const n = p0.length;
  const buffers: Record<string, KernelBuffer> = { params: p0.slice(), partials: { output: P }, stats: { output: 4 } };
  const slots = optimizerStateSlots(opt);
  for (const binding of ['state1', 'state2'] as const) {
    const slot = slots.find((s) => s.binding === binding);
    // An unused state gets a NaN placeholder: reading it would poison params, writing it would show.
    buffers[binding] = new Float32Array(n).fill(slot ? slot.init : NaN);
  }
  grads.forEach((g, k) => { buffers[`g${k}`] = g; });
  const [x, y] = flatWorkgroups(n, WG, maxPerDimension);
  const steps: KernelStep[] = grads.flatMap((_, k): KernelStep[] => [
    ...normSteps(`g${k}`, n, P, clip ? 1 : 0, clip ? clip.maxNorm : 1, 64),
    { name: 'optimizer_update', overrides: { WG }, uniforms: optimizerUniforms(opt, k + 1, lrs[k]!, n), workgroups: [x, y], bind: { grads: `g${k}` }, label: `optimizer_update[step=${k + 1}]` },
  ]);
  return runKernelSequence(buffers, steps);
}

describe('optimizer_update.wgsl against optimizerUpdate, several steps with state on the GPU', () => {
  it('matches every recipe, with and without weight decay, gradients clipped (scale < 1 every step)', async () => {
    const rng = new Rng(8101);
    const failures: string[] = [];
    let c = 0;
    for (const recipe of RECIPES) {
      for (const weightDecay of [0, 0.01]) {
        const opt = resolveOptimizer({ ...recipe.options, ...(weightDecay ? { weightDecay } : {}) }, recipe.label);
        const n = SIZES[c % SIZES.length]!;
        const P = [1, 7, 64, 256][c % 4]!;
        const WG = c % 2 === 0 ? 64 : 7;
        // Every third run caps x at √(workgroups): a ragged 2-D grid whenever n > WG.
        const maxPerDimension = c % 3 === 0 ? Math.max(2, Math.ceil(Math.sqrt(Math.ceil(n / WG)))) : 65535;
        c++;
        const p0 = randomF32(rng, n);
        const grads = Array.from({ length: STEPS }, () => randomF32(rng, n));
        const lrs = LR_FACTORS.map((f) => f * opt.lr);
        // Half the smallest gradient norm: every step is clipped, by a different factor.
        const maxNorm = 0.5 * Math.min(...grads.map((g) => gradNorm(g)));
        const ref = twinRun(opt, p0, grads, lrs, maxNorm);
        expect(ref.scales.every((s) => s < 1), `${recipe.label}: clip scales ${ref.scales.join(', ')}`).toBe(true);
        const out = await gpuRun(opt, p0, grads, lrs, { maxNorm }, P, WG, maxPerDimension);
        const bad = compareRun(opt, ref, out, n, P, p0);
        if (bad.length) failures.push(`seed 8101, ${recipe.label}, weightDecay ${weightDecay}, n=${n} P=${P} WG=${WG}:\n  ${bad.join('\n  ')}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('matches every recipe without clipping (clip = 0: scale 1)', async () => {
    const rng = new Rng(8102);
    const failures: string[] = [];
    for (const [c, recipe] of RECIPES.entries()) {
      const opt = resolveOptimizer({ ...recipe.options, weightDecay: 0.001 }, recipe.label);
      const n = [1000, 65, 13][c % 3]!, P = 64;
      const p0 = randomF32(rng, n);
      const grads = Array.from({ length: STEPS }, () => randomF32(rng, n, -3, 3));
      const lrs = LR_FACTORS.map((f) => f * opt.lr);
      const ref = twinRun(opt, p0, grads, lrs, null);
      const out = await gpuRun(opt, p0, grads, lrs, null, P, 64, 65535);
      const bad = compareRun(opt, ref, out, n, P, p0);
      if (out.stats![1] !== 1) bad.push(`stats[1] = ${out.stats![1]} with clip off, expected 1`);
      if (bad.length) failures.push(`seed 8102, ${recipe.label}, n=${n}:\n  ${bad.join('\n  ')}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

/** Params normwise against the updates taken, states normwise, unused placeholders untouched. */
function compareRun(opt: ResolvedOptimizer, ref: ReturnType<typeof twinRun>, out: Record<string, Float32Array>, n: number, P: number, p0: Float32Array): string[] {
  const bad: string[] = [];
  const A = optimizerA(n / P + P);
  const pErr = norm2(out.params!, ref.p, n);
  const pBound = EPS * (A * ref.sumUpdate + ref.sumParams);
  normwise(`params.${opt.kind}`, pErr, norm2(ref.p), pBound, bad);
  if (norm2(out.params!, p0, n) === 0 && ref.sumUpdate > 0) bad.push('params did not change');
  const slots = optimizerStateSlots(opt);
  for (const binding of ['state1', 'state2'] as const) {
    const slot = slots.find((s) => s.binding === binding);
    const got = out[binding]!;
    if (!slot) {
      if (!got.every(Number.isNaN)) bad.push(`${binding} is unused by ${opt.name} but was written`);
      continue;
    }
    const want = ref.state.buffers[slot.name]!;
    const sRef = norm2(want);
    normwise(`${binding}.${opt.kind}.${slot.name}`, norm2(got, want, n), sRef, EPS * A * STEPS * sRef, bad);
  }
  // Every state the twin keeps is one the GPU keeps.
  const names = Object.keys(ref.state.buffers).sort();
  if (names.join() !== slots.map((s) => s.name).sort().join()) bad.push(`state names: twin ${names.join()}, slots ${slots.map((s) => s.name).join()}`);
  return bad;
}

describe('optimizerUniforms (the host side of optimizer_update)', () => {
  it('gives exactly the members of the kernel\'s Params struct, for every kind', async () => {
    const info = await (await gpu()).registry.info('optimizer_update');
    const members = info.uniform!.members!.map((m) => m.name).sort();
    for (const r of RECIPES) {
      expect(Object.keys(optimizerUniforms(resolveOptimizer(r.options), 3, 0.1, 10)).sort(), r.label).toEqual(members);
    }
  });

  it('computes the per-step scalars as the twin: first step, Adagrad decay, Adam bias corrections', () => {
    const adam = resolveOptimizer({ name: 'adam', lr: 0.001, betas: [0.8, 0.9] });
    const u = optimizerUniforms(adam, 3, 0.002, 5);
    expect(u.biasCorrection1).toBeCloseTo(1 - 0.8 ** 3, 15);
    expect(u.biasCorrection2).toBeCloseTo(1 - 0.9 ** 3, 15);
    expect(u.lr).toBe(0.002);
    const ada = resolveOptimizer({ name: 'adagrad', lr: 0.3, lrDecay: 0.5 });
    expect(optimizerUniforms(ada, 1, 0.3, 5).lr).toBe(0.3);
    expect(optimizerUniforms(ada, 5, 0.3, 5).lr).toBeCloseTo(0.3 / 3, 15);
    const mom = resolveOptimizer({ name: 'momentum', lr: 0.1 });
    expect(optimizerUniforms(mom, 1, 0.1, 5).firstStep).toBe(1);
    expect(optimizerUniforms(mom, 2, 0.1, 5).firstStep).toBe(0);
  });

  it('refuses a bad step, lr or n, naming the argument', () => {
    const opt = resolveOptimizer({ name: 'sgd', lr: 0.1 });
    expect(() => optimizerUniforms(opt, 0, 0.1, 5)).toThrow(/step must be an integer ≥ 1.*received 0/);
    expect(() => optimizerUniforms(opt, 1, NaN, 5)).toThrow(/lr must be a finite number ≥ 0, received NaN/);
    expect(() => optimizerUniforms(opt, 1, 0.1, -1)).toThrow(/n must be an integer.*received -1/);
  });

  it('covers n with a 2-D grid when one dimension is not enough', () => {
    expect(flatWorkgroups(100, 64)).toEqual([2, 1, 1]);
    expect(flatWorkgroups(0, 64)).toEqual([1, 1, 1]);
    expect(flatWorkgroups(64 * 65535 + 1, 64)).toEqual([65535, 2, 1]);
    expect(flatWorkgroups(1000, 7, 12)).toEqual([12, 12, 1]);
    expect(() => flatWorkgroups(10, 1, 3)).toThrow(/more than 3²/);
  });
});
