import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configToJSON, resolveConfig, type ModelConfig, type ResolvedConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { writeFileAtomic } from '../src/files/atomicWrite.js';
import { decodeBatchFile, encodeBatchFile, targetShape, type BatchInput } from '../src/files/batchFile.js';
import { describeIndex, expectFinite, expectShape } from '../src/checks/elements.js';
import { decodeModelFile, encodeModelFile } from '../src/files/modelFile.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from '../src/files/safetensors.js';
import { initParams, paramLayout } from '../src/params.js';
import { Rng } from '../src/rng.js';

const MW = 'model file m.safetensors';
const BW = 'batch file b.safetensors';

/** The InputError message of `f`, which must throw one. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

function modelOf(raw: ModelConfig, seed = 1): { config: ResolvedConfig; params: Float64Array } {
  const config = resolveConfig(raw);
  const layout = paramLayout(config);
  const params = initParams(config, layout, { seed });
  // A learned initial state starts at zero: give it values so the round trip shows something.
  const rng = new Rng(seed + 100);
  for (const s of layout.specs) {
    if (s.name.startsWith('init.')) for (let i = 0; i < s.size; i++) params[s.offset + i] = rng.range(-1, 1);
  }
  return { config, params };
}

/** Rewrite a file's tensors and/or metadata, keeping everything else. */
function rewrite(
  bytes: Uint8Array,
  edit: (tensors: Map<string, StTensor>, metadata: Record<string, string>) => void,
): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes, 'rewrite');
  edit(tensors, metadata);
  return serializeSafetensors(tensors, metadata);
}

const base = { inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 5 } as const;
const configs: ModelConfig[] = [
  { ...base, cell: 'lstm', loss: 'softmax_ce', outputs: 'last', headFrom: 'ch', headSteps: 3, learnedInitialState: true },
  { ...base, cell: 'gru', loss: 'sigmoid_bce', outputs: 'last', headSteps: 3, learnedInitialState: true },
  { ...base, cell: 'rnn_tanh', loss: 'softmax_ce', outputs: 'last', headSteps: 3, learnedInitialState: true },
  { ...base, cell: 'lstm', loss: 'softmax_ce', outputs: 'all' },
];

describe('model file: round trip', () => {
  for (const raw of configs) {
    const label = `${raw.cell} ${raw.outputs} headFrom ${raw.headFrom ?? 'h'} headSteps ${raw.headSteps ?? 1}`;
    it(`F64 is exact and F32 rounds once (${label})`, () => {
      const { config, params } = modelOf(raw);
      const back64 = decodeModelFile(encodeModelFile(config, params, 'F64'), MW);
      expect(back64.config).toEqual(config);
      expect(Array.from(back64.params)).toEqual(Array.from(params));
      const back32 = decodeModelFile(encodeModelFile(config, params), MW);
      expect(back32.config).toEqual(config);
      expect(Array.from(back32.params)).toEqual(Array.from(params, Math.fround));
    });

    it(`writes PyTorch names, shapes, F32 by default and the metadata of section 5 (${label})`, () => {
      const { config, params } = modelOf(raw);
      const { tensors, metadata } = parseSafetensors(encodeModelFile(config, params), MW);
      const layout = paramLayout(config);
      expect([...tensors.keys()]).toEqual(layout.specs.map((s) => s.name));
      for (const s of layout.specs) {
        expect(tensors.get(s.name)!.shape).toEqual(s.shape);
        expect(tensors.get(s.name)!.dtype).toBe('F32');
      }
      expect(metadata).toEqual({ format: 'webgpu-lstm', version: '1', config: JSON.stringify(configToJSON(config)) });
    });
  }

  it('names the expected tensors of section 5 (LSTM, headFrom ch, headSteps 3, learned state)', () => {
    const { config, params } = modelOf(configs[0]!);
    const { tensors } = parseSafetensors(encodeModelFile(config, params), MW);
    expect(Object.fromEntries([...tensors].map(([n, t]) => [n, t.shape]))).toEqual({
      'lstm.weight_ih_l0': [16, 3], 'lstm.weight_hh_l0': [16, 4], 'lstm.bias_ih_l0': [16], 'lstm.bias_hh_l0': [16],
      'lstm.weight_ih_l1': [16, 4], 'lstm.weight_hh_l1': [16, 4], 'lstm.bias_ih_l1': [16], 'lstm.bias_hh_l1': [16],
      'head.weight': [5, 3 * 2 * 4], 'head.bias': [5], 'init.h0': [2, 4], 'init.c0': [2, 4],
    });
  });

  it('writes only non-default config keys', () => {
    const { config, params } = modelOf(configs[3]!);
    const { metadata } = parseSafetensors(encodeModelFile(config, params), MW);
    expect(JSON.parse(metadata.config!)).toEqual({
      cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 5, loss: 'softmax_ce', outputs: 'all',
    });
  });

  it('accepts a file that mixes F32 and F64 tensors', () => {
    const { config, params } = modelOf(configs[1]!);
    const bytes = rewrite(encodeModelFile(config, params, 'F64'), (t) => {
      const w = t.get('head.weight')!;
      t.set('head.weight', { ...w, dtype: 'F32', data: Float32Array.from(w.data) });
    });
    const back = decodeModelFile(bytes, MW);
    const hw = paramLayout(config).byName.get('head.weight')!;
    expect(back.params[hw.offset]).toBe(Math.fround(params[hw.offset]!));
    expect(back.params[0]).toBe(params[0]);
  });
});

describe('model file: refusals', () => {
  const { config, params } = modelOf(configs[0]!);
  const good = encodeModelFile(config, params);

  it('refuses PyTorch features the format cannot express, by name, before looking at metadata', () => {
    const noMeta = (edit: (t: Map<string, StTensor>) => void): Uint8Array =>
      rewrite(good, (t, m) => {
        for (const k of Object.keys(m)) delete m[k];
        edit(t);
      });
    const extra = (t: Map<string, StTensor>, name: string): void => {
      t.set(name, t.get('lstm.weight_ih_l0')!);
    };
    expect(errorOf(() => decodeModelFile(noMeta((t) => extra(t, 'lstm.weight_ih_l0_reverse')), MW))).toBe(
      `${MW}: tensor "lstm.weight_ih_l0_reverse" belongs to a bidirectional layer (bidirectional=True), which the webgpu-lstm model format cannot express`,
    );
    expect(errorOf(() => decodeModelFile(noMeta((t) => extra(t, 'lstm.weight_hr_l1')), MW))).toMatch(
      /tensor "lstm.weight_hr_l1" is a projection \(proj_size > 0\), which the webgpu-lstm model format cannot express/,
    );
    expect(errorOf(() => decodeModelFile(noMeta((t) => {
      t.delete('lstm.bias_ih_l1');
      t.delete('lstm.bias_hh_l1');
    }), MW))).toMatch(/tensor "lstm.weight_ih_l1" has no "lstm.bias_ih_l1" or "lstm.bias_hh_l1": a layer without biases \(bias=False\)/);
    // A bare nn.LSTM state dict (no module prefix) is recognised too.
    const bare = serializeSafetensors([
      ['weight_ih_l0', { dtype: 'F32', shape: [4, 1], data: new Float32Array(4) }],
      ['weight_hh_l0', { dtype: 'F32', shape: [4, 1], data: new Float32Array(4) }],
    ]);
    expect(errorOf(() => decodeModelFile(bare, MW))).toMatch(/tensor "weight_ih_l0" has no "bias_ih_l0" or "bias_hh_l0".*bias=False/);
    expect(errorOf(() => decodeModelFile(noMeta((t) => t.delete('head.bias')), MW))).toMatch(
      /tensor "head.weight" has no "head.bias": a head without bias \(bias=False\)/,
    );
    // Even with valid metadata, the feature is named (not "unexpected tensor").
    const withMeta = rewrite(good, (t) => extra(t, 'lstm.weight_hh_l1_reverse'));
    expect(errorOf(() => decodeModelFile(withMeta, MW))).toMatch(/bidirectional/);
  });

  it('refuses a file that is not a webgpu-lstm model, or of another version', () => {
    // No format: read as a plain PyTorch state dict, which needs what its tensors cannot say.
    expect(errorOf(() => decodeModelFile(rewrite(good, (_t, m) => { delete m.format; }), MW))).toBe(
      `${MW}: not a webgpu-lstm model file (no __metadata__ "format": "webgpu-lstm"): to read a plain PyTorch state dict, give what its tensors cannot say, options.config { loss, outputs } ` +
      '(the file holds: lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_ih_l1, lstm.weight_hh_l1, lstm.bias_ih_l1, lstm.bias_hh_l1, head.weight, head.bias, init.h0, init.c0)',
    );
    // "pt" (what Hugging Face's save_pretrained writes) is a plain PyTorch file too.
    expect(errorOf(() => decodeModelFile(rewrite(good, (_t, m) => { m.format = 'pt'; }), MW))).toMatch(/to read a plain PyTorch state dict/);
    expect(errorOf(() => decodeModelFile(rewrite(good, (_t, m) => { m.format = 'tf'; }), MW))).toBe(
      `${MW}: not a webgpu-lstm model file: expected __metadata__ "format": "webgpu-lstm" (or none, for a plain PyTorch state dict), received "tf"`,
    );
    expect(errorOf(() => decodeModelFile(rewrite(good, (_t, m) => { m.version = '2'; }), MW))).toBe(
      `${MW}: unsupported model file version: expected "1", received "2"`,
    );
    expect(errorOf(() => decodeModelFile(rewrite(good, (_t, m) => { delete m.config; }), MW))).toMatch(
      /__metadata__ expected a "config" entry, received none/,
    );
    expect(errorOf(() => decodeModelFile(rewrite(good, (_t, m) => { m.config = '{cell:'; }), MW))).toMatch(
      /__metadata__ "config" is not valid JSON/,
    );
  });

  it('refuses dropout (and other PyTorch options) in the config by name', () => {
    const withKey = (key: string, value: unknown): Uint8Array =>
      rewrite(good, (_t, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config!), [key]: value }); });
    expect(errorOf(() => decodeModelFile(withKey('dropout', 0.2), MW))).toBe(
      `${MW}: config key "dropout" (dropout between layers) is not part of the webgpu-lstm model format, received 0.2`,
    );
    expect(errorOf(() => decodeModelFile(withKey('dropout', 0), MW))).toMatch(/"dropout"/);
    expect(errorOf(() => decodeModelFile(withKey('bidirectional', true), MW))).toMatch(/config key "bidirectional"/);
    expect(errorOf(() => decodeModelFile(withKey('proj_size', 2), MW))).toMatch(/config key "proj_size"/);
  });

  it('refuses an invalid config with resolveConfig\'s words', () => {
    const bad = rewrite(good, (_t, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config!), cell: 'transformer' }); });
    expect(errorOf(() => decodeModelFile(bad, MW))).toMatch(new RegExp(`^${MW}: cell must be one of .*received "transformer"`));
    const unknown = rewrite(good, (_t, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config!), momentum: 1 }); });
    expect(errorOf(() => decodeModelFile(unknown, MW))).toMatch(/unknown config key "momentum"/);
  });

  it('names tensor, expected shape and received shape when the config does not match the tensors', () => {
    const wider = rewrite(good, (_t, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config!), inputSize: 7 }); });
    expect(errorOf(() => decodeModelFile(wider, MW))).toBe(
      `${MW}: tensor "lstm.weight_ih_l0" expected shape [16, 7], received [16, 3]`,
    );
    const fewerSteps = rewrite(good, (_t, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config!), headSteps: 2 }); });
    expect(errorOf(() => decodeModelFile(fewerSteps, MW))).toBe(
      `${MW}: tensor "head.weight" expected shape [5, 16], received [5, 24]`,
    );
    const oneLayer = rewrite(good, (_t, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config!), numLayers: 1 }); });
    expect(errorOf(() => decodeModelFile(oneLayer, MW))).toMatch(/tensor "init.h0" expected shape \[1, 4\], received \[2, 4\]/);
    const gru = rewrite(good, (_t, m) => {
      m.config = JSON.stringify({ ...JSON.parse(m.config!), cell: 'gru', headFrom: undefined });
    });
    expect(errorOf(() => decodeModelFile(gru, MW))).toBe(
      `${MW}: tensor "gru.weight_ih_l0" expected shape [12, 3], received no such tensor (the file holds: lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_ih_l1, lstm.weight_hh_l1, lstm.bias_ih_l1, lstm.bias_hh_l1, head.weight, head.bias, init.h0, init.c0)`,
    );
  });

  it('refuses missing and unexpected tensors', () => {
    expect(errorOf(() => decodeModelFile(rewrite(good, (t) => t.delete('init.c0')), MW))).toBe(
      `${MW}: tensor "init.c0" expected shape [2, 4], received no such tensor (the file holds: lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_ih_l1, lstm.weight_hh_l1, lstm.bias_ih_l1, lstm.bias_hh_l1, head.weight, head.bias, init.h0)`,
    );
    const extra = rewrite(good, (t) => t.set('optimizer.step', { dtype: 'I32', shape: [], data: new Int32Array(1) }));
    expect(errorOf(() => decodeModelFile(extra, MW))).toMatch(/unexpected tensor "optimizer.step" \(the config expects: lstm.weight_ih_l0, /);
  });

  it('refuses non-float dtypes and non-finite weights, naming the tensor', () => {
    const ints = rewrite(good, (t) => {
      const b = t.get('head.bias')!;
      t.set('head.bias', { dtype: 'I32', shape: b.shape, data: new Int32Array(b.data.length) });
    });
    // I32 is no parameter dtype, and the message does not offer it.
    expect(errorOf(() => decodeModelFile(ints, MW))).toBe(`${MW}: tensor "head.bias" expected dtype F16 or BF16 or F32 or F64, received I32`);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const poisoned = rewrite(good, (t) => { t.get('lstm.weight_hh_l1')!.data[4 * 2 + 1] = bad; });
      expect(errorOf(() => decodeModelFile(poisoned, MW))).toBe(
        `${MW}: tensor "lstm.weight_hh_l1" expected finite values, received ${bad} at [2, 1]`,
      );
    }
  });

  it('passes safetensors errors through with the file name', () => {
    expect(errorOf(() => decodeModelFile(good.subarray(0, 30), MW))).toMatch(new RegExp(`^${MW}: header length`));
  });

  it('encode refuses a wrong parameter count and non-finite parameters', () => {
    expect(errorOf(() => encodeModelFile(config, params.subarray(1)))).toMatch(
      new RegExp(`params expected a Float64Array of ${params.length} values for this config, received ${params.length - 1}`),
    );
    const p = params.slice();
    p[paramLayout(config).byName.get('head.bias')!.offset + 2] = NaN;
    expect(errorOf(() => encodeModelFile(config, p))).toBe('encodeModelFile: tensor "head.bias" expected finite values, received NaN at [2]');
  });
});

describe('batch file', () => {
  const lstmAll = resolveConfig({ cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 4, loss: 'softmax_ce', outputs: 'all' });
  const gruLast = resolveConfig({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 4, loss: 'softmax_ce', outputs: 'last', headSteps: 3 });
  const rnnBce = resolveConfig({ cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 1, loss: 'sigmoid_bce', outputs: 'all', learnedInitialState: true });
  const bceLast = resolveConfig({ ...configToJSON(rnnBce), outputs: 'last', outputSize: 2 });

  function batchFor(config: ResolvedConfig, B: number, T: number, seed = 3, states = true): BatchInput {
    const rng = new Rng(seed);
    const floats = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.range(-2, 2));
    const yShape = targetShape(config, B, T);
    const ny = yShape.reduce((a, b) => a * b, 1);
    const y = config.loss === 'softmax_ce'
      ? Int32Array.from({ length: ny }, () => Math.floor(rng.uniform() * config.outputSize))
      : Float64Array.from({ length: ny }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : rng.uniform()));
    const L = config.numLayers, H = config.hiddenSize;
    const out: BatchInput = { x: floats(B * T * config.inputSize), B, T, y };
    if (states) {
      out.h0 = floats(L * B * H);
      if (config.cell === 'lstm') out.c0 = floats(L * B * H);
    }
    return out;
  }

  it('round-trips every loss and output mode, F64 exactly and F32 rounded once', () => {
    for (const config of [lstmAll, gruLast, rnnBce, bceLast]) {
      const input = batchFor(config, 3, 5);
      for (const dtype of ['F32', 'F64'] as const) {
        const round = dtype === 'F32' ? Math.fround : (v: number) => v;
        const back = decodeBatchFile(encodeBatchFile(input, config, dtype), config, BW);
        expect(back.B).toBe(3);
        expect(back.T).toBe(5);
        expect(back.x).toBeInstanceOf(Float64Array);
        expect(Array.from(back.x)).toEqual(Array.from(input.x, round));
        if (config.loss === 'softmax_ce') {
          expect(back.y).toBeInstanceOf(Int32Array);
          expect(Array.from(back.y)).toEqual(Array.from(input.y));
        } else {
          expect(back.y).toBeInstanceOf(Float64Array);
          expect(Array.from(back.y)).toEqual(Array.from(input.y, round));
        }
        expect(Array.from(back.h0!)).toEqual(Array.from(input.h0!, round));
        if (config.cell === 'lstm') expect(Array.from(back.c0!)).toEqual(Array.from(input.c0!, round));
        else expect(back.c0).toBeUndefined();
      }
    }
    const noStates = decodeBatchFile(encodeBatchFile(batchFor(lstmAll, 2, 1, 4, false), lstmAll), lstmAll, BW);
    expect(noStates.h0).toBeUndefined();
    expect(noStates.c0).toBeUndefined();
  });

  it('writes the tensors of section 5 with their dtypes and shapes', () => {
    const { tensors } = parseSafetensors(encodeBatchFile(batchFor(lstmAll, 3, 5), lstmAll), BW);
    expect(Object.fromEntries([...tensors].map(([n, t]) => [n, [t.dtype, t.shape]]))).toEqual({
      x: ['F32', [3, 5, 2]], y: ['I32', [3, 5]], h0: ['F32', [2, 3, 3]], c0: ['F32', [2, 3, 3]],
    });
    const bce = parseSafetensors(encodeBatchFile(batchFor(bceLast, 3, 5), bceLast, 'F64'), BW).tensors;
    expect([bce.get('y')!.dtype, bce.get('y')!.shape]).toEqual(['F64', [3, 2]]);
  });

  /** A valid file for `config`, edited. */
  function edited(config: ResolvedConfig, edit: (t: Map<string, StTensor>) => void, B = 3, T = 5): Uint8Array {
    return rewrite(encodeBatchFile(batchFor(config, B, T), config), (t) => edit(t));
  }
  const decodeErr = (bytes: Uint8Array, config: ResolvedConfig): string => errorOf(() => decodeBatchFile(bytes, config, BW));
  const f32 = (shape: number[], fill = 0): StTensor => ({
    dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill),
  });

  it('checks x: presence, dtype, rank, features, size, finiteness', () => {
    expect(decodeErr(edited(lstmAll, (t) => t.delete('x')), lstmAll)).toBe(`${BW}: tensor "x" expected shape [B, T, 2], received no such tensor`);
    expect(decodeErr(edited(lstmAll, (t) => t.set('x', { dtype: 'I32', shape: [3, 5, 2], data: new Int32Array(30) })), lstmAll)).toBe(
      `${BW}: tensor "x" expected dtype F32 or F64, received I32`,
    );
    expect(decodeErr(edited(lstmAll, (t) => t.set('x', f32([15, 2]))), lstmAll)).toBe(
      `${BW}: tensor "x" expected rank 3 [B, T, 2], received shape [15, 2]`,
    );
    // The example of the project's conventions, word for word.
    const one = resolveConfig({ ...configToJSON(lstmAll), inputSize: 1 });
    const x2 = rewrite(encodeBatchFile(batchFor(one, 7, 50), one), (t) => t.set('x', f32([7, 50, 2])));
    expect(decodeErr(x2, one)).toBe('batch file b.safetensors: tensor "x" expected shape [7, 50, 1], received [7, 50, 2]');
    expect(decodeErr(edited(lstmAll, (t) => t.set('x', f32([0, 5, 2]))), lstmAll)).toMatch(
      /tensor "x" expected at least one sequence of at least one step, received shape \[0, 5, 2\]/,
    );
    expect(decodeErr(edited(lstmAll, (t) => { t.get('x')!.data[2 * 2 + 1] = NaN; }), lstmAll)).toBe(
      `${BW}: tensor "x" expected finite values, received NaN at [0, 2, 1]`,
    );
    expect(decodeErr(edited(lstmAll, (t) => { t.get('x')!.data[29] = -Infinity; }), lstmAll)).toMatch(
      /received -Infinity at \[2, 4, 1\]/,
    );
  });

  it('checks T against headSteps with outputs "last"', () => {
    const bytes = rewrite(encodeBatchFile(batchFor(gruLast, 3, 5), gruLast), (t) => t.set('x', f32([3, 2, 2])));
    expect(decodeErr(bytes, gruLast)).toBe(`${BW}: tensor "x" expected at least 3 timesteps for headSteps 3, received shape [3, 2, 2]`);
    expect(decodeBatchFile(encodeBatchFile(batchFor(gruLast, 3, 3), gruLast), gruLast, BW).T).toBe(3);
  });

  it('checks class ids: I32, [B, T] or [B], each in [0, C)', () => {
    expect(decodeErr(edited(lstmAll, (t) => t.delete('y')), lstmAll)).toBe(`${BW}: tensor "y" expected shape [3, 5], received no such tensor`);
    expect(decodeErr(edited(lstmAll, (t) => t.set('y', f32([3, 5]))), lstmAll)).toBe(`${BW}: tensor "y" expected dtype I32 or I64, received F32`);
    expect(decodeErr(edited(lstmAll, (t) => t.set('y', { dtype: 'I32', shape: [3], data: new Int32Array(3) })), lstmAll)).toBe(
      `${BW}: tensor "y" expected shape [3, 5], received [3]`,
    );
    expect(decodeErr(edited(gruLast, (t) => t.set('y', { dtype: 'I32', shape: [3, 5], data: new Int32Array(15) })), gruLast)).toBe(
      `${BW}: tensor "y" expected shape [3], received [3, 5]`,
    );
    expect(decodeErr(edited(lstmAll, (t) => { t.get('y')!.data[7] = 4; }), lstmAll)).toBe(
      `${BW}: tensor "y" expected class ids in [0, 4), received 4 at [1, 2]`,
    );
    expect(decodeErr(edited(gruLast, (t) => { t.get('y')!.data[2] = -1; }), gruLast)).toMatch(/class ids in \[0, 4\), received -1 at \[2\]/);
  });

  it('checks probabilities: F32/F64, [B, T, C] or [B, C], each in [0, 1]', () => {
    expect(decodeErr(edited(rnnBce, (t) => t.set('y', { dtype: 'I32', shape: [3, 5, 1], data: new Int32Array(15) })), rnnBce)).toBe(
      `${BW}: tensor "y" expected dtype F32 or F64, received I32`,
    );
    expect(decodeErr(edited(rnnBce, (t) => t.set('y', f32([3, 5]))), rnnBce)).toBe(`${BW}: tensor "y" expected shape [3, 5, 1], received [3, 5]`);
    expect(decodeErr(edited(bceLast, (t) => t.set('y', f32([3, 5, 2]))), bceLast)).toBe(`${BW}: tensor "y" expected shape [3, 2], received [3, 5, 2]`);
    expect(decodeErr(edited(rnnBce, (t) => { t.get('y')!.data[4] = 1.5; }), rnnBce)).toBe(
      `${BW}: tensor "y" expected probabilities in [0, 1], received 1.5 at [0, 4, 0]`,
    );
    expect(decodeErr(edited(bceLast, (t) => { t.get('y')!.data[3] = NaN; }), bceLast)).toMatch(/probabilities in \[0, 1\], received NaN at \[1, 1\]/);
  });

  it('checks h0 and c0: [L, B, H], floats, finite, c0 only for LSTM', () => {
    expect(decodeErr(edited(lstmAll, (t) => t.set('h0', f32([2, 3]))), lstmAll)).toBe(`${BW}: tensor "h0" expected shape [2, 3, 3], received [2, 3]`);
    expect(decodeErr(edited(lstmAll, (t) => t.set('c0', f32([1, 3, 3]))), lstmAll)).toBe(`${BW}: tensor "c0" expected shape [2, 3, 3], received [1, 3, 3]`);
    expect(decodeErr(edited(lstmAll, (t) => t.set('c0', { dtype: 'I32', shape: [2, 3, 3], data: new Int32Array(18) })), lstmAll)).toBe(
      `${BW}: tensor "c0" expected dtype F32 or F64, received I32`,
    );
    expect(decodeErr(edited(lstmAll, (t) => { t.get('h0')!.data[17] = Infinity; }), lstmAll)).toBe(
      `${BW}: tensor "h0" expected finite values, received Infinity at [1, 2, 2]`,
    );
    expect(decodeErr(edited(gruLast, (t) => t.set('c0', f32([1, 3, 3]))), gruLast)).toBe(
      `${BW}: tensor "c0" is a cell state, expected only with cell "lstm", received cell "gru"`,
    );
    // Only h0 is fine, for every cell.
    expect(decodeBatchFile(edited(lstmAll, (t) => t.delete('c0')), lstmAll, BW).c0).toBeUndefined();
  });

  it('refuses unknown tensors', () => {
    expect(decodeErr(edited(lstmAll, (t) => t.set('mask', f32([3, 5]))), lstmAll)).toBe(
      `${BW}: unexpected tensor "mask" (expected x, y and optionally lengths, h0, c0; the file holds: x, y, h0, c0, mask)`,
    );
    expect(decodeErr(edited(gruLast, (t) => t.set('h_0', f32([1, 3, 3]))), gruLast)).toMatch(/unexpected tensor "h_0" \(expected x, y and optionally lengths, h0; the file holds: x, y, h0, h_0\)$/);
  });

  it('encode refuses data that does not fit the config', () => {
    const ok = batchFor(lstmAll, 3, 5);
    expect(errorOf(() => encodeBatchFile({ ...ok, x: ok.x.subarray(1) }, lstmAll))).toBe(
      'encodeBatchFile: tensor "x" of shape [3, 5, 2] expected 30 elements, received 29',
    );
    expect(errorOf(() => encodeBatchFile({ ...ok, y: Float64Array.from(ok.y) }, lstmAll))).toMatch(/y expected an Int32Array of class ids/);
    const bad = Int32Array.from(ok.y);
    bad[0] = 9;
    expect(errorOf(() => encodeBatchFile({ ...ok, y: bad }, lstmAll))).toMatch(/^encodeBatchFile: tensor "y" expected class ids in \[0, 4\), received 9 at \[0, 0\]/);
  });
});

describe('checks', () => {
  it('describes positions and formats messages', () => {
    expect(describeIndex(7, [2, 3, 2])).toBe('[1, 0, 1]');
    expect(describeIndex(0, [])).toBe('[]');
    expect(describeIndex(5)).toBe('index 5');
    expect(errorOf(() => expectShape('trainer.step', 'x', [7, 50, 1], [7, 50, 2]))).toBe(
      'trainer.step: tensor "x" expected shape [7, 50, 1], received [7, 50, 2]',
    );
    expect(() => expectShape('w', 'x', [], [])).not.toThrow();
    expect(errorOf(() => expectShape('w', 's', [], [1]))).toBe('w: tensor "s" expected shape [], received [1]');
    expect(errorOf(() => expectFinite('w', 'v', [1, 2, NaN]))).toBe('w: tensor "v" expected finite values, received NaN at index 2');
    expect(() => expectFinite('w', 'v', new Float32Array([0, -0, 3e38]))).not.toThrow();
  });
});

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-lstm-atomic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a new file and replaces an existing one, leaving no temporary file', async () => {
    const path = join(dir, 'out.safetensors');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    writeFileSync(path, 'old contents, longer than the new ones');
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    expect(Array.from(readFileSync(path))).toEqual([4, 5]);
    await writeFileAtomic(path, new Uint8Array(0));
    expect(readFileSync(path).length).toBe(0);
    expect(readdirSync(dir)).toEqual(['out.safetensors']);
  });

  it('fails with an InputError naming the path, and leaves nothing behind', async () => {
    const missing = join(dir, 'no-such-dir', 'out.safetensors');
    await expect(writeFileAtomic(missing, new Uint8Array([1]))).rejects.toThrow(
      new RegExp(`^cannot write output file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`),
    );
    await expect(writeFileAtomic(missing, new Uint8Array([1]))).rejects.toBeInstanceOf(InputError);
    // The rename fails (the target is a non-empty directory): the temporary file is removed.
    const sub = join(dir, 'taken');
    mkdirSync(sub);
    writeFileSync(join(sub, 'keep'), 'x');
    await expect(writeFileAtomic(sub, new Uint8Array([1, 2]))).rejects.toThrow(/cannot write output file/);
    expect(readdirSync(dir).sort()).toEqual(['out.safetensors', 'taken']);
    expect(readdirSync(sub)).toEqual(['keep']);
  });
});

describe('atomic writes clean up after killed writers (issue 8, defect 13)', () => {
  it('a leftover temporary file of a dead process is removed by the next write; a live one is kept', async () => {
    const { mkdtempSync, writeFileSync: write, readdirSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join: j } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { writeFileAtomic } = await import('../src/files/atomicWrite.js');
    const d = mkdtempSync(j(tmpdir(), 'wl-orphans-'));
    const target = j(d, 'model.safetensors');
    // A pid that existed and is gone: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    write(j(d, `.model.safetensors.${dead}.0123456789ab.tmp`), 'half a file');
    write(j(d, `.model.safetensors.${process.ppid}.0123456789ab.tmp`), 'a live writer');
    write(j(d, '.other.safetensors.1.0123456789ab.tmp'), 'not ours');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    const left = readdirSync(d).sort();
    expect(left).toEqual([`.model.safetensors.${process.ppid}.0123456789ab.tmp`, '.other.safetensors.1.0123456789ab.tmp', 'model.safetensors']);
    expect([...read(target)]).toEqual([1, 2, 3]);
  });
});
