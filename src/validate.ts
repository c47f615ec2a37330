/**
 * Checks of the caller's tensors at the edge of the library, shared by every backend. They run
 * before any work and name the argument, the expected and the received.
 */
import type { ResolvedConfig } from './config.js';
import { InputError } from './errors.js';
import { shapeString, sizeOf, type Tensor } from './tensor.js';

function isFloatArray(a: unknown): a is Float32Array | Float64Array {
  return a instanceof Float32Array || a instanceof Float64Array;
}

function describeArray(a: unknown): string {
  if (a === null) return 'null';
  if (typeof a !== 'object') return typeof a;
  return (a as object).constructor?.name ?? 'object';
}

function checkTensorObject(name: string, t: unknown): asserts t is Tensor<ArrayLike<number>> {
  if (typeof t !== 'object' || t === null || !('data' in t) || !('shape' in t)) {
    throw new InputError(`${name}: expected a tensor { data, shape }, received ${describeArray(t)}`);
  }
  const { shape, data } = t as Tensor<ArrayLike<number>>;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InputError(`${name}: expected shape to be an array of non-negative integers, received ${JSON.stringify(shape)}`);
  }
  if (typeof data !== 'object' || data === null || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new InputError(`${name}: expected data to be a typed array, received ${describeArray(data)}`);
  }
  if (data.length !== sizeOf(shape)) {
    throw new InputError(`${name}: data has ${data.length} elements but shape ${shapeString(shape)} needs ${sizeOf(shape)}`);
  }
}

/** Shape equality with the message every caller wants. `expected` entries of -1 match anything. */
export function expectShape(name: string, expected: readonly number[], received: readonly number[]): void {
  const ok = expected.length === received.length && expected.every((d, i) => d === -1 || d === received[i]);
  if (!ok) {
    const exp = expected.map((d) => (d === -1 ? '*' : String(d))).join(', ');
    throw new InputError(`${name}: expected shape [${exp}], received ${shapeString(received)}`);
  }
}

/** Every value finite; names the first bad index. */
export function expectFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new InputError(`${name}: expected finite values, received ${v} at flat index ${i}`);
  }
}

/** x: [B, T, I] floats, finite; returns B and T. */
export function checkInput(cfg: ResolvedConfig, x: unknown, name = 'x'): { B: number; T: number } {
  checkTensorObject(name, x);
  if (!isFloatArray(x.data)) {
    throw new InputError(`${name}: expected Float32Array or Float64Array data, received ${describeArray(x.data)}`);
  }
  if (x.shape.length !== 3) {
    throw new InputError(`${name}: expected rank 3 [batch, time, features] = [B, T, ${cfg.inputSize}], received rank ${x.shape.length} ${shapeString(x.shape)}`);
  }
  const [B, T, I] = x.shape as [number, number, number];
  if (I !== cfg.inputSize) {
    throw new InputError(`${name}: expected feature size ${cfg.inputSize} (shape [B, T, ${cfg.inputSize}]), received ${shapeString(x.shape)}`);
  }
  if (B < 1 || T < 1) throw new InputError(`${name}: expected batch and time of at least 1, received ${shapeString(x.shape)}`);
  if (cfg.outputs === 'last' && T < cfg.headSteps) {
    throw new InputError(`${name}: the head reads the last ${cfg.headSteps} steps, so expected T ≥ ${cfg.headSteps}, received ${shapeString(x.shape)}`);
  }
  expectFinite(name, x.data);
  return { B, T };
}

/** Targets as the loss needs them, checked against B and T; returned as plain numbers. */
export function checkTargets(cfg: ResolvedConfig, y: unknown, B: number, T: number, name = 'y'): ArrayLike<number> {
  checkTensorObject(name, y);
  const C = cfg.outputSize;
  if (cfg.loss === 'softmax_ce') {
    expectShape(name, cfg.outputs === 'all' ? [B, T] : [B], y.shape);
    // Int32Array is the documented type; any array whose values are all integers is accepted.
    for (let i = 0; i < y.data.length; i++) {
      const v = y.data[i]!;
      if (!Number.isInteger(v)) throw new InputError(`${name}: expected integer class ids, received ${v} at flat index ${i}`);
      if (v < 0 || v >= C) throw new InputError(`${name}: expected class ids in [0, ${C}), received ${v} at flat index ${i}`);
    }
    return y.data;
  }
  expectShape(name, cfg.outputs === 'all' ? [B, T, C] : [B, C], y.shape);
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i]!;
    if (!(v >= 0 && v <= 1)) throw new InputError(`${name}: expected probabilities in [0, 1] for sigmoid_bce, received ${v} at flat index ${i}`);
  }
  return y.data;
}

/** An initial state [L, B, H], finite floats; c0 only for LSTM. */
export function checkState(cfg: ResolvedConfig, t: unknown, B: number, name: 'h0' | 'c0'): Float64Array | null {
  if (t === undefined || t === null) return null;
  if (name === 'c0' && cfg.cell !== 'lstm') {
    throw new InputError(`c0: only an LSTM has a cell state, but the model's cell is ${JSON.stringify(cfg.cell)}`);
  }
  checkTensorObject(name, t);
  if (!isFloatArray(t.data)) throw new InputError(`${name}: expected Float32Array or Float64Array data, received ${describeArray(t.data)}`);
  expectShape(name, [cfg.numLayers, B, cfg.hiddenSize], t.shape);
  expectFinite(name, t.data);
  return Float64Array.from(t.data);
}
