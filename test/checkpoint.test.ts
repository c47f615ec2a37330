/**
 * Checkpoints (DESIGN.md section 5, "Checkpoints"): the model file plus the optimizer state under
 * PyTorch's state names, the step and the trainer options. Round trips for every optimizer, an
 * exact resume through the file (N steps, save, load, M steps = N + M steps, bit for bit in F64),
 * every model reader reading a checkpoint as a model, and every refusal of the decoder.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ModelConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import {
  decodeCheckpoint, encodeCheckpoint, optimizerSlots, optimizerToJSON, type CheckpointInput,
} from '../src/files/checkpoint.js';
import { decodeModelFile, encodeModelFile } from '../src/files/modelFile.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from '../src/files/safetensors.js';
import {
  createOptimizerState, optimizerUpdate, resolveOptimizer, type OptimizerOptions,
} from '../src/reference/optimizerUpdate.js';
import { initParams, paramLayout } from '../src/params.js';
import { Rng } from '../src/rng.js';

const CW = 'checkpoint file c.safetensors';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/\n/);
    expect(msg.length).toBeLessThan(600);
    return msg;
  }
  throw new Error('expected an InputError');
}

function rewrite(bytes: Uint8Array, edit: (t: Map<string, StTensor>, m: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes, 'rewrite');
  edit(tensors, metadata);
  return serializeSafetensors(tensors, metadata);
}

const raw: ModelConfig = { cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 5, loss: 'softmax_ce', outputs: 'all', learnedInitialState: true };
const config = resolveConfig(raw);
const layout = paramLayout(config);

const optimizers: OptimizerOptions[] = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.1, momentum: 0.5, dampening: 0.25, weightDecay: 0.01 },
  { name: 'momentum', lr: 0.05 },
  { name: 'nesterov', lr: 0.05, momentum: 0.8 },
  { name: 'rmsprop', lr: 0.01 },
  { name: 'rmsprop', lr: 0.01, momentum: 0.9, nesterov: true, alpha: 0.9 },
  { name: 'adagrad', lr: 0.1, initialAccumulatorValue: 0.1, lrDecay: 0.001 },
  { name: 'adam', lr: 1e-3, betas: [0.8, 0.99], eps: 1e-7, weightDecay: 1e-4 },
];

/** `steps` updates with seeded random gradients, from `params` and `state` (changed in place). */
function run(opt: OptimizerOptions, params: Float64Array, state: ReturnType<typeof createOptimizerState>, steps: number, seed: number): void {
  const resolved = resolveOptimizer(opt);
  const rng = new Rng(seed);
  for (let s = 0; s < steps; s++) {
    const g = Float64Array.from({ length: params.length }, () => rng.range(-1, 1));
    optimizerUpdate(resolved, state, params, g, resolved.lr);
  }
}

function trained(opt: OptimizerOptions, steps = 3): CheckpointInput {
  const params = initParams(config, layout, { seed: 2 });
  const resolved = resolveOptimizer(opt);
  const state = createOptimizerState(resolved, layout.total);
  run(opt, params, state, steps, 9);
  return { config, params, optimizer: opt, optimizerState: state };
}

describe('checkpoint: round trips', () => {
  for (const opt of optimizers) {
    const label = JSON.stringify(opt);
    it(`F64 keeps every bit of params, state and step; F32 rounds once (${label})`, () => {
      const input = trained(opt);
      const back = decodeCheckpoint(encodeCheckpoint(input), CW);
      const resolved = resolveOptimizer(opt);
      expect(back.optimizer).toEqual(resolved);
      expect(back.config).toEqual(config);
      expect(back.optimizerState.step).toBe(3);
      expect(Array.from(back.params)).toEqual(Array.from(input.params));
      expect(Object.keys(back.optimizerState.buffers)).toEqual(Object.keys(input.optimizerState.buffers));
      for (const [slot, flat] of Object.entries(input.optimizerState.buffers)) {
        expect(Array.from(back.optimizerState.buffers[slot]!)).toEqual(Array.from(flat));
      }
      const b32 = decodeCheckpoint(encodeCheckpoint(input, 'F32'), CW);
      for (const [slot, flat] of Object.entries(input.optimizerState.buffers)) {
        expect(Array.from(b32.optimizerState.buffers[slot]!)).toEqual(Array.from(flat, Math.fround));
      }
    });
  }

  it('names the state as PyTorch does, one tensor per parameter and slot, and writes the JSON of section 5', () => {
    const input = { ...trained(optimizers[7]!), clipNorm: 1, schedule: { name: 'cosine' as const, totalSteps: 100 }, stateful: false };
    const { tensors, metadata } = parseSafetensors(encodeCheckpoint(input), CW);
    const names = [...tensors.keys()];
    expect(names.slice(0, layout.specs.length)).toEqual(layout.specs.map((s) => s.name));
    expect(names).toContain('optim.exp_avg.lstm.weight_ih_l0');
    expect(names).toContain('optim.exp_avg_sq.init.c0');
    expect(names.length).toBe(3 * layout.specs.length);
    expect(tensors.get('optim.exp_avg_sq.head.weight')!.shape).toEqual(layout.byName.get('head.weight')!.shape);
    expect(tensors.get('optim.exp_avg.head.bias')!.dtype).toBe('F64');
    expect(metadata.format).toBe('webgpu-lstm');
    expect(JSON.parse(metadata.checkpoint!)).toEqual({
      optimizer: { name: 'adam', lr: 1e-3, betas: [0.8, 0.99], eps: 1e-7, weightDecay: 1e-4 },
      step: 3, clipNorm: 1, schedule: { name: 'cosine', totalSteps: 100, minLr: 0 }, stateful: false,
    });
    const back = decodeCheckpoint(encodeCheckpoint(input), CW);
    expect([back.clipNorm, back.schedule, back.stateful]).toEqual([1, { name: 'cosine', totalSteps: 100, minLr: 0 }, false]);
    // Slot names per optimizer, as createOptimizerState has them.
    expect(optimizers.map((o) => optimizerSlots(resolveOptimizer(o)).join('+'))).toEqual([
      '', 'momentum_buffer', 'momentum_buffer', 'momentum_buffer', 'square_avg', 'square_avg+momentum_buffer', 'sum', 'exp_avg+exp_avg_sq',
    ]);
  });

  it('writes each optimizer so that resolveOptimizer reads it back to the same options', () => {
    for (const opt of optimizers) {
      const resolved = resolveOptimizer(opt);
      expect(resolveOptimizer(JSON.parse(JSON.stringify(optimizerToJSON(resolved))))).toEqual(resolved);
    }
  });

  it('resumes exactly: N steps, checkpoint, M steps equals N + M steps, bit for bit (F64)', () => {
    for (const opt of optimizers) {
      const whole = trained(opt, 0);
      run(opt, whole.params, whole.optimizerState, 7, 31);
      const first = trained(opt, 0);
      run(opt, first.params, first.optimizerState, 4, 31);
      const resumed = decodeCheckpoint(encodeCheckpoint(first), CW);
      // The same gradients 5..7: replay the generator past the first four.
      const resolved = resumed.optimizer;
      const rng = new Rng(31);
      for (let s = 0; s < 4; s++) for (let i = 0; i < layout.total; i++) rng.range(-1, 1);
      for (let s = 0; s < 3; s++) {
        const g = Float64Array.from({ length: layout.total }, () => rng.range(-1, 1));
        optimizerUpdate(resolved, resumed.optimizerState, resumed.params, g, resolved.lr);
      }
      expect(resumed.optimizerState.step).toBe(7);
      expect(Array.from(resumed.params)).toEqual(Array.from(whole.params));
    }
  });

  it('keeps a stateful trainer\'s carried state (h and, LSTM, c) [L, B, H]', () => {
    const L = 2, B = 3, H = 4;
    const h = Float64Array.from({ length: L * B * H }, (_, i) => i / 7);
    const c = Float64Array.from({ length: L * B * H }, (_, i) => -i / 3);
    const input = { ...trained(optimizers[1]!), stateful: true, carried: { batchSize: B, h, c } };
    const { tensors } = parseSafetensors(encodeCheckpoint(input), CW);
    expect(tensors.get('state.h')!.shape).toEqual([L, B, H]);
    const back = decodeCheckpoint(encodeCheckpoint(input), CW);
    expect(back.carried!.batchSize).toBe(B);
    expect(Array.from(back.carried!.h)).toEqual(Array.from(h));
    expect(Array.from(back.carried!.c!)).toEqual(Array.from(c));
    // A GRU has no c.
    const gcfg = resolveConfig({ ...raw, cell: 'gru' });
    const gparams = initParams(gcfg, paramLayout(gcfg), { seed: 1 });
    const g = { config: gcfg, params: gparams, optimizer: { name: 'sgd', lr: 1 } as OptimizerOptions, optimizerState: { step: 0, buffers: {} }, stateful: true, carried: { batchSize: B, h } };
    expect(decodeCheckpoint(encodeCheckpoint(g), CW).carried!.c).toBeUndefined();
    expect(errorOf(() => encodeCheckpoint({ ...g, carried: { batchSize: B, h, c } }))).toBe(
      'encodeCheckpoint: carried.c is a cell state, expected only with cell "lstm", received cell "gru"',
    );
  });

  it('is read as a model file by every model reader (optim.* and state.* skipped)', () => {
    const input = { ...trained(optimizers[7]!), stateful: true, carried: { batchSize: 1, h: new Float64Array(8), c: new Float64Array(8) } };
    const model = decodeModelFile(encodeCheckpoint(input), CW);
    expect(model.config).toEqual(config);
    expect(Array.from(model.params)).toEqual(Array.from(input.params));
  });
});

describe('checkpoint: refusals', () => {
  const input = { ...trained(optimizers[7]!), stateful: true, carried: { batchSize: 2, h: new Float64Array(16), c: new Float64Array(16) } };
  const good = encodeCheckpoint(input);
  const meta = (edit: (o: Record<string, unknown>) => void): Uint8Array => rewrite(good, (_t, m) => {
    const o = JSON.parse(m.checkpoint!) as Record<string, unknown>;
    edit(o);
    m.checkpoint = JSON.stringify(o);
  });
  const err = (bytes: Uint8Array): string => errorOf(() => decodeCheckpoint(bytes, CW));

  it('a model file is not a checkpoint', () => {
    expect(err(encodeModelFile(config, input.params))).toBe(
      `${CW}: not a checkpoint: __metadata__ has no "checkpoint" entry (a model file? a checkpoint is written by trainer.save())`,
    );
  });

  it('the JSON: not JSON, not an object, unknown keys, deep or huge values', () => {
    expect(err(rewrite(good, (_t, m) => { m.checkpoint = '{"step":'; }))).toMatch(/__metadata__ "checkpoint" is not valid JSON/);
    expect(err(rewrite(good, (_t, m) => { m.checkpoint = '[1]'; }))).toMatch(/"checkpoint" expected a JSON object \{optimizer, step, …\}, received \[1\]/);
    expect(err(meta((o) => { o.epoch = 2; }))).toBe(`${CW}: __metadata__ "checkpoint" has the unknown key "epoch" (known: optimizer, step, clipNorm, schedule, stateful)`);
    expect(err(meta((o) => { delete o.optimizer; }))).toMatch(/"checkpoint" expected "optimizer", received none/);
    expect(err(rewrite(good, (_t, m) => { m.checkpoint = `{"optimizer":{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}},"step":1}`; }))).toMatch(/"checkpoint" nests too deep/);
    expect(err(meta((o) => { (o.optimizer as Record<string, unknown>).name = 'a'.repeat(1_000_000); }))).toMatch(/optimizer option "name" expected a number, boolean, short string or array of numbers, received "aaa/);
    expect(err(meta((o) => { (o.optimizer as Record<string, unknown>).name = 'lion'; }))).toMatch(/name must be one of "sgd", .*received "lion"/);
    expect(err(meta((o) => { (o.optimizer as Record<string, unknown>).momentum = 0.9; }))).toMatch(/option "momentum" does not apply to optimizer "adam"/);
  });

  it('the step, clipNorm, schedule and stateful', () => {
    for (const step of [-1, 1.5, '3', null, 2 ** 60]) {
      expect(err(meta((o) => { o.step = step; }))).toMatch(/"checkpoint" step must be a non-negative integer, received/);
    }
    expect(err(meta((o) => { o.clipNorm = 0; }))).toMatch(/clipNorm must be a positive finite number, received 0/);
    expect(err(meta((o) => { o.schedule = { name: 'step' }; }))).toMatch(/stepSize must be an integer ≥ 1, received undefined/);
    expect(err(meta((o) => { o.stateful = 'yes'; }))).toMatch(/stateful must be a boolean, received "yes"/);
    expect(err(meta((o) => { o.stateful = false; }))).toBe(
      `${CW}: tensor "state.h" is a stateful trainer's carried state, but the checkpoint says stateful false`,
    );
  });

  it('the state tensors: missing, another optimizer\'s, wrong shape, non-finite, negative squares', () => {
    expect(err(rewrite(good, (t) => t.delete('optim.exp_avg.lstm.bias_hh_l1')))).toMatch(
      new RegExp(`^${CW}: tensor "optim.exp_avg.lstm.bias_hh_l1" expected shape \\[16\\] \\(the optimizer "adam" keeps exp_avg, exp_avg_sq\\), received no such tensor \\(the file holds: `),
    );
    expect(err(rewrite(good, (t) => t.set('optim.momentum_buffer.head.bias', t.get('optim.exp_avg.head.bias')!)))).toBe(
      `${CW}: tensor "optim.momentum_buffer.head.bias" is momentum_buffer state, but the checkpoint's optimizer "adam" keeps exp_avg, exp_avg_sq`,
    );
    expect(err(rewrite(good, (t) => t.set('optim.exp_avg.fc.bias', t.get('optim.exp_avg.head.bias')!)))).toMatch(/unexpected tensor "optim.exp_avg.fc.bias"/);
    expect(err(rewrite(good, (t) => t.set('state.x', t.get('state.h')!)))).toMatch(/unexpected tensor "state.x"/);
    expect(err(rewrite(good, (t) => {
      const x = t.get('optim.exp_avg.head.bias')!;
      t.set('optim.exp_avg.head.bias', { ...x, shape: [1, 5] });
    }))).toBe(`${CW}: tensor "optim.exp_avg.head.bias" expected shape [5], received [1, 5]`);
    expect(err(rewrite(good, (t) => { t.get('optim.exp_avg.head.weight')!.data[3] = NaN; }))).toBe(
      `${CW}: tensor "optim.exp_avg.head.weight" expected finite values, received NaN at [0, 3]`,
    );
    expect(err(rewrite(good, (t) => { t.get('optim.exp_avg_sq.init.h0')!.data[5] = -1e-9; }))).toBe(
      `${CW}: tensor "optim.exp_avg_sq.init.h0" expected values ≥ 0 (a sum of squares), received -1e-9 at [1, 1]`,
    );
    expect(err(rewrite(good, (t) => t.set('optim.exp_avg.head.bias', { dtype: 'I32', shape: [5], data: new Int32Array(5) })))).toMatch(
      /tensor "optim.exp_avg.head.bias" expected dtype F16 or BF16 or F32 or F64, received I32/,
    );
  });

  it('the carried state: shapes, c beside h, c only for LSTM', () => {
    expect(err(rewrite(good, (t) => t.delete('state.c')))).toMatch(/tensor "state.c" expected shape \[2, 2, 4\] beside state.h \(cell "lstm"\), received no such tensor/);
    expect(err(rewrite(good, (t) => t.delete('state.h')))).toMatch(/tensor "state.c" needs "state.h" beside it/);
    expect(err(rewrite(good, (t) => t.set('state.c', { dtype: 'F64', shape: [2, 3, 4], data: new Float64Array(24) })))).toBe(
      `${CW}: tensor "state.c" expected shape [2, 2, 4], received [2, 3, 4]`,
    );
    expect(err(rewrite(good, (t) => t.set('state.h', { dtype: 'F64', shape: [2, 8], data: new Float64Array(16) })))).toMatch(
      /tensor "state.h" expected shape \[L, B, H\] = \[2, B, 4\] with B ≥ 1, received \[2, 8\]/,
    );
  });

  it('the encoder refuses what the decoder would refuse', () => {
    const t = trained(optimizers[7]!);
    expect(errorOf(() => encodeCheckpoint({ ...t, optimizerState: { step: -1, buffers: t.optimizerState.buffers } }))).toMatch(/optimizerState.step must be a non-negative integer, received -1/);
    expect(errorOf(() => encodeCheckpoint({ ...t, optimizerState: { step: 1, buffers: { exp_avg: t.optimizerState.buffers.exp_avg! } } }))).toBe(
      `encodeCheckpoint: optimizerState.buffers.exp_avg_sq expected ${layout.total} values (the flat parameter layout), received none`,
    );
    expect(errorOf(() => encodeCheckpoint({ ...t, optimizerState: { step: 1, buffers: { ...t.optimizerState.buffers, sum: new Float64Array(layout.total) } } }))).toMatch(
      /optimizerState.buffers has "sum", not a slot of optimizer "adam" \(its slots: exp_avg, exp_avg_sq\)/,
    );
    const big = Float64Array.from(t.optimizerState.buffers.exp_avg_sq!);
    big[layout.byName.get('head.bias')!.offset + 1] = 1e39;
    const withBig = { ...t, optimizerState: { step: 3, buffers: { ...t.optimizerState.buffers, exp_avg_sq: big } } };
    expect(errorOf(() => encodeCheckpoint(withBig, 'F32'))).toMatch(/^encodeCheckpoint: tensor "optim.exp_avg_sq.head.bias" holds 1e\+39 at \[1\], outside the float32 range/);
    expect(decodeCheckpoint(encodeCheckpoint(withBig, 'F64'), CW).optimizerState.buffers.exp_avg_sq![layout.byName.get('head.bias')!.offset + 1]).toBe(1e39);
    expect(errorOf(() => encodeCheckpoint({ ...t, carried: { batchSize: 1, h: new Float64Array(8), c: new Float64Array(8) } }))).toMatch(
      /carried state is kept only by a stateful trainer, received stateful undefined/,
    );
    expect(errorOf(() => encodeCheckpoint({ ...t, stateful: true, carried: { batchSize: 2, h: new Float64Array(8), c: new Float64Array(8) } }))).toMatch(
      /carried.h expected \[2, 2, 4\] \(16 values\), received 8/,
    );
    expect(errorOf(() => encodeCheckpoint({ ...t, optimizer: { name: 'adam', lr: -1 } }))).toMatch(/encodeCheckpoint: optimizer: lr must be a finite number > 0, received -1/);
  });
});
