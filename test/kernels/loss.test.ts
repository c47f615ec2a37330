/**
 * shaders/softmax_cross_entropy.wgsl and sigmoid_bce.wgsl against their float64 twins
 * (src/reference/softmaxCrossEntropy.ts, sigmoidBce.ts), run on the same float32 inputs.
 *
 * Shapes: every (R, C) with R, C ∈ {1, 3, 7, 13, 65, 1000, 100003} and R·C ≤ 110,000 (37 shapes,
 * ragged against every workgroup size), WG 64 and 7, logits ~ U(±1) or U(±20), a row of huge logits
 * (±3·10⁴: without the max subtraction exp overflows past 88), outputs NaN-poisoned first so an
 * element the kernel forgets to write fails. Softmax: a target outside [0, C) makes that row NaN
 * and leaves the others right. BCE: soft targets in [0, 1] mixed with exact 0 and 1.
 *
 * Tolerances (ε = ε₃₂ = 2⁻²³), per element |Δ| ≤ bound, the bound derived from the WGSL accuracy
 * allowances (exp: 3 + 2|x| ulp; log: 3 ulp or 2⁻²¹ absolute near 1; + − × ÷: ≤ 2.5 ulp):
 *
 *   output                 bound                                               why
 *   softmax lossRows[r]    ε·(8 + 4·Σ_k p_k|z_k − m| + 4·(|lse| + |z_y|) + 2√C)  exp errors weighted by p
 *                                                                               inside log; rounding of
 *                                                                               m + log s and lse − z_y;
 *                                                                               the C-term sum s (√C: a
 *                                                                               random walk of roundings)
 *   softmax dlogits[r, k]  scale·(p_k·(L_r + ε·(4 + 3|z_k − lse|)) + 2ε)        exp(z − lse): the error
 *                                                                               L_r of lse (the row's loss
 *                                                                               bound) and of the argument;
 *                                                                               − onehot and × scale
 *   bce lossRows[r]        ε·Σ_k (2|z_k| + 2|z_k·y_k| + 8) + 2√C·ε·|row|        per element: max(z,0) − z·y
 *                                                                               cancels (y = 1, z ≫ 0), so
 *                                                                               absolute in |z|; log1p of
 *                                                                               exp(−|z|) ≤ 3ε; the row sum
 *   bce dlogits[r, k]      scale·ε·(4 + 2·σ(1 − σ)·(4 + 2|z|))                  σ from exp(−|z|): its
 *                                                                               relative error times σ'/σ;
 *                                                                               − y and × scale
 *
 * Worst |Δ|/bound measured on SwiftShader (KERNEL_TOL_REPORT=1 prints them): softmax lossRows 0.16,
 * dlogits 0.55; bce lossRows 0.26, dlogits 0.38.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { softmaxCrossEntropy } from '../../src/reference/softmaxCrossEntropy.js';
import { sigmoidBce } from '../../src/reference/sigmoidBce.js';
import { runKernel } from './harness.js';

const EPS = 2 ** -23;

/** Set KERNEL_TOL_REPORT=1 to print the worst error of each check as a fraction of its bound. */
const REPORT = process.env.KERNEL_TOL_REPORT === '1';
const worst: Record<string, number> = {};
function note(key: string, v: number): void {
  worst[key] = Math.max(worst[key] ?? 0, v);
}

const SIZES = [1, 3, 7, 13, 65, 1000, 100003];
const SHAPES: Array<[number, number]> = SIZES.flatMap((R) => SIZES.filter((C) => R * C <= 110_000).map((C): [number, number] => [R, C]));

/** Compares got against ref element by element with a bound per element; returns the first failures. */
function check(what: string, got: Float32Array, ref: ArrayLike<number>, bound: (i: number) => number, bad: string[]): void {
  let ratio = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!, r = ref[i]!, b = bound(i);
    const d = Math.abs(g - r);
    if (!(d <= b)) {
      if (bad.length < 6) bad.push(`${what}[${i}]: gpu ${g}, ref ${r}, |Δ| ${d.toExponential(3)} > bound ${b.toExponential(3)}`);
      ratio = Infinity;
    } else if (b > 0) {
      ratio = Math.max(ratio, d / b);
    }
  }
  note(what, ratio);
}

function logits(rng: Rng, R: number, C: number, spread: number, huge: boolean): Float32Array {
  const z = Float32Array.from({ length: R * C }, () => rng.range(-spread, spread));
  if (huge) for (let k = 0; k < C; k++) z[k] = rng.range(-3e4, 3e4); // row 0
  return z;
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
      const out = await runKernel('softmax_cross_entropy', {
        overrides: { WG }, uniforms: { R, C, scale },
        buffers: { logits: z, targets: y, lossRows: { output: R }, dlogits: { output: R * C } },
        workgroups: [Math.ceil(R / WG)],
      });
      const loss = new Float64Array(R), dz = new Float64Array(R * C);
      softmaxCrossEntropy(z, y, loss, dz, R, C, scale);

      // Per-row quantities of the bounds, in float64.
      const rowTol = new Float64Array(R), lse = new Float64Array(R);
      for (let r = 0; r < R; r++) {
        const o = r * C, zy = z[o + y[r]!]!;
        lse[r] = loss[r]! + zy;
        let m = -Infinity;
        for (let k = 0; k < C; k++) m = Math.max(m, z[o + k]!);
        let spreadP = 0;
        for (let k = 0; k < C; k++) spreadP += Math.exp(z[o + k]! - lse[r]!) * Math.abs(z[o + k]! - m);
        rowTol[r] = EPS * (8 + 4 * spreadP + 4 * (Math.abs(lse[r]!) + Math.abs(zy)) + 2 * Math.sqrt(C));
      }
      const bad: string[] = [];
      check('softmax.lossRows', out.lossRows!, loss, (r) => rowTol[r]!, bad);
      check('softmax.dlogits', out.dlogits!, dz, (i) => {
        const r = Math.floor(i / C), zk = z[i]!;
        const p = Math.exp(zk - lse[r]!);
        return scale * (p * (rowTol[r]! + EPS * (4 + 3 * Math.abs(zk - lse[r]!))) + 2 * EPS);
      }, bad);
      if (bad.length) failures.push(`seed 7001, R=${R} C=${C} WG=${WG} spread=${spread}:\n  ${bad.join('\n  ')}`);
    }
    if (REPORT) console.log('softmax worst |Δ|/bound', worst);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('marks a row whose target is outside [0, C) NaN, reading nothing out of bounds, and leaves the others right', async () => {
    const R = 4, C = 5;
    const z = Float32Array.from({ length: R * C }, (_, i) => Math.sin(i));
    const y = Int32Array.from([2, -1, 5, 4]);
    const out = await runKernel('softmax_cross_entropy', {
      uniforms: { R, C, scale: 0.25 },
      buffers: { logits: z, targets: y, lossRows: { output: R, init: new Float32Array(R) }, dlogits: { output: R * C, init: new Float32Array(R * C) } },
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
      const out = await runKernel('sigmoid_bce', {
        overrides: { WG }, uniforms: { R, C, scale },
        buffers: { logits: z, targets: t, lossRows: { output: R }, dlogits: { output: R * C } },
        workgroups: [Math.ceil(R / WG)],
      });
      const loss = new Float64Array(R), dz = new Float64Array(R * C);
      sigmoidBce(z, t, loss, dz, R, C, scale);

      const rowTol = new Float64Array(R);
      for (let r = 0; r < R; r++) {
        let s = 0;
        for (let k = 0; k < C; k++) {
          const zk = z[r * C + k]!, yk = t[r * C + k]!;
          s += 2 * Math.abs(zk) + 2 * Math.abs(zk * yk) + 8;
        }
        rowTol[r] = EPS * s + 2 * Math.sqrt(C) * EPS * Math.abs(loss[r]!);
      }
      const bad: string[] = [];
      check('bce.lossRows', out.lossRows!, loss, (r) => rowTol[r]!, bad);
      check('bce.dlogits', out.dlogits!, dz, (i) => {
        const zk = z[i]!, sg = 1 / (1 + Math.exp(-zk));
        return scale * EPS * (4 + 2 * sg * (1 - sg) * (4 + 2 * Math.abs(zk)));
      }, bad);
      if (bad.length) failures.push(`seed 7002, R=${R} C=${C} WG=${WG} spread=${spread}:\n  ${bad.join('\n  ')}`);
    }
    if (REPORT) console.log('bce worst |Δ|/bound', worst);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
