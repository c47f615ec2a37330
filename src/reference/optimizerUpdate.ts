/**
 * CPU twin of shaders/optimizer_update.wgsl: one optimizer step over ONE flat parameter buffer and
 * its flat gradient buffer, in place, with PyTorch's definitions (torch.optim) and defaults.
 *
 * Every algorithm is a plain per-element loop: element i reads p[i], g[i] and its own slots of the
 * state buffers and writes them back, so one GPU invocation can own one element. The few numbers
 * that depend only on the step (the scheduled lr, Adagrad's decayed lr, Adam's bias corrections,
 * "is this the first step") are computed once per step here, as the host computes the kernel's
 * uniforms.
 *
 * Weight decay is PyTorch's L2 form, added to the gradient before anything else:
 *   g ← g + λ·p        (not AdamW's decoupled decay)
 */
import { InputError } from '../errors.js';
import {
  checkBoolean, checkNumber, checkObject, NON_NEGATIVE, POSITIVE, show, UNIT_OPEN, type NumberRule,
} from '../checks/options.js';

/** 'momentum' and 'nesterov' are sugar over 'sgd' (momentum 0.9 by default). */
export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adagrad' | 'adam';

/** The algorithm a name runs: what the fused kernel branches on. */
export type OptimizerKind = 'sgd' | 'rmsprop' | 'adagrad' | 'adam';

/**
 * An optimizer and its options, with torch.optim's definitions and defaults. Checked when the
 * trainer is made: an unknown key, an option the algorithm does not read (e.g. betas for sgd), a
 * PyTorch option version 1 lacks (amsgrad, centered, …), a value out of range, or Nesterov without
 * momentum is an InputError naming it.
 */
export interface OptimizerOptions {
  /** sgd, momentum (SGD with momentum 0.9), nesterov (SGD, Nesterov momentum 0.9), rmsprop, adagrad or adam. */
  name: OptimizerName;
  /** Base learning rate (a schedule may scale it per step). */
  lr: number;
  /** SGD and RMSprop. Default 0 ('sgd', 'rmsprop'), 0.9 ('momentum', 'nesterov'). */
  momentum?: number;
  /** SGD only. Default 0; Nesterov requires 0. */
  dampening?: number;
  /**
   * SGD: Nesterov momentum (PyTorch's). RMSprop: seed 003's recipe, Nesterov momentum on the
   * RMS-normalised gradient. Both need momentum > 0.
   */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** RMSprop smoothing constant ρ. Default 0.99. */
  alpha?: number;
  /** Added to the denominator. Default 1e-8 (RMSprop, Adam), 1e-10 (Adagrad). */
  eps?: number;
  /** Adam. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Adagrad's starting accumulator. Default 0 (seed 001's recipe uses 0.1). */
  initialAccumulatorValue?: number;
  /** Adagrad's learning-rate decay. Default 0. */
  lrDecay?: number;
}

/** Every option explicit; those an algorithm does not read keep their neutral default. */
export interface ResolvedOptimizer {
  name: OptimizerName;
  kind: OptimizerKind;
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  alpha: number;
  eps: number;
  betas: [number, number];
  initialAccumulatorValue: number;
  lrDecay: number;
}

/** Optimizer state: the step count (0 before the first update) and one flat buffer per kind of state. */
export interface OptimizerState {
  step: number;
  buffers: Record<string, Float64Array>;
}

const KIND: Record<OptimizerName, OptimizerKind> = {
  sgd: 'sgd', momentum: 'sgd', nesterov: 'sgd', rmsprop: 'rmsprop', adagrad: 'adagrad', adam: 'adam',
};
const NAMES = Object.keys(KIND) as OptimizerName[];

/** The options each algorithm reads, besides `name`. */
const OPTIONS_OF: Record<OptimizerKind, readonly (keyof OptimizerOptions)[]> = {
  sgd: ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'],
  rmsprop: ['lr', 'alpha', 'eps', 'momentum', 'nesterov', 'weightDecay'],
  adagrad: ['lr', 'lrDecay', 'initialAccumulatorValue', 'eps', 'weightDecay'],
  adam: ['lr', 'betas', 'eps', 'weightDecay'],
};
const ALL_OPTIONS = new Set<string>(['name', ...Object.values(OPTIONS_OF).flat()]);
/** PyTorch options that version 1 does not implement: refused by name rather than ignored. */
const NOT_IN_V1 = new Set(['amsgrad', 'centered', 'maximize', 'foreach', 'fused', 'capturable', 'differentiable', 'decoupledWeightDecay']);

const DEFAULT_EPS: Record<OptimizerKind, number> = { sgd: 1e-8, rmsprop: 1e-8, adagrad: 1e-10, adam: 1e-8 };
const MOMENTUM_POSITIVE: NumberRule = { min: { value: 0, inclusive: false }, max: { value: 1, inclusive: false } };
const UNIT_CLOSED: NumberRule = { min: { value: 0, inclusive: true }, max: { value: 1, inclusive: true } };

/**
 * Check optimizer options and fill in PyTorch's defaults. `where` names the source in errors
 * (e.g. "trainer optimizer"). Refuses unknown names and keys, options the algorithm does not read,
 * values out of range, and Nesterov without momentum (or with dampening), as PyTorch does.
 */
export function resolveOptimizer(raw: unknown, where = 'optimizer'): ResolvedOptimizer {
  const o = checkObject(where, 'an optimizer options', raw);
  const name = o.name;
  if (typeof name !== 'string' || !(NAMES as string[]).includes(name)) {
    throw new InputError(`${where}: name must be one of ${NAMES.map((n) => JSON.stringify(n)).join(', ')}, received ${show(name)}`);
  }
  const optName = name as OptimizerName;
  const kind = KIND[optName];
  const own = OPTIONS_OF[kind];
  for (const k of Object.keys(o)) {
    if (o[k] === undefined) continue;
    if (NOT_IN_V1.has(k)) throw new InputError(`${where}: option ${JSON.stringify(k)} is not supported in version 1`);
    if (!ALL_OPTIONS.has(k)) {
      throw new InputError(`${where}: unknown option ${JSON.stringify(k)} (known: ${[...ALL_OPTIONS].join(', ')})`);
    }
    if (k !== 'name' && !(own as readonly string[]).includes(k)) {
      throw new InputError(`${where}: option ${JSON.stringify(k)} does not apply to optimizer ${JSON.stringify(optName)} (its options: ${own.join(', ')})`);
    }
  }

  const lr = checkNumber(where, 'lr', o.lr, POSITIVE);
  const weightDecay = o.weightDecay === undefined ? 0 : checkNumber(where, 'weightDecay', o.weightDecay, NON_NEGATIVE);
  const eps = o.eps === undefined ? DEFAULT_EPS[kind] : checkNumber(where, 'eps', o.eps, POSITIVE);

  // Momentum: 'momentum' and 'nesterov' mean momentum > 0 (0.9 unless given); else 0 unless given.
  const sugar = optName === 'momentum' || optName === 'nesterov';
  const momentum = o.momentum === undefined
    ? (sugar ? 0.9 : 0)
    : checkNumber(where, sugar ? `momentum (optimizer "${optName}")` : 'momentum', o.momentum, sugar ? MOMENTUM_POSITIVE : UNIT_OPEN);
  const dampening = o.dampening === undefined ? 0 : checkNumber(where, 'dampening', o.dampening, UNIT_CLOSED);

  const nesterov = o.nesterov === undefined ? optName === 'nesterov' : checkBoolean(where, 'nesterov', o.nesterov);
  if (optName === 'nesterov' && !nesterov) {
    throw new InputError(`${where}: optimizer "nesterov" means nesterov true, received nesterov false (use name "momentum")`);
  }
  if (optName === 'momentum' && nesterov) {
    throw new InputError(`${where}: optimizer "momentum" means nesterov false, received nesterov true (use name "nesterov")`);
  }
  if (nesterov && momentum === 0) {
    throw new InputError(`${where}: nesterov needs a momentum: expected momentum in (0, 1), received ${show(o.momentum ?? 0)}`);
  }
  if (nesterov && dampening !== 0) {
    throw new InputError(`${where}: nesterov needs zero dampening (as PyTorch), received dampening ${show(dampening)}`);
  }

  const alpha = o.alpha === undefined ? 0.99 : checkNumber(where, 'alpha', o.alpha, UNIT_OPEN);
  let betas: [number, number] = [0.9, 0.999];
  if (o.betas !== undefined) {
    const b = o.betas;
    if (!Array.isArray(b) || b.length !== 2) {
      throw new InputError(`${where}: betas must be an array of two numbers in [0, 1), received ${show(b)}`);
    }
    betas = [checkNumber(where, 'betas[0]', b[0], UNIT_OPEN), checkNumber(where, 'betas[1]', b[1], UNIT_OPEN)];
  }
  const initialAccumulatorValue = o.initialAccumulatorValue === undefined
    ? 0 : checkNumber(where, 'initialAccumulatorValue', o.initialAccumulatorValue, NON_NEGATIVE);
  const lrDecay = o.lrDecay === undefined ? 0 : checkNumber(where, 'lrDecay', o.lrDecay, NON_NEGATIVE);

  return {
    name: optName, kind, lr, momentum, dampening, nesterov, weightDecay, alpha, eps, betas,
    initialAccumulatorValue, lrDecay,
  };
}

/**
 * The state buffers the optimizer needs for n parameters, named as PyTorch names its state:
 *   sgd with momentum: momentum_buffer;  rmsprop: square_avg (+ momentum_buffer with momentum);
 *   adagrad: sum (starts at initialAccumulatorValue);  adam: exp_avg, exp_avg_sq.
 * Everything else starts at zero.
 */
export function createOptimizerState(opt: ResolvedOptimizer, n: number): OptimizerState {
  const buffers: Record<string, Float64Array> = {};
  switch (opt.kind) {
    case 'sgd':
      if (opt.momentum > 0) buffers.momentum_buffer = new Float64Array(n);
      break;
    case 'rmsprop':
      buffers.square_avg = new Float64Array(n);
      if (opt.momentum > 0) buffers.momentum_buffer = new Float64Array(n);
      break;
    case 'adagrad':
      buffers.sum = new Float64Array(n).fill(opt.initialAccumulatorValue);
      break;
    case 'adam':
      buffers.exp_avg = new Float64Array(n);
      buffers.exp_avg_sq = new Float64Array(n);
      break;
  }
  return { step: 0, buffers };
}

function buffer(state: OptimizerState, name: string, n: number): Float64Array {
  const b = state.buffers[name];
  if (!b || b.length !== n) {
    throw new InputError(`optimizerUpdate: state buffer ${JSON.stringify(name)} expected ${n} elements, received ${b ? b.length : 'none'}`);
  }
  return b;
}

/**
 * One update, in place: params (and the state buffers) change; grads are only read.
 * `lr` is this step's scheduled learning rate. Increments state.step (t = state.step after it).
 */
export function optimizerUpdate(
  opt: ResolvedOptimizer, state: OptimizerState, params: Float64Array, grads: Float64Array, lr: number,
): void {
  const n = params.length;
  if (grads.length !== n) {
    throw new InputError(`optimizerUpdate: grads expected ${n} elements (as params), received ${grads.length}`);
  }
  const t = state.step + 1;
  switch (opt.kind) {
    case 'sgd':
      if (opt.momentum === 0) sgdPlain(params, grads, lr, opt.weightDecay);
      else sgdMomentum(opt, params, grads, buffer(state, 'momentum_buffer', n), lr, t === 1);
      break;
    case 'rmsprop': {
      const v = buffer(state, 'square_avg', n);
      if (opt.momentum === 0) rmsprop(opt, params, grads, v, lr);
      else if (!opt.nesterov) rmspropMomentum(opt, params, grads, v, buffer(state, 'momentum_buffer', n), lr);
      else rmspropNesterov(opt, params, grads, v, buffer(state, 'momentum_buffer', n), lr);
      break;
    }
    case 'adagrad':
      // clr = lr / (1 + (t − 1)·lr_decay)
      adagrad(opt, params, grads, buffer(state, 'sum', n), lr / (1 + (t - 1) * opt.lrDecay));
      break;
    case 'adam': {
      // Bias corrections of step t: 1 − β1^t, 1 − β2^t.
      const [b1, b2] = opt.betas;
      adam(opt, params, grads, buffer(state, 'exp_avg', n), buffer(state, 'exp_avg_sq', n), lr,
        1 - Math.pow(b1, t), 1 - Math.pow(b2, t));
      break;
    }
  }
  state.step = t;
}

/** p ← p − lr·g */
function sgdPlain(p: Float64Array, grads: Float64Array, lr: number, wd: number): void {
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    p[i] = p[i]! - lr * g;
  }
}

/**
 * b ← g on the first step, else b ← μ·b + (1 − τ)·g          (τ: dampening)
 * d = g + μ·b (nesterov) or d = b;  p ← p − lr·d
 */
function sgdMomentum(opt: ResolvedOptimizer, p: Float64Array, grads: Float64Array, b: Float64Array, lr: number, first: boolean): void {
  const mu = opt.momentum, damp = 1 - opt.dampening, wd = opt.weightDecay, nesterov = opt.nesterov;
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    const bi = first ? g : mu * b[i]! + damp * g;
    b[i] = bi;
    const d = nesterov ? g + mu * bi : bi;
    p[i] = p[i]! - lr * d;
  }
}

/** v ← α·v + (1 − α)·g²;  p ← p − lr·g/(√v + ε) */
function rmsprop(opt: ResolvedOptimizer, p: Float64Array, grads: Float64Array, v: Float64Array, lr: number): void {
  const a = opt.alpha, eps = opt.eps, wd = opt.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    const vi = a * v[i]! + (1 - a) * g * g;
    v[i] = vi;
    p[i] = p[i]! - lr * g / (Math.sqrt(vi) + eps);
  }
}

/** v ← α·v + (1 − α)·g²;  b ← μ·b + g/(√v + ε);  p ← p − lr·b   (b starts at 0) */
function rmspropMomentum(opt: ResolvedOptimizer, p: Float64Array, grads: Float64Array, v: Float64Array, b: Float64Array, lr: number): void {
  const a = opt.alpha, eps = opt.eps, mu = opt.momentum, wd = opt.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    const vi = a * v[i]! + (1 - a) * g * g;
    v[i] = vi;
    const bi = mu * b[i]! + g / (Math.sqrt(vi) + eps);
    b[i] = bi;
    p[i] = p[i]! - lr * bi;
  }
}

/**
 * Seed 003's recipe (DESIGN.md section 8), Nesterov momentum on the RMS-normalised gradient:
 *   v ← ρ·v + (1 − ρ)·g²;  u = g/(√v + ε);  b ← μ·b + u;  p ← p − lr·(u + μ·b)   (b starts at 0)
 */
function rmspropNesterov(opt: ResolvedOptimizer, p: Float64Array, grads: Float64Array, v: Float64Array, b: Float64Array, lr: number): void {
  const rho = opt.alpha, eps = opt.eps, mu = opt.momentum, wd = opt.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    const vi = rho * v[i]! + (1 - rho) * g * g;
    v[i] = vi;
    const u = g / (Math.sqrt(vi) + eps);
    const bi = mu * b[i]! + u;
    b[i] = bi;
    p[i] = p[i]! - lr * (u + mu * bi);
  }
}

/** s ← s + g²;  p ← p − clr·g/(√s + ε) */
function adagrad(opt: ResolvedOptimizer, p: Float64Array, grads: Float64Array, s: Float64Array, clr: number): void {
  const eps = opt.eps, wd = opt.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    const si = s[i]! + g * g;
    s[i] = si;
    p[i] = p[i]! - clr * g / (Math.sqrt(si) + eps);
  }
}

/**
 * m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 * m̂ = m/(1 − β1^t);  v̂ = v/(1 − β2^t);  p ← p − lr·m̂/(√v̂ + ε)
 */
function adam(opt: ResolvedOptimizer, p: Float64Array, grads: Float64Array, m: Float64Array, v: Float64Array,
  lr: number, bc1: number, bc2: number): void {
  const [b1, b2] = opt.betas;
  const eps = opt.eps, wd = opt.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const g = grads[i]! + wd * p[i]!;
    const mi = b1 * m[i]! + (1 - b1) * g;
    const vi = b2 * v[i]! + (1 - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
  }
}
