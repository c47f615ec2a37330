/**
 * The part of onnx.proto (package `onnx`, syntax proto2) that an exported model uses: the plain
 * object types the graph builder fills in, and their encoding by protobufjs (a maintained protobuf
 * library; its `light` build, the reflection runtime without the .proto parser, so nothing
 * Node-only reaches a browser bundle). Field numbers, types and `[packed = true]` are copied from
 * the official onnx/onnx.proto; messages and fields we never write are left out (a reader skips
 * unknown fields, and one with the full schema reads these bytes unchanged).
 *
 * `edition: 'proto2'` on every message is required: protobufjs 8 reads a JSON type without it as
 * proto3 (repeated scalars packed, empty strings and zeros skipped), which is not onnx.proto's
 * syntax. As proto2: every repeated scalar is unpacked (TensorProto.dims, AttributeProto.ints,
 * floats, strings) except the `*_data` fields marked `[packed = true]`, and a field that is set is
 * written even when empty or zero (OperatorSetIdProto.domain ""). Tensors are written with
 * `raw_data` (little-endian) by the builder.
 */
import protobuf from 'protobufjs/light.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// Plain-object shapes of the messages (camelCase names of onnx.proto's snake_case fields; int64 as
// safe-integer numbers). An absent (undefined) field is not written.
export interface TensorMsg {
  name: string; dims: number[]; dataType: DataTypeValue; rawData?: Uint8Array; docString?: string;
  floatData?: number[]; int32Data?: number[]; int64Data?: number[];
}
/** TensorShapeProto.Dimension: set one of dimValue, dimParam (a oneof in onnx.proto). */
export interface DimMsg { dimValue?: number; dimParam?: string; denotation?: string }
export interface ShapeMsg { dim: DimMsg[] }
export interface TensorTypeMsg { elemType: DataTypeValue; shape?: ShapeMsg }
export interface TypeMsg { tensorType: TensorTypeMsg; denotation?: string }
export interface ValueInfoMsg { name: string; type: TypeMsg; docString?: string }
export interface AttributeMsg {
  name: string; type: number;
  f?: number; i?: number; s?: Uint8Array; t?: TensorMsg; g?: GraphMsg; floats?: number[]; ints?: number[]; strings?: Uint8Array[];
}
export interface NodeMsg { input: string[]; output: string[]; name: string; opType: string; attribute: AttributeMsg[]; domain?: string; docString?: string }
export interface GraphMsg {
  name: string; node: NodeMsg[]; initializer: TensorMsg[]; input: ValueInfoMsg[]; output: ValueInfoMsg[];
  valueInfo?: ValueInfoMsg[]; docString?: string;
}
export interface OperatorSetIdMsg { domain?: string; version: number }
export interface StringStringEntryMsg { key: string; value: string }
export interface ModelMsg {
  irVersion: number; opsetImport: OperatorSetIdMsg[];
  producerName: string; producerVersion: string; domain?: string; modelVersion?: number; docString?: string; graph: GraphMsg;
  metadataProps?: StringStringEntryMsg[];
}

const packed = { packed: true };
const proto2 = 'proto2';

/** onnx.proto's messages as a protobufjs JSON descriptor (field numbers, types and packing as declared there). */
export const onnxDescriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          edition: proto2,
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          edition: proto2,
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        NodeProto: {
          edition: proto2,
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
          },
        },
        ModelProto: {
          edition: proto2,
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        StringStringEntryProto: {
          edition: proto2,
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        GraphProto: {
          edition: proto2,
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        TensorProto: {
          edition: proto2,
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: packed },
            int32Data: { rule: 'repeated', type: 'int32', id: 5, options: packed },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: packed },
            name: { type: 'string', id: 8 },
            docString: { type: 'string', id: 12 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        TensorShapeProto: {
          edition: proto2,
          fields: {
            dim: { rule: 'repeated', type: 'Dimension', id: 1 },
          },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: { type: 'int64', id: 1 },
                dimParam: { type: 'string', id: 2 },
                denotation: { type: 'string', id: 3 },
              },
            },
          },
        },
        TypeProto: {
          edition: proto2,
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: {
            tensorType: { type: 'Tensor', id: 1 },
            denotation: { type: 'string', id: 6 },
          },
          nested: {
            Tensor: {
              fields: {
                elemType: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
        OperatorSetIdProto: {
          edition: proto2,
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
      },
    },
  },
};

let root: protobuf.Root | null = null;

/** A message type of the descriptor, e.g. 'ModelProto' (the root is built once). */
export function onnxType(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(onnxDescriptor);
  return root.lookupType(`onnx.${name}`);
}

/** The wire bytes of a ModelProto. */
export function encodeModelProto(model: ModelMsg): Uint8Array {
  const T = onnxType('ModelProto');
  return T.encode(T.fromObject(model)).finish();
}

/** ModelProto bytes as plain objects (int64 as numbers, absent fields left out): for tests and tools. */
export function decodeModelProto(bytes: Uint8Array): ModelMsg {
  const T = onnxType('ModelProto');
  return T.toObject(T.decode(bytes), { longs: Number }) as ModelMsg;
}
