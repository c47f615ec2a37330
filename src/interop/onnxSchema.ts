/**
 * The part of onnx.proto (package `onnx`, syntax proto2) that an exported model uses: the plain
 * object types the graph builder fills in, their field tables for protoWriter.ts, and the encoder.
 * Field numbers, types and packing are copied from the official onnx/onnx.proto (each line quotes
 * the declaration); messages and fields we never write are left out (a reader skips unknown fields,
 * and one with the full schema reads these bytes unchanged).
 *
 * As onnx.proto declares them (proto2): every repeated scalar is unpacked (one key per element:
 * TensorProto.dims, AttributeProto.ints, floats, strings) except the `*_data` fields marked
 * `[packed = true]` (float_data, int32_data, int64_data). Tensors are written with `raw_data`
 * (little-endian) by the builder. AttributeProto.type is an enum (AttributeType) and data_type /
 * elem_type are int32 holding TensorProto.DataType values: all varints on the wire.
 */
import { encodeMessage, message, optional, packed, repeated, type MessageType } from './protoWriter.js';

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

// The field tables: `optional` / `repeated` / `packed` as in onnx.proto, with its field numbers.
const Tensor: MessageType<TensorMsg> = message<TensorMsg>('TensorProto', {
  dims: repeated.int64(1), //        repeated int64 dims = 1;
  dataType: optional.int32(2), //    optional int32 data_type = 2;
  floatData: packed.float(4), //     repeated float float_data = 4 [packed = true];
  int32Data: packed.int32(5), //     repeated int32 int32_data = 5 [packed = true];
  int64Data: packed.int64(7), //     repeated int64 int64_data = 7 [packed = true];
  name: optional.string(8), //       optional string name = 8;
  rawData: optional.bytes(9), //     optional bytes raw_data = 9;
  docString: optional.string(12), // optional string doc_string = 12;
});

const Dimension: MessageType<DimMsg> = message<DimMsg>('TensorShapeProto.Dimension', {
  dimValue: optional.int64(1), //    oneof value { int64 dim_value = 1;
  dimParam: optional.string(2), //                 string dim_param = 2; }
  denotation: optional.string(3), // optional string denotation = 3;
});

const Shape: MessageType<ShapeMsg> = message<ShapeMsg>('TensorShapeProto', {
  dim: repeated.message(1, () => Dimension), // repeated Dimension dim = 1;
});

const TensorType: MessageType<TensorTypeMsg> = message<TensorTypeMsg>('TypeProto.Tensor', {
  elemType: optional.int32(1), //              optional int32 elem_type = 1;
  shape: optional.message(2, () => Shape), //  optional TensorShapeProto shape = 2;
});

const Type: MessageType<TypeMsg> = message<TypeMsg>('TypeProto', {
  tensorType: optional.message(1, () => TensorType), // oneof value { Tensor tensor_type = 1; … }
  denotation: optional.string(6), //                    optional string denotation = 6;
});

const ValueInfo: MessageType<ValueInfoMsg> = message<ValueInfoMsg>('ValueInfoProto', {
  name: optional.string(1), //                 optional string name = 1;
  type: optional.message(2, () => Type), //    optional TypeProto type = 2;
  docString: optional.string(3), //            optional string doc_string = 3;
});

const Attribute: MessageType<AttributeMsg> = message<AttributeMsg>('AttributeProto', {
  name: optional.string(1), //                 optional string name = 1;
  f: optional.float(2), //                     optional float f = 2;
  i: optional.int64(3), //                     optional int64 i = 3;
  s: optional.bytes(4), //                     optional bytes s = 4;
  t: optional.message(5, () => Tensor), //     optional TensorProto t = 5;
  g: optional.message(6, () => Graph), //      optional GraphProto g = 6;
  floats: repeated.float(7), //                repeated float floats = 7;
  ints: repeated.int64(8), //                  repeated int64 ints = 8;
  strings: repeated.bytes(9), //               repeated bytes strings = 9;
  type: optional.int32(20), //                 optional AttributeType type = 20; (an enum: a varint)
});

const Node: MessageType<NodeMsg> = message<NodeMsg>('NodeProto', {
  input: repeated.string(1), //                       repeated string input = 1;
  output: repeated.string(2), //                      repeated string output = 2;
  name: optional.string(3), //                        optional string name = 3;
  opType: optional.string(4), //                      optional string op_type = 4;
  attribute: repeated.message(5, () => Attribute), // repeated AttributeProto attribute = 5;
  docString: optional.string(6), //                   optional string doc_string = 6;
  domain: optional.string(7), //                      optional string domain = 7;
});

const Graph: MessageType<GraphMsg> = message<GraphMsg>('GraphProto', {
  node: repeated.message(1, () => Node), //               repeated NodeProto node = 1;
  name: optional.string(2), //                            optional string name = 2;
  initializer: repeated.message(5, () => Tensor), //      repeated TensorProto initializer = 5;
  docString: optional.string(10), //                      optional string doc_string = 10;
  input: repeated.message(11, () => ValueInfo), //        repeated ValueInfoProto input = 11;
  output: repeated.message(12, () => ValueInfo), //       repeated ValueInfoProto output = 12;
  valueInfo: repeated.message(13, () => ValueInfo), //    repeated ValueInfoProto value_info = 13;
});

const OperatorSetId: MessageType<OperatorSetIdMsg> = message<OperatorSetIdMsg>('OperatorSetIdProto', {
  domain: optional.string(1), //  optional string domain = 1;
  version: optional.int64(2), //  optional int64 version = 2;
});

const StringStringEntry: MessageType<StringStringEntryMsg> = message<StringStringEntryMsg>('StringStringEntryProto', {
  key: optional.string(1), //    optional string key = 1;
  value: optional.string(2), //  optional string value = 2;
});

const Model: MessageType<ModelMsg> = message<ModelMsg>('ModelProto', {
  irVersion: optional.int64(1), //                                  optional int64 ir_version = 1;
  producerName: optional.string(2), //                              optional string producer_name = 2;
  producerVersion: optional.string(3), //                           optional string producer_version = 3;
  domain: optional.string(4), //                                    optional string domain = 4;
  modelVersion: optional.int64(5), //                               optional int64 model_version = 5;
  docString: optional.string(6), //                                 optional string doc_string = 6;
  graph: optional.message(7, () => Graph), //                       optional GraphProto graph = 7;
  opsetImport: repeated.message(8, () => OperatorSetId), //         repeated OperatorSetIdProto opset_import = 8;
  metadataProps: repeated.message(14, () => StringStringEntry), //  repeated StringStringEntryProto metadata_props = 14;
});

/** The wire bytes of a ModelProto. */
export function encodeModelProto(model: ModelMsg): Uint8Array {
  return encodeMessage(Model, model);
}
