/**
 * Checks of the caller's tensors at the edge of the library, shared by every backend. They run
 * before any work and name the argument, the expected and the received; the element checks are
 * the same ones the file readers use (src/files/checks.ts), so a tensor gets the same words
 * whether it came from a file or from memory.
 */
import type { ResolvedConfig } from '../config.js';
import type { ParamLayout } from '../params.js';
import { InputError } from '../errors.js';
import { expectFinite, expectInRange, expectIntRange, expectLength, expectShape } from './elements.js';
import { shapeString, type Tensor } from '../tensor.js';

function isFloatArray(a: unknown): a is Float32Array | Float64Array {
  return a instanceof Float32Array || a instanceof Float64Array;
}

function describe(a: unknown): string {
  if (a === null) return 'null';
  if (typeof a !== 'object') return typeof a;
  return (a as object).constructor?.name ?? 'object';
}

/** `{ data, shape }` with a shape of non-negative integers and data of exactly that many elements. */
function checkTensorObject(where: string, name: string, t: unknown): asserts t is Tensor<ArrayLike<number>> {
  if (typeof t !== 'object' || t === null || !('data' in t) || !('shape' in t)) {
    throw new InputError(`${where}: tensor "${name}" expected an object { data, shape }, received ${describe(t)}`);
  }
  const { shape, data } = t as Tensor<ArrayLike<number>>;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InputError(`${where}: tensor "${name}" expected a shape of non-negative integers, received ${JSON.stringify(shape)}`);
  }
  if (!ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new InputError(`${where}: tensor "${name}" expected typed-array data, received ${describe(data)}`);
  }
  expectLength(where, name, shape, data as ArrayLike<number>);
}

function checkFloatData(where: string, name: string, t: Tensor<ArrayLike<number>>): void {
  if (!isFloatArray(t.data)) {
    throw new InputError(`${where}: tensor "${name}" expected Float32Array or Float64Array data, received ${describe(t.data)}`);
  }
}

/** x: [B, T, I] floats, finite; returns B and T. */
export function checkInput(cfg: ResolvedConfig, x: unknown, where: string): { B: number; T: number } {
  checkTensorObject(where, 'x', x);
  checkFloatData(where, 'x', x);
  if (x.shape.length !== 3) {
    throw new InputError(`${where}: tensor "x" expected rank 3 [batch, time, features] = [B, T, ${cfg.inputSize}], received shape ${shapeString(x.shape)}`);
  }
  const [B, T, I] = x.shape as [number, number, number];
  if (I !== cfg.inputSize) {
    throw new InputError(`${where}: tensor "x" expected shape [B, T, ${cfg.inputSize}] (feature size ${cfg.inputSize}), received ${shapeString(x.shape)}`);
  }
  if (B < 1 || T < 1) throw new InputError(`${where}: tensor "x" expected batch and time of at least 1, received ${shapeString(x.shape)}`);
  if (cfg.outputs === 'last' && T < cfg.headSteps) {
    throw new InputError(`${where}: tensor "x" expected T ≥ ${cfg.headSteps} (the head reads the last ${cfg.headSteps} steps), received ${shapeString(x.shape)}`);
  }
  expectFinite(where, 'x', x.data, x.shape);
  return { B, T };
}

/** Targets as the loss needs them, checked against B and T. */
export function checkTargets(cfg: ResolvedConfig, y: unknown, B: number, T: number, where: string): ArrayLike<number> {
  checkTensorObject(where, 'y', y);
  const C = cfg.outputSize;
  if (cfg.loss === 'softmax_ce') {
    // Int32Array is the documented type; any array whose values are all integers is accepted.
    expectShape(where, 'y', cfg.outputs === 'all' ? [B, T] : [B], y.shape);
    expectIntRange(where, 'y', y.data, 0, C, y.shape, 'integer class ids');
    return y.data;
  }
  expectShape(where, 'y', cfg.outputs === 'all' ? [B, T, C] : [B, C], y.shape);
  expectInRange(where, 'y', y.data, 0, 1, y.shape, 'probabilities (sigmoid_bce)');
  return y.data;
}

/** An initial state [L, B, H], finite floats; c0 only for LSTM. Absent → null. */
export function checkState(cfg: ResolvedConfig, t: unknown, B: number, name: 'h0' | 'c0', where: string): Float64Array | null {
  if (t === undefined || t === null) return null;
  if (name === 'c0' && cfg.cell !== 'lstm') {
    throw new InputError(`${where}: tensor "c0" is a cell state, expected only with cell "lstm", received cell "${cfg.cell}"`);
  }
  checkTensorObject(where, name, t);
  checkFloatData(where, name, t);
  expectShape(where, name, [cfg.numLayers, B, cfg.hiddenSize], t.shape);
  expectFinite(where, name, t.data, t.shape);
  return Float64Array.from(t.data);
}

/**
 * setParameters' argument, checked whole before anything is changed (a bad call leaves the model
 * as it was): every name known, every size right, every value finite. Returns each tensor's offset
 * in the flat parameter layout.
 */
export function checkParameterMap(layout: ParamLayout, params: Map<string, ArrayLike<number>>, where = 'setParameters'): Array<[number, ArrayLike<number>]> {
  const out: Array<[number, ArrayLike<number>]> = [];
  for (const [name, v] of params) {
    const s = layout.byName.get(name);
    if (!s) throw new InputError(`${where}: unknown parameter ${JSON.stringify(name)} (known: ${layout.specs.map((p) => p.name).join(', ')})`);
    if (v.length !== s.size) throw new InputError(`${where}: ${name} expected ${s.size} values (shape [${s.shape.join(', ')}]), received ${v.length}`);
    expectFinite(where, name, v);
    out.push([s.offset, v]);
  }
  return out;
}
