/**
 * A small builder for ONNX graphs: named initializers (little-endian raw_data), nodes with typed
 * attributes, and typed graph inputs and outputs with symbolic dimensions. It only assembles the
 * plain message objects of onnxSchema.ts, which encodes them (protobufjs).
 *
 * Value names are unique per builder: `fresh('lstm0_Y')` returns `lstm0_Y`, then `lstm0_Y_1`, …;
 * names chosen by the caller (graph inputs, outputs, initializers named after our parameters) are
 * reserved as they are added, so a generated name never shadows one of them. A subgraph's builder
 * (`child()`) shares the set, since ONNX forbids a subgraph value from shadowing an outer one.
 */
import {
  AttributeType, DataType, type AttributeMsg, type DataTypeValue, type DimMsg, type GraphMsg, type NodeMsg,
  type TensorMsg, type ValueInfoMsg,
} from './onnxSchema.js';

/**
 * An attribute value. A number is an INT (it must be an integer; no float attribute is needed
 * here), a string a STRING, an array of numbers INTS, an array of strings STRINGS, a graph GRAPH.
 */
export type AttrValue = number | string | number[] | string[] | GraphMsg;

/** A dimension of a graph input or output: a fixed size or a symbolic name ('batch', 'time'). */
export type Dim = number | string;

const utf8 = new TextEncoder();

function attribute(name: string, v: AttrValue): AttributeMsg {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`onnx attribute ${name}: expected an integer, received ${v}`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: utf8.encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x): x is string => typeof x === 'string')) {
      return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((x) => utf8.encode(x)) };
    }
    return { name, type: AttributeType.INTS, ints: v as number[] };
  }
  return { name, type: AttributeType.GRAPH, g: v };
}

/** float32 values as little-endian bytes (the raw_data layout onnx.proto prescribes). */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]!), true);
  return out;
}

function valueInfo(name: string, elemType: DataTypeValue, dims: readonly Dim[], docString?: string): ValueInfoMsg {
  const dim: DimMsg[] = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } }, ...(docString ? { docString } : {}) };
}

export class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  readonly inputs: ValueInfoMsg[] = [];
  readonly outputs: ValueInfoMsg[] = [];
  private readonly int64Memo = new Map<string, string>();

  /** `names` and the node counter are shared with a parent graph for a subgraph. */
  constructor(private readonly names: Set<string> = new Set(), private readonly counter = { nodes: 0 }) {}

  /** A builder for a subgraph (a Scan body) whose value and node names never collide with this graph's. */
  child(): GraphBuilder {
    return new GraphBuilder(this.names, this.counter);
  }

  /** Reserves an exact name; two values of one name would be a wrong graph, so that throws. */
  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx graph: the value name ${JSON.stringify(name)} is used twice`);
    this.names.add(name);
    return name;
  }

  /** A new unique value name starting with `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** A float32 initializer (values rounded from float64), named exactly `name`. */
  floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>, reserved = false): string {
    this.initializers.push({ name: reserved ? name : this.reserve(name), dims: [...dims], dataType: DataType.FLOAT, rawData: float32Bytes(values) });
    return name;
  }

  /** A float32 initializer with a fresh name from `base` (small constants). */
  floatConst(base: string, dims: readonly number[], values: ArrayLike<number>): string {
    return this.floatTensor(this.fresh(base), dims, values, true);
  }

  /**
   * An int64 initializer with a fresh name from `base` (shapes, axes, indices); one initializer per
   * distinct (dims, values) in this graph, whatever the base.
   */
  int64Tensor(base: string, dims: readonly number[], values: readonly number[]): string {
    const key = `${dims.join(',')}:${values.join(',')}`;
    const known = this.int64Memo.get(key);
    if (known) return known;
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [...dims], dataType: DataType.INT64, rawData: int64Bytes(values) });
    this.int64Memo.set(key, name);
    return name;
  }

  /** A 1-D int64 constant. */
  ints(base: string, values: readonly number[]): string {
    return this.int64Tensor(base, [values.length], values);
  }

  /**
   * Appends a node and returns its output names: `outputs` gives each output's name (an exact name
   * such as a graph output, or `null`/omitted for a fresh one from the node's name), or a count.
   * An empty string in `inputs` is an omitted optional input, as ONNX writes it.
   */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs: number | ReadonlyArray<string | null> = 1, label = opType): string[] {
    const nodeName = `${label}_${this.counter.nodes++}`;
    const spec = typeof outputs === 'number' ? Array.from({ length: outputs }, () => null) : outputs;
    const outNames = spec.map((o, i) => (o === null ? this.fresh(spec.length === 1 ? `${label}_out` : `${label}_out${i}`) : this.reserve(o)));
    this.nodes.push({
      input: [...inputs], output: outNames, name: nodeName, opType,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outNames;
  }

  /** A node with one output; returns its name. */
  op1(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output: string | null = null, label = opType): string {
    return this.op(opType, inputs, attrs, [output], label)[0]!;
  }

  input(name: string, elemType: DataTypeValue, dims: readonly Dim[], docString?: string): string {
    // A graph input may share its name with an initializer (its default value): reserved once.
    if (!this.names.has(name)) this.reserve(name);
    this.inputs.push(valueInfo(name, elemType, dims, docString));
    return name;
  }

  /** Declares `name` (already produced by a node) as a graph output. */
  output(name: string, elemType: DataTypeValue, dims: readonly Dim[], docString?: string): void {
    this.outputs.push(valueInfo(name, elemType, dims, docString));
  }

  graph(name: string, docString?: string): GraphMsg {
    return {
      name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs,
      ...(docString ? { docString } : {}),
    };
  }
}
