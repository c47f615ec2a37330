/**
 * The part of onnx.proto (package `onnx`, proto2) that an exported model uses, as a protobufjs JSON
 * descriptor, and the one encoder built from it. Field numbers and types are copied from the
 * official onnx/onnx.proto; messages and fields we never write are left out (protobuf skips unknown
 * fields, so a decoder with the full schema reads these bytes unchanged).
 *
 * protobufjs/light is the reflection runtime without the .proto parser: no Node-only code is reached
 * (its optional `fs` is mapped away by the package's `browser` field), so this file can sit in the
 * browser bundle. As in onnx.proto (proto2), repeated scalars are unpacked except the `*_data`
 * fields that onnx.proto marks `[packed = true]`; tensors are written with `raw_data` only.
 */
import protobuf from 'protobufjs/light.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const packed = { packed: true };

const descriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
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
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        NodeProto: {
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
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        GraphProto: {
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
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
      },
    },
  },
};

// Plain-object shapes of the messages (camelCase field names, as protobufjs maps them).
export interface TensorMsg { name: string; dims: number[]; dataType: DataTypeValue; rawData: Uint8Array; docString?: string }
export interface DimMsg { dimValue?: number; dimParam?: string }
export interface ValueInfoMsg { name: string; type: { tensorType: { elemType: DataTypeValue; shape: { dim: DimMsg[] } } }; docString?: string }
export interface AttributeMsg {
  name: string; type: number;
  f?: number; i?: number; s?: Uint8Array; t?: TensorMsg; g?: GraphMsg; floats?: number[]; ints?: number[]; strings?: Uint8Array[];
}
export interface NodeMsg { input: string[]; output: string[]; name: string; opType: string; attribute: AttributeMsg[]; domain?: string }
export interface GraphMsg {
  name: string; node: NodeMsg[]; initializer: TensorMsg[]; input: ValueInfoMsg[]; output: ValueInfoMsg[];
  docString?: string;
}
export interface ModelMsg {
  irVersion: number; opsetImport: Array<{ domain: string; version: number }>;
  producerName: string; producerVersion: string; docString?: string; graph: GraphMsg;
  metadataProps?: Array<{ key: string; value: string }>;
}

let modelType: protobuf.Type | null = null;

/** The ModelProto type, built once on first use. */
function modelProto(): protobuf.Type {
  if (!modelType) modelType = protobuf.Root.fromJSON(descriptor).lookupType('onnx.ModelProto');
  return modelType;
}

/** The wire bytes of a ModelProto. */
export function encodeModelProto(model: ModelMsg): Uint8Array {
  const T = modelProto();
  return T.encode(T.fromObject(model)).finish();
}

/** Decodes bytes written by encodeModelProto back into plain objects (int64 as numbers), for tests. */
export function decodeModelProto(bytes: Uint8Array): ModelMsg {
  const T = modelProto();
  return T.toObject(T.decode(bytes), { longs: Number }) as ModelMsg;
}
