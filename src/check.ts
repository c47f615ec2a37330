/**
 * Cross-checks of the WebGPU engine against the float64 reference (`webgpu-lstm check` and the
 * tests): whole passes on random ragged shapes for every cell × head × loss (with per-row lengths,
 * token inputs and initial states drawn too), and training runs for every optimizer with clipping.
 * Every tensor is compared with DESIGN.md's normwise measure; each row names the kernels that
 * produced it.
 */
import type { Engine, GradResult, Inputs, Model, SequenceOptions, Targets } from './api.js';
import { normwiseError } from './compare.js';
import { gateCount, type ModelConfig } from './config.js';
import type { OptimizerOptions } from './reference/optimizerUpdate.js';
import { Rng } from './rng.js';


/** f32 against f64 (τ = 1e-30 for float32 results). */
const TAU = 1e-30;

/** One row of `runCheck`: one tensor of one case, its error against the float64 reference and its bound. */
export interface CheckRow {
  /** The case, e.g. 'lstm softmax_ce {"outputs":"all"} B3 T17 H7 L2 h0 lengths', or 'gru train adam ×20 clip 0.5 (…)'. */
  case: string;
  /** The tensor compared: loss, logits, h_n, c_n, grad.<parameter>, grad.h0, grad.c0; after training, a parameter name. `kernelsOf` names the kernels behind it. */
  tensor: string;
  /** Normwise error ‖gpu − ref‖₂ / max(‖ref‖₂, 1e-30) (`normwiseError`); NaN for non-finite results. */
  error: number;
  /** The bound: TOLERANCE.pass (2e-4) for a pass, TOLERANCE.training (1e-3) after 20 training steps. The row passes when error ≤ tolerance. */
  tolerance: number;
}

/** Tolerances, with their reason: a whole pass is f32 over T steps and T·B-row reductions, and the
 * `grad` contract bounds it at 2e-4; 20 training steps compound per-step rounding, hence 1e-3. */
export const TOLERANCE = { pass: 2e-4, training: 1e-3 } as const;

/**
 * A random batch: features in [−1, 1) or token ids; class ids, probabilities or real targets
 * (mse: in [−2, 2)). Targets at padded steps (with `lengths`) are garbage on purpose (−100 or
 * 1e30): they must never be read.
 */
export function randomBatch(cfg: ModelConfig, B: number, T: number, rng: Rng, lengths: Int32Array | null = null): { x: Inputs; y: Targets } {
  const x = cfg.inputKind === 'tokens'
    ? { data: Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize!)), shape: [B, T] }
    : { data: Float32Array.from({ length: B * T * cfg.inputSize }, () => rng.range(-1, 1)), shape: [B, T, cfg.inputSize] };
  const rows = cfg.outputs === 'all' ? B * T : B;
  const C = cfg.outputSize;
  const yShape = cfg.loss === 'softmax_ce' ? (cfg.outputs === 'all' ? [B, T] : [B]) : (cfg.outputs === 'all' ? [B, T, C] : [B, C]);
  const padded = (i: number, w: number) => lengths !== null && cfg.outputs === 'all' && (Math.floor(i / w) % T) >= lengths[Math.floor(i / w / T)]!;
  const y = cfg.loss === 'softmax_ce'
    ? { data: Int32Array.from({ length: rows }, (_, i) => (padded(i, 1) ? -100 : rng.int(C))), shape: yShape }
    : { data: Float32Array.from({ length: rows * C }, (_, i) => (padded(i, C) ? 1e30 : cfg.loss === 'mse' ? rng.range(-2, 2) : rng.uniform())), shape: yShape };
  return { x, y };
}

/** Random lengths in [max(1, headSteps), T], at least one row of full length T. */
export function randomLengths(cfg: ModelConfig, B: number, T: number, rng: Rng): Int32Array {
  const lo = cfg.outputs === 'last' ? (cfg.headSteps ?? 1) : 1;
  const l = Int32Array.from({ length: B }, () => lo + rng.int(T - lo + 1));
  l[rng.int(B)] = T;
  return l;
}

export function randomState(cfg: ModelConfig, B: number, rng: Rng): SequenceOptions {
  const L = cfg.numLayers, H = cfg.hiddenSize;
  const t = () => ({ data: Float32Array.from({ length: L * B * H }, () => rng.range(-0.5, 0.5)), shape: [L, B, H] });
  return cfg.cell === 'lstm' ? { h0: t(), c0: t() } : { h0: t() };
}

/** Every tensor of a grad result against the reference's, by the `grad` command's names. */
export function compareGrads(got: GradResult, ref: GradResult): Record<string, number> {
  const e: Record<string, number> = {
    loss: normwiseError([got.loss], [ref.loss], TAU),
    logits: normwiseError(got.logits, ref.logits, TAU),
    h_n: normwiseError(got.hN, ref.hN, TAU),
    'grad.h0': normwiseError(got.dh0, ref.dh0, TAU),
  };
  if (ref.cN) e.c_n = normwiseError(got.cN!, ref.cN, TAU);
  if (ref.dc0) e['grad.c0'] = normwiseError(got.dc0!, ref.dc0, TAU);
  for (const [k, v] of ref.grads) e[`grad.${k}`] = normwiseError(got.grads.get(k)!, v, TAU);
  return e;
}

/** Parameters of two models, by name. */
export async function compareParameters(got: Model, ref: Model): Promise<Record<string, number>> {
  const a = await got.getParameters(), r = await ref.getParameters();
  const e: Record<string, number> = {};
  for (const [k, v] of r) e[k] = normwiseError(a.get(k)!, v, TAU);
  return e;
}

/** A random configuration with ragged sizes, drawn from `rng`. */
export function randomConfig(rng: Rng, cell: ModelConfig['cell'], loss: ModelConfig['loss'], head: Partial<ModelConfig>): ModelConfig {
  const pick = <T>(a: readonly T[]) => a[rng.int(a.length)]!;
  const cfg = {
    cell, loss, outputs: 'all', inputSize: pick([1, 3, 7, 13]), hiddenSize: pick([1, 3, 7, 13, 33]),
    numLayers: 1 + rng.int(3), outputSize: pick([2, 3, 7]), ...head,
  } as ModelConfig;
  if (cfg.inputKind === 'tokens') cfg.vocabSize = pick([2, 5, 11, 29]);
  return cfg;
}

const HEADS: Array<Partial<ModelConfig>> = [
  { outputs: 'all' }, { outputs: 'last' }, { outputs: 'last', headSteps: 3 }, { outputs: 'all', headFrom: 'ch' },
  { outputs: 'last', headSteps: 2, headFrom: 'ch' }, { outputs: 'all', learnedInitialState: true },
  { outputs: 'all', inputKind: 'tokens' }, { outputs: 'last', inputKind: 'tokens', headSteps: 2 },
];

/**
 * The training runs' optimizers. The normalising ones (RMSprop, its Nesterov form, Adam) run with
 * ε = 1e-3 and seed 003's recipe at lr 0.005 instead of 0.05: with a tiny ε they step by about lr
 * per element whatever the gradient's size, so an element whose gradient is ~0 moves by ±lr on the
 * sign of its rounding error, and 20 steps of a random network become chaotic (a 1e-7 change of
 * the float64 input moves the result by O(1)); no f32-vs-f64 bound could hold. With ε = 1e-3 a
 * tiny gradient makes a tiny step. The kernel's formulas are the same; test/kernels/optimizer.test.ts
 * checks them element by element at the default ε.
 */
export const CHECK_OPTIMIZERS: Array<[string, OptimizerOptions]> = [
  ['sgd', { name: 'sgd', lr: 0.1 }],
  ['momentum', { name: 'momentum', lr: 0.05 }],
  ['nesterov', { name: 'nesterov', lr: 0.05, weightDecay: 0.01 }],
  ['rmsprop', { name: 'rmsprop', lr: 0.01, eps: 1e-3 }],
  ['rmsprop-nesterov', { name: 'rmsprop', lr: 0.005, alpha: 0.5, momentum: 0.8, nesterov: true, eps: 1e-3 }],
  ['adagrad', { name: 'adagrad', lr: 0.3, initialAccumulatorValue: 0.1 }],
  ['adam', { name: 'adam', lr: 0.01, eps: 1e-3 }],
];

/** Which kernels produce a tensor, for the report. */
export function kernelsOf(cell: ModelConfig['cell'], tensor: string): string {
  const step = cell === 'rnn_tanh' || cell === 'rnn_relu' ? 'rnn' : cell;
  if (tensor === 'loss') return 'softmax_cross_entropy|sigmoid_bce|mse_loss, reduce_rows';
  if (tensor === 'grad.embedding.weight') return `${step}_step_backward, matmul, embedding_backward`;
  if (tensor === 'logits') return `matmul, ${step}_step_forward`;
  if (tensor === 'h_n' || tensor === 'c_n') return `matmul, ${step}_step_forward`;
  if (tensor.startsWith('grad.')) return `${step}_step_backward, matmul, reduce_rows`;
  return 'grad_norm, grad_norm_finish, optimizer_update (and all of the above)';
}

/**
 * Runs the whole check: `cases` random passes per cell × loss (cycling through the heads), and a
 * 20-step training run per cell × optimizer. Returns every row; the caller judges tolerance.
 */
export async function runCheck(gpu: Engine, cpu: Engine, opts: { seed: number; cases: number; log?: (line: string) => void }): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const rng = new Rng(opts.seed);
  const cells: ModelConfig['cell'][] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
  let n = 0;
  for (const cell of cells) {
    for (const loss of ['softmax_ce', 'sigmoid_bce', 'mse'] as const) {
      for (let i = 0; i < opts.cases; i++) {
        let head = HEADS[(n++) % HEADS.length]!;
        if (head.headFrom === 'ch' && cell !== 'lstm') head = { outputs: 'all' };
        const cfg = randomConfig(rng, cell, loss, head);
        const B = 1 + rng.int(9), T = Math.max(cfg.headSteps ?? 1, 1 + rng.int(40));
        const seed = rng.int(1 << 30);
        const g = gpu.createModel({ ...cfg, seed }), c = cpu.createModel({ ...cfg, seed });
        // Every other case draws per-row lengths; the odd cases carry random initial states.
        const lengths = (n >> 1) % 2 === 1 && B > 1 ? randomLengths(cfg, B, T, rng) : null;
        const { x, y } = randomBatch(cfg, B, T, rng, lengths);
        const st: SequenceOptions = { ...(i % 2 === 1 ? randomState(cfg, B, rng) : {}), ...(lengths ? { lengths: { data: lengths, shape: [B] } } : {}) };
        const label = `${cell} ${loss} ${JSON.stringify(head)} B${B} T${T} H${cfg.hiddenSize} L${cfg.numLayers}${i % 2 ? ' h0' : ''}${lengths ? ' lengths' : ''}`;
        const errors = compareGrads(await g.grad(x, y, st), await c.grad(x, y, st));
        for (const [tensor, error] of Object.entries(errors)) rows.push({ case: label, tensor, error, tolerance: TOLERANCE.pass });
        opts.log?.(`${label}: worst ${Math.max(...Object.values(errors)).toExponential(2)}`);
        g.destroy();
        c.destroy();
      }
    }
    for (const [name, optimizer] of CHECK_OPTIMIZERS) {
      const cfg = randomConfig(rng, cell, cell === 'lstm' ? 'softmax_ce' : cell === 'gru' ? 'mse' : 'sigmoid_bce', { outputs: 'all', ...(cell === 'rnn_tanh' ? { learnedInitialState: true } : {}) });
      const seed = rng.int(1 << 30);
      const g = gpu.createModel({ ...cfg, seed }), c = cpu.createModel({ ...cfg, seed });
      const tg = g.trainer({ optimizer, clipNorm: 0.5 }), tc = c.trainer({ optimizer, clipNorm: 0.5 });
      for (let s = 0; s < 20; s++) {
        const { x, y } = randomBatch(cfg, 4, 6, rng);
        await tg.step(x, y, { readLoss: s === 19 });
        await tc.step(x, y);
      }
      const errors = await compareParameters(g, c);
      const label = `${cell} train ${name} ×20 clip 0.5 (G=${gateCount(cfg.cell)}, H${cfg.hiddenSize}, L${cfg.numLayers})`;
      for (const [tensor, error] of Object.entries(errors)) rows.push({ case: label, tensor, error, tolerance: TOLERANCE.training });
      opts.log?.(`${label}: worst ${Math.max(...Object.values(errors)).toExponential(2)}`);
      g.destroy();
      c.destroy();
    }
  }
  return rows;
}
