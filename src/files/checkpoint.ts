/**
 * The checkpoint (DESIGN.md section 5, "Checkpoints"): a model file plus what a trainer needs to
 * continue exactly where it stopped.
 *
 *   tensors      the model's parameters, as in the model file (so every model reader loads it);
 *                the optimizer's state under PyTorch's state names, one tensor per parameter and
 *                slot, shaped like the parameter:
 *                  optim.momentum_buffer.<param>   SGD with momentum / Nesterov; RMSprop's momentum
 *                  optim.exp_avg.<param>, optim.exp_avg_sq.<param>   Adam
 *                  optim.square_avg.<param>        RMSprop
 *                  optim.sum.<param>               Adagrad
 *                and with a stateful trainer the carried state, state.h and (LSTM) state.c [L, B, H];
 *   __metadata__ the model's entries plus "checkpoint", a JSON string
 *                {"optimizer": {…resolved options}, "step": n, "clipNorm"?, "schedule"?, "stateful"?}.
 *
 * The optimizer state comes and goes as flat buffers in the flat parameter layout (one per slot,
 * as createOptimizerState makes them); this file splits them per parameter by name and joins them
 * again. F64 (the default) keeps every bit, so the cpu backend resumes bit-identically; F32 halves
 * the size. The decoder checks everything before it returns: the JSON, the optimizer (with
 * resolveOptimizer's rules), the step (a non-negative integer), every slot of every parameter
 * (present, shaped as the parameter, finite, and ≥ 0 for the squared averages), and nothing else.
 */
import type { ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { paramLayout } from '../params.js';
import { shapeString } from '../tensor.js';
import { describeIndex, expectDType, expectFinite, expectShape } from '../checks/elements.js';
import {
  createOptimizerState, resolveOptimizer, type OptimizerKind, type OptimizerOptions, type OptimizerState, type ResolvedOptimizer,
} from '../reference/optimizerUpdate.js';
import { resolveSchedule, type ResolvedSchedule, type ScheduleOptions } from '../schedule.js';
import { scanHeader } from './headerScan.js';
import { modelMetadata, modelTensors, readModel, type FloatDType, type ModelReading } from './modelFile.js';
import { preview, previewList, quote } from '../checks/preview.js';
import { FLOAT_DTYPES, parseSafetensors, serializeSafetensors, type SafetensorsContents } from './safetensors.js';
import { float64Values, floatTensor } from './tensorValues.js';

/** A stateful trainer's carried state, [L, B, H] each. */
export interface CarriedState {
  batchSize: number;
  h: Float64Array;
  /** LSTM only. */
  c?: Float64Array;
}

export interface CheckpointInput {
  config: ResolvedConfig;
  /** The flat parameters (paramLayout order). */
  params: Float64Array;
  optimizer: OptimizerOptions | ResolvedOptimizer;
  /** The step count and one flat buffer per slot (createOptimizerState's names and layout). */
  optimizerState: OptimizerState;
  clipNorm?: number;
  schedule?: ScheduleOptions | ResolvedSchedule;
  stateful?: boolean;
  /** With a stateful trainer that has stepped since its last reset. */
  carried?: { batchSize: number; h: ArrayLike<number>; c?: ArrayLike<number> };
}

export interface Checkpoint {
  config: ResolvedConfig;
  params: Float64Array;
  optimizer: ResolvedOptimizer;
  /** step = the checkpoint's step; buffers as createOptimizerState(optimizer, params.length) lays them out. */
  optimizerState: OptimizerState;
  clipNorm?: number;
  schedule?: ResolvedSchedule;
  stateful?: boolean;
  carried?: CarriedState;
}

const CHECKPOINT_KEY = 'checkpoint';
const JSON_KEYS = ['optimizer', 'step', 'clipNorm', 'schedule', 'stateful'];

/** The options each algorithm reads, besides `name` (resolveOptimizer refuses the others). */
const OWN_OPTIONS: Record<OptimizerKind, ReadonlyArray<keyof ResolvedOptimizer>> = {
  sgd: ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'],
  rmsprop: ['lr', 'alpha', 'eps', 'momentum', 'nesterov', 'weightDecay'],
  adagrad: ['lr', 'lrDecay', 'initialAccumulatorValue', 'eps', 'weightDecay'],
  adam: ['lr', 'betas', 'eps', 'weightDecay'],
};

/** Slots whose values are sums of squares: never negative. */
const NON_NEGATIVE_SLOTS = new Set(['exp_avg_sq', 'square_avg', 'sum']);

/** The optimizer as the checkpoint writes it: its name and every option it reads, explicit. */
export function optimizerToJSON(opt: ResolvedOptimizer): Record<string, unknown> {
  const out: Record<string, unknown> = { name: opt.name };
  for (const k of OWN_OPTIONS[opt.kind]) out[k] = opt[k];
  return out;
}

/** The state slots of an optimizer, in createOptimizerState's order (e.g. exp_avg, exp_avg_sq). */
export function optimizerSlots(opt: ResolvedOptimizer): string[] {
  return Object.keys(createOptimizerState(opt, 0).buffers);
}

function isResolved(o: OptimizerOptions | ResolvedOptimizer): o is ResolvedOptimizer {
  return typeof (o as ResolvedOptimizer).kind === 'string';
}

/** Write a checkpoint (F64 by default: exact; F32 refuses values that float32 cannot hold). */
export function encodeCheckpoint(input: CheckpointInput, dtype: FloatDType = 'F64'): Uint8Array {
  const where = 'encodeCheckpoint';
  const { config, params } = input;
  const opt = isResolved(input.optimizer)
    ? resolveOptimizer(optimizerToJSON(input.optimizer), `${where}: optimizer`)
    : resolveOptimizer(input.optimizer, `${where}: optimizer`);
  const tensors = modelTensors(where, config, params, dtype);
  const layout = paramLayout(config);

  const state = input.optimizerState;
  if (typeof state !== 'object' || state === null || typeof state.buffers !== 'object' || state.buffers === null) {
    throw new InputError(`${where}: optimizerState expected { step, buffers }, received ${preview(state)}`);
  }
  if (!Number.isSafeInteger(state.step) || state.step < 0) {
    throw new InputError(`${where}: optimizerState.step must be a non-negative integer, received ${preview(state.step)}`);
  }
  const slots = optimizerSlots(opt);
  for (const k of Object.keys(state.buffers)) {
    if (!slots.includes(k)) {
      throw new InputError(`${where}: optimizerState.buffers has ${quote(k)}, not a slot of optimizer "${opt.name}" (its slots: ${slots.join(', ') || 'none'})`);
    }
  }
  for (const slot of slots) {
    const flat = state.buffers[slot];
    if (!flat || flat.length !== layout.total) {
      throw new InputError(`${where}: optimizerState.buffers.${slot} expected ${layout.total} values (the flat parameter layout), received ${flat ? flat.length : 'none'}`);
    }
    for (const s of layout.specs) {
      const name = `optim.${slot}.${s.name}`;
      tensors.push([name, floatTensor(where, name, flat.subarray(s.offset, s.offset + s.size), s.shape.slice(), dtype)]);
    }
  }

  const meta: Record<string, unknown> = { optimizer: optimizerToJSON(opt), step: state.step };
  if (input.clipNorm !== undefined) {
    const c = input.clipNorm;
    if (!(typeof c === 'number' && Number.isFinite(c) && c > 0)) throw new InputError(`${where}: clipNorm must be a positive finite number, received ${preview(c)}`);
    meta.clipNorm = c;
  }
  if (input.schedule !== undefined) meta.schedule = resolveSchedule(input.schedule, `${where}: schedule`);
  if (input.stateful !== undefined) {
    if (typeof input.stateful !== 'boolean') throw new InputError(`${where}: stateful must be a boolean, received ${preview(input.stateful)}`);
    meta.stateful = input.stateful;
  }
  if (input.carried !== undefined) {
    if (input.stateful !== true) throw new InputError(`${where}: carried state is kept only by a stateful trainer, received stateful ${preview(input.stateful)}`);
    const { batchSize: B, h, c } = input.carried;
    if (!Number.isSafeInteger(B) || B < 1) throw new InputError(`${where}: carried.batchSize must be a positive integer, received ${preview(B)}`);
    const shape = [config.numLayers, B, config.hiddenSize];
    if (h?.length !== config.numLayers * B * config.hiddenSize) {
      throw new InputError(`${where}: carried.h expected ${shapeString(shape)} (${config.numLayers * B * config.hiddenSize} values), received ${h?.length ?? 'none'}`);
    }
    tensors.push(['state.h', floatTensor(where, 'state.h', h, shape, dtype)]);
    if (config.cell === 'lstm' && c === undefined) throw new InputError(`${where}: carried.c expected ${shapeString(shape)} for cell "lstm", received none`);
    if (config.cell !== 'lstm' && c !== undefined) throw new InputError(`${where}: carried.c is a cell state, expected only with cell "lstm", received cell "${config.cell}"`);
    if (c !== undefined) {
      if (c.length !== h.length) throw new InputError(`${where}: carried.c expected ${shapeString(shape)} (${h.length} values), received ${c.length}`);
      tensors.push(['state.c', floatTensor(where, 'state.c', c, shape, dtype)]);
    }
  }
  return serializeSafetensors(tensors, modelMetadata(config, { [CHECKPOINT_KEY]: JSON.stringify(meta) }));
}

/** Values of an options object from a file: numbers, booleans, short strings, short number arrays. */
function checkPlainOptions(where: string, what: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InputError(`${where}: ${what} expected an options object, received ${preview(v)}`);
  }
  for (const [k, x] of Object.entries(v)) {
    if (k.length > 64) throw new InputError(`${where}: ${what} has the unknown option ${quote(k)}`);
    const ok = typeof x === 'number' || typeof x === 'boolean' || (typeof x === 'string' && x.length <= 64) ||
      (Array.isArray(x) && x.length <= 4 && x.every((e) => typeof e === 'number'));
    if (!ok) throw new InputError(`${where}: ${what} option ${quote(k)} expected a number, boolean, short string or array of numbers, received ${preview(x)}`);
  }
  return v as Record<string, unknown>;
}

interface CheckpointMeta {
  optimizer: ResolvedOptimizer;
  step: number;
  clipNorm?: number;
  schedule?: ResolvedSchedule;
  stateful?: boolean;
}

function readMeta(where: string, text: string): CheckpointMeta {
  const what = '__metadata__ "checkpoint"';
  const scan = scanHeader(text);
  if (scan.problem) throw new InputError(`${where}: ${what} nests too deep or holds too long an array (at character ${scan.problem.at})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: ${what} is not valid JSON: ${String((err as Error).message).slice(0, 120)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${where}: ${what} expected a JSON object {optimizer, step, …}, received ${preview(raw)}`);
  }
  if (scan.duplicate !== null) throw new InputError(`${where}: ${what} has the key ${quote(scan.duplicate)} twice`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!JSON_KEYS.includes(k)) throw new InputError(`${where}: ${what} has the unknown key ${quote(k)} (known: ${JSON_KEYS.join(', ')})`);
  }
  if (o.optimizer === undefined) throw new InputError(`${where}: ${what} expected "optimizer", received none`);
  const optimizer = resolveOptimizer(checkPlainOptions(where, `${what} optimizer`, o.optimizer), `${where}: ${what} optimizer`);
  const step = o.step;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new InputError(`${where}: ${what} step must be a non-negative integer, received ${preview(step)}`);
  }
  const meta: CheckpointMeta = { optimizer, step };
  if (o.clipNorm !== undefined) {
    const c = o.clipNorm;
    if (!(typeof c === 'number' && Number.isFinite(c) && c > 0)) throw new InputError(`${where}: ${what} clipNorm must be a positive finite number, received ${preview(c)}`);
    meta.clipNorm = c;
  }
  if (o.schedule !== undefined) meta.schedule = resolveSchedule(checkPlainOptions(where, `${what} schedule`, o.schedule), `${where}: ${what} schedule`);
  if (o.stateful !== undefined) {
    if (typeof o.stateful !== 'boolean') throw new InputError(`${where}: ${what} stateful must be a boolean, received ${preview(o.stateful)}`);
    meta.stateful = o.stateful;
  }
  return meta;
}

export interface CheckpointReading extends Checkpoint {
  model: ModelReading;
  /** The dtypes of the optimizer-state tensors (one entry per distinct dtype). */
  stateDtypes: string[];
}

/** Read a checkpoint from parsed contents (see decodeCheckpoint). */
export function readCheckpoint(contents: SafetensorsContents, where: string): CheckpointReading {
  const text = contents.metadata[CHECKPOINT_KEY];
  if (text === undefined) {
    throw new InputError(
      `${where}: not a checkpoint: __metadata__ has no "${CHECKPOINT_KEY}" entry (a model file? a checkpoint is written by trainer.save())`,
    );
  }
  const model = readModel(contents, where);
  const { config, params } = model;
  const meta = readMeta(where, text);
  const layout = paramLayout(config);
  const slots = optimizerSlots(meta.optimizer);
  const all = new Set(['momentum_buffer', 'exp_avg', 'exp_avg_sq', 'square_avg', 'sum']);
  const kept = `optimizer "${meta.optimizer.name}" keeps ${slots.length ? slots.join(', ') : 'no state'}`;

  // Every optim.* and state.* tensor must be one we expect.
  const skipped = new Set(model.skipped);
  const holds = `the file holds: ${previewList(model.skipped)}`;
  for (const name of skipped) {
    if (name === 'state.h' || name === 'state.c') continue;
    const m = /^optim\.([a-z_]+)\.(.+)$/.exec(name);
    if (m && slots.includes(m[1]!) && layout.byName.has(m[2]!)) continue;
    if (m && all.has(m[1]!) && !slots.includes(m[1]!)) {
      throw new InputError(`${where}: tensor ${quote(name)} is ${m[1]} state, but the checkpoint's ${kept}`);
    }
    throw new InputError(`${where}: unexpected tensor ${quote(name)} (a checkpoint holds optim.<slot>.<parameter> and state.h, state.c; ${kept})`);
  }

  const buffers: Record<string, Float64Array> = {};
  const dtypes = new Set<string>();
  for (const slot of slots) {
    const flat = new Float64Array(layout.total);
    for (const s of layout.specs) {
      const name = `optim.${slot}.${s.name}`;
      const t = contents.tensors.get(name);
      if (!t) throw new InputError(`${where}: tensor "${name}" expected shape ${shapeString(s.shape)} (the ${kept}), received no such tensor (${holds})`);
      expectDType(where, name, FLOAT_DTYPES, t.dtype);
      expectShape(where, name, s.shape, t.shape);
      expectFinite(where, name, t.data, s.shape);
      if (NON_NEGATIVE_SLOTS.has(slot)) {
        for (let i = 0; i < t.data.length; i++) {
          if (t.data[i]! < 0) throw new InputError(`${where}: tensor "${name}" expected values ≥ 0 (a sum of squares), received ${t.data[i]} at ${describeIndex(i, s.shape)}`);
        }
      }
      flat.set(t.data, s.offset);
      dtypes.add(t.dtype);
    }
    buffers[slot] = flat;
  }

  const reading: CheckpointReading = {
    config, params, optimizer: meta.optimizer, optimizerState: { step: meta.step, buffers }, model, stateDtypes: [...dtypes],
  };
  if (meta.clipNorm !== undefined) reading.clipNorm = meta.clipNorm;
  if (meta.schedule !== undefined) reading.schedule = meta.schedule;
  if (meta.stateful !== undefined) reading.stateful = meta.stateful;

  const h = contents.tensors.get('state.h');
  const c = contents.tensors.get('state.c');
  if (h || c) {
    if (meta.stateful !== true) {
      throw new InputError(`${where}: tensor "${h ? 'state.h' : 'state.c'}" is a stateful trainer's carried state, but the checkpoint says stateful ${preview(meta.stateful ?? false)}`);
    }
    if (!h) throw new InputError(`${where}: tensor "state.c" needs "state.h" beside it, received no such tensor (${holds})`);
    const L = config.numLayers, H = config.hiddenSize;
    expectDType(where, 'state.h', FLOAT_DTYPES, h.dtype);
    const B = h.shape.length === 3 ? h.shape[1]! : 0;
    if (B < 1) throw new InputError(`${where}: tensor "state.h" expected shape [L, B, H] = [${L}, B, ${H}] with B ≥ 1, received ${shapeString(h.shape)}`);
    expectShape(where, 'state.h', [L, B, H], h.shape);
    expectFinite(where, 'state.h', h.data, h.shape);
    const carried: CarriedState = { batchSize: B, h: float64Values(h) };
    if (config.cell === 'lstm') {
      if (!c) throw new InputError(`${where}: tensor "state.c" expected shape ${shapeString([L, B, H])} beside state.h (cell "lstm"), received no such tensor`);
      expectDType(where, 'state.c', FLOAT_DTYPES, c.dtype);
      expectShape(where, 'state.c', [L, B, H], c.shape);
      expectFinite(where, 'state.c', c.data, c.shape);
      carried.c = float64Values(c);
    } else if (c) {
      throw new InputError(`${where}: tensor "state.c" is a cell state, expected only with cell "lstm", received cell "${config.cell}"`);
    }
    reading.carried = carried;
  }
  return reading;
}

/**
 * Read and check a checkpoint; `where` names it in errors. Returns the model, the resolved
 * optimizer, its state as flat buffers (step included), and the trainer options it was saved with.
 */
export function decodeCheckpoint(bytes: Uint8Array | ArrayBuffer, where: string): Checkpoint {
  const r = readCheckpoint(parseSafetensors(bytes, where), where);
  const out: Checkpoint = { config: r.config, params: r.params, optimizer: r.optimizer, optimizerState: r.optimizerState };
  if (r.clipNorm !== undefined) out.clipNorm = r.clipNorm;
  if (r.schedule !== undefined) out.schedule = r.schedule;
  if (r.stateful !== undefined) out.stateful = r.stateful;
  if (r.carried !== undefined) out.carried = r.carried;
  return out;
}

