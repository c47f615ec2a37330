/**
 * The ONNX encoding is onnx.proto's proto2, not protobufjs's proto3 default (a JSON type without
 * `edition: 'proto2'` packs repeated scalars and skips empty strings and zeros): checked on the
 * wire bytes of small messages. The models themselves are checked in onnxruntime-node
 * (test/interop-onnx.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DataType, decodeModelProto, encodeModelProto, onnxType, type ModelMsg } from '../src/interop/onnxSchema.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tensorBytes = (o: object) => { const T = onnxType('TensorProto'); return T.encode(T.fromObject(o)).finish(); };

describe('onnx.proto wire format (proto2)', () => {
  it('TensorProto.dims is unpacked (one key per element); int64_data is packed', () => {
    expect(hex(tensorBytes({ dims: [2, 3], dataType: DataType.FLOAT }))).toBe('080208031001');
    expect(hex(tensorBytes({ dims: [], dataType: DataType.INT64, int64Data: [1, 2] }))).toBe('10073a020102');
  });

  it('a field set to an empty string or zero is written (OperatorSetIdProto.domain "")', () => {
    const T = onnxType('OperatorSetIdProto');
    expect(hex(T.encode(T.fromObject({ domain: '', version: 14 })).finish())).toBe('0a00100e');
  });

  it('a ModelProto decodes to what was encoded', () => {
    const m: ModelMsg = {
      irVersion: 8, opsetImport: [{ domain: '', version: 14 }], producerName: 'webgpu-lstm', producerVersion: '0.1.0',
      graph: { name: 'g', node: [{ input: ['x'], output: ['y'], name: 'n', opType: 'Relu', attribute: [] }], initializer: [], input: [], output: [] },
    };
    const back = decodeModelProto(encodeModelProto(m));
    expect(back.irVersion).toBe(8);
    expect(back.opsetImport).toEqual([{ domain: '', version: 14 }]);
    expect(back.graph.node[0]!.opType).toBe('Relu');
  });
});
