/**
 * src/interop/protoWriter.ts (the hand-written protobuf writer) and the ONNX field tables of
 * src/interop/onnxSchema.ts, checked three ways:
 *   1. varints and keys against bytes written out by hand from the wire-format spec
 *      (https://protobuf.dev/programming-guides/encoding/), and varints against protobufjs's Writer;
 *   2. every field kind and rule (optional with explicit presence, unpacked repeated, packed) on a
 *      small table, against hand-written bytes;
 *   3. ONNX messages: byte-for-byte what protobufjs (a dev dependency, with the proto2 descriptor of
 *      test/fixtures/onnxProtobufjs.ts) encodes for the same plain objects, for a message that
 *      uses every field of the tables and for exported models (decoded by protobufjs, re-encoded by
 *      both, equal to the exported bytes).
 * The exported models also run in onnxruntime (test/interop-onnx.test.ts).
 */
import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light.js';
import { CpuEngine } from '../src/cpu/engine.js';
import type { ModelConfig } from '../src/config.js';
import { exportOnnx, type OnnxExportOptions } from '../src/interop/onnx.js';
import { GraphBuilder } from '../src/interop/onnxGraph.js';
import { AttributeType, DataType, encodeModelProto, type ModelMsg } from '../src/interop/onnxSchema.js';
import { encodeMessage, message, optional, packed, ProtoSink, repeated, utf8Length, varintSize } from '../src/interop/protoWriter.js';
import { decodeModelProto, onnxType, protobufjsEncodeModel } from './fixtures/onnxProtobufjs.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function varint(v: number): Uint8Array {
  const w = new ProtoSink(varintSize(v));
  w.varint(v);
  expect(w.pos).toBe(w.buf.length);
  return w.buf;
}

describe('protoWriter: varints', () => {
  // Spec bytes: 7 bits a byte, least significant first, high bit = "more"; negatives as 64-bit two's complement.
  const cases: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [150, '9601'], // the spec's own example
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 21 - 1, 'ffff7f'],
    [2 ** 21, '80808001'],
    [2 ** 28, '8080808001'],
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 31, '8080808008'],
    [2 ** 32, '8080808010'],
    [2 ** 53 - 1, 'ffffffffffffff0f'],
    [-1, 'ffffffffffffffffff01'],
    [-2, 'feffffffffffffffff01'],
    [-128, '80ffffffffffffffff01'],
    [-(2 ** 31), '80808080f8ffffffff01'],
    [-(2 ** 53 - 1), '81808080808080f0ff01'], // 2^64 − 2^53 + 1: bit 0, then bits 53…63
  ];
  for (const [v, want] of cases) {
    it(`${v} → ${want}`, () => {
      expect(hex(varint(v))).toBe(want);
      expect(varintSize(v)).toBe(want.length / 2);
    });
  }

  it('agrees with protobufjs Writer.int64 on powers of two ± 1 and random safe integers, both signs', () => {
    const values: number[] = [];
    for (let k = 0; k <= 53; k++) for (const d of [-1, 0, 1]) if (2 ** k + d <= Number.MAX_SAFE_INTEGER) values.push(2 ** k + d);
    let s = 12345;
    for (let i = 0; i < 200; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      values.push(Math.floor((s / 2 ** 31) * 2 ** (i % 54)));
    }
    for (const v of [...values, ...values.map((x) => -x)]) {
      if (!Number.isSafeInteger(v)) continue;
      const want = protobuf.Writer.create().int64(v).finish();
      expect(hex(varint(v)), `varint ${v}`).toBe(hex(want));
    }
  });

  it('int32 negatives are sign-extended to 10 bytes, as protobufjs writes them', () => {
    for (const v of [-1, -5, -(2 ** 31)]) expect(hex(varint(v))).toBe(hex(protobuf.Writer.create().int32(v).finish()));
  });

  it('utf8Length counts what TextEncoder writes (BMP, astral, lone surrogates)', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800', 'x\udc00y', '\ud800\ud800']) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe('protoWriter: fields', () => {
  interface Sub { v?: number }
  interface Msg { a?: number; b?: string; c?: number[]; d?: number[]; e?: number; f?: Sub; g?: Uint8Array[]; h?: number[]; i?: Sub[]; big?: number }
  const SubT = message<Sub>('Sub', { v: optional.int32(1) });
  const T = message<Msg>('Msg', {
    // declared out of order on purpose: written by field number
    big: optional.int64(300),
    i: repeated.message(9, () => SubT),
    a: optional.int64(1),
    b: optional.string(2),
    c: repeated.int64(3),
    d: packed.int64(4),
    e: optional.float(5),
    f: optional.message(6, () => SubT),
    g: repeated.bytes(7),
    h: packed.float(8),
  });

  it('writes each kind and rule as the spec says', () => {
    const bytes = encodeMessage(T, {
      i: [{ v: 1 }, {}], big: 1, a: -1, b: 'é', c: [1, 300], d: [1, 300], e: 1.5, f: { v: 0 }, g: [new Uint8Array([7]), new Uint8Array(0)], h: [1, -2],
    });
    expect(hex(bytes)).toBe([
      '08', 'ffffffffffffffffff01', //  1 varint: -1, ten bytes
      '12', '02', 'c3a9', //           2 len: "é" in UTF-8
      '1801', '18ac02', //             3 unpacked: one key (3·8+0 = 0x18) per element
      '22', '03', '01ac02', //         4 packed: one key (4·8+2 = 0x22), length 3, the varints
      '2d', '0000c03f', //             5 fixed32: 1.5f little-endian
      '32', '02', '0800', //           6 sub-message {v: 0}: a set 0 is written (explicit presence)
      '3a0107', '3a00', //             7 repeated bytes, an empty element kept
      '42', '08', '0000803f', '000000c0', // 8 packed floats [1, -2]
      '4a020801', '4a00', //           9 repeated messages, an empty one kept
      'e012', '01', //                 300: key varint(300·8) = e0 12
    ].join(''));
  });

  it('leaves out undefined and null fields and empty repeated ones; keeps a set empty string', () => {
    expect(hex(encodeMessage(T, {}))).toBe('');
    expect(hex(encodeMessage(T, { a: undefined, c: [], d: [], g: [], f: null as never, b: '' }))).toBe('1200');
  });

  it('refuses a value that does not fit its field, naming the path, before writing', () => {
    expect(() => encodeMessage(T, { a: 2 ** 53 })).toThrow('protoWriter: Msg.a must be an int64 given as a safe integer (|v| <= 2^53 - 1), received 9007199254740992');
    expect(() => encodeMessage(T, { i: [{ v: 1.5 }] })).toThrow('protoWriter: Msg.i[0].v must be an int32 (an integer in [-2^31, 2^31 - 1]), received 1.5');
    expect(() => encodeMessage(T, { b: 3 as never })).toThrow('protoWriter: Msg.b must be a string, received 3');
    expect(() => encodeMessage(T, { c: 5 as never })).toThrow('protoWriter: Msg.c must be a list (repeated field), received number');
  });

  it('refuses a table with a repeated field number or a packed string', () => {
    expect(() => message<{ x?: number; y?: number }>('Bad', { x: optional.int32(1), y: optional.int64(1) })).toThrow('protoWriter: Bad: field number 1 is used by both x and y');
    expect(() => message<{ s?: string[] }>('Bad', { s: { no: 1, kind: 'string', rule: 'packed' } })).toThrow(/only a numeric field can be packed/);
  });
});

const utf8 = new TextEncoder();

/** A ModelMsg that uses every field of the tables, with edge values (negatives, zeros, empty and non-ASCII strings). */
function everyField(): ModelMsg {
  const body = new GraphBuilder();
  body.input('s_in', DataType.FLOAT, [2, 'n'], 'body input');
  body.op1('Identity', ['s_in'], {}, 's_out');
  body.output('s_out', DataType.FLOAT, [2, 'n']);
  const g = new GraphBuilder();
  g.input('x', DataType.FLOAT, ['batch', 0, 3], 'x — features, ünïcode 😀');
  g.floatTensor('w', [2, 3], [0, -0, 1.5, -2.25, 3e38, 1e-40]);
  g.ints('axes', [-1, 0, 2 ** 40, -(2 ** 40)]);
  g.op('Scan', ['x'], {
    num_scan_inputs: 1, axis: -1, zero: 0, perm: [1, 0, -2], names: ['a', '', 'é'], label: '', body: body.graph('body', 'the body'),
  }, ['y', 'z'], 'scan');
  g.output('y', DataType.INT64, ['batch']);
  const graph = g.graph('g', 'doc');
  graph.node[0]!.domain = '';
  graph.node[0]!.docString = 'node doc';
  graph.node[0]!.attribute.push(
    { name: 'f', type: AttributeType.FLOAT, f: -0.5 },
    { name: 'f0', type: AttributeType.FLOAT, f: 0 },
    { name: 'fs', type: AttributeType.FLOATS, floats: [1, -1.25, 0] },
    { name: 'bytes', type: AttributeType.STRING, s: new Uint8Array(0) },
    { name: 't', type: AttributeType.TENSOR, t: { name: 't', dims: [], dataType: DataType.INT32, int32Data: [-1, 0, 2 ** 31 - 1] } },
  );
  graph.initializer.push(
    { name: 'fd', dims: [3], dataType: DataType.FLOAT, floatData: [1, 2.5, -3], docString: '' },
    { name: 'id', dims: [0], dataType: DataType.INT64, int64Data: [-(2 ** 53 - 1), 0, 2 ** 53 - 1], rawData: new Uint8Array(0) },
  );
  graph.valueInfo = [{ name: 'v', type: { tensorType: { elemType: DataType.BOOL, shape: { dim: [{ dimValue: 0 }, { dimParam: '', denotation: 'DATA_BATCH' }] } }, denotation: 'TENSOR' } }];
  return {
    irVersion: 7, opsetImport: [{ domain: '', version: 14 }, { domain: 'ai.onnx.ml', version: 0 }, { version: 3 }],
    producerName: 'p', producerVersion: '', domain: 'd', modelVersion: -3, docString: 'm€', graph,
    metadataProps: [{ key: 'k', value: JSON.stringify({ a: [1, 2], b: 'é' }) }, { key: '', value: '' }],
  };
}

describe('ONNX messages: the same bytes as protobufjs with onnx.proto (proto2)', () => {
  it('a message using every field of the tables', () => {
    const m = everyField();
    const ours = encodeModelProto(m);
    expect(hex(ours)).toBe(hex(protobufjsEncodeModel(m)));
    // and it decodes back to the same objects (strings from utf8 bytes as given)
    const back = decodeModelProto(ours);
    expect(back.graph.node[0]!.attribute.find((a) => a.name === 'names')!.strings!.map((b) => new TextDecoder().decode(b))).toEqual(['a', '', 'é']);
    expect(back.graph.initializer.find((t) => t.name === 'id')!.int64Data).toEqual([-(2 ** 53 - 1), 0, 2 ** 53 - 1]);
    expect(back.modelVersion).toBe(-3);
    expect(back.graph.input[0]!.docString).toBe('x — features, ünïcode 😀');
  });

  it('TensorProto.dims and AttributeProto.ints are unpacked, the *_data fields packed (as onnx.proto declares)', () => {
    const T = onnxType('TensorProto');
    const model = encodeModelProto({ irVersion: 7, opsetImport: [], producerName: '', producerVersion: '', graph: {
      name: '', node: [{ input: [], output: [], name: '', opType: 'X', attribute: [{ name: 'p', type: AttributeType.INTS, ints: [2, 3] }] }],
      initializer: [{ name: 't', dims: [2, 3], dataType: DataType.INT64, int64Data: [4, 5] }], input: [], output: [] } });
    const tensorBytes = T.encode(T.fromObject({ name: 't', dims: [2, 3], dataType: DataType.INT64, int64Data: [4, 5] })).finish();
    // dims: 08 02 08 03 (key 1·8+0 per element); data_type 10 07; int64_data: 3a 02 04 05 (key 7·8+2, length 2); name 42 01 74
    expect(hex(tensorBytes)).toBe('08020803' + '1007' + '3a020405' + '420174');
    // in the model: initializer (key 5·8+2 = 2a), 13 bytes
    expect(hex(model)).toContain('2a' + '0d' + '08020803' + '1007' + '3a020405' + '420174');
    // AttributeProto: name "p", ints: 40 02 40 03 (key 8·8+0 per element), type 20: a0 01 07
    expect(hex(model)).toContain('0a0170' + '40024003' + 'a00107');
  });

  const engine = new CpuEngine();
  const exports: Array<[string, ModelConfig, OnnxExportOptions?]> = [
    ['lstm L2 all, lengths and state inputs', { cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 5, loss: 'softmax_ce', outputs: 'all' }, { lengths: true, stateInputs: true }],
    ['gru L1 last headSteps 2 tokens, opset 20', { cell: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 1, outputSize: 2, loss: 'sigmoid_bce', outputs: 'last', headSteps: 2, inputKind: 'tokens', vocabSize: 7 }, { opset: 20, lengths: true }],
    ['lstm L2 all ch (Scan subgraph), learned state', { cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 2, loss: 'mse', outputs: 'all', headFrom: 'ch', learnedInitialState: true }, { lengths: true }],
    ['rnn_relu L1 last', { cell: 'rnn_relu', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'softmax_ce', outputs: 'last' }],
  ];
  for (const [name, cfg, opts] of exports) {
    it(`exported model round-trips: ${name}`, async () => {
      const model = engine.createModel({ ...cfg, seed: 3 });
      const bytes = exportOnnx(model.config, await model.getParameters(), opts);
      const decoded = decodeModelProto(bytes);
      expect(decoded.graph.node.length).toBeGreaterThan(3);
      expect(hex(protobufjsEncodeModel(decoded))).toBe(hex(bytes));
      expect(hex(encodeModelProto(decoded))).toBe(hex(bytes));
      expect(decoded.metadataProps![0]!.key).toBe('webgpu-lstm.config');
      expect(utf8.encode(decoded.metadataProps![0]!.value).length).toBeGreaterThan(10);
    });
  }
});
