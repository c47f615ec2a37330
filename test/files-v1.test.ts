/**
 * The file formats' version 1 additions (DESIGN.md section 5): F16/BF16/I64 in safetensors, the
 * new config fields in model files, F32 range on writing, lengths, token inputs, mse targets and
 * padded positions in batch files, and the time-major hint. Every refusal is checked word for word
 * where its words are the contract, and by the parts it must name elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { configToJSON, resolveConfig, type ModelConfig, type ResolvedConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { decodeBatchFile, encodeBatchFile, inputShape, targetShape, type BatchInput } from '../src/files/batchFile.js';
import { decodeModelFile, encodeModelFile } from '../src/files/modelFile.js';
import { preview, previewList, previewShape, quote } from '../src/checks/preview.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from '../src/files/safetensors.js';
import { int32Values } from '../src/files/tensorValues.js';
import { EMBEDDING, initParams, paramLayout } from '../src/params.js';
import { Rng } from '../src/rng.js';

const W = 'test file t.safetensors';
const MW = 'model file m.safetensors';
const BW = 'batch file b.safetensors';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/\n/);
    return msg;
  }
  throw new Error('expected an InputError');
}

/** A file built by hand: u64 LE header length, the header JSON, then the data bytes. */
function rawFile(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function rewrite(bytes: Uint8Array, edit: (t: Map<string, StTensor>, m: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes, 'rewrite');
  edit(tensors, metadata);
  return serializeSafetensors(tensors, metadata);
}

/** IEEE binary16 by its definition, written independently of the reader's table. */
function f16Value(h: number): number {
  const s = (h >> 15) & 1, e = (h >> 10) & 31, m = h & 1023;
  const sign = s ? -1 : 1;
  if (e === 0) return sign * (m / 1024) * Math.pow(2, -14);
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * Math.pow(2, e - 15);
}

describe('safetensors: F16 and BF16 are widened exactly', () => {
  const all = new Uint8Array(65536 * 2);
  const dv = new DataView(all.buffer);
  for (let h = 0; h < 65536; h++) dv.setUint16(2 * h, h, true);

  it('reads every one of the 65,536 F16 bit patterns as its value', () => {
    const t = parseSafetensors(rawFile({ a: { dtype: 'F16', shape: [65536], data_offsets: [0, all.length] } }, all), W).tensors.get('a')!;
    expect(t.dtype).toBe('F16');
    expect(t.data).toBeInstanceOf(Float32Array);
    for (let h = 0; h < 65536; h++) {
      const want = f16Value(h), got = t.data[h]!;
      if (Number.isNaN(want)) expect(Number.isNaN(got)).toBe(true);
      else if (!Object.is(got, want)) throw new Error(`F16 ${h.toString(16)}: ${got} ≠ ${want}`);
    }
    // Spot checks: 1, −2, the largest, the smallest subnormal, −0.
    expect([t.data[0x3c00], t.data[0xc000], t.data[0x7bff], t.data[0x0001]]).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Object.is(t.data[0x8000], -0)).toBe(true);
  });

  it('reads every one of the 65,536 BF16 bit patterns as the float32 of those high bits', () => {
    const t = parseSafetensors(rawFile({ a: { dtype: 'BF16', shape: [256, 256], data_offsets: [0, all.length] } }, all), W).tensors.get('a')!;
    expect(t.dtype).toBe('BF16');
    const word = new DataView(new ArrayBuffer(4));
    for (let h = 0; h < 65536; h++) {
      word.setUint32(0, h * 65536);
      const want = word.getFloat32(0), got = t.data[h]!;
      if (Number.isNaN(want)) expect(Number.isNaN(got)).toBe(true);
      else if (!Object.is(got, want)) throw new Error(`BF16 ${h.toString(16)}: ${got} ≠ ${want}`);
    }
    expect([t.data[0x3f80], t.data[0xc040]]).toEqual([1, -3]);
  });

  it('writes F16 and BF16 from values they hold (bit for bit back), and refuses others by position', () => {
    const f16 = parseSafetensors(rawFile({ a: { dtype: 'F16', shape: [65536], data_offsets: [0, all.length] } }, all), W).tensors.get('a')!;
    const bytes = serializeSafetensors([['a', f16], ['b', { dtype: 'BF16', shape: [3], data: new Float64Array([1, -0.5, 3.0e38 - 3.0e38 + 2 ** 100]) }]]);
    const back = parseSafetensors(bytes, W).tensors;
    const bits = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 65536 * 2 - 6, 65536 * 2);
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(f16.data[h]!)) continue;
      if (bits.getUint16(2 * h, true) !== h) throw new Error(`F16 ${h.toString(16)} written as ${bits.getUint16(2 * h, true).toString(16)}`);
    }
    expect(Array.from(back.get('b')!.data)).toEqual([1, -0.5, 2 ** 100]);
    expect(errorOf(() => serializeSafetensors([['w', { dtype: 'F16', shape: [2, 2], data: new Float32Array([1, 2, 3, 0.1]) }]]))).toMatch(
      /tensor "w": dtype F16 cannot hold 0\.10000000149011612 \(at \[1, 1\]\) exactly: round it to F16 first/,
    );
    expect(errorOf(() => serializeSafetensors([['w', { dtype: 'BF16', shape: [1], data: new Float64Array([1 + 2 ** -10]) }]]))).toMatch(/dtype BF16 cannot hold/);
    expect(errorOf(() => serializeSafetensors([['w', { dtype: 'F16', shape: [1], data: new Float32Array([65520]) }]]))).toMatch(/cannot hold 65520/);
  });
});

describe('safetensors: I64 is kept exactly and range-checked into int32', () => {
  const values = [0n, -100n, 2147483647n, -2147483648n, 2n ** 40n, -(2n ** 63n), 2n ** 63n - 1n];

  it('reads I64 exactly (int64) and as numbers (data)', () => {
    const bytes = serializeSafetensors([['ids', { dtype: 'I64', shape: [7], data: new Float64Array(7), int64: BigInt64Array.from(values) }]]);
    const t = parseSafetensors(bytes, W).tensors.get('ids')!;
    expect(t.dtype).toBe('I64');
    expect(Array.from(t.int64!)).toEqual(values);
    expect(Array.from(t.data)).toEqual(values.map(Number));
    // Written from plain integers too.
    const small = parseSafetensors(serializeSafetensors([['s', { dtype: 'I64', shape: [2], data: new Int32Array([-1, 5]) }]]), W).tensors.get('s')!;
    expect(Array.from(small.int64!)).toEqual([-1n, 5n]);
    expect(errorOf(() => serializeSafetensors([['s', { dtype: 'I64', shape: [2], data: new Float64Array([1, 1.5]) }]]))).toBe(
      'serializeSafetensors: tensor "s": dtype I64 expected safe integers, received 1.5 at [1]',
    );
  });

  it('an int32 view refuses values outside int32, naming the tensor, the exact value and its position', () => {
    const bytes = serializeSafetensors([['y', { dtype: 'I64', shape: [2, 2], data: new Float64Array(4), int64: BigInt64Array.from([1n, 2n, 2n ** 31n, 3n]) }]]);
    const t = parseSafetensors(bytes, W).tensors.get('y')!;
    expect(errorOf(() => int32Values(BW, 'y', t))).toBe(
      `${BW}: tensor "y" expected I64 values within int32 [-2147483648, 2147483647], received 2147483648 at [1, 0]`,
    );
    const big = parseSafetensors(serializeSafetensors([['y', { dtype: 'I64', shape: [1], data: new Float64Array(1), int64: BigInt64Array.from([2n ** 63n - 1n]) }]]), W).tensors.get('y')!;
    expect(errorOf(() => int32Values(BW, 'y', big))).toMatch(/received 9223372036854775807 at \[0\]/);
    // Where the caller says a position is never read, anything goes (stored clamped).
    expect(Array.from(int32Values(BW, 'y', t, (i) => i === 2))).toEqual([1, 2, 2147483647, 3]);
  });
});

describe('preview: bounded renderings', () => {
  it('quotes, shapes, lists and values within their budgets', () => {
    expect(quote('abc')).toBe('"abc"');
    expect(quote('x'.repeat(1000), 5)).toBe('"xxxxx"… (1000 characters)');
    expect(previewShape([2, 3])).toBe('[2, 3]');
    expect(previewShape(new Array(1e6).fill(1))).toBe('[1, 1, 1, 1, 1, 1, 1, …, 1] (1000000 dimensions)');
    expect(previewList(['a', 'b'])).toBe('a, b');
    expect(previewList(Array.from({ length: 20 }, (_, i) => `t${i}`), 3)).toBe('t0, t1, t2, … and 17 more');
    expect(previewList([])).toBe('none');
    expect(preview({ a: [1, 'b', null, NaN] })).toBe('{"a":[1,"b",null,NaN]}');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(preview(deep).length).toBeLessThanOrEqual(81);
    const cyclic: Record<string, unknown> = { k: 1 };
    cyclic.self = cyclic;
    expect(preview(cyclic).length).toBeLessThanOrEqual(81);
    expect(preview('y'.repeat(1e7)).length).toBeLessThan(80);
    expect(preview(new Array(1e7).fill(0)).length).toBeLessThanOrEqual(81);
  });
});

// ---------------------------------------------------------------------------------------------

function modelOf(raw: ModelConfig, seed = 1): { config: ResolvedConfig; params: Float64Array } {
  const config = resolveConfig(raw);
  const layout = paramLayout(config);
  const params = initParams(config, layout, { seed });
  const rng = new Rng(seed + 100);
  for (const s of layout.specs) if (s.name.startsWith('init.')) for (let i = 0; i < s.size; i++) params[s.offset + i] = rng.range(-1, 1);
  return { config, params };
}

const v1Configs: ModelConfig[] = [
  { cell: 'rnn_relu', inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 2, loss: 'mse', outputs: 'all' },
  { cell: 'lstm', inputSize: 5, hiddenSize: 3, numLayers: 1, outputSize: 7, loss: 'softmax_ce', outputs: 'all', inputKind: 'tokens', vocabSize: 7 },
  { cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 1, loss: 'mse', outputs: 'last', headSteps: 2, learnedInitialState: true, inputKind: 'tokens', vocabSize: 11 },
];

describe('model file: version 1 configs and dtypes', () => {
  for (const raw of v1Configs) {
    it(`round-trips ${raw.cell} ${raw.loss} ${raw.inputKind ?? 'features'}`, () => {
      const { config, params } = modelOf(raw);
      const back = decodeModelFile(encodeModelFile(config, params, 'F64'), MW);
      expect(back.config).toEqual(config);
      expect(Array.from(back.params)).toEqual(Array.from(params));
      const { tensors, metadata } = parseSafetensors(encodeModelFile(config, params), MW);
      expect(JSON.parse(metadata.config!)).toEqual(configToJSON(config));
      if (config.inputKind === 'tokens') {
        expect(JSON.parse(metadata.config!)).toMatchObject({ inputKind: 'tokens', vocabSize: raw.vocabSize });
        expect([...tensors.keys()][0]).toBe(EMBEDDING);
        expect(tensors.get(EMBEDDING)!.shape).toEqual([raw.vocabSize, raw.inputSize]);
      }
    });
  }

  it('reads F16 and BF16 parameters (model.half(), bfloat16), widened exactly', () => {
    const { config, params } = modelOf(v1Configs[1]!);
    // Values on a grid of 1/128 in (−2, 2): exact in F16 and BF16 alike.
    const grid = params.map((v) => Math.round(Math.max(-1.99, Math.min(1.99, v)) * 128) / 128);
    for (const dtype of ['F16', 'BF16'] as const) {
      const bytes = rewrite(encodeModelFile(config, grid, 'F64'), (t) => {
        for (const [name, x] of t) t.set(name, { dtype, shape: x.shape, data: x.data });
      });
      expect(parseSafetensors(bytes, MW).tensors.get('head.weight')!.dtype).toBe(dtype);
      expect(Array.from(decodeModelFile(bytes, MW).params)).toEqual(Array.from(grid));
    }
  });

  it('refuses to write F32 values that float32 cannot hold, naming tensor and position (F64 keeps them)', () => {
    const { config, params } = modelOf(v1Configs[0]!);
    const p = params.slice();
    p[paramLayout(config).byName.get('rnn.weight_hh_l1')!.offset + 4 * 2 + 3] = 1e39;
    expect(errorOf(() => encodeModelFile(config, p))).toBe(
      'encodeModelFile: tensor "rnn.weight_hh_l1" holds 1e+39 at [2, 3], outside the float32 range (±3.4028234663852886e+38): expected values that F32 can hold (or write F64)',
    );
    expect(decodeModelFile(encodeModelFile(config, p, 'F64'), MW).params[paramLayout(config).byName.get('rnn.weight_hh_l1')!.offset + 11]).toBe(1e39);
    // The largest float32 itself is fine.
    p[paramLayout(config).byName.get('rnn.weight_hh_l1')!.offset + 11] = -3.4028234663852886e38;
    expect(decodeModelFile(encodeModelFile(config, p), MW).params[paramLayout(config).byName.get('rnn.weight_hh_l1')!.offset + 11]).toBe(-3.4028234663852886e38);
  });

  const { config, params } = modelOf(v1Configs[0]!);
  const good = encodeModelFile(config, params);
  const withConfig = (edit: (c: Record<string, unknown>) => void): Uint8Array =>
    rewrite(good, (_t, m) => {
      const c = JSON.parse(m.config!) as Record<string, unknown>;
      edit(c);
      m.config = JSON.stringify(c);
    });

  it('says camelCase is expected when the config is written in snake_case', () => {
    const snake = withConfig((c) => {
      c.input_size = c.inputSize;
      delete c.inputSize;
    });
    expect(errorOf(() => decodeModelFile(snake, MW))).toBe(
      `${MW}: config key "input_size" is snake_case: the webgpu-lstm config is camelCase, expected "inputSize"`,
    );
    expect(errorOf(() => decodeModelFile(withConfig((c) => { c.num_layers = 2; }), MW))).toMatch(/"num_layers" is snake_case.*expected "numLayers"/);
  });

  it('quotes hostile config and metadata content cut, and never crashes on deep values', () => {
    let deep = '1';
    for (let i = 0; i < 200_000; i++) deep = `[${deep}]`;
    const nested = rewrite(good, (_t, m) => { m.config = m.config!.replace('"rnn_relu"', deep); });
    const msg = errorOf(() => decodeModelFile(nested, MW));
    expect(msg).toMatch(/config key "cell" expected a number, a boolean or a short string, received \[\[\[/);
    expect(msg.length).toBeLessThan(300);
    const long = 'q'.repeat(5_000_000);
    for (const bytes of [
      withConfig((c) => { c.cell = long; }),
      withConfig((c) => { c[long] = 1; }),
      rewrite(good, (_t, m) => { m.format = long; }),
      rewrite(good, (_t, m) => { m.version = long; }),
      rewrite(good, (_t, m) => { m.config = long; }),
    ]) {
      const e = errorOf(() => decodeModelFile(bytes, MW));
      expect(e.length).toBeLessThan(300);
    }
    expect(errorOf(() => decodeModelFile(rewrite(good, (t) => t.set(long, t.get('head.bias')!)), MW)).length).toBeLessThan(600);
  });

  it('a caller config that agrees with the file is accepted, one that contradicts it is refused', () => {
    expect(decodeModelFile(good, MW, { config: { loss: 'mse', cell: 'rnn_relu' } }).config).toEqual(config);
    expect(errorOf(() => decodeModelFile(good, MW, { config: { loss: 'softmax_ce' } }))).toBe(
      `${MW}: options.config loss "softmax_ce" contradicts the file's config, which says "mse"`,
    );
    // Prefix maps are for plain PyTorch files; ours are read by their own names.
    expect(decodeModelFile(good, MW, { names: { fc: 'head' } }).config).toEqual(config);
  });

  it('refuses bytes that are not bytes, by name', () => {
    for (const bad of ['model', null, [], 42]) {
      expect(errorOf(() => decodeModelFile(bad as never, MW))).toMatch(new RegExp(`^${MW}: expected the file's bytes \\(a Uint8Array or ArrayBuffer\\), received`));
    }
    const ab = good.buffer.slice(good.byteOffset, good.byteOffset + good.byteLength) as ArrayBuffer;
    expect(decodeModelFile(ab, MW).config).toEqual(config);
  });
});

// ---------------------------------------------------------------------------------------------

describe('batch file: lengths, tokens, mse, I64 and padded positions', () => {
  const ceAll = resolveConfig({ cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 4, loss: 'softmax_ce', outputs: 'all' });
  const mseAll = resolveConfig({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'mse', outputs: 'all' });
  const mseLast = resolveConfig({ ...configToJSON(mseAll), outputs: 'last', headSteps: 3 });
  const bceAll = resolveConfig({ ...configToJSON(mseAll), loss: 'sigmoid_bce' });
  const tokens = resolveConfig({ cell: 'rnn_tanh', inputSize: 3, hiddenSize: 2, numLayers: 2, outputSize: 5, loss: 'softmax_ce', outputs: 'last', inputKind: 'tokens', vocabSize: 6 });

  function batchFor(config: ResolvedConfig, B: number, T: number, lengths?: number[], seed = 5): BatchInput {
    const rng = new Rng(seed);
    const nx = inputShape(config, B, T).reduce((a, b) => a * b, 1);
    const x = config.inputKind === 'tokens'
      ? Int32Array.from({ length: nx }, () => rng.int(config.vocabSize))
      : Float64Array.from({ length: nx }, () => rng.range(-2, 2));
    const ny = targetShape(config, B, T).reduce((a, b) => a * b, 1);
    const y = config.loss === 'softmax_ce'
      ? Int32Array.from({ length: ny }, () => rng.int(config.outputSize))
      : Float64Array.from({ length: ny }, () => (config.loss === 'mse' ? rng.range(-50, 50) : rng.uniform()));
    return { x, B, T, y, ...(lengths ? { lengths: Int32Array.from(lengths) } : {}) };
  }
  const decodeErr = (bytes: Uint8Array, config: ResolvedConfig): string => errorOf(() => decodeBatchFile(bytes, config, BW));
  const edited = (config: ResolvedConfig, input: BatchInput, edit: (t: Map<string, StTensor>) => void): Uint8Array =>
    rewrite(encodeBatchFile(input, config), (t) => edit(t));
  const i64 = (shape: number[], values: bigint[]): StTensor => ({ dtype: 'I64', shape, data: new Float64Array(values.length), int64: BigInt64Array.from(values) });

  it('round-trips lengths (I32 and I64), token ids and mse targets; writes the dtypes asked for', () => {
    for (const intDtype of ['I32', 'I64'] as const) {
      for (const config of [ceAll, mseAll, mseLast, bceAll, tokens]) {
        const input = batchFor(config, 3, 4, [4, 3, 3]);
        const bytes = encodeBatchFile(input, config, { dtype: 'F64', intDtype });
        const { tensors } = parseSafetensors(bytes, BW);
        expect(tensors.get('lengths')!.dtype).toBe(intDtype);
        if (config.inputKind === 'tokens') expect([tensors.get('x')!.dtype, tensors.get('x')!.shape]).toEqual([intDtype, [3, 4]]);
        if (config.loss === 'softmax_ce') expect(tensors.get('y')!.dtype).toBe(intDtype);
        const back = decodeBatchFile(bytes, config, BW);
        expect(Array.from(back.lengths!)).toEqual([4, 3, 3]);
        expect(back.lengths).toBeInstanceOf(Int32Array);
        expect(back.x).toBeInstanceOf(config.inputKind === 'tokens' ? Int32Array : Float64Array);
        expect(Array.from(back.x)).toEqual(Array.from(input.x));
        expect(Array.from(back.y)).toEqual(Array.from(input.y));
      }
    }
    // The old third argument (the float dtype alone) still works.
    expect(parseSafetensors(encodeBatchFile(batchFor(mseAll, 1, 2), mseAll, 'F64'), BW).tensors.get('x')!.dtype).toBe('F64');
  });

  it('refuses lengths out of [1, T], of the wrong shape or dtype, and below headSteps with outputs "last"', () => {
    const input = batchFor(ceAll, 3, 5, [5, 2, 1]);
    const set = (t: StTensor) => edited(ceAll, input, (m) => m.set('lengths', t));
    expect(decodeErr(set({ dtype: 'I32', shape: [3], data: new Int32Array([5, 0, 1]) }), ceAll)).toBe(
      `${BW}: tensor "lengths" expected sequence lengths in [1, 5] (T = 5), received 0 at [1]`,
    );
    expect(decodeErr(set({ dtype: 'I32', shape: [3], data: new Int32Array([5, 6, 1]) }), ceAll)).toMatch(/lengths in \[1, 5\] \(T = 5\), received 6 at \[1\]/);
    expect(decodeErr(set(i64([3], [5n, 1n, 2n ** 33n])), ceAll)).toBe(
      `${BW}: tensor "lengths" expected sequence lengths in [1, 5] (T = 5), received 8589934592 at [2]`,
    );
    expect(decodeErr(set({ dtype: 'I32', shape: [3, 1], data: new Int32Array(3).fill(1) }), ceAll)).toBe(`${BW}: tensor "lengths" expected shape [3], received [3, 1]`);
    expect(decodeErr(set({ dtype: 'F32', shape: [3], data: new Float32Array([1, 1, 1]) }), ceAll)).toBe(`${BW}: tensor "lengths" expected dtype I32 or I64, received F32`);
    const last = batchFor(mseLast, 2, 4, [4, 3]);
    expect(decodeErr(edited(mseLast, last, (m) => m.set('lengths', { dtype: 'I32', shape: [2], data: new Int32Array([4, 2]) })), mseLast)).toBe(
      `${BW}: tensor "lengths" expected lengths of at least 3 (outputs "last" reads the last headSteps = 3 steps of each sequence), received 2 at [1]`,
    );
    expect(errorOf(() => encodeBatchFile({ ...last, lengths: [4, 0] }, mseLast))).toMatch(/^encodeBatchFile: tensor "lengths" expected sequence lengths in \[1, 4\]/);
  });

  it('never reads targets at padded positions: any value passes there, not elsewhere', () => {
    // softmax_ce, outputs all: −100 (PyTorch's ignore_index) and, in I64, values beyond int32.
    const input = batchFor(ceAll, 2, 4, [4, 2]);
    const y = Int32Array.from(input.y);
    y[6] = -100;
    y[7] = 99;
    const back = decodeBatchFile(encodeBatchFile({ ...input, y }, ceAll), ceAll, BW);
    expect(Array.from(back.y).slice(6)).toEqual([-100, 99]);
    const big = edited(ceAll, input, (m) => m.set('y', i64([2, 4], [0n, 1n, 2n, 3n, 1n, 1n, -(2n ** 62n), 2n ** 40n])));
    expect(Array.from(decodeBatchFile(big, ceAll, BW).y).slice(4)).toEqual([1, 1, -2147483648, 2147483647]);
    // At a valid position the same values are refused, naming y, the value and its position.
    y[5] = -100;
    expect(errorOf(() => encodeBatchFile({ ...input, y }, ceAll))).toBe('encodeBatchFile: tensor "y" expected class ids in [0, 4), received -100 at [1, 1]');
    const bigValid = edited(ceAll, input, (m) => m.set('y', i64([2, 4], [0n, 2n ** 40n, 2n, 3n, 1n, 1n, 0n, 0n])));
    expect(decodeErr(bigValid, ceAll)).toBe(`${BW}: tensor "y" expected class ids in [0, 4), received 1099511627776 at [0, 1]`);

    // mse and sigmoid_bce: NaN, Infinity, out-of-range values at padded steps of every target element.
    for (const config of [mseAll, bceAll]) {
      const inp = batchFor(config, 2, 3, [3, 1]);
      const yy = Float64Array.from(inp.y);
      yy.fill(NaN, 2 * 3 + 2 * 1); // row 1, steps 1..2, both C elements
      const ok = decodeBatchFile(encodeBatchFile({ ...inp, y: yy }, config, 'F64'), config, BW);
      expect(Number.isNaN(ok.y[11]!)).toBe(true);
      yy[1] = config.loss === 'mse' ? Infinity : 1.5;
      expect(errorOf(() => encodeBatchFile({ ...inp, y: yy }, config, 'F64'))).toMatch(
        config.loss === 'mse' ? /tensor "y" expected finite values \(mse targets\), received Infinity at \[0, 0, 1\]/ : /probabilities in \[0, 1\], received 1.5 at \[0, 0, 1\]/,
      );
    }
  });

  it('checks mse targets: floats, finite, [B, T, C] or [B, C]', () => {
    const input = batchFor(mseAll, 2, 3);
    expect(decodeErr(edited(mseAll, input, (m) => m.set('y', { dtype: 'I32', shape: [2, 3, 2], data: new Int32Array(12) })), mseAll)).toBe(
      `${BW}: tensor "y" expected dtype F32 or F64, received I32`,
    );
    expect(decodeErr(edited(mseAll, input, (m) => { m.get('y')!.data[3] = NaN; }), mseAll)).toBe(
      `${BW}: tensor "y" expected finite values (mse targets), received NaN at [0, 1, 1]`,
    );
    const last = batchFor(mseLast, 2, 3);
    expect(decodeErr(edited(mseLast, last, (m) => m.set('y', { dtype: 'F32', shape: [2, 3, 2], data: new Float32Array(12) })), mseLast)).toBe(
      `${BW}: tensor "y" expected shape [2, 2], received [2, 3, 2]`,
    );
    expect(Array.from(decodeBatchFile(encodeBatchFile(last, mseLast, 'F64'), mseLast, BW).y)).toEqual(Array.from(last.y));
  });

  it('checks token ids: integers [B, T] in [0, V), naming x, the id, its position and V', () => {
    const input = batchFor(tokens, 2, 3);
    const x = Int32Array.from(input.x as Int32Array);
    x[4] = 6;
    expect(errorOf(() => encodeBatchFile({ ...input, x }, tokens))).toBe(
      'encodeBatchFile: tensor "x" expected token ids in [0, 6) (vocabSize 6), received 6 at [1, 1]',
    );
    x[4] = -1;
    expect(errorOf(() => encodeBatchFile({ ...input, x }, tokens))).toMatch(/token ids in \[0, 6\) \(vocabSize 6\), received -1 at \[1, 1\]/);
    expect(decodeErr(edited(tokens, input, (m) => m.set('x', i64([2, 3], [0n, 1n, 2n, 3n, 4n, 2n ** 32n]))), tokens)).toBe(
      `${BW}: tensor "x" expected token ids in [0, 6) (vocabSize 6), received 4294967296 at [1, 2]`,
    );
    expect(Array.from(decodeBatchFile(edited(tokens, input, (m) => m.set('x', i64([2, 3], [0n, 1n, 2n, 3n, 4n, 5n]))), tokens, BW).x)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(decodeErr(edited(tokens, input, (m) => m.set('x', { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) })), tokens)).toBe(
      `${BW}: tensor "x" expected dtype I32 or I64 (token ids, inputKind "tokens"), received F32`,
    );
    expect(decodeErr(edited(tokens, input, (m) => m.set('x', { dtype: 'I32', shape: [2, 3, 3], data: new Int32Array(18) })), tokens)).toBe(
      `${BW}: tensor "x" expected rank 2 [B, T] of token ids, received shape [2, 3, 3]`,
    );
    expect(errorOf(() => encodeBatchFile({ ...input, x: Float64Array.from(input.x) }, tokens))).toBe(
      'encodeBatchFile: x expected an Int32Array of token ids (inputKind "tokens"), received Float64Array',
    );
    // Features refuse integer x as before.
    const feat = batchFor(ceAll, 2, 3);
    expect(decodeErr(edited(ceAll, feat, (m) => m.set('x', { dtype: 'I32', shape: [2, 3, 2], data: new Int32Array(12) })), ceAll)).toBe(
      `${BW}: tensor "x" expected dtype F32 or F64, received I32`,
    );
  });

  it('blames a time-major x on x ("did you pass [T, B, I]?"), not on the tensors that disagree with it', () => {
    const input = batchFor(ceAll, 3, 5, [5, 4, 2]);
    const f = edited(ceAll, input, (m) => {
      const x = m.get('x')!;
      m.set('x', { ...x, shape: [5, 3, 2] });
    });
    expect(decodeErr(f, ceAll)).toBe(
      `${BW}: tensor "x" expected batch-first [B, T, I], received [5, 3, 2], which the other tensors read as [T, B, I]: did you pass [T, B, I]?`,
    );
    const tok = edited(tokens, batchFor(tokens, 2, 4), (m) => {
      const x = m.get('x')!;
      m.set('x', { ...x, shape: [4, 2] });
    });
    expect(decodeErr(tok, tokens)).toMatch(/tensor "x" expected batch-first \[B, T\], received \[4, 2\].*did you pass \[T, B\]\?/);
    // A y that is simply wrong is still blamed on y.
    const wrongY = edited(ceAll, batchFor(ceAll, 3, 5), (m) => m.set('y', { dtype: 'I32', shape: [3, 4], data: new Int32Array(12) }));
    expect(decodeErr(wrongY, ceAll)).toBe(`${BW}: tensor "y" expected shape [3, 5], received [3, 4]`);
  });

  it('refuses floats that F32 cannot hold when writing F32', () => {
    const input = batchFor(mseAll, 2, 3);
    const x = Float64Array.from(input.x as Float64Array);
    x[7] = -1e39;
    expect(errorOf(() => encodeBatchFile({ ...input, x }, mseAll))).toMatch(/^encodeBatchFile: tensor "x" holds -1e\+39 at \[1, 0, 1\], outside the float32 range/);
    expect(decodeBatchFile(encodeBatchFile({ ...input, x }, mseAll, 'F64'), mseAll, BW).x[7]).toBe(-1e39);
  });
});
