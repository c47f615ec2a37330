/**
 * shaders/softmax_cross_entropy.wgsl, sigmoid_bce.wgsl and mse_loss.wgsl against their float64
 * twins (src/reference/softmaxCrossEntropy.ts, sigmoidBce.ts, mseLoss.ts), run on the same float32
 * inputs.
 *
 * Shapes: every (R, C) with R, C ∈ {1, 3, 7, 13, 65, 1000, 100003} and R·C ≤ 110,000 (37 shapes,
 * ragged against every workgroup size), WG 64 and 7, logits ~ U(±1) or U(±20), a row of huge logits
 * (±3·10⁴: without the max subtraction exp overflows past 88), outputs NaN-poisoned first so an
 * element the kernel forgets to write fails. These run unmasked (masked = 0) with a lengths buffer
 * of zeros: were it read, every row would be padded. Softmax: a target outside [0, C) makes that
 * row NaN and leaves the others right. BCE: soft targets in [0, 1] mixed with exact 0 and 1. MSE:
 * targets ~ U(±spread) with some equal to their logit (d = 0 exactly).
 *
 * Masked (issue 9, outputs 'all' with lengths): R = T·B rows, row r = t·B + b padded when
 * t ≥ lengths[b] (random lengths with one row of full length T and one of length 1). A padded row
 * must give loss 0 and dlogits 0 exactly and read neither its target — garbage there: −100,
 * 2³¹ − 1 and C for softmax, 1e30, −100 and NaN for BCE and MSE — nor its logits (NaN); the valid
 * rows must match the twin run with the valid-row mask, scale 1/(valid rows) (·1/C per element).
 *
 * Tolerances: test/kernels/tolerances.ts (SOFTMAX_CE, SIGMOID_BCE, MSE), per element |Δ| ≤ bound;
 * KERNEL_TOL_REPORT=1 prints the worst |Δ|/bound of each check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { softmaxCrossEntropy } from '../../src/reference/softmaxCrossEntropy.js';
import { sigmoidBce } from '../../src/reference/sigmoidBce.js';
import { mseLoss } from '../../src/reference/mseLoss.js';
import { runKernel } from './harness.js';
import { bceGradBound, bceRowBound, mseGradBound, mseRowBound, softmaxGradBound, softmaxRowBound, TolReport } from './tolerances.js';

const report = new TolReport('loss kernels');
afterAll(() => report.print());

const SIZES = [1, 3, 7, 13, 65, 1000, 100003];
const SHAPES: Array<[number, number]> = SIZES.flatMap((R) => SIZES.filter((C) => R * C <= 110_000).map((C): [number, number] => [R, C]));

/** Compares got against ref element by element with a bound per element; appends the first failures. */
function check(what: string, got: Float32Array, ref: ArrayLike<number>, bound: (i: number) => number, bad: string[], skip?: (i: number) => boolean): void {
  let ratio = 0;
  for (let i = 0; i < ref.length; i++) {
    if (skip?.(i)) continue;
    const g = got[i]!, r = ref[i]!, b = bound(i);
    const d = Math.abs(g - r);
    if (!(d <= b)) {
      if (bad.length < 6) bad.push(`${what}[${i}]: gpu ${g}, ref ${r}, |Δ| ${d.toExponential(3)} > bound ${b.toExponential(3)}`);
      ratio = Infinity;
    } else if (b > 0) {
      ratio = Math.max(ratio, d / b);
    }
  }
  report.note(what, ratio);
}

function logits(rng: Rng, R: number, C: number, spread: number, huge: boolean): Float32Array {
  const z = Float32Array.from({ length: R * C }, () => rng.range(-spread, spread));
  if (huge) for (let k = 0; k < C; k++) z[k] = rng.range(-3e4, 3e4); // row 0
  return z;
}

/** An unmasked run's mask inputs: masked 0, some B, and lengths of zeros (every row padded, were they read). */
function unmasked(rng: Rng): { B: number; masked: 0; lengths: Int32Array } {
  const B = 1 + rng.int(9);
  return { B, masked: 0, lengths: new Int32Array(B) };
}

type LossKernel = 'softmax_cross_entropy' | 'sigmoid_bce' | 'mse_loss';

/** Runs one loss kernel on [R, C] logits; every output NaN-poisoned first. */
async function runLoss(kernel: LossKernel, z: Float32Array, y: Float32Array | Int32Array, R: number, C: number, scale: number,
  mask: { B: number; masked: 0 | 1; lengths: Int32Array }, WG = 64): Promise<Record<string, Float32Array>> {
  return runKernel(kernel, {
    overrides: { WG }, uniforms: { R, C, scale, B: mask.B, masked: mask.masked },
    buffers: { logits: z, targets: y, lossRows: { output: R }, dlogits: { output: R * C }, lengths: mask.lengths },
    workgroups: [Math.ceil(R / WG)],
  });
}

/** The softmax bounds of every row (tolerances.ts), from the twin's loss. */
function softmaxBounds(z: Float32Array, y: Int32Array, loss: Float64Array, R: number, C: number, scale: number, valid: Uint8Array | null) {
  const rowTol = new Float64Array(R), lse = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    if (valid && !valid[r]) continue;
    const o = r * C, zy = z[o + y[r]!]!;
    lse[r] = loss[r]! + zy;
    let m = -Infinity;
    for (let k = 0; k < C; k++) m = Math.max(m, z[o + k]!);
    let spreadP = 0;
    for (let k = 0; k < C; k++) spreadP += Math.exp(z[o + k]! - lse[r]!) * Math.abs(z[o + k]! - m);
    rowTol[r] = softmaxRowBound(spreadP, lse[r]!, zy, C);
  }
  return {
    row: (r: number) => rowTol[r]!,
    grad: (i: number) => {
      const r = Math.floor(i / C), zk = z[i]!;
      return softmaxGradBound(scale, Math.exp(zk - lse[r]!), rowTol[r]!, zk - lse[r]!);
    },
  };
}

describe('softmax_cross_entropy.wgsl against softmaxCrossEntropy', () => {
  it('matches on every ragged (R, C), poisoned outputs, stable for huge logits', async () => {
    const rng = new Rng(7001);
    const failures: string[] = [];
    for (const [si, [R, C]] of SHAPES.entries()) {
      const WG = si % 2 === 0 ? 64 : 7;
      const spread = si % 3 === 0 ? 1 : 20;
      const z = logits(rng, R, C, spread, si % 4 === 1);
      const y = Int32Array.from({ length: R }, () => rng.int(C));
      const scale = 1 / R;
      const out = await runLoss('softmax_cross_entropy', z, y, R, C, scale, unmasked(rng), WG);
      const loss = new Float64Array(R), dz = new Float64Array(R * C);
      softmaxCrossEntropy(z, y, loss, dz, R, C, scale);
      const bound = softmaxBounds(z, y, loss, R, C, scale, null);
      const bad: string[] = [];
      check('softmax.lossRows', out.lossRows!, loss, bound.row, bad);
      check('softmax.dlogits', out.dlogits!, dz, bound.grad, bad);
      if (bad.length) failures.push(`seed 7001, R=${R} C=${C} WG=${WG} spread=${spread}:\n  ${bad.join('\n  ')}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('marks a row whose target is outside [0, C) NaN, reading nothing out of bounds, and leaves the others right', async () => {
    const R = 4, C = 5;
    const z = Float32Array.from({ length: R * C }, (_, i) => Math.sin(i));
    const y = Int32Array.from([2, -1, 5, 4]);
    const out = await runKernel('softmax_cross_entropy', {
      uniforms: { R, C, scale: 0.25, B: 2, masked: 0 },
      buffers: { logits: z, targets: y, lossRows: { output: R, init: new Float32Array(R) }, dlogits: { output: R * C, init: new Float32Array(R * C) }, lengths: new Int32Array(2) },
      workgroups: [1],
    });
    const loss = new Float64Array(R), dz = new Float64Array(R * C);
    softmaxCrossEntropy(z, Int32Array.from([2, 0, 0, 4]), loss, dz, R, C, 0.25);
    for (const r of [1, 2]) {
      expect(Number.isNaN(out.lossRows![r]!), `row ${r} loss`).toBe(true);
      expect(Array.from(out.dlogits!.subarray(r * C, r * C + C)).every(Number.isNaN), `row ${r} dlogits`).toBe(true);
    }
    for (const r of [0, 3]) {
      expect(out.lossRows![r]!).toBeCloseTo(loss[r]!, 5);
      for (let k = 0; k < C; k++) expect(out.dlogits![r * C + k]!).toBeCloseTo(dz[r * C + k]!, 6);
    }
  });
});

describe('sigmoid_bce.wgsl against sigmoidBce', () => {
  it('matches on every ragged (R, C) with soft and hard targets, poisoned outputs', async () => {
    const rng = new Rng(7002);
    const failures: string[] = [];
    for (const [si, [R, C]] of SHAPES.entries()) {
      const WG = si % 2 === 0 ? 7 : 64;
      const spread = si % 3 === 0 ? 1 : 20;
      const z = logits(rng, R, C, spread, si % 4 === 1);
      const t = Float32Array.from({ length: R * C }, () => {
        const u = rng.uniform();
        return u < 0.3 ? 0 : u < 0.6 ? 1 : rng.uniform();
      });
      const scale = 1 / (R * C);
      const out = await runLoss('sigmoid_bce', z, t, R, C, scale, unmasked(rng), WG);
      const loss = new Float64Array(R), dz = new Float64Array(R * C);
      sigmoidBce(z, t, loss, dz, R, C, scale);
      const bad: string[] = [];
      check('bce.lossRows', out.lossRows!, loss, (r) => bceRowBound(z, t, r * C, C, loss[r]!), bad);
      check('bce.dlogits', out.dlogits!, dz, (i) => bceGradBound(scale, z[i]!), bad);
      if (bad.length) failures.push(`seed 7002, R=${R} C=${C} WG=${WG} spread=${spread}:\n  ${bad.join('\n  ')}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('mse_loss.wgsl against mseLoss', () => {
  it('matches on every ragged (R, C), poisoned outputs, d = 0 exactly where the target is the logit', async () => {
    const rng = new Rng(7003);
    const failures: string[] = [];
    for (const [si, [R, C]] of SHAPES.entries()) {
      const WG = si % 2 === 0 ? 64 : 7;
      const spread = si % 3 === 0 ? 1 : 20;
      const z = logits(rng, R, C, spread, si % 4 === 1);
      const y = Float32Array.from({ length: R * C }, (_, i) => (rng.uniform() < 0.1 ? z[i]! : rng.range(-spread, spread)));
      const scale = 1 / (R * C);
      const out = await runLoss('mse_loss', z, y, R, C, scale, unmasked(rng), WG);
      const loss = new Float64Array(R), dz = new Float64Array(R * C);
      mseLoss(z, y, loss, dz, R, C, scale);
      const bad: string[] = [];
      check('mse.lossRows', out.lossRows!, loss, (r) => mseRowBound(C, loss[r]!), bad);
      check('mse.dlogits', out.dlogits!, dz, (i) => mseGradBound(scale, z[i]! - y[i]!), bad);
      if (bad.length) failures.push(`seed 7003, R=${R} C=${C} WG=${WG} spread=${spread}:\n  ${bad.join('\n  ')}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Masked rows (outputs 'all' with lengths).

/** Lengths in [1, T]: one row of full length T, one of length 1 (B > 1), the rest random. */
function randomLengths(rng: Rng, B: number, T: number): Int32Array {
  const lengths = Int32Array.from({ length: B }, () => 1 + rng.int(T));
  const full = rng.int(B);
  lengths[full] = T;
  if (B > 1) lengths[(full + 1 + rng.int(B - 1)) % B] = 1; // another row
  return lengths;
}

/** valid[r] for r = t·B + b: t < lengths[b]. */
function validRows(lengths: Int32Array, T: number, B: number): Uint8Array {
  const valid = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) valid[t * B + b] = t < lengths[b]! ? 1 : 0;
  return valid;
}

/** Padded rows: lossRows and dlogits exactly +0. */
function checkPadded(what: string, out: Record<string, Float32Array>, valid: Uint8Array, C: number, bad: string[]): void {
  for (let r = 0; r < valid.length; r++) {
    if (valid[r]) continue;
    if (!Object.is(out.lossRows![r], 0) && bad.length < 6) bad.push(`${what} lossRows[${r}] (padded): ${out.lossRows![r]}, expected 0`);
    for (let k = 0; k < C; k++) {
      if (!Object.is(out.dlogits![r * C + k], 0) && bad.length < 6) bad.push(`${what} dlogits[${r}, ${k}] (padded): ${out.dlogits![r * C + k]}, expected 0`);
    }
  }
}

// (T, B, C): ragged against the workgroup, T·B from 1 to 3250.
const MASKED: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [13, 7, 3], [20, 13, 65], [7, 65, 13], [50, 3, 1000], [5, 650, 2]];
const GARBAGE_F32 = [1e30, -100, Number.NaN];
const GARBAGE_I32 = (C: number) => [-100, 2 ** 31 - 1, C];

describe('masked rows (outputs all, lengths): padded steps give 0 and read neither target nor logits', () => {
  it.each(MASKED)('softmax_cross_entropy T %i, B %i, C %i', async (T, B, C) => {
    const rng = new Rng(7100 + T * B + C);
    const R = T * B, lengths = randomLengths(rng, B, T), valid = validRows(lengths, T, B);
    const nValid = valid.reduce((a, v) => a + v, 0);
    const z = logits(rng, R, C, 5, false);
    const y = Int32Array.from({ length: R }, (_, r) => (valid[r] ? rng.int(C) : GARBAGE_I32(C)[r % 3]!));
    for (let r = 0; r < R; r++) if (!valid[r]) z.fill(Number.NaN, r * C, (r + 1) * C);
    const scale = 1 / nValid;
    const out = await runLoss('softmax_cross_entropy', z, y, R, C, scale, { B, masked: 1, lengths }, 64);
    const loss = new Float64Array(R), dz = new Float64Array(R * C);
    softmaxCrossEntropy(z, y, loss, dz, R, C, scale, valid);
    const bound = softmaxBounds(z, y, loss, R, C, scale, valid);
    const bad: string[] = [];
    checkPadded('softmax', out, valid, C, bad);
    check('masked softmax.lossRows', out.lossRows!, loss, bound.row, bad, (r) => !valid[r]);
    check('masked softmax.dlogits', out.dlogits!, dz, bound.grad, bad, (i) => !valid[Math.floor(i / C)]);
    expect(bad, `T ${T}, B ${B}, C ${C}, lengths ${Array.from(lengths.subarray(0, 12)).join(' ')}`).toEqual([]);
  });

  it.each(MASKED)('sigmoid_bce T %i, B %i, C %i', async (T, B, C) => {
    const rng = new Rng(7200 + T * B + C);
    const R = T * B, lengths = randomLengths(rng, B, T), valid = validRows(lengths, T, B);
    const nValid = valid.reduce((a, v) => a + v, 0);
    const z = logits(rng, R, C, 5, false);
    const y = Float32Array.from({ length: R * C }, (_, i) => (valid[Math.floor(i / C)] ? rng.uniform() : GARBAGE_F32[i % 3]!));
    for (let r = 0; r < R; r++) if (!valid[r]) z.fill(Number.NaN, r * C, (r + 1) * C);
    const scale = 1 / (C * nValid);
    const out = await runLoss('sigmoid_bce', z, y, R, C, scale, { B, masked: 1, lengths }, 7);
    const loss = new Float64Array(R), dz = new Float64Array(R * C);
    sigmoidBce(z, y, loss, dz, R, C, scale, valid);
    const bad: string[] = [];
    checkPadded('bce', out, valid, C, bad);
    check('masked bce.lossRows', out.lossRows!, loss, (r) => bceRowBound(z, y, r * C, C, loss[r]!), bad, (r) => !valid[r]);
    check('masked bce.dlogits', out.dlogits!, dz, (i) => bceGradBound(scale, z[i]!), bad, (i) => !valid[Math.floor(i / C)]);
    expect(bad, `T ${T}, B ${B}, C ${C}, lengths ${Array.from(lengths.subarray(0, 12)).join(' ')}`).toEqual([]);
  });

  it.each(MASKED)('mse_loss T %i, B %i, C %i', async (T, B, C) => {
    const rng = new Rng(7300 + T * B + C);
    const R = T * B, lengths = randomLengths(rng, B, T), valid = validRows(lengths, T, B);
    const nValid = valid.reduce((a, v) => a + v, 0);
    const z = logits(rng, R, C, 5, false);
    const y = Float32Array.from({ length: R * C }, (_, i) => (valid[Math.floor(i / C)] ? rng.range(-5, 5) : GARBAGE_F32[i % 3]!));
    for (let r = 0; r < R; r++) if (!valid[r]) z.fill(Number.NaN, r * C, (r + 1) * C);
    const scale = 1 / (C * nValid);
    const out = await runLoss('mse_loss', z, y, R, C, scale, { B, masked: 1, lengths }, 13);
    const loss = new Float64Array(R), dz = new Float64Array(R * C);
    mseLoss(z, y, loss, dz, R, C, scale, valid);
    const bad: string[] = [];
    checkPadded('mse', out, valid, C, bad);
    check('masked mse.lossRows', out.lossRows!, loss, (r) => mseRowBound(C, loss[r]!), bad, (r) => !valid[r]);
    check('masked mse.dlogits', out.dlogits!, dz, (i) => mseGradBound(scale, z[i]! - y[i]!), bad, (i) => !valid[Math.floor(i / C)]);
    expect(bad, `T ${T}, B ${B}, C ${C}, lengths ${Array.from(lengths.subarray(0, 12)).join(' ')}`).toEqual([]);
  });

  it('softmax: a valid row with an out-of-range target is still NaN; padded rows with garbage targets are 0', async () => {
    const T = 3, B = 2, C = 4, R = T * B;
    const lengths = Int32Array.from([3, 1]);
    const z = Float32Array.from({ length: R * C }, (_, i) => Math.cos(i));
    // rows: t0b0 ok, t0b1 ok, t1b0 out of range (valid), t1b1 padded, t2b0 ok, t2b1 padded
    const y = Int32Array.from([1, 3, 7, -100, 0, 99]);
    const out = await runLoss('softmax_cross_entropy', z, y, R, C, 1 / 4, { B, masked: 1, lengths });
    expect(Number.isNaN(out.lossRows![2]!)).toBe(true);
    expect(Array.from(out.dlogits!.subarray(2 * C, 3 * C)).every(Number.isNaN)).toBe(true);
    for (const r of [3, 5]) {
      expect(out.lossRows![r]).toBe(0);
      expect(Array.from(out.dlogits!.subarray(r * C, (r + 1) * C))).toEqual([0, 0, 0, 0]);
    }
    for (const r of [0, 1, 4]) expect(Number.isFinite(out.lossRows![r]!) && out.lossRows![r]! > 0, `row ${r}: ${out.lossRows![r]}`).toBe(true);
  });
});
