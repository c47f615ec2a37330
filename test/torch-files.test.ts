/**
 * Plain PyTorch state dicts (DESIGN.md section 5, "Plain PyTorch files"; issue 12): files the test
 * writes in the layout `save_file(model.state_dict(), …)` gives, for the module names a PyTorch
 * user picks (`self.lstm`, `self.rnn = nn.LSTM`, `self.fc`, a bare `nn.LSTM`), read with the
 * caller's config and prefix map, and every refusal with what it names and lists.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ModelConfig, type ResolvedConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { decodeModelFile, readModel } from '../src/files/modelFile.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from '../src/files/safetensors.js';
import { inferTorchConfig, readTorchNames } from '../src/files/torchState.js';
import { initParams, paramLayout } from '../src/params.js';
import { CpuEngine } from '../src/cpu/engine.js';

const MW = 'model file torch.safetensors';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/\n/);
    expect(msg.length).toBeLessThan(1200);
    return msg;
  }
  throw new Error('expected an InputError');
}

interface TorchModel { config: ResolvedConfig; params: Float64Array; bytes: Uint8Array; names: string[] }

/**
 * The state dict of our model as PyTorch names it when its modules are called otherwise:
 * `rename` maps our name to the file's; no __metadata__ (or the one given).
 */
function torchModel(raw: ModelConfig, opts: { rename?: (n: string) => string | null; dtype?: 'F32' | 'F64'; metadata?: Record<string, string>; extra?: Array<[string, StTensor]> } = {}): TorchModel {
  const config = resolveConfig(raw);
  const layout = paramLayout(config);
  const params = initParams(config, layout, { seed: 7 });
  for (const s of layout.specs) if (s.name.startsWith('init.')) for (let i = 0; i < s.size; i++) params[s.offset + i] = (i % 5) / 10 - 0.2;
  const dtype = opts.dtype ?? 'F64';
  const tensors: Array<[string, StTensor]> = [];
  for (const s of layout.specs) {
    const name = opts.rename ? opts.rename(s.name) : s.name;
    if (name === null) continue;
    const v = params.subarray(s.offset, s.offset + s.size);
    tensors.push([name, { dtype, shape: s.shape.slice(), data: dtype === 'F32' ? Float32Array.from(v) : Float64Array.from(v) }]);
  }
  tensors.push(...(opts.extra ?? []));
  return { config, params, bytes: serializeSafetensors(tensors, opts.metadata), names: tensors.map(([n]) => n) };
}

const lstm: ModelConfig = { cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 5, loss: 'softmax_ce', outputs: 'last' };
const ask = { loss: 'softmax_ce', outputs: 'last' } as const;

describe('plain PyTorch files: what names and shapes say', () => {
  it('reads self.lstm + self.head as saved by save_file(model.state_dict()), exactly', () => {
    const m = torchModel(lstm);
    const back = decodeModelFile(m.bytes, MW, { config: ask });
    expect(back.config).toEqual(m.config);
    expect(Array.from(back.params)).toEqual(Array.from(m.params));
    expect(readModel(parseSafetensors(m.bytes, MW), MW, { config: ask }).source).toBe('pytorch');
  });

  it('self.rnn = nn.LSTM and a head named fc, with the prefix map { rnn: "lstm", fc: "head" }', () => {
    const m = torchModel(lstm, { rename: (n) => n.replace(/^lstm\./, 'rnn.').replace(/^head\./, 'fc.') });
    const back = decodeModelFile(m.bytes, MW, { config: ask, names: { rnn: 'lstm', fc: 'head' } });
    expect(back.config).toEqual(m.config);
    expect(Array.from(back.params)).toEqual(Array.from(m.params));
    // Without the map the tensors under rnn. are read as a plain RNN's, whose 4·H rows say otherwise.
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: { fc: 'head' } }))).toBe(
      `${MW}: tensor "rnn.weight_hh_l0" expected shape [1·H, H] for cell rnn_tanh, received [16, 4] (4·H rows: an nn.LSTM's; map the module with names, e.g. { "rnn": 'lstm' })`,
    );
    // Told the cell but not the map: the same advice.
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { ...ask, cell: 'lstm' }, names: { fc: 'head' } }))).toMatch(
      /config cell "lstm" contradicts the tensors, which read as module "rnn" .*map the module with names, e\.g\. \{ "rnn": 'lstm' \}/,
    );
    // A head named fc without the map: named, with the advice and the file's names.
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: { rnn: 'lstm' } }))).toBe(
      `${MW}: unexpected tensor "fc.weight": not a parameter of the format (lstm/gru/rnn layers, head, embedding, init); if "fc" is the output layer, map it: names { "fc": 'head' } ` +
      '(the file holds: rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, rnn.weight_ih_l1, rnn.weight_hh_l1, rnn.bias_ih_l1, rnn.bias_hh_l1, fc.weight, fc.bias)',
    );
  });

  it('prefixes with dots (nested modules)', () => {
    const m = torchModel(lstm, { rename: (n) => n.replace(/^lstm\./, 'encoder.rnn.').replace(/^head\./, 'decoder.out.') });
    const back = decodeModelFile(m.bytes, MW, { config: ask, names: { 'encoder.rnn': 'lstm', 'decoder.out': 'head' } });
    expect(Array.from(back.params)).toEqual(Array.from(m.params));
  });

  it('a bare nn.LSTM / nn.GRU state dict (no prefix) is recognised, automatically or by { "": module }', () => {
    for (const cell of ['lstm', 'gru', 'rnn_tanh'] as const) {
      const m = torchModel({ ...lstm, cell }, { rename: (n) => (n.startsWith('head.') ? n : n.replace(/^[a-z]+\./, '')) });
      expect(m.names[0]).toBe('weight_ih_l0');
      const back = decodeModelFile(m.bytes, MW, { config: ask });
      expect(back.config.cell).toBe(cell);
      expect(Array.from(back.params)).toEqual(Array.from(m.params));
      expect(decodeModelFile(m.bytes, MW, { config: ask, names: { '': cell === 'lstm' ? 'lstm' : cell === 'gru' ? 'gru' : 'rnn' } }).config.cell).toBe(cell);
    }
    // A bare nn.LSTM alone has no head: said, with what the file holds.
    const alone = torchModel(lstm, { rename: (n) => (n.startsWith('head.') ? null : n.replace(/^lstm\./, '')) });
    expect(errorOf(() => decodeModelFile(alone.bytes, MW, { config: ask }))).toBe(
      `${MW}: no head: expected "head.weight" [C, m·H] and "head.bias" [C] (an nn.Linear named head; map another name with names, e.g. { fc: 'head' }) ` +
      '(the file holds: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l1, weight_hh_l1, bias_ih_l1, bias_hh_l1)',
    );
  });

  it('reads the cell, I, H, L, C from shapes; rnn_relu only when told, rnn_tanh by default', () => {
    for (const raw of [
      { cell: 'gru', inputSize: 6, hiddenSize: 2, numLayers: 3, outputSize: 1, loss: 'sigmoid_bce', outputs: 'all' },
      { cell: 'rnn_tanh', inputSize: 1, hiddenSize: 5, numLayers: 1, outputSize: 3, loss: 'mse', outputs: 'all' },
    ] as ModelConfig[]) {
      const m = torchModel(raw);
      expect(decodeModelFile(m.bytes, MW, { config: { loss: raw.loss, outputs: raw.outputs } }).config).toEqual(m.config);
    }
    const relu = torchModel({ cell: 'rnn_relu', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'mse', outputs: 'all' });
    expect(decodeModelFile(relu.bytes, MW, { config: { loss: 'mse', outputs: 'all' } }).config.cell).toBe('rnn_tanh');
    expect(decodeModelFile(relu.bytes, MW, { config: { loss: 'mse', outputs: 'all', cell: 'rnn_relu' } }).config).toEqual(relu.config);
  });

  it('token inputs from embedding.weight [V, I]; a learned state from init.h0 / init.c0', () => {
    const raw: ModelConfig = { cell: 'lstm', inputSize: 4, hiddenSize: 3, numLayers: 2, outputSize: 9, loss: 'softmax_ce', outputs: 'all', inputKind: 'tokens', vocabSize: 9, learnedInitialState: true };
    const m = torchModel(raw);
    expect(m.names).toContain('embedding.weight');
    const back = decodeModelFile(m.bytes, MW, { config: { loss: 'softmax_ce', outputs: 'all' } });
    expect(back.config).toEqual(m.config);
    expect(Array.from(back.params)).toEqual(Array.from(m.params));
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { loss: 'softmax_ce', outputs: 'all', vocabSize: 10 } }))).toMatch(
      /config vocabSize 10 contradicts the tensors, which say 9/,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { loss: 'softmax_ce', outputs: 'all', learnedInitialState: false } }))).toMatch(
      /config learnedInitialState false contradicts the tensors, which say true/,
    );
  });

  it('headSteps and headFrom from the head width where it decides them, asked for where it does not', () => {
    const gru = torchModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'softmax_ce', outputs: 'last', headSteps: 3 });
    expect(decodeModelFile(gru.bytes, MW, { config: ask }).config.headSteps).toBe(3);
    const ch = torchModel({ ...lstm, headFrom: 'ch', outputs: 'all' });
    expect(decodeModelFile(ch.bytes, MW, { config: { loss: 'softmax_ce', outputs: 'all' } }).config.headFrom).toBe('ch');
    const two = torchModel({ ...lstm, headSteps: 2 });
    expect(errorOf(() => decodeModelFile(two.bytes, MW, { config: ask }))).toBe(
      `${MW}: tensor "head.weight" [5, 8] reads 2·H features (H = 4): headSteps 2 of h, or headSteps 1 of c and h (headFrom "ch"): give config.headSteps or config.headFrom`,
    );
    expect(decodeModelFile(two.bytes, MW, { config: { ...ask, headSteps: 2 } }).config).toEqual(two.config);
    expect(decodeModelFile(two.bytes, MW, { config: { ...ask, headFrom: 'h' } }).config).toEqual(two.config);
    const six = torchModel({ ...lstm, headSteps: 3, headFrom: 'ch' });
    expect(decodeModelFile(six.bytes, MW, { config: { ...ask, headFrom: 'ch' } }).config).toEqual(six.config);
    expect(errorOf(() => decodeModelFile(six.bytes, MW, { config: { ...ask, headSteps: 4 } }))).toMatch(/which headSteps 4 does not divide/);
  });

  it('reads model.half() and bfloat16 files, and format "pt" metadata', () => {
    const m = torchModel(lstm);
    for (const dtype of ['F16', 'BF16'] as const) {
      const { tensors } = parseSafetensors(m.bytes, MW);
      const half = serializeSafetensors([...tensors].map(([n, t]) => {
        const data = Float64Array.from(t.data, (v) => Math.round(v * 64) / 64);
        return [n, { dtype, shape: t.shape, data }] as [string, StTensor];
      }), { format: 'pt' });
      const back = decodeModelFile(half, MW, { config: ask });
      expect(Array.from(back.params)).toEqual(Array.from(m.params, (v) => Math.round(v * 64) / 64));
    }
  });
});

describe('plain PyTorch files: refusals name what is missing and list what the file holds', () => {
  const m = torchModel(lstm);
  const list = '(the file holds: lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_ih_l1, lstm.weight_hh_l1, lstm.bias_ih_l1, lstm.bias_hh_l1, head.weight, head.bias)';

  it('without loss and outputs', () => {
    expect(errorOf(() => decodeModelFile(m.bytes, MW))).toBe(
      `${MW}: not a webgpu-lstm model file (no __metadata__ "format": "webgpu-lstm"): to read a plain PyTorch state dict, give what its tensors cannot say, options.config { loss, outputs } ${list}`,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { loss: 'mse' } }))).toBe(
      `${MW}: a plain PyTorch state dict needs what its tensors cannot say: config.outputs (loss: "softmax_ce", "sigmoid_bce" or "mse"; outputs: "all" or "last"), received none ${list}`,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { names: { lstm: 'lstm' } }))).toMatch(/needs what its tensors cannot say: config\.loss and config\.outputs/);
  });

  it('a config in snake_case, or with PyTorch options, or fields that contradict the tensors', () => {
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { ...ask, hidden_size: 4 } as never }))).toBe(
      `${MW}: options.config key "hidden_size" is snake_case: the webgpu-lstm config is camelCase, expected "hiddenSize"`,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { ...ask, dropout: 0.1 } as never }))).toMatch(
      /options\.config key "dropout" \(dropout between layers\) is not part of the webgpu-lstm model format, received 0\.1/,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { ...ask, hiddenSize: 8 } }))).toBe(
      `${MW}: config hiddenSize 8 contradicts the tensors, which say 4 ${list}`,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { ...ask, cell: 'gru' } }))).toMatch(/config cell "gru" contradicts the tensors/);
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: { ...ask, loss: 'hinge' as never } }))).toMatch(/loss must be one of "softmax_ce", "sigmoid_bce", "mse", received "hinge"/);
  });

  it('prefix maps that are wrong', () => {
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: { fc: 'head' } }))).toBe(`${MW}: options.names prefix "fc" matches no tensor ${list.replace('(the', '(the')}`);
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: { lstm: 'lstm2' } }))).toBe(
      `${MW}: options.names maps "lstm" to "lstm2", expected one of lstm, gru, rnn, head, embedding, init`,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: { 'lstm.': 'lstm' } }))).toMatch(/ends with a dot/);
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: { lstm: 'head' } }))).toMatch(/unexpected tensor "lstm.weight_ih_l0"/);
    const both = torchModel(lstm, { rename: (n) => n.replace(/^head\./, 'fc.'), extra: [['out.weight', { dtype: 'F64', shape: [5, 4], data: new Float64Array(20) }], ['out.bias', { dtype: 'F64', shape: [5], data: new Float64Array(5) }]] });
    expect(errorOf(() => decodeModelFile(both.bytes, MW, { config: ask, names: { fc: 'head', out: 'head' } }))).toBe(
      `${MW}: tensors "fc.weight" and "out.weight" both read as "head.weight": check options.names`,
    );
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, names: [] as never }))).toMatch(/options\.names expected an object/);
    expect(errorOf(() => decodeModelFile(m.bytes, MW, { config: ask, nmes: {} } as never))).toMatch(/unknown option "nmes" \(known: config, names\)/);
  });

  it('an unknown module name gets the map it needs, its cell told by the weight rows', () => {
    const gru = torchModel({ ...lstm, cell: 'gru' }, { rename: (n) => n.replace(/^gru\./, 'encoder.') });
    expect(errorOf(() => decodeModelFile(gru.bytes, MW, { config: ask }))).toMatch(
      new RegExp(`^${MW}: unexpected tensor "encoder.weight_ih_l0": not a parameter of the format .*if "encoder" is the recurrent module, map it: names \\{ "encoder": 'gru' \\} \\(the file holds: encoder.weight_ih_l0, `),
    );
    expect(decodeModelFile(gru.bytes, MW, { config: ask, names: { encoder: 'gru' } }).config.cell).toBe('gru');
    // Mapped to the wrong cell: the rows say which.
    expect(errorOf(() => decodeModelFile(gru.bytes, MW, { config: ask, names: { encoder: 'lstm' } }))).toMatch(
      /tensor "encoder.weight_hh_l0" expected shape \[4·H, H\] for cell lstm, received \[12, 4\] \(3·H rows: an nn\.GRU's; map the module with names, e\.g\. \{ "encoder": 'gru' \}\)/,
    );
  });

  it('missing layers, a second recurrent module, a missing bias', () => {
    const gap = torchModel({ ...lstm, numLayers: 3 }, { rename: (n) => (n.endsWith('_l1') ? null : n) });
    expect(errorOf(() => decodeModelFile(gap.bytes, MW, { config: ask }))).toMatch(/tensor "lstm.weight_ih_l1" expected \(layer 1 of 3\), received no such tensor \(the file holds: /);
    const two = torchModel(lstm, { extra: [['gru.weight_ih_l0', { dtype: 'F64', shape: [12, 3], data: new Float64Array(36) }], ['gru.bias_ih_l0', { dtype: 'F64', shape: [12], data: new Float64Array(12) }]] });
    expect(errorOf(() => decodeModelFile(two.bytes, MW, { config: ask }))).toMatch(/tensors of more than one recurrent module \(lstm, gru\)/);
    const noBias = torchModel(lstm, { rename: (n) => (n === 'head.bias' ? null : n.replace(/^head\./, 'fc.')) });
    expect(errorOf(() => decodeModelFile(noBias.bytes, MW, { config: ask, names: { fc: 'head' } }))).toBe(
      `${MW}: tensor "fc.weight" has no "fc.bias": a head without bias (bias=False), which the webgpu-lstm model format cannot express`,
    );
    const noLayerBias = torchModel(lstm, { rename: (n) => (/bias_(ih|hh)_l1$/.test(n) ? null : n) });
    expect(errorOf(() => decodeModelFile(noLayerBias.bytes, MW, { config: ask }))).toMatch(/a layer without biases \(bias=False\)/);
    const far = torchModel(lstm, { extra: [['lstm.bias_hh_l99999999999999999999', { dtype: 'F64', shape: [1], data: new Float64Array(1) }]] });
    expect(errorOf(() => decodeModelFile(far.bytes, MW, { config: ask }))).toMatch(/tensor "lstm.bias_hh_l99999999999999999999" is of layer 999999999999…, past the limit of 1024 layers/);
    const bidir = torchModel(lstm, { extra: [['lstm.weight_ih_l0_reverse', { dtype: 'F64', shape: [16, 3], data: new Float64Array(48) }]] });
    expect(errorOf(() => decodeModelFile(bidir.bytes, MW, { config: ask }))).toMatch(/"lstm.weight_ih_l0_reverse" belongs to a bidirectional layer/);
  });

  it('bounds the list of names it quotes', () => {
    const extra: Array<[string, StTensor]> = Array.from({ length: 200 }, (_, i) => [`buffer${i}.${'x'.repeat(100)}`, { dtype: 'F32', shape: [1], data: new Float32Array(1) }]);
    const many = torchModel(lstm, { extra });
    const msg = errorOf(() => decodeModelFile(many.bytes, MW));
    expect(msg).toMatch(/, … and 198 more\)$/);
  });
});

describe('inferTorchConfig and readTorchNames: pure functions of names and shapes', () => {
  it('infer a config from our-named shapes; rename the file names', () => {
    const shapes = new Map<string, number[]>([
      ['gru.weight_ih_l0', [9, 2]], ['gru.weight_hh_l0', [9, 3]], ['gru.bias_ih_l0', [9]], ['gru.bias_hh_l0', [9]],
      ['head.weight', [4, 3]], ['head.bias', [4]],
    ]);
    expect(inferTorchConfig('w', shapes, { loss: 'mse', outputs: 'all' })).toEqual(resolveConfig({
      cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 4, loss: 'mse', outputs: 'all',
    }));
    const r = readTorchNames('w', [{ name: 'weight_ih_l0', shape: [9, 2] }, { name: 'weight_hh_l0', shape: [9, 3] }, { name: 'bias_ih_l0', shape: [9] },
      { name: 'bias_hh_l0', shape: [9] }, { name: 'fc.weight', shape: [4, 3] }, { name: 'fc.bias', shape: [4] }], { config: { loss: 'mse', outputs: 'all' }, names: { fc: 'head' } });
    expect(r.config.cell).toBe('gru');
    expect(Object.fromEntries(r.fileNameOf)).toEqual({
      'gru.weight_ih_l0': 'weight_ih_l0', 'gru.weight_hh_l0': 'weight_hh_l0', 'gru.bias_ih_l0': 'bias_ih_l0', 'gru.bias_hh_l0': 'bias_hh_l0',
      'head.weight': 'fc.weight', 'head.bias': 'fc.bias',
    });
  });
});

describe('plain PyTorch files through the engine', () => {
  it('a state dict under other module names gives the same outputs as the model it came from (cpu)', async () => {
    const engine = new CpuEngine();
    const model = engine.createModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 2, loss: 'mse', outputs: 'all', seed: 3 });
    const { tensors } = parseSafetensors(await model.save({ dtype: 'F64' }), 'saved');
    const torch = serializeSafetensors([...tensors].map(([n, t]) => [n.replace(/^gru\./, 'rnn.').replace(/^head\./, 'fc.'), t] as const));
    const loaded = engine.loadModel(torch, { config: { loss: 'mse', outputs: 'all' }, names: { rnn: 'gru', fc: 'head' } });
    const x = { data: Float64Array.from({ length: 18 }, (_, i) => Math.sin(i)), shape: [3, 3, 2] };
    expect(Array.from((await loaded.forward(x)).logits)).toEqual(Array.from((await model.forward(x)).logits));
  });
});
