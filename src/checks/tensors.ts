/**
 * The caller's tensors at the edge of the library, checked and copied before any work, the same
 * way on every backend: each failure names the call, the argument, the expected and the received
 * (the element checks are the file readers' own, src/checks/elements.ts, so a tensor gets the same
 * words whether it came from a file or from memory). What passes is copied at once, before the
 * first `await`: a caller who changes its arrays after the call cannot change what runs.
 *
 * Precision: the cpu backend computes in float64 and takes any finite value; the webgpu backend
 * computes in float32, so it also refuses values whose float32 rounding is ±Infinity (|v| ≳ 3.4e38)
 * instead of training on them into NaN weights.
 */
import type { ResolvedConfig } from '../config.js';
import type { ParamLayout } from '../params.js';
import { InputError } from '../errors.js';
import { describeIndex, expectFinite, expectInRange, expectIntRange, expectLength, expectShape } from './elements.js';
import { show } from './options.js';
import { shapeString, type Tensor } from '../tensor.js';

export type Precision = 'f32' | 'f64';

/** What a backend computes in: the cpu backend float64, webgpu float32. */
export type FloatCopy = Float64Array | Float32Array;

/** The inputs of one pass, checked and copied. */
export interface PreparedInputs {
  B: number;
  T: number;
  /** Features: a batch-first [B, T, I] copy (Float64Array for f64, Float32Array for f32); tokens: Int32Array ids [B, T]. */
  x: FloatCopy | Int32Array;
  /** [B] in [1, T], or null: every row runs T steps. */
  lengths: Int32Array | null;
  /** [L, B, H] copies, or null. */
  h0: FloatCopy | null;
  c0: FloatCopy | null;
}

/** Targets of one pass, checked (at valid positions) and copied, batch-first as given. */
export interface PreparedTargets {
  /** Class ids (softmax_ce) or floats (sigmoid_bce, mse); padded positions hold whatever was given. */
  y: Int32Array | FloatCopy;
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
  if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InputError(`${where}: tensor "${name}" expected a shape of at most 8 non-negative integers, received ${show(shape, 80)}`);
  }
  if (!ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new InputError(`${where}: tensor "${name}" expected typed-array data, received ${describe(data)}`);
  }
  expectLength(where, name, shape, data as ArrayLike<number>);
}

function checkFloatData(where: string, name: string, t: Tensor<ArrayLike<number>>): void {
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    throw new InputError(`${where}: tensor "${name}" expected Float32Array or Float64Array data, received ${describe(t.data)}`);
  }
}

/** Every value's float32 rounding finite (the webgpu backend computes in float32). */
export function expectFloat32Range(where: string, name: string, data: ArrayLike<number>, shape?: readonly number[]): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(Math.fround(data[i]!))) {
      throw new InputError(`${where}: tensor "${name}" expected values within float32's range (|v| ≤ 3.4028235e38, the webgpu backend computes in float32), received ${data[i]} at ${describeIndex(i, shape)}`);
    }
  }
}

/** Finite values (and within float32's range for f32), copied into the backend's float type. */
function floatCopy(where: string, name: string, data: ArrayLike<number>, shape: readonly number[], precision: Precision): FloatCopy {
  expectFinite(where, name, data, shape);
  if (precision === 'f32') {
    expectFloat32Range(where, name, data, shape);
    return Float32Array.from(data);
  }
  return Float64Array.from(data);
}

/** The hint for the seed-000 mistake: a [T, B, …] tensor where [B, T, …] was meant. */
function timeMajorHint(xShape: readonly number[], yShape: readonly number[] | null): string {
  if (!yShape || xShape.length < 2 || xShape[0] === xShape[1]) return '';
  const swapped = yShape.length >= 2 ? yShape[0] === xShape[1] && yShape[1] === xShape[0] : yShape[0] === xShape[1];
  return swapped ? ` (did you pass [T, B, ${xShape.length === 3 ? 'I' : '…'}] instead of [B, T, ${xShape.length === 3 ? 'I' : '…'}]? x and y disagree on which dimension is the batch)` : '';
}

/** lengths: Int32Array [B], each in [1, T] (and ≥ headSteps for outputs 'last'). */
function prepareLengths(cfg: ResolvedConfig, where: string, t: unknown, B: number, T: number): Int32Array | null {
  if (t === undefined || t === null) return null;
  checkTensorObject(where, 'lengths', t);
  if (!(t.data instanceof Int32Array)) throw new InputError(`${where}: tensor "lengths" expected Int32Array data, received ${describe(t.data)}`);
  expectShape(where, 'lengths', [B], t.shape);
  const lo = cfg.outputs === 'last' ? cfg.headSteps : 1;
  for (let b = 0; b < B; b++) {
    const v = t.data[b]!;
    if (!(v >= lo && v <= T)) {
      const why = cfg.outputs === 'last' && lo > 1 && v >= 1 && v < lo ? ` (the head reads the last ${lo} steps of each sequence)` : '';
      throw new InputError(`${where}: tensor "lengths" expected values in [${lo}, ${T}]${why}, received ${v} at [${b}]`);
    }
  }
  return Int32Array.from(t.data);
}

/** An initial state [L, B, H], finite floats; c0 only for LSTM. Absent → null. */
function prepareState(cfg: ResolvedConfig, where: string, t: unknown, B: number, name: 'h0' | 'c0', precision: Precision): FloatCopy | null {
  if (t === undefined || t === null) return null;
  if (name === 'c0' && cfg.cell !== 'lstm') {
    throw new InputError(`${where}: tensor "c0" is a cell state, expected only with cell "lstm", received cell "${cfg.cell}"`);
  }
  checkTensorObject(where, name, t);
  checkFloatData(where, name, t);
  expectShape(where, name, [cfg.numLayers, B, cfg.hiddenSize], t.shape);
  return floatCopy(where, name, t.data, t.shape, precision);
}

/**
 * x and the sequence options of one pass. Features: floats [B, T, I]; tokens: Int32Array ids
 * [B, T] in [0, V). `yShape` (when targets come too) only sharpens the message for a time-major x.
 */
export function prepareInputs(
  cfg: ResolvedConfig, where: string, x: unknown, opts: { lengths?: unknown; h0?: unknown; c0?: unknown },
  precision: Precision, yShape: readonly number[] | null = null,
): PreparedInputs {
  checkTensorObject(where, 'x', x);
  let B: number, T: number;
  let data: FloatCopy | Int32Array;
  if (cfg.inputKind === 'tokens') {
    if (!(x.data instanceof Int32Array)) {
      throw new InputError(`${where}: tensor "x" expected Int32Array token ids (inputKind "tokens"), received ${describe(x.data)}`);
    }
    if (x.shape.length !== 2) {
      throw new InputError(`${where}: tensor "x" expected rank 2 token ids [batch, time] = [B, T], received shape ${shapeString(x.shape)}`);
    }
    [B, T] = x.shape as [number, number];
    if (B < 1 || T < 1) throw new InputError(`${where}: tensor "x" expected batch and time of at least 1, received ${shapeString(x.shape)}`);
    const V = cfg.vocabSize;
    for (let i = 0; i < x.data.length; i++) {
      const id = x.data[i]!;
      if (!(id >= 0 && id < V)) throw new InputError(`${where}: tensor "x" expected token ids in [0, ${V}) (vocabSize ${V}), received ${id} at ${describeIndex(i, x.shape)}`);
    }
    data = Int32Array.from(x.data);
  } else {
    checkFloatData(where, 'x', x);
    if (x.shape.length !== 3) {
      throw new InputError(`${where}: tensor "x" expected rank 3 [batch, time, features] = [B, T, ${cfg.inputSize}], received shape ${shapeString(x.shape)}`);
    }
    [B, T] = x.shape as [number, number, number];
    if (x.shape[2] !== cfg.inputSize) {
      throw new InputError(`${where}: tensor "x" expected shape [B, T, ${cfg.inputSize}] (feature size ${cfg.inputSize}), received ${shapeString(x.shape)}${timeMajorHint(x.shape, yShape)}`);
    }
    if (B < 1 || T < 1) throw new InputError(`${where}: tensor "x" expected batch and time of at least 1, received ${shapeString(x.shape)}`);
    data = floatCopy(where, 'x', x.data, x.shape, precision);
  }
  if (cfg.outputs === 'last' && T < cfg.headSteps) {
    throw new InputError(`${where}: tensor "x" expected T ≥ ${cfg.headSteps} (the head reads the last ${cfg.headSteps} steps), received ${shapeString(x.shape)}`);
  }
  const lengths = prepareLengths(cfg, where, opts.lengths, B, T);
  return {
    B, T, x: data, lengths,
    h0: prepareState(cfg, where, opts.h0, B, 'h0', precision),
    c0: prepareState(cfg, where, opts.c0, B, 'c0', precision),
  };
}

/** The shape y must have: [B, T] / [B] class ids, or [B, T, C] / [B, C] values. */
export function targetShape(cfg: ResolvedConfig, B: number, T: number): number[] {
  const perStep = cfg.outputs === 'all' ? [B, T] : [B];
  return cfg.loss === 'softmax_ce' ? perStep : [...perStep, cfg.outputSize];
}

/**
 * Targets checked against the pass's inputs: class ids in [0, C), probabilities in [0, 1], or
 * finite values (mse) — at valid positions only: with lengths, targets at padded steps are never
 * read, so any value is accepted there (e.g. −100).
 */
export function prepareTargets(cfg: ResolvedConfig, where: string, y: unknown, inputs: PreparedInputs, xShape: readonly number[], precision: Precision): PreparedTargets {
  checkTensorObject(where, 'y', y);
  const { B, T, lengths } = inputs;
  const expected = targetShape(cfg, B, T);
  const same = expected.length === y.shape.length && expected.every((d, i) => d === y.shape[i]);
  if (!same) {
    const hint = timeMajorHint(xShape, y.shape);
    if (hint) throw new InputError(`${where}: tensor "x" of shape ${shapeString(xShape)} does not match tensor "y" of shape ${shapeString(y.shape)}${hint}`);
    expectShape(where, 'y', expected, y.shape);
  }
  const w = cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
  // The valid stretch of each row, as [start, end) element ranges of y.
  const ranges: Array<[number, number]> = [];
  if (cfg.outputs === 'all' && lengths) {
    for (let b = 0; b < B; b++) ranges.push([b * T * w, (b * T + lengths[b]!) * w]);
  } else {
    ranges.push([0, y.data.length]);
  }
  const each = (check: (part: ArrayLike<number>, offset: number) => void): void => {
    for (const [a, e] of ranges) check(y.data instanceof Array ? y.data.slice(a, e) : (y.data as Float64Array).subarray(a, e), a);
  };
  const at = (offset: number) => (i: number) => describeIndex(offset + i, y.shape);
  if (cfg.loss === 'softmax_ce') {
    // Int32Array is the documented type; any array whose values are all integers is accepted.
    each((part, off) => expectIntRangeAt(where, 'y', part, 0, cfg.outputSize, at(off), 'integer class ids'));
    return { y: Int32Array.from(y.data) };
  }
  if (!(y.data instanceof Float32Array || y.data instanceof Float64Array)) {
    throw new InputError(`${where}: tensor "y" expected Float32Array or Float64Array ${cfg.loss === 'mse' ? 'targets' : 'probabilities'} for loss "${cfg.loss}", received ${describe(y.data)}`);
  }
  if (cfg.loss === 'sigmoid_bce') {
    each((part, off) => expectInRangeAt(where, 'y', part, 0, 1, at(off), 'probabilities (sigmoid_bce)'));
  } else {
    each((part, off) => {
      expectFiniteAt(where, 'y', part, at(off));
      if (precision === 'f32') {
        for (let i = 0; i < part.length; i++) {
          if (!Number.isFinite(Math.fround(part[i]!))) throw new InputError(`${where}: tensor "y" expected values within float32's range (|v| ≤ 3.4028235e38, the webgpu backend computes in float32), received ${part[i]} at ${at(off)(i)}`);
        }
      }
    });
  }
  return { y: precision === 'f32' ? Float32Array.from(y.data) : Float64Array.from(y.data) };
}

function expectIntRangeAt(where: string, name: string, data: ArrayLike<number>, lo: number, hi: number, at: (i: number) => string, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(Number.isInteger(v) && v >= lo && v < hi)) throw new InputError(`${where}: tensor "${name}" expected ${what} in [${lo}, ${hi}), received ${v} at ${at(i)}`);
  }
}

function expectInRangeAt(where: string, name: string, data: ArrayLike<number>, lo: number, hi: number, at: (i: number) => string, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= lo && v <= hi)) throw new InputError(`${where}: tensor "${name}" expected ${what} in [${lo}, ${hi}], received ${v} at ${at(i)}`);
  }
}

function expectFiniteAt(where: string, name: string, data: ArrayLike<number>, at: (i: number) => string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) throw new InputError(`${where}: tensor "${name}" expected finite values, received ${v} at ${at(i)}`);
  }
}

/**
 * setParameters' argument, checked whole before anything is changed (a bad call leaves the model
 * as it was): a Map, every name known, every size right, every value finite (and within float32's
 * range for f32). Returns each tensor's offset in the flat parameter layout and a copy.
 */
export function checkParameterMap(layout: ParamLayout, params: unknown, where = 'setParameters', precision: Precision = 'f64'): Array<[number, Float64Array]> {
  if (!(params instanceof Map)) {
    throw new InputError(`${where}: expected a Map of parameter name → values (as getParameters() returns), received ${describe(params)}`);
  }
  const out: Array<[number, Float64Array]> = [];
  for (const [name, v] of params as Map<unknown, unknown>) {
    const s = typeof name === 'string' ? layout.byName.get(name) : undefined;
    if (!s) throw new InputError(`${where}: unknown parameter ${show(name, 80)} (known: ${layout.specs.map((p) => p.name).join(', ')})`);
    if (!ArrayBuffer.isView(v) && !Array.isArray(v)) throw new InputError(`${where}: ${s.name} expected an array of ${s.size} numbers, received ${describe(v)}`);
    const arr = v as ArrayLike<number>;
    if (arr.length !== s.size) throw new InputError(`${where}: ${s.name} expected ${s.size} values (shape [${s.shape.join(', ')}]), received ${arr.length}`);
    expectFinite(where, s.name, arr, s.shape);
    if (precision === 'f32') expectFloat32Range(where, s.name, arr, s.shape);
    out.push([s.offset, Float64Array.from(arr)]);
  }
  return out;
}

export { expectInRange, expectIntRange };

/** One timestep of a stream: floats [B, I], or token ids [B] (inputKind tokens); copied. */
export function prepareStepInput(cfg: ResolvedConfig, where: string, xt: unknown, B: number, precision: Precision): FloatCopy | Int32Array {
  checkTensorObject(where, 'xt', xt);
  if (cfg.inputKind === 'tokens') {
    if (!(xt.data instanceof Int32Array)) throw new InputError(`${where}: tensor "xt" expected Int32Array token ids [B] (inputKind "tokens"), received ${describe(xt.data)}`);
    expectShape(where, 'xt', [B], xt.shape);
    const V = cfg.vocabSize;
    for (let i = 0; i < B; i++) {
      const id = xt.data[i]!;
      if (!(id >= 0 && id < V)) throw new InputError(`${where}: tensor "xt" expected token ids in [0, ${V}) (vocabSize ${V}), received ${id} at [${i}]`);
    }
    return Int32Array.from(xt.data);
  }
  checkFloatData(where, 'xt', xt);
  expectShape(where, 'xt', [B, cfg.inputSize], xt.shape);
  return floatCopy(where, 'xt', xt.data, xt.shape, precision);
}

/** A stream's state [L, B, H] (c for LSTM only), copied. */
export function prepareStreamState(cfg: ResolvedConfig, where: string, s: { h0?: unknown; c0?: unknown }, B: number, precision: Precision): { h: FloatCopy | null; c: FloatCopy | null } {
  return { h: prepareState(cfg, where, s.h0, B, 'h0', precision), c: prepareState(cfg, where, s.c0, B, 'c0', precision) };
}

/** A tensor's shape when it looks like one (for messages), else null. */
export function shapeOf(t: unknown): readonly number[] | null {
  const s = (t as { shape?: unknown } | null)?.shape;
  return Array.isArray(s) ? s : null;
}

/** Rows [b0, b1) of checked inputs. */
export function sliceInputs(cfg: ResolvedConfig, inputs: PreparedInputs, b0: number, b1: number): PreparedInputs {
  const { T } = inputs;
  const per = cfg.inputKind === 'tokens' ? T : T * cfg.inputSize;
  const H = cfg.hiddenSize, L = cfg.numLayers, B = inputs.B, n = b1 - b0;
  const state = (s: Float64Array | Float32Array | null) => {
    if (!s) return null;
    const out = s instanceof Float32Array ? new Float32Array(L * n * H) : new Float64Array(L * n * H);
    for (let k = 0; k < L; k++) out.set(s.subarray((k * B + b0) * H, (k * B + b1) * H), k * n * H);
    return out;
  };
  return {
    B: n, T,
    x: inputs.x.slice(b0 * per, b1 * per),
    lengths: inputs.lengths ? inputs.lengths.slice(b0, b1) : null,
    h0: state(inputs.h0), c0: state(inputs.c0),
  };
}
