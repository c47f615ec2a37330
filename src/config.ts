/**
 * Model configuration: the shape of a recurrent network and its head, exactly the `config` object
 * of the model file (DESIGN.md section 5). Validation lives here so every backend and every file
 * reader refuses the same things with the same words.
 */
import { InputError } from './errors.js';

export type CellType = 'lstm' | 'rnn_tanh' | 'gru';
export type LossType = 'softmax_ce' | 'sigmoid_bce';
export type OutputMode = 'all' | 'last';
export type HeadFrom = 'h' | 'ch';

export interface ModelConfig {
  cell: CellType;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  outputSize: number;
  loss: LossType;
  outputs: OutputMode;
  /** Features of the head: `h` of the top layer (default) or `c` then `h` (LSTM only, seed 001). */
  headFrom?: HeadFrom;
  /** outputs `last` only: concatenate the top layer's features of the last k steps (seed 002). */
  headSteps?: number;
  /** A learned initial state `init.h0` (and `init.c0` for LSTM), shape [L, H] (seed 003). */
  learnedInitialState?: boolean;
}

/** The config with every optional field made explicit. */
export interface ResolvedConfig extends Required<ModelConfig> {}

export const CELLS: readonly CellType[] = ['lstm', 'rnn_tanh', 'gru'];
export const LOSSES: readonly LossType[] = ['softmax_ce', 'sigmoid_bce'];

/** Gate rows per hidden unit: LSTM i,f,g,o; GRU r,z,n; tanh RNN one. */
export function gateCount(cell: CellType): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** PyTorch's module name of the cell, the prefix of its parameter names. */
export function cellModuleName(cell: CellType): string {
  return cell === 'lstm' ? 'lstm' : cell === 'gru' ? 'gru' : 'rnn';
}

/** Width of the head's input: headSteps × (2 if headFrom = "ch" else 1) × H. */
export function headInputSize(c: ResolvedConfig): number {
  return c.headSteps * (c.headFrom === 'ch' ? 2 : 1) * c.hiddenSize;
}

function positiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InputError(`${where}: ${name} must be a positive integer, received ${JSON.stringify(v)}`);
  }
  return v;
}

function oneOf<T extends string>(where: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InputError(
      `${where}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, received ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}

const KNOWN_KEYS = new Set([
  'cell', 'inputSize', 'hiddenSize', 'numLayers', 'outputSize', 'loss', 'outputs',
  'headFrom', 'headSteps', 'learnedInitialState',
]);

/**
 * Check a config and fill in its defaults. `where` names the source in errors
 * (e.g. "createModel" or "model file m.safetensors"). Extra keys listed in `allowExtra` pass.
 */
export function resolveConfig(raw: unknown, where = 'config', allowExtra: readonly string[] = []): ResolvedConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${where}: expected a config object, received ${JSON.stringify(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN_KEYS.has(k) && !allowExtra.includes(k)) {
      throw new InputError(`${where}: unknown config key ${JSON.stringify(k)} (known: ${[...KNOWN_KEYS].join(', ')})`);
    }
  }
  const cell = oneOf(where, 'cell', o.cell, CELLS);
  const loss = oneOf(where, 'loss', o.loss, LOSSES);
  const outputs = oneOf(where, 'outputs', o.outputs, ['all', 'last'] as const);
  const headFrom = o.headFrom === undefined ? 'h' : oneOf(where, 'headFrom', o.headFrom, ['h', 'ch'] as const);
  if (headFrom === 'ch' && cell !== 'lstm') {
    throw new InputError(`${where}: headFrom "ch" needs a cell state: expected cell "lstm", received ${JSON.stringify(cell)}`);
  }
  const headSteps = o.headSteps === undefined ? 1 : positiveInt(where, 'headSteps', o.headSteps);
  if (headSteps !== 1 && outputs !== 'last') {
    throw new InputError(`${where}: headSteps applies to outputs "last" only, received headSteps ${headSteps} with outputs "all"`);
  }
  const learned = o.learnedInitialState === undefined ? false : o.learnedInitialState;
  if (typeof learned !== 'boolean') {
    throw new InputError(`${where}: learnedInitialState must be a boolean, received ${JSON.stringify(learned)}`);
  }
  return {
    cell,
    inputSize: positiveInt(where, 'inputSize', o.inputSize),
    hiddenSize: positiveInt(where, 'hiddenSize', o.hiddenSize),
    numLayers: positiveInt(where, 'numLayers', o.numLayers),
    outputSize: positiveInt(where, 'outputSize', o.outputSize),
    loss,
    outputs,
    headFrom,
    headSteps,
    learnedInitialState: learned,
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
  return out;
}
