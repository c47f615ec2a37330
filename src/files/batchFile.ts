/**
 * The batch file (DESIGN.md section 5): a safetensors file holding
 *   x  [B, T, I]  F32/F64, batch-first;
 *   y  softmax_ce: I32 class ids [B, T] (outputs "all") or [B] (outputs "last");
 *      sigmoid_bce: F32/F64 in [0, 1], [B, T, C] or [B, C];
 *   h0, c0 (optional) [L, B, H] F32/F64; c0 only for LSTM.
 * The reader checks all of it against a model's config before any work is done.
 */
import type { ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import type { FloatArray } from '../tensor.js';
import { shapeString } from '../tensor.js';
import {
  expectDType, expectFinite, expectInRange, expectIntRange, expectLength, expectRank, expectShape,
} from '../checks/elements.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from './safetensors.js';

export interface Batch {
  /** [B, T, I], batch-first. */
  x: Float64Array;
  B: number;
  T: number;
  /** Class ids (softmax_ce) or probabilities (sigmoid_bce), shape targetShape(config, B, T). */
  y: Int32Array | Float64Array;
  /** [L, B, H] */
  h0?: Float64Array;
  /** [L, B, H], LSTM only */
  c0?: Float64Array;
}

const NAMES = ['x', 'y', 'h0', 'c0'] as const;
const FLOATS = ['F32', 'F64'] as const;

/** The shape of `y` for a config: [B, T] or [B] for class ids, [B, T, C] or [B, C] for probabilities. */
export function targetShape(config: ResolvedConfig, B: number, T: number): number[] {
  const perStep = config.outputs === 'all' ? [B, T] : [B];
  return config.loss === 'softmax_ce' ? perStep : [...perStep, config.outputSize];
}

/** The reader's arrays are fresh copies already: keep F64 as it is, widen F32 exactly. */
function toFloat64(data: StTensor['data']): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

function checkState(where: string, name: 'h0' | 'c0', t: StTensor, config: ResolvedConfig, B: number): Float64Array {
  expectDType(where, name, FLOATS, t.dtype);
  const shape = [config.numLayers, B, config.hiddenSize];
  expectShape(where, name, shape, t.shape);
  expectFinite(where, name, t.data, shape);
  return toFloat64(t.data);
}

/** Read and check a batch file against `config`; `where` names it in errors. */
export function decodeBatchFile(bytes: Uint8Array, config: ResolvedConfig, where: string): Batch {
  const { tensors } = parseSafetensors(bytes, where);
  for (const name of tensors.keys()) {
    if (!(NAMES as readonly string[]).includes(name)) {
      throw new InputError(`${where}: unexpected tensor "${name}" (expected x, y and optionally h0${config.cell === 'lstm' ? ', c0' : ''})`);
    }
  }
  const I = config.inputSize;

  const x = tensors.get('x');
  if (!x) throw new InputError(`${where}: tensor "x" expected shape [B, T, ${I}], received no such tensor`);
  expectDType(where, 'x', FLOATS, x.dtype);
  expectRank(where, 'x', 3, `[B, T, ${I}]`, x.shape);
  const [B, T] = x.shape as [number, number, number];
  expectShape(where, 'x', [B, T, I], x.shape);
  if (B < 1 || T < 1) {
    throw new InputError(`${where}: tensor "x" expected at least one sequence of at least one step, received shape ${shapeString(x.shape)}`);
  }
  if (config.outputs === 'last' && T < config.headSteps) {
    throw new InputError(
      `${where}: tensor "x" expected at least ${config.headSteps} timesteps for headSteps ${config.headSteps}, received shape ${shapeString(x.shape)}`,
    );
  }
  expectFinite(where, 'x', x.data, x.shape);

  const y = tensors.get('y');
  const yShape = targetShape(config, B, T);
  if (!y) throw new InputError(`${where}: tensor "y" expected shape ${shapeString(yShape)}, received no such tensor`);
  let targets: Int32Array | Float64Array;
  if (config.loss === 'softmax_ce') {
    expectDType(where, 'y', ['I32'] as const, y.dtype);
    expectShape(where, 'y', yShape, y.shape);
    expectIntRange(where, 'y', y.data, 0, config.outputSize, yShape, 'class ids');
    targets = y.data as Int32Array;
  } else {
    expectDType(where, 'y', FLOATS, y.dtype);
    expectShape(where, 'y', yShape, y.shape);
    expectInRange(where, 'y', y.data, 0, 1, yShape, 'probabilities');
    targets = toFloat64(y.data);
  }

  const batch: Batch = { x: toFloat64(x.data), B, T, y: targets };
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
  /** [B, T, I] */
  x: FloatArray;
  B: number;
  T: number;
  /** Int32Array class ids (softmax_ce) or floats in [0, 1] (sigmoid_bce), shape targetShape(config, B, T). */
  y: Int32Array | FloatArray;
  h0?: FloatArray;
  c0?: FloatArray;
}

/** Write a batch file; floats as `dtype`, class ids as I32. It refuses what decodeBatchFile refuses. */
export function encodeBatchFile(batch: BatchInput, config: ResolvedConfig, dtype: 'F32' | 'F64' = 'F32'): Uint8Array {
  const where = 'encodeBatchFile';
  const { B, T } = batch;
  const float = (name: string, data: FloatArray, shape: number[]): [string, StTensor] => {
    expectLength(where, name, shape, data);
    const converted = dtype === 'F32'
      ? (data instanceof Float32Array ? data : Float32Array.from(data))
      : (data instanceof Float64Array ? data : Float64Array.from(data));
    return [name, { dtype, shape, data: converted }];
  };
  const tensors: Array<[string, StTensor]> = [float('x', batch.x, [B, T, config.inputSize])];
  const yShape = targetShape(config, B, T);
  if (config.loss === 'softmax_ce') {
    if (!(batch.y instanceof Int32Array)) {
      throw new InputError(`${where}: y expected an Int32Array of class ids for loss "softmax_ce", received ${batch.y.constructor.name}`);
    }
    expectLength(where, 'y', yShape, batch.y);
    tensors.push(['y', { dtype: 'I32', shape: yShape, data: Int32Array.from(batch.y) }]);
  } else {
    if (batch.y instanceof Int32Array) {
      throw new InputError(`${where}: y expected a Float32Array or Float64Array of probabilities for loss "sigmoid_bce", received Int32Array`);
    }
    tensors.push(float('y', batch.y, yShape));
  }
  const stateShape = [config.numLayers, B, config.hiddenSize];
  if (batch.h0) tensors.push(float('h0', batch.h0, stateShape));
  if (batch.c0) tensors.push(float('c0', batch.c0, stateShape));
  const bytes = serializeSafetensors(tensors);
  // One set of rules: check what was written with the reader itself.
  decodeBatchFile(bytes, config, where);
  return bytes;
}
