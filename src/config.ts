/**
 * Model configuration: the shape of a recurrent network and its head, exactly the `config` object
 * of the model file (DESIGN.md section 5, with its "Version 1 additions"). Validation lives here so
 * every backend and every file reader refuses the same things with the same words.
 *
 * Sizes are bounded twice, both before anything is allocated: each field by a fixed cap (so that
 * no product of them can overflow a double), and the whole model by the parameter count a backend
 * can hold (`checkParameterBudget`, called by each backend with its own limit).
 */
import { InputError } from './errors.js';
import { show } from './checks/options.js';

/** `rnn_tanh` and `rnn_relu` are PyTorch's `nn.RNN(nonlinearity='tanh' | 'relu')`. */
export type CellType = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
/**
 * The training loss, PyTorch's definitions, a mean over valid positions (padded steps excluded):
 * `softmax_ce` (F.cross_entropy on class ids), `sigmoid_bce` (F.binary_cross_entropy_with_logits
 * on probabilities, per element), `mse` (F.mse_loss on real values).
 */
export type LossType = 'softmax_ce' | 'sigmoid_bce' | 'mse';
/** `all`: the head reads every step, logits [B, T, C]; `last`: the last step (or the last headSteps steps), logits [B, C]. */
export type OutputMode = 'all' | 'last';
/** The head's features per step: `h`, the top layer's h [H]; `ch`, its c then h concatenated [2H] (LSTM only). */
export type HeadFrom = 'h' | 'ch';
/** `features`: x is floats [B, T, I]; `tokens`: x is integer ids [B, T] into a learned embedding. */
export type InputKind = 'features' | 'tokens';

/**
 * A network's shape and head: exactly the `config` object of the model file (README, "Files and
 * other frameworks"). Sizes: I inputSize, H hiddenSize, L numLayers, C outputSize.
 * Checked by `resolveConfig`, which throws an InputError naming the field, expected and received.
 */
export interface ModelConfig {
  /** `lstm` (gate rows i, f, g, o), `gru` (r, z, n), `rnn_tanh` or `rnn_relu` (one row). */
  cell: CellType;
  /** Features per step of x; with token inputs, the embedding's width (PyTorch's embedding_dim). */
  inputSize: number;
  /** Units per layer (H). */
  hiddenSize: number;
  /** Stacked layers (L). */
  numLayers: number;
  /** Classes (softmax_ce), independent outputs (sigmoid_bce) or regression targets (mse): C. */
  outputSize: number;
  /** `softmax_ce` (class ids), `sigmoid_bce` (probabilities) or `mse` (real targets). */
  loss: LossType;
  /** `all`: logits at every step [B, T, C]; `last`: at the last step(s) only [B, C]. */
  outputs: OutputMode;
  /** Features of the head: `h` of the top layer (default) or `c` then `h` (LSTM only, seed 001). */
  headFrom?: HeadFrom;
  /** outputs `last` only: concatenate the top layer's features of the last k steps (seed 002). */
  headSteps?: number;
  /** A learned initial state `init.h0` (and `init.c0` for LSTM), shape [L, H] (seed 003). */
  learnedInitialState?: boolean;
  /** `features` (default) or `tokens` (then `vocabSize` is required). */
  inputKind?: InputKind;
  /** Token inputs only: the number of token ids V; `embedding.weight` is [V, inputSize]. */
  vocabSize?: number;
}

/** The config with every optional field made explicit (vocabSize 0 for feature inputs). */
export interface ResolvedConfig extends Required<ModelConfig> {}

/** Every cell type, in the order the checks and the CLI list them. */
export const CELLS: readonly CellType[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
/** Every loss, in the order the checks and the CLI list them. */
export const LOSSES: readonly LossType[] = ['softmax_ce', 'sigmoid_bce', 'mse'];

/**
 * Caps on single fields. Far above any model a browser trains, low enough that every product of
 * sizes below stays an exact double; the parameter budget of the backend is the real limit.
 */
export const FIELD_LIMITS = {
  inputSize: 1 << 24, hiddenSize: 1 << 16, numLayers: 1024, outputSize: 1 << 24, headSteps: 1 << 16, vocabSize: 1 << 24,
} as const;

/** Gate rows per hidden unit: LSTM i,f,g,o; GRU r,z,n; the plain RNNs one. */
export function gateCount(cell: CellType): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** True for the two plain (Elman) RNN cells. */
export function isPlainRnn(cell: CellType): cell is 'rnn_tanh' | 'rnn_relu' {
  return cell === 'rnn_tanh' || cell === 'rnn_relu';
}

/** PyTorch's module name of the cell, the prefix of its parameter names. */
export function cellModuleName(cell: CellType): string {
  return cell === 'lstm' ? 'lstm' : cell === 'gru' ? 'gru' : 'rnn';
}

/** The prefix of the cell's step kernels: lstm_step_forward, gru_…, rnn_… (both plain RNNs). */
export function stepKernelPrefix(cell: CellType): 'lstm' | 'gru' | 'rnn' {
  return cell === 'lstm' ? 'lstm' : cell === 'gru' ? 'gru' : 'rnn';
}

/** Width of the head's input: headSteps × (2 if headFrom = "ch" else 1) × H. */
export function headInputSize(c: ResolvedConfig): number {
  return c.headSteps * (c.headFrom === 'ch' ? 2 : 1) * c.hiddenSize;
}

/** Input features of layer k: I for layer 0 (the embedding width with token inputs), else H. */
export function layerInputSize(c: ResolvedConfig, k: number): number {
  return k === 0 ? c.inputSize : c.hiddenSize;
}

/** The number of parameters of a config, in float64 (exact: the field caps keep it below 2^53). */
export function parameterCount(c: ResolvedConfig): number {
  const G = gateCount(c.cell), H = c.hiddenSize, L = c.numLayers;
  let n = c.inputKind === 'tokens' ? c.vocabSize * c.inputSize : 0;
  for (let k = 0; k < L; k++) n += G * H * (layerInputSize(c, k) + H + 2);
  n += c.outputSize * (headInputSize(c) + 1);
  if (c.learnedInitialState) n += (c.cell === 'lstm' ? 2 : 1) * L * H;
  return n;
}

/**
 * Refuse, before anything is allocated, a model with more parameters than a backend can hold.
 * `limit` is that backend's count, `why` says where it comes from (e.g. "maxStorageBufferBindingSize
 * 1073741824 bytes / 4"). The message names the sizes that make the count.
 */
export function checkParameterBudget(where: string, c: ResolvedConfig, limit: number, why: string): void {
  const n = parameterCount(c);
  if (n <= limit) return;
  const sizes = `inputSize ${c.inputSize}, hiddenSize ${c.hiddenSize}, numLayers ${c.numLayers}, outputSize ${c.outputSize}` +
    (c.inputKind === 'tokens' ? `, vocabSize ${c.vocabSize}` : '') + (c.headSteps !== 1 ? `, headSteps ${c.headSteps}` : '');
  throw new InputError(`${where}: the model needs ${n} parameters (${sizes}), over the limit of ${limit} (${why})`);
}

function boundedInt(where: string, name: keyof typeof FIELD_LIMITS, v: unknown): number {
  const max = FIELD_LIMITS[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new InputError(`${where}: ${name} must be an integer in [1, ${max}], received ${show(v)}`);
  }
  return v;
}

function oneOf<T extends string>(where: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InputError(`${where}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, received ${show(v)}`);
  }
  return v as T;
}

export const CONFIG_KEYS: readonly string[] = [
  'cell', 'inputSize', 'hiddenSize', 'numLayers', 'outputSize', 'loss', 'outputs',
  'headFrom', 'headSteps', 'learnedInitialState', 'inputKind', 'vocabSize',
];
const KNOWN_KEYS = new Set(CONFIG_KEYS);

/**
 * Check a config and fill in its defaults. `where` names the source in errors
 * (e.g. "createModel" or "model file m.safetensors"). Extra keys listed in `allowExtra` pass.
 */
export function resolveConfig(raw: unknown, where = 'config', allowExtra: readonly string[] = []): ResolvedConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${where}: expected a config object, received ${show(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN_KEYS.has(k) && !allowExtra.includes(k)) {
      throw new InputError(`${where}: unknown config key ${show(k)} (known: ${CONFIG_KEYS.join(', ')})`);
    }
  }
  const cell = oneOf(where, 'cell', o.cell, CELLS);
  const loss = oneOf(where, 'loss', o.loss, LOSSES);
  const outputs = oneOf(where, 'outputs', o.outputs, ['all', 'last'] as const);
  const headFrom = o.headFrom === undefined ? 'h' : oneOf(where, 'headFrom', o.headFrom, ['h', 'ch'] as const);
  if (headFrom === 'ch' && cell !== 'lstm') {
    throw new InputError(`${where}: headFrom "ch" needs a cell state: expected cell "lstm", received ${show(cell)}`);
  }
  const headSteps = o.headSteps === undefined ? 1 : boundedInt(where, 'headSteps', o.headSteps);
  if (headSteps !== 1 && outputs !== 'last') {
    throw new InputError(`${where}: headSteps applies to outputs "last" only, received headSteps ${headSteps} with outputs "all"`);
  }
  const learned = o.learnedInitialState === undefined ? false : o.learnedInitialState;
  if (typeof learned !== 'boolean') {
    throw new InputError(`${where}: learnedInitialState must be a boolean, received ${show(learned)}`);
  }
  const inputKind = o.inputKind === undefined ? 'features' : oneOf(where, 'inputKind', o.inputKind, ['features', 'tokens'] as const);
  let vocabSize = 0;
  if (inputKind === 'tokens') {
    if (o.vocabSize === undefined) throw new InputError(`${where}: inputKind "tokens" needs vocabSize (the number of token ids), received none`);
    vocabSize = boundedInt(where, 'vocabSize', o.vocabSize);
  } else if (o.vocabSize !== undefined) {
    throw new InputError(`${where}: vocabSize applies to inputKind "tokens" only, received vocabSize ${show(o.vocabSize)} with inputKind "features"`);
  }
  return {
    cell,
    inputSize: boundedInt(where, 'inputSize', o.inputSize),
    hiddenSize: boundedInt(where, 'hiddenSize', o.hiddenSize),
    numLayers: boundedInt(where, 'numLayers', o.numLayers),
    outputSize: boundedInt(where, 'outputSize', o.outputSize),
    loss,
    outputs,
    headFrom,
    headSteps,
    learnedInitialState: learned,
    inputKind,
    vocabSize,
  };
}

/** The config as the model file writes it: optional keys only when not the default. */
export function configToJSON(c: ResolvedConfig): ModelConfig {
  const out: ModelConfig = {
    cell: c.cell, inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers,
    outputSize: c.outputSize, loss: c.loss, outputs: c.outputs,
  };
  if (c.headFrom !== 'h') out.headFrom = c.headFrom;
  if (c.headSteps !== 1) out.headSteps = c.headSteps;
  if (c.learnedInitialState) out.learnedInitialState = true;
  if (c.inputKind === 'tokens') {
    out.inputKind = 'tokens';
    out.vocabSize = c.vocabSize;
  }
  return out;
}

/** The first field in which two configs differ, as "field a vs b", or null when they are equal. */
export function configDifference(a: ResolvedConfig, b: ResolvedConfig): string | null {
  for (const k of CONFIG_KEYS as Array<keyof ResolvedConfig>) {
    if (a[k] !== b[k]) return `${k} ${show(a[k])} vs ${show(b[k])}`;
  }
  return null;
}
