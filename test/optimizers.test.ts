/**
 * Optimizers, clipping and schedules of the float64 reference.
 *
 * Each optimizer is checked two independent ways:
 *  - closed forms for a constant gradient (no weight decay), e.g. SGD momentum's buffer
 *    b_k = g·(1 − μ^k)/(1 − μ), Adam's step of lr·g/(|g| + ε) since m̂ = g and v̂ = g²;
 *  - a scalar re-derivation written here from PyTorch's algorithm boxes (Adam in the form of
 *    PyTorch's code: step_size = lr/bc1, denom = √v/√bc2 + ε), run on a small vector whose
 *    gradient depends on the parameters (a quadratic loss), with and without weight decay.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import {
  createOptimizerState, optimizerUpdate, resolveOptimizer,
  type OptimizerOptions, type ResolvedOptimizer,
} from '../src/reference/optimizerUpdate.js';
import { clipGradNorm, gradNorm } from '../src/reference/gradNorm.js';
import { learningRate, resolveSchedule } from '../src/schedule.js';
import { Rng } from '../src/rng.js';

/** |a − e| ≤ atol + rtol·|e| for every element. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-13, atol = 1e-15): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: received ${a}, expected ${e} (diff ${Math.abs(a - e)})`);
    }
  }
}

/** Run k steps with the same gradient every step; returns the params after each step. */
function runConstant(opts: OptimizerOptions, p0: number[], g: number[], k: number, lr = opts.lr): number[][] {
  const opt = resolveOptimizer(opts);
  const p = Float64Array.from(p0);
  const grads = Float64Array.from(g);
  const state = createOptimizerState(opt, p.length);
  const out: number[][] = [];
  for (let s = 0; s < k; s++) {
    optimizerUpdate(opt, state, p, grads, lr);
    out.push([...p]);
  }
  expect(state.step).toBe(k);
  return out;
}

describe('closed forms for a constant gradient', () => {
  const p0 = [0.5, -1.25, 2, 0];
  const g = [0.3, -2, 1e-3, 7];

  it('sgd: p_k = p0 − k·lr·g, using the lr passed in, not the base lr', () => {
    const traj = runConstant({ name: 'sgd', lr: 0.1 }, p0, g, 4, 0.05);
    traj.forEach((p, s) => expectClose(p, p0.map((x, i) => x - (s + 1) * 0.05 * g[i]!)));
  });

  it('sgd with weight decay: p_k = (1 − lr·λ)^k (p0 + g/λ) − g/λ', () => {
    const lr = 0.1, wd = 0.2;
    const traj = runConstant({ name: 'sgd', lr, weightDecay: wd }, p0, g, 5);
    traj.forEach((p, s) => expectClose(p, p0.map((x, i) => Math.pow(1 - lr * wd, s + 1) * (x + g[i]! / wd) - g[i]! / wd), 1e-12));
  });

  it('momentum (0.9 by default): b_k = g(1 − μ^k)/(1 − μ), p_k = p0 − lr Σ b_j', () => {
    const lr = 0.01, mu = 0.9;
    const traj = runConstant({ name: 'momentum', lr }, p0, g, 6);
    traj.forEach((p, s) => {
      const k = s + 1;
      // Σ_{j=1..k} (1 − μ^j)/(1 − μ) = (k − μ(1 − μ^k)/(1 − μ)) / (1 − μ)
      const sumB = (k - (mu * (1 - Math.pow(mu, k))) / (1 - mu)) / (1 - mu);
      expectClose(p, p0.map((x, i) => x - lr * g[i]! * sumB), 1e-12);
    });
  });

  it('sgd momentum with dampening: b_1 = g (no dampening), then b_k = μ^{k−1} g + (1 − τ) g (1 − μ^{k−1})/(1 − μ)', () => {
    const lr = 0.1, mu = 0.5, tau = 0.3;
    const traj = runConstant({ name: 'sgd', lr, momentum: mu, dampening: tau }, p0, g, 5);
    let prev = p0;
    traj.forEach((p, s) => {
      const k = s + 1;
      const bk = Math.pow(mu, k - 1) + ((1 - tau) * (1 - Math.pow(mu, k - 1))) / (1 - mu);
      expectClose(p, prev.map((x, i) => x - lr * g[i]! * bk), 1e-12);
      prev = p;
    });
  });

  it('nesterov: each step moves by lr·(g + μ·b_k)', () => {
    const lr = 0.02, mu = 0.9;
    const traj = runConstant({ name: 'nesterov', lr }, p0, g, 5);
    let prev = p0;
    traj.forEach((p, s) => {
      const k = s + 1;
      const bk = (1 - Math.pow(mu, k)) / (1 - mu);
      expectClose(p, prev.map((x, i) => x - lr * g[i]! * (1 + mu * bk)), 1e-12);
      prev = p;
    });
  });

  it('rmsprop: v_k = (1 − α^k) g², step lr·g/(|g|√(1 − α^k) + ε)', () => {
    const lr = 0.01, alpha = 0.99, eps = 1e-8;
    const traj = runConstant({ name: 'rmsprop', lr }, p0, g, 4);
    let prev = p0;
    traj.forEach((p, s) => {
      const r = Math.sqrt(1 - Math.pow(alpha, s + 1));
      expectClose(p, prev.map((x, i) => x - (lr * g[i]!) / (Math.abs(g[i]!) * r + eps)), 1e-12);
      prev = p;
    });
  });

  it('rmsprop with momentum: b_k = Σ_j μ^{k−j} u_j, p −= lr·b_k', () => {
    const lr = 0.01, alpha = 0.9, mu = 0.7, eps = 1e-8;
    const traj = runConstant({ name: 'rmsprop', lr, alpha, momentum: mu }, p0, g, 4);
    let prev = p0;
    traj.forEach((p, s) => {
      const k = s + 1;
      const step = g.map((gi) => {
        let b = 0;
        for (let j = 1; j <= k; j++) b += Math.pow(mu, k - j) * gi / (Math.abs(gi) * Math.sqrt(1 - Math.pow(alpha, j)) + eps);
        return lr * b;
      });
      expectClose(p, prev.map((x, i) => x - step[i]!), 1e-12);
      prev = p;
    });
  });

  it('rmsprop + nesterov (seed 003): first step moves by lr·(1 + μ)·g/(|g|√(1 − ρ) + ε)', () => {
    const lr = 0.05, rho = 0.5, mu = 0.8, eps = 1e-8;
    const [p1] = runConstant({ name: 'rmsprop', lr, alpha: rho, momentum: mu, nesterov: true }, p0, g, 1);
    expectClose(p1!, p0.map((x, i) => x - (lr * (1 + mu) * g[i]!) / (Math.abs(g[i]!) * Math.sqrt(1 - rho) + eps)), 1e-12);
  });

  it('adagrad: sum_k = a + k g², step clr_k·g/(√sum_k + ε), clr_k = lr/(1 + (k − 1)·lrDecay)', () => {
    const lr = 0.3, a = 0.1, decay = 0.05;
    const traj = runConstant({ name: 'adagrad', lr, initialAccumulatorValue: a, lrDecay: decay }, p0, g, 5);
    let prev = p0;
    traj.forEach((p, s) => {
      const k = s + 1;
      const clr = lr / (1 + (k - 1) * decay);
      expectClose(p, prev.map((x, i) => x - (clr * g[i]!) / (Math.sqrt(a + k * g[i]! * g[i]!) + 1e-10)), 1e-12);
      prev = p;
    });
  });

  it('adam: m̂ = g and v̂ = g², so each step moves by lr·g/(|g| + ε) ≈ lr·sign(g)', () => {
    const lr = 1e-3, eps = 1e-8;
    const traj = runConstant({ name: 'adam', lr }, p0, g, 5);
    let prev = p0;
    traj.forEach((p) => {
      expectClose(p, prev.map((x, i) => x - (lr * g[i]!) / (Math.abs(g[i]!) + eps)), 1e-9, 1e-15);
      // and the move is lr·sign(g) to within ε/|g|
      p.forEach((x, i) => expect(Math.abs(Math.abs(prev[i]! - x) - lr)).toBeLessThan(lr * 1e-4));
      prev = p;
    });
  });
});

/**
 * Scalar re-derivations from PyTorch's algorithm boxes: one parameter at a time, state in a plain
 * object, t counted from 1 before the update.
 */
interface Scalar { p: number; b?: number; v?: number; m?: number; s?: number; t: number }

function scalarStep(o: ResolvedOptimizer, st: Scalar, grad: number, lr: number): void {
  st.t += 1;
  let g = grad;
  if (o.weightDecay !== 0) g = g + o.weightDecay * st.p;
  if (o.kind === 'sgd') {
    if (o.momentum !== 0) {
      st.b = st.t > 1 ? o.momentum * st.b! + (1 - o.dampening) * g : g;
      g = o.nesterov ? g + o.momentum * st.b : st.b;
    }
    st.p -= lr * g;
  } else if (o.kind === 'rmsprop') {
    st.v = o.alpha * (st.v ?? 0) + (1 - o.alpha) * g * g;
    const u = g / (Math.sqrt(st.v) + o.eps);
    if (o.momentum > 0) {
      st.b = o.momentum * (st.b ?? 0) + u;
      st.p -= o.nesterov ? lr * (u + o.momentum * st.b) : lr * st.b;
    } else {
      st.p -= lr * u;
    }
  } else if (o.kind === 'adagrad') {
    const clr = lr / (1 + (st.t - 1) * o.lrDecay);
    st.s = (st.s ?? o.initialAccumulatorValue) + g * g;
    st.p -= (clr * g) / (Math.sqrt(st.s) + o.eps);
  } else {
    const [b1, b2] = o.betas;
    st.m = b1 * (st.m ?? 0) + (1 - b1) * g;
    st.v = b2 * (st.v ?? 0) + (1 - b2) * g * g;
    // PyTorch's code path: step_size = lr / bc1; denom = √v / √bc2 + ε
    const bc1 = 1 - b1 ** st.t, bc2 = 1 - b2 ** st.t;
    const denom = Math.sqrt(st.v) / Math.sqrt(bc2) + o.eps;
    st.p -= (lr / bc1) * (st.m / denom);
  }
}

const RECIPES: [string, OptimizerOptions][] = [
  ['sgd', { name: 'sgd', lr: 0.1 }],
  ['momentum', { name: 'momentum', lr: 0.05 }],
  ['momentum with dampening', { name: 'momentum', lr: 0.05, momentum: 0.6, dampening: 0.25 }],
  ['nesterov', { name: 'nesterov', lr: 0.05 }],
  ['sgd + nesterov flag', { name: 'sgd', lr: 0.05, momentum: 0.5, nesterov: true }],
  ['rmsprop', { name: 'rmsprop', lr: 0.01 }],
  ['rmsprop momentum', { name: 'rmsprop', lr: 0.01, momentum: 0.9, alpha: 0.9 }],
  ['rmsprop nesterov (seed 003)', { name: 'rmsprop', lr: 0.05, alpha: 0.5, momentum: 0.8, nesterov: true }],
  ['adagrad', { name: 'adagrad', lr: 0.3 }],
  ['adagrad (echo recipe)', { name: 'adagrad', lr: 0.3, initialAccumulatorValue: 0.1, lrDecay: 0.01 }],
  ['adam', { name: 'adam', lr: 0.01 }],
  ['adam betas/eps', { name: 'adam', lr: 0.01, betas: [0.5, 0.9], eps: 1e-3 }],
];

describe('against a scalar re-derivation, gradients from a quadratic loss', () => {
  for (const [label, base] of RECIPES) {
    for (const weightDecay of [0, 0.01]) {
      it(`${label}${weightDecay ? ', weight decay 0.01' : ''}`, () => {
        const opt = resolveOptimizer({ ...base, ...(weightDecay ? { weightDecay } : {}) });
        const rng = new Rng(7);
        const n = 5;
        // loss = Σ c_i (p_i − a_i)² / 2, gradient c_i (p_i − a_i): changes every step with p.
        const a = Array.from({ length: n }, () => rng.range(-1, 1));
        const c = Array.from({ length: n }, () => rng.range(0.1, 3));
        const p = Float64Array.from({ length: n }, () => rng.range(-2, 2));
        const scalars: Scalar[] = [...p].map((x) => ({ p: x, t: 0 }));
        const state = createOptimizerState(opt, n);
        const grads = new Float64Array(n);
        for (let step = 0; step < 6; step++) {
          const lr = opt.lr * (1 - step / 10); // a varying (scheduled) lr
          for (let i = 0; i < n; i++) grads[i] = c[i]! * (p[i]! - a[i]!);
          const gradsBefore = Float64Array.from(grads);
          optimizerUpdate(opt, state, p, grads, lr);
          expect(grads).toEqual(gradsBefore); // read only
          scalars.forEach((s, i) => scalarStep(opt, s, c[i]! * (s.p - a[i]!), lr));
          expectClose(p, scalars.map((s) => s.p), 1e-12, 1e-14);
        }
        expect(state.step).toBe(6);
      });
    }
  }

  it('the rmsprop-nesterov recipe differs from plain rmsprop momentum', () => {
    const g = [0.4, -1];
    const plain = runConstant({ name: 'rmsprop', lr: 0.05, alpha: 0.5, momentum: 0.8 }, [0, 0], g, 2);
    const nest = runConstant({ name: 'rmsprop', lr: 0.05, alpha: 0.5, momentum: 0.8, nesterov: true }, [0, 0], g, 2);
    expect(Math.abs(plain[1]![0]! - nest[1]![0]!)).toBeGreaterThan(1e-3);
  });
});

describe('resolveOptimizer', () => {
  it('fills in PyTorch defaults', () => {
    expect(resolveOptimizer({ name: 'sgd', lr: 0.1 })).toMatchObject({ kind: 'sgd', momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    expect(resolveOptimizer({ name: 'momentum', lr: 0.1 })).toMatchObject({ kind: 'sgd', momentum: 0.9, nesterov: false });
    expect(resolveOptimizer({ name: 'nesterov', lr: 0.1 })).toMatchObject({ kind: 'sgd', momentum: 0.9, nesterov: true });
    expect(resolveOptimizer({ name: 'rmsprop', lr: 0.01 })).toMatchObject({ kind: 'rmsprop', alpha: 0.99, eps: 1e-8, momentum: 0, nesterov: false });
    expect(resolveOptimizer({ name: 'adagrad', lr: 0.01 })).toMatchObject({ kind: 'adagrad', eps: 1e-10, initialAccumulatorValue: 0, lrDecay: 0 });
    expect(resolveOptimizer({ name: 'adam', lr: 0.001 })).toMatchObject({ kind: 'adam', betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
  });

  it('creates the state buffers each algorithm needs', () => {
    const names = (o: OptimizerOptions) => Object.keys(createOptimizerState(resolveOptimizer(o), 3).buffers).sort();
    expect(names({ name: 'sgd', lr: 1 })).toEqual([]);
    expect(names({ name: 'momentum', lr: 1 })).toEqual(['momentum_buffer']);
    expect(names({ name: 'rmsprop', lr: 1 })).toEqual(['square_avg']);
    expect(names({ name: 'rmsprop', lr: 1, momentum: 0.5, nesterov: true })).toEqual(['momentum_buffer', 'square_avg']);
    expect(names({ name: 'adam', lr: 1 })).toEqual(['exp_avg', 'exp_avg_sq']);
    const ada = createOptimizerState(resolveOptimizer({ name: 'adagrad', lr: 0.3, initialAccumulatorValue: 0.1 }), 3);
    expect([...ada.buffers.sum!]).toEqual([0.1, 0.1, 0.1]);
    expect(ada.step).toBe(0);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'adam', /optimizer: expected an optimizer options object, received "adam"/],
    ['unknown name', { name: 'lbfgs', lr: 1 }, /name must be one of .*"adam", received "lbfgs"/],
    ['missing lr', { name: 'sgd' }, /lr must be a finite number > 0, received undefined/],
    ['zero lr', { name: 'sgd', lr: 0 }, /lr must be a finite number > 0, received 0/],
    ['NaN lr', { name: 'adam', lr: NaN }, /lr must be .*, received NaN/],
    ['infinite lr', { name: 'adam', lr: Infinity }, /lr must be .*, received Infinity/],
    ['string lr', { name: 'adam', lr: '0.1' }, /lr must be .*, received "0.1"/],
    ['momentum 1', { name: 'sgd', lr: 0.1, momentum: 1 }, /momentum must be a finite number in \[0, 1\), received 1/],
    ['negative momentum', { name: 'rmsprop', lr: 0.1, momentum: -0.1 }, /momentum must be .*, received -0.1/],
    ['momentum optimizer with momentum 0', { name: 'momentum', lr: 0.1, momentum: 0 }, /momentum \(optimizer "momentum"\) must be a finite number in \(0, 1\), received 0/],
    ['nesterov without momentum', { name: 'sgd', lr: 0.1, nesterov: true }, /nesterov needs a momentum: expected momentum in \(0, 1\), received 0/],
    ['rmsprop nesterov without momentum', { name: 'rmsprop', lr: 0.1, nesterov: true }, /nesterov needs a momentum/],
    ['nesterov with dampening', { name: 'nesterov', lr: 0.1, dampening: 0.1 }, /nesterov needs zero dampening .*received dampening 0.1/],
    ['nesterov name, nesterov false', { name: 'nesterov', lr: 0.1, nesterov: false }, /optimizer "nesterov" means nesterov true, received nesterov false/],
    ['momentum name, nesterov true', { name: 'momentum', lr: 0.1, nesterov: true }, /optimizer "momentum" means nesterov false/],
    ['nesterov not boolean', { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: 1 }, /nesterov must be a boolean, received 1/],
    ['beta1 = 1', { name: 'adam', lr: 0.1, betas: [1, 0.999] }, /betas\[0\] must be a finite number in \[0, 1\), received 1/],
    ['beta2 negative', { name: 'adam', lr: 0.1, betas: [0.9, -0.5] }, /betas\[1\] must be .*, received -0.5/],
    ['betas wrong length', { name: 'adam', lr: 0.1, betas: [0.9] }, /betas must be an array of two numbers in \[0, 1\), received \[0.9\]/],
    ['alpha 1', { name: 'rmsprop', lr: 0.1, alpha: 1 }, /alpha must be .*\[0, 1\), received 1/],
    ['eps 0', { name: 'adam', lr: 0.1, eps: 0 }, /eps must be a finite number > 0, received 0/],
    ['negative weight decay', { name: 'adam', lr: 0.1, weightDecay: -1 }, /weightDecay must be a finite number ≥ 0, received -1/],
    ['negative accumulator', { name: 'adagrad', lr: 0.1, initialAccumulatorValue: -0.1 }, /initialAccumulatorValue must be .*≥ 0, received -0.1/],
    ['negative lrDecay', { name: 'adagrad', lr: 0.1, lrDecay: -1 }, /lrDecay must be .*≥ 0, received -1/],
    ['unknown key', { name: 'adam', lr: 0.1, beta1: 0.9 }, /unknown option "beta1" \(known: /],
    ['amsgrad', { name: 'adam', lr: 0.1, amsgrad: true }, /option "amsgrad" is not supported in version 1/],
    ['centered', { name: 'rmsprop', lr: 0.1, centered: true }, /option "centered" is not supported in version 1/],
    ['option of another optimizer', { name: 'sgd', lr: 0.1, betas: [0.9, 0.99] }, /option "betas" does not apply to optimizer "sgd" \(its options: lr, momentum/],
    ['dampening on adam', { name: 'adam', lr: 0.1, dampening: 0.1 }, /option "dampening" does not apply to optimizer "adam"/],
  ];
  for (const [label, raw, msg] of bad) {
    it(`refuses ${label}`, () => {
      let err: unknown;
      try {
        resolveOptimizer(raw);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(msg);
    });
  }

  it('uses `where` in its messages', () => {
    expect(() => resolveOptimizer({ name: 'adam', lr: -1 }, 'trainer optimizer')).toThrow(/^trainer optimizer: lr must/);
  });

  it('optimizerUpdate refuses mismatched buffers', () => {
    const opt = resolveOptimizer({ name: 'adam', lr: 0.1 });
    const state = createOptimizerState(opt, 3);
    expect(() => optimizerUpdate(opt, state, new Float64Array(3), new Float64Array(2), 0.1)).toThrow(InputError);
    expect(() => optimizerUpdate(opt, state, new Float64Array(4), new Float64Array(4), 0.1)).toThrow(/state buffer "exp_avg" expected 4 elements, received 3/);
  });
});

describe('gradient norm and clipping', () => {
  it('gradNorm is the L2 norm, robust to overflow and underflow', () => {
    expect(gradNorm(new Float64Array([3, -4]))).toBe(5);
    expect(gradNorm(new Float64Array([]))).toBe(0);
    expect(gradNorm(new Float64Array([0, 0]))).toBe(0);
    expectClose([gradNorm(new Float64Array([3e200, 4e200]))], [5e200], 1e-15);
    expectClose([gradNorm(new Float64Array([3e-200, -4e-200]))], [5e-200], 1e-15);
    expect(gradNorm(new Float64Array([1, NaN]))).toBeNaN();
    expect(gradNorm(new Float64Array([1, -Infinity]))).toBe(Infinity);
    const rng = new Rng(3);
    const g = Float64Array.from({ length: 101 }, () => rng.normal());
    expectClose([gradNorm(g)], [Math.sqrt(g.reduce((s, x) => s + x * x, 0))], 1e-14);
  });

  it('leaves a gradient below the max norm alone', () => {
    const g = new Float64Array([0.3, -0.4]); // norm 0.5
    const r = clipGradNorm(g, 10);
    expect(r.scale).toBe(1);
    expectClose([r.norm], [0.5]);
    expect([...g]).toEqual([0.3, -0.4]);
  });

  it('scales a gradient above the max norm by maxNorm/(norm + 1e-6)', () => {
    const g = new Float64Array([30, -40, 0]); // norm 50
    const r = clipGradNorm(g, 10);
    expect(r.norm).toBe(50);
    expectClose([r.scale], [10 / (50 + 1e-6)]);
    expectClose(g, [30 * r.scale, -40 * r.scale, 0]);
    expectClose([gradNorm(g)], [10 * 50 / (50 + 1e-6)]);
    expect(gradNorm(g)).toBeLessThan(10);
  });

  it('scales, very slightly, a gradient exactly at the max norm (as PyTorch)', () => {
    const g = new Float64Array([6, 8]);
    const r = clipGradNorm(g, 10);
    expect(r.scale).toBeLessThan(1);
    expectClose([r.scale], [10 / (10 + 1e-6)]);
  });

  it('refuses a max norm that is not a positive finite number', () => {
    expect(() => clipGradNorm(new Float64Array(2), 0)).toThrow(/clipGradNorm: maxNorm must be a positive finite number, received 0/);
    expect(() => clipGradNorm(new Float64Array(2), NaN)).toThrow(InputError);
  });
});

describe('learning-rate schedules', () => {
  it('constant (also the default when absent)', () => {
    expect(resolveSchedule(undefined)).toEqual({ name: 'constant' });
    const s = resolveSchedule({ name: 'constant' });
    for (const step of [0, 1, 500, 10_000]) expect(learningRate(0.1, s, step)).toBe(0.1);
  });

  it('cosine: base at step 0, the midpoint at totalSteps/2, minLr at totalSteps', () => {
    const s = resolveSchedule({ name: 'cosine', totalSteps: 100, minLr: 0.001 });
    expect(s).toEqual({ name: 'cosine', totalSteps: 100, minLr: 0.001 });
    expect(learningRate(0.01, s, 0)).toBe(0.01);
    expectClose([learningRate(0.01, s, 50)], [(0.01 + 0.001) / 2]);
    expectClose([learningRate(0.01, s, 25)], [0.001 + 0.009 * (1 + Math.SQRT1_2) / 2]);
    expectClose([learningRate(0.01, s, 100)], [0.001]);
    // decreasing over [0, totalSteps]
    for (let t = 1; t <= 100; t++) expect(learningRate(0.01, s, t)).toBeLessThan(learningRate(0.01, s, t - 1));
    // minLr defaults to 0
    expectClose([learningRate(2, resolveSchedule({ name: 'cosine', totalSteps: 10 }), 10)], [0], 0, 1e-15);
  });

  it('step: gamma^⌊step/stepSize⌋, gamma 0.1 by default', () => {
    const s = resolveSchedule({ name: 'step', stepSize: 30 });
    expect(s).toEqual({ name: 'step', stepSize: 30, gamma: 0.1 });
    expect(learningRate(0.5, s, 0)).toBe(0.5);
    expect(learningRate(0.5, s, 29)).toBe(0.5);
    expectClose([learningRate(0.5, s, 30)], [0.05]);
    expectClose([learningRate(0.5, s, 59)], [0.05]);
    expectClose([learningRate(0.5, s, 60)], [0.005]);
    expectClose([learningRate(1, resolveSchedule({ name: 'step', stepSize: 2, gamma: 0.5 }), 5)], [0.25]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'cosine', /schedule: expected a schedule options object, received "cosine"/],
    ['unknown name', { name: 'linear' }, /name must be one of "constant", "cosine", "step", received "linear"/],
    ['cosine without totalSteps', { name: 'cosine' }, /totalSteps must be an integer ≥ 1, received undefined/],
    ['fractional totalSteps', { name: 'cosine', totalSteps: 10.5 }, /totalSteps must be an integer ≥ 1, received 10.5/],
    ['negative minLr', { name: 'cosine', totalSteps: 10, minLr: -1 }, /minLr must be a finite number ≥ 0, received -1/],
    ['stepSize 0', { name: 'step', stepSize: 0 }, /stepSize must be an integer ≥ 1, received 0/],
    ['gamma 0', { name: 'step', stepSize: 5, gamma: 0 }, /gamma must be a finite number > 0, received 0/],
    ['option of another schedule', { name: 'step', stepSize: 5, minLr: 0 }, /unknown option "minLr" for schedule "step" \(its options: name, stepSize, gamma\)/],
  ];
  for (const [label, raw, msg] of bad) {
    it(`refuses ${label}`, () => {
      expect(() => resolveSchedule(raw)).toThrow(InputError);
      expect(() => resolveSchedule(raw)).toThrow(msg);
    });
  }
});
