/**
 * The host side of shaders/optimizer_update.wgsl: the step's uniforms, the state buffers a kind
 * needs, and the dispatch grid. Everything that depends only on the step — the scheduled lr,
 * Adagrad's decayed lr, Adam's bias corrections, SGD's first-step flag — is computed here in
 * float64 and rounded to f32 once, exactly as the float64 twin (src/reference/optimizerUpdate.ts)
 * computes it, so the kernel only does the per-element arithmetic.
 */
import { InputError } from '../../errors.js';
import { show } from '../../checks/options.js';
import type { OptimizerKind, ResolvedOptimizer } from '../../reference/optimizerUpdate.js';

/** The kernel's `kind` codes (KIND_* constants in optimizer_update.wgsl). */
export const OPTIMIZER_KIND_CODE: Readonly<Record<OptimizerKind, number>> = { sgd: 0, rmsprop: 1, adagrad: 2, adam: 3 };

/**
 * The uniforms of optimizer_update for one step, by member name of its `Params` struct.
 * `step` is the 1-based number of the step being taken (the twin's state.step + 1), `lr` this
 * step's scheduled learning rate, `n` the number of parameters. Members a kind does not read are
 * neutral (0, or 1 for the divisors).
 */
export function optimizerUniforms(opt: ResolvedOptimizer, step: number, lr: number, n: number): Record<string, number> {
  if (!Number.isInteger(step) || step < 1) {
    throw new InputError(`optimizerUniforms: step must be an integer ≥ 1 (the step being taken), received ${show(step)}`);
  }
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new InputError(`optimizerUniforms: lr must be a finite number ≥ 0, received ${show(lr)}`);
  }
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InputError(`optimizerUniforms: n must be an integer in [0, 2^32), received ${show(n)}`);
  }
  const u: Record<string, number> = {
    n,
    kind: OPTIMIZER_KIND_CODE[opt.kind],
    hasMomentum: 0,
    nesterov: 0,
    firstStep: step === 1 ? 1 : 0,
    lr,
    weightDecay: opt.weightDecay,
    momentum: 0,
    dampGain: 1,
    avgDecay: 0,
    avgGain: 0,
    beta1: 0,
    beta1Gain: 0,
    eps: 0,
    biasCorrection1: 1,
    biasCorrection2: 1,
  };
  switch (opt.kind) {
    case 'sgd':
      u.hasMomentum = opt.momentum > 0 ? 1 : 0;
      u.nesterov = opt.nesterov ? 1 : 0;
      u.momentum = opt.momentum;
      u.dampGain = 1 - opt.dampening;
      break;
    case 'rmsprop':
      u.hasMomentum = opt.momentum > 0 ? 1 : 0;
      u.nesterov = opt.nesterov ? 1 : 0;
      u.momentum = opt.momentum;
      u.avgDecay = opt.alpha;
      u.avgGain = 1 - opt.alpha;
      u.eps = opt.eps;
      break;
    case 'adagrad':
      // clr = lr / (1 + (t − 1)·lr_decay), as torch.optim.Adagrad
      u.lr = lr / (1 + (step - 1) * opt.lrDecay);
      u.eps = opt.eps;
      break;
    case 'adam': {
      const [b1, b2] = opt.betas;
      u.beta1 = b1;
      u.beta1Gain = 1 - b1;
      u.avgDecay = b2;
      u.avgGain = 1 - b2;
      u.eps = opt.eps;
      u.biasCorrection1 = 1 - Math.pow(b1, step);
      u.biasCorrection2 = 1 - Math.pow(b2, step);
      break;
    }
  }
  return u;
}

/** One state buffer of the kernel: its binding, PyTorch's name for it, and its starting value. */
export interface OptimizerStateSlot {
  binding: 'state1' | 'state2';
  /** The twin's (and PyTorch's) state name: momentum_buffer, square_avg, sum, exp_avg, exp_avg_sq. */
  name: string;
  /** Every element starts at this value (Adagrad's initial accumulator; 0 otherwise). */
  init: number;
}

/**
 * The state buffers a kind reads and writes (the others stay unbound to real storage: bind a small
 * placeholder there). Matches createOptimizerState in the twin buffer for buffer.
 */
export function optimizerStateSlots(opt: ResolvedOptimizer): OptimizerStateSlot[] {
  switch (opt.kind) {
    case 'sgd':
      return opt.momentum > 0 ? [{ binding: 'state1', name: 'momentum_buffer', init: 0 }] : [];
    case 'rmsprop':
      return [
        { binding: 'state1', name: 'square_avg', init: 0 },
        ...(opt.momentum > 0 ? [{ binding: 'state2' as const, name: 'momentum_buffer', init: 0 }] : []),
      ];
    case 'adagrad':
      return [{ binding: 'state1', name: 'sum', init: opt.initialAccumulatorValue }];
    case 'adam':
      return [
        { binding: 'state1', name: 'exp_avg', init: 0 },
        { binding: 'state2', name: 'exp_avg_sq', init: 0 },
      ];
  }
}
