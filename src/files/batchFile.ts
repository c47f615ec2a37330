/**
 * The batch file (DESIGN.md section 5 and its version 1 additions): a safetensors file holding
 *   x        features: [B, T, I] F32/F64, batch-first;
 *            tokens (inputKind "tokens"): I32/I64 ids [B, T], each in [0, V);
 *   y        softmax_ce: I32/I64 class ids [B, T] (outputs "all") or [B] (outputs "last"), in [0, C);
 *            sigmoid_bce: F32/F64 in [0, 1], [B, T, C] or [B, C];
 *            mse: finite F32/F64, [B, T, C] or [B, C];
 *   lengths  (optional) I32/I64 [B], each in [1, T] (and ≥ headSteps with outputs "last");
 *   h0, c0   (optional) [L, B, H] F32/F64; c0 only for LSTM.
 * Targets at padded positions (outputs "all", t ≥ lengths[b]) are never read: any value is accepted
 * there (e.g. −100, PyTorch's ignore_index), so the range checks skip them. x is checked at every
 * position, padded ones included: token ids must be ids there too, as nn.Embedding requires of the
 * padded tensor it is given; features must be finite, as the API's checks of x require.
 *
 * The reader checks all of it against a model's config before any work is done. When a shape is
 * wrong in a way that a time-major x ([T, B, …] for [B, T, …]) explains, the message blames x and
 * asks "did you pass [T, B, I]?" instead of blaming the tensor that merely disagrees with it.
 */
import type { ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import type { FloatArray } from '../tensor.js';
import { shapeString } from '../tensor.js';
import {
  describeIndex, expectDType, expectFinite, expectLength, expectRank, expectShape,
} from '../checks/elements.js';
import { previewList, quote } from '../checks/preview.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from './safetensors.js';
import { expectFloat32Range, firstOutOfRange, float64Values, floatTensor, int32Values } from './tensorValues.js';

export interface Batch {
  /** Features [B, T, I] (Float64Array), or token ids [B, T] (Int32Array) with inputKind "tokens". */
  x: Float64Array | Int32Array;
  B: number;
  T: number;
  /** Class ids (softmax_ce) or floats (sigmoid_bce, mse), shape targetShape(config, B, T). */
  y: Int32Array | Float64Array;
  /** [B], each in [1, T]; absent: every sequence has all T steps. */
  lengths?: Int32Array;
  /** [L, B, H] */
  h0?: Float64Array;
  /** [L, B, H], LSTM only */
  c0?: Float64Array;
}

const NAMES = ['x', 'y', 'lengths', 'h0', 'c0'] as const;
const FLOATS = ['F32', 'F64'] as const;
const INTS = ['I32', 'I64'] as const;

/** The shape of `y` for a config: [B, T] or [B] for class ids, [B, T, C] or [B, C] for floats. */
export function targetShape(config: ResolvedConfig, B: number, T: number): number[] {
  const perStep = config.outputs === 'all' ? [B, T] : [B];
  return config.loss === 'softmax_ce' ? perStep : [...perStep, config.outputSize];
}

/** The shape of `x` for a config: [B, T, I], or [B, T] for token ids. */
export function inputShape(config: ResolvedConfig, B: number, T: number): number[] {
  return config.inputKind === 'tokens' ? [B, T] : [B, T, config.inputSize];
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Whether the other tensors fit a time-major x: each one present would have the right shape if
 * x's first two dimensions were swapped (and does not have it as they are).
 */
function looksTimeMajor(config: ResolvedConfig, B: number, T: number, tensors: Map<string, StTensor>): boolean {
  if (B === T) return false;
  const expect = (b: number, t: number): Record<string, number[]> => ({
    y: targetShape(config, b, t),
    lengths: [b],
    h0: [config.numLayers, b, config.hiddenSize],
    c0: [config.numLayers, b, config.hiddenSize],
  });
  const asIs = expect(B, T), swapped = expect(T, B);
  let wrong = 0;
  for (const name of ['y', 'lengths', 'h0', 'c0']) {
    const t = tensors.get(name);
    if (!t) continue;
    if (same(t.shape, asIs[name]!)) return false; // one tensor agrees with x as it is
    if (!same(t.shape, swapped[name]!)) return false; // and none may disagree with the swap
    wrong++;
  }
  return wrong > 0;
}

function checkState(where: string, name: 'h0' | 'c0', t: StTensor, config: ResolvedConfig, B: number): Float64Array {
  expectDType(where, name, FLOATS, t.dtype);
  const shape = [config.numLayers, B, config.hiddenSize];
  expectShape(where, name, shape, t.shape);
  expectFinite(where, name, t.data, shape);
  return float64Values(t);
}

/** Read and check x: features or token ids. Returns the array, B and T. */
function readInput(where: string, config: ResolvedConfig, tensors: Map<string, StTensor>): { x: Float64Array | Int32Array; B: number; T: number } {
  const tokens = config.inputKind === 'tokens';
  const I = config.inputSize;
  const pattern = tokens ? '[B, T]' : `[B, T, ${I}]`;
  const x = tensors.get('x');
  if (!x) throw new InputError(`${where}: tensor "x" expected shape ${pattern}, received no such tensor`);
  if (tokens) {
    if (!(INTS as readonly string[]).includes(x.dtype)) {
      throw new InputError(`${where}: tensor "x" expected dtype I32 or I64 (token ids, inputKind "tokens"), received ${x.dtype}`);
    }
    expectRank(where, 'x', 2, '[B, T] of token ids', x.shape);
  } else {
    expectDType(where, 'x', FLOATS, x.dtype);
    expectRank(where, 'x', 3, pattern, x.shape);
  }
  const [B, T] = x.shape as [number, number];
  if (!tokens) expectShape(where, 'x', [B, T, I], x.shape);
  if (B < 1 || T < 1) {
    throw new InputError(`${where}: tensor "x" expected at least one sequence of at least one step, received shape ${shapeString(x.shape)}`);
  }
  if (looksTimeMajor(config, B, T, tensors)) {
    throw new InputError(
      `${where}: tensor "x" expected batch-first ${tokens ? '[B, T]' : '[B, T, I]'}, received ${shapeString(x.shape)}, which the other tensors read as [T, B${tokens ? '' : ', I'}]: did you pass [T, B${tokens ? '' : ', I'}]?`,
    );
  }
  if (config.outputs === 'last' && T < config.headSteps) {
    throw new InputError(
      `${where}: tensor "x" expected at least ${config.headSteps} timesteps for headSteps ${config.headSteps}, received shape ${shapeString(x.shape)}`,
    );
  }
  if (!tokens) {
    expectFinite(where, 'x', x.data, x.shape);
    return { x: float64Values(x), B, T };
  }
  const V = config.vocabSize;
  const bad = firstOutOfRange(x, 0, V);
  if (bad) {
    throw new InputError(`${where}: tensor "x" expected token ids in [0, ${V}) (vocabSize ${V}), received ${bad.value} at ${describeIndex(bad.index, x.shape)}`);
  }
  return { x: int32Values(where, 'x', x), B, T };
}

/** Every length an integer in [1, T]. */
function expectLengthRange(where: string, lengths: ArrayLike<number>, T: number): void {
  for (let b = 0; b < lengths.length; b++) {
    const v = lengths[b]!;
    if (!(Number.isInteger(v) && v >= 1 && v <= T)) {
      throw new InputError(`${where}: tensor "lengths" expected sequence lengths in [1, ${T}] (T = ${T}), received ${v} at [${b}]`);
    }
  }
}

/** Read and check lengths [B]: each in [1, T], and ≥ headSteps with outputs "last". */
function readLengths(where: string, config: ResolvedConfig, t: StTensor, B: number, T: number): Int32Array {
  expectDType(where, 'lengths', INTS, t.dtype);
  expectShape(where, 'lengths', [B], t.shape);
  const bad = firstOutOfRange(t, 1, T + 1);
  if (bad) throw new InputError(`${where}: tensor "lengths" expected sequence lengths in [1, ${T}] (T = ${T}), received ${bad.value} at [${bad.index}]`);
  const lengths = int32Values(where, 'lengths', t);
  if (config.outputs === 'last' && config.headSteps > 1) {
    const k = config.headSteps;
    for (let b = 0; b < B; b++) {
      if (lengths[b]! < k) {
        throw new InputError(
          `${where}: tensor "lengths" expected lengths of at least ${k} (outputs "last" reads the last headSteps = ${k} steps of each sequence), received ${lengths[b]} at [${b}]`,
        );
      }
    }
  }
  return lengths;
}

/** Read and check lengths-aware targets. `skip(i)` is true for elements at padded positions. */
function readTargets(where: string, config: ResolvedConfig, y: StTensor, yShape: number[], skip?: (i: number) => boolean): Int32Array | Float64Array {
  const keep = (check: (i: number) => void): void => {
    for (let i = 0; i < y.data.length; i++) if (!skip?.(i)) check(i);
  };
  if (config.loss === 'softmax_ce') {
    expectDType(where, 'y', INTS, y.dtype);
    expectShape(where, 'y', yShape, y.shape);
    const C = config.outputSize;
    const bad = firstOutOfRange(y, 0, C, skip);
    if (bad) throw new InputError(`${where}: tensor "y" expected class ids in [0, ${C}), received ${bad.value} at ${describeIndex(bad.index, yShape)}`);
    return int32Values(where, 'y', y, skip);
  }
  expectDType(where, 'y', FLOATS, y.dtype);
  expectShape(where, 'y', yShape, y.shape);
  const data = y.data;
  if (config.loss === 'sigmoid_bce') {
    keep((i) => {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new InputError(`${where}: tensor "y" expected probabilities in [0, 1], received ${v} at ${describeIndex(i, yShape)}`);
      }
    });
  } else {
    keep((i) => {
      const v = data[i]!;
      if (v - v !== 0) {
        throw new InputError(`${where}: tensor "y" expected finite values (mse targets), received ${v} at ${describeIndex(i, yShape)}`);
      }
    });
  }
  return float64Values(y);
}

/** Read and check a batch file against `config`; `where` names it in errors. */
export function decodeBatchFile(bytes: Uint8Array | ArrayBuffer, config: ResolvedConfig, where: string): Batch {
  const { tensors } = parseSafetensors(bytes, where);
  const optional = `lengths, h0${config.cell === 'lstm' ? ', c0' : ''}`;
  for (const name of tensors.keys()) {
    if (!(NAMES as readonly string[]).includes(name)) {
      throw new InputError(`${where}: unexpected tensor ${quote(name)} (expected x, y and optionally ${optional}; the file holds: ${previewList(tensors.keys())})`);
    }
  }
  const { x, B, T } = readInput(where, config, tensors);

  const lt = tensors.get('lengths');
  const lengths = lt ? readLengths(where, config, lt, B, T) : undefined;

  const y = tensors.get('y');
  const yShape = targetShape(config, B, T);
  if (!y) throw new InputError(`${where}: tensor "y" expected shape ${shapeString(yShape)}, received no such tensor`);
  // Outputs "all": element i of y is at (b, t) = (⌊i / (T·per)⌋, ⌊i / per⌋ mod T), per = C or 1.
  let skip: ((i: number) => boolean) | undefined;
  if (lengths && config.outputs === 'all') {
    const per = config.loss === 'softmax_ce' ? 1 : config.outputSize;
    skip = (i) => {
      const row = Math.floor(i / per);
      return row % T >= lengths[Math.floor(row / T)]!;
    };
  }
  const batch: Batch = { x, B, T, y: readTargets(where, config, y, yShape, skip) };
  if (lengths) batch.lengths = lengths;

  const h0 = tensors.get('h0');
  if (h0) batch.h0 = checkState(where, 'h0', h0, config, B);
  const c0 = tensors.get('c0');
  if (c0) {
    if (config.cell !== 'lstm') {
      throw new InputError(`${where}: tensor "c0" is a cell state, expected only with cell "lstm", received cell "${config.cell}"`);
    }
    batch.c0 = checkState(where, 'c0', c0, config, B);
  }
  return batch;
}

export interface BatchInput {
  /** Features [B, T, I] (floats), or token ids [B, T] (Int32Array) with inputKind "tokens". */
  x: FloatArray | Int32Array;
  B: number;
  T: number;
  /** Int32Array class ids (softmax_ce) or floats (sigmoid_bce in [0, 1], mse), shape targetShape(config, B, T). */
  y: Int32Array | FloatArray;
  /** [B], each in [1, T]. */
  lengths?: Int32Array | ArrayLike<number>;
  h0?: FloatArray;
  c0?: FloatArray;
}

export interface BatchEncodeOptions {
  /** Floats as F32 (default) or F64. */
  dtype?: 'F32' | 'F64';
  /** Integers (class ids, token ids, lengths) as I32 (default) or I64 (PyTorch's long). */
  intDtype?: 'I32' | 'I64';
}

/**
 * Write a batch file; floats as `dtype` (default F32), integers as I32 (or I64). It refuses what
 * decodeBatchFile refuses: the file is checked with the reader itself. The third argument may be
 * the float dtype alone, as before.
 */
export function encodeBatchFile(batch: BatchInput, config: ResolvedConfig, opts: 'F32' | 'F64' | BatchEncodeOptions = {}): Uint8Array {
  const where = 'encodeBatchFile';
  const { dtype = 'F32', intDtype = 'I32' } = typeof opts === 'string' ? { dtype: opts } : opts;
  if (dtype !== 'F32' && dtype !== 'F64') throw new InputError(`${where}: dtype expected "F32" or "F64", received ${quote(String(dtype))}`);
  if (intDtype !== 'I32' && intDtype !== 'I64') throw new InputError(`${where}: intDtype expected "I32" or "I64", received ${quote(String(intDtype))}`);
  const { B, T } = batch;
  const float = (name: string, data: unknown, shape: number[], what: string): [string, StTensor] => {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new InputError(`${where}: ${name} expected a Float32Array or Float64Array ${what}, received ${describe(data)}`);
    }
    expectLength(where, name, shape, data);
    // Non-finite values are the reader's to refuse (targets at padded positions may hold anything);
    // a finite value that F32 cannot hold is refused here, before it becomes an Infinity.
    if (name === 'x') expectFinite(where, name, data, shape);
    if (dtype === 'F32') expectFloat32Range(where, name, data, shape);
    const converted = dtype === 'F32' ? Float32Array.from(data) : Float64Array.from(data);
    return [name, { dtype, shape, data: converted }];
  };
  const ints = (name: string, data: unknown, shape: number[], what: string): [string, StTensor] => {
    if (!(data instanceof Int32Array) && !(name === 'lengths' && isArrayLike(data))) {
      throw new InputError(`${where}: ${name} expected an Int32Array of ${what}, received ${describe(data)}`);
    }
    const values = data as ArrayLike<number>;
    expectLength(where, name, shape, values);
    const copy = Int32Array.from(values);
    if (name === 'lengths') expectLengthRange(where, values, T);
    return [name, intDtype === 'I32' ? { dtype: 'I32', shape, data: copy } : { dtype: 'I64', shape, data: copy }];
  };

  const tensors: Array<[string, StTensor]> = [
    config.inputKind === 'tokens'
      ? ints('x', batch.x, [B, T], 'token ids (inputKind "tokens")')
      : float('x', batch.x, [B, T, config.inputSize], 'of features'),
  ];
  const yShape = targetShape(config, B, T);
  tensors.push(config.loss === 'softmax_ce'
    ? ints('y', batch.y, yShape, 'class ids for loss "softmax_ce"')
    : float('y', batch.y, yShape, `of targets for loss "${config.loss}"`));
  if (batch.lengths !== undefined) tensors.push(ints('lengths', batch.lengths, [B], 'sequence lengths'));
  const stateShape = [config.numLayers, B, config.hiddenSize];
  if (batch.h0) tensors.push(['h0', floatTensor(where, 'h0', batch.h0, stateShape, dtype)]);
  if (batch.c0) tensors.push(['c0', floatTensor(where, 'c0', batch.c0, stateShape, dtype)]);
  const bytes = serializeSafetensors(tensors);
  // One set of rules: check what was written with the reader itself.
  decodeBatchFile(bytes, config, where);
  return bytes;
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}

