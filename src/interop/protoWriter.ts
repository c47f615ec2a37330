/**
 * A small protocol-buffers writer (the binary wire format of
 * https://protobuf.dev/programming-guides/encoding/), enough for the ONNX export: a message type is
 * a table of fields (number, scalar kind or sub-message, rule), and `encodeMessage` writes a plain
 * object of that type. No reflection runtime, no decoder, no Node-only code.
 *
 * Wire format. Each field present is a key, varint(number·8 + wire type), then its value:
 *   wire 0 (varint)            int32, int64: 7 bits a byte, least significant first, the high bit
 *                              set on every byte but the last. A negative value is its 64-bit
 *                              two's complement, so always 10 bytes (int32 too: it is sign-extended
 *                              to 64 bits, as the spec says, so a reader of either width agrees).
 *   wire 5 (fixed32)           float: 4 bytes, IEEE 754 binary32, little-endian.
 *   wire 2 (length-delimited)  string (UTF-8), bytes, a sub-message, or a packed repeated scalar:
 *                              varint(byte length), then the bytes.
 * Rules (proto2 semantics, the syntax of onnx.proto):
 *   optional  written when the value is neither undefined nor null (explicit presence: an empty
 *             string or a 0 that is set is written, as proto2 writers do).
 *   repeated  one key + value per element ("unpacked"), the proto2 default for every repeated field.
 *   packed    one key, then varint(payload length) and the elements back to back; only for a
 *             repeated numeric field that its .proto marks `[packed = true]`.
 *   A repeated or packed field with no elements is not written at all.
 * Fields are written in increasing field-number order, whatever order the table lists them in (the
 * spec's recommendation, and what the common protobuf runtimes do), so equal messages give equal bytes.
 *
 * Two passes: the sizes of every (sub-)message are computed first (and every value is checked
 * there, so nothing is written for a wrong message), then one buffer of the exact total size is
 * filled front to back; each length prefix is known when it is written and nothing is copied twice
 * (raw tensor bytes, up to the 2 GiB protobuf limit, are copied once into the output).
 *
 * Numbers are JS numbers: int64 values must be safe integers (|v| ≤ 2^53 − 1), int32 values in
 * [−2^31, 2^31 − 1]. Strings are written as UTF-8 by TextEncoder (a lone surrogate becomes U+FFFD,
 * 3 bytes; the size pass counts it the same way).
 */

/** The scalar kinds used by onnx.proto's fields that the export writes. */
export type NumberKind = 'int32' | 'int64' | 'float';
export type ScalarKind = NumberKind | 'string' | 'bytes';

/** An optional scalar field. */
export interface SingularField<K extends ScalarKind = ScalarKind> { readonly no: number; readonly kind: K; readonly rule: 'optional' }
/** A repeated scalar field: `repeated` (unpacked, proto2's default) or `packed` (numeric only). */
export interface RepeatedField<K extends ScalarKind = ScalarKind> { readonly no: number; readonly kind: K; readonly rule: 'repeated' | 'packed' }
/** A sub-message field, optional or repeated (messages are never packed). */
export interface MessageField<T = unknown> {
  readonly no: number; readonly kind: 'message'; readonly rule: 'optional' | 'repeated';
  /** A thunk, so that mutually recursive types (a graph inside an attribute inside a graph) can be declared. */
  readonly type: () => MessageType<T>;
}
export type Field = SingularField | RepeatedField | MessageField;

/** The field spec a value of type V needs: a compile-time check that a table matches its interface. */
export type FieldFor<V> =
  V extends readonly (infer E)[]
    ? E extends string ? RepeatedField<'string'>
      : E extends number ? RepeatedField<NumberKind>
        : E extends Uint8Array ? RepeatedField<'bytes'>
          : MessageField<E> & { readonly rule: 'repeated' }
    : V extends string ? SingularField<'string'>
      : V extends number ? SingularField<NumberKind>
        : V extends Uint8Array ? SingularField<'bytes'>
          : MessageField<V> & { readonly rule: 'optional' };

export interface MessageType<M = unknown> {
  /** The message's name in its .proto, for error messages. */
  readonly name: string;
  /** [property name, field], sorted by field number. */
  readonly fields: ReadonlyArray<readonly [string, Field]>;
  /** Phantom (never set): ties the table to its plain-object type. */
  readonly _message?: M;
}

const MAX_FIELD_NUMBER = 2 ** 29 - 1;

/**
 * A message type from its field table (keys are the plain object's property names). Throws when a
 * field number is repeated or out of [1, 2^29 − 1], or a non-numeric field is marked packed.
 */
export function message<M extends object>(name: string, table: { readonly [K in keyof M]-?: FieldFor<NonNullable<M[K]>> }): MessageType<M> {
  const fields = (Object.entries(table) as Array<[string, Field]>).sort((a, b) => a[1].no - b[1].no);
  for (let i = 0; i < fields.length; i++) {
    const [key, f] = fields[i]!;
    if (!Number.isInteger(f.no) || f.no < 1 || f.no > MAX_FIELD_NUMBER) {
      throw new Error(`protoWriter: ${name}.${key} field number must be an integer in [1, ${MAX_FIELD_NUMBER}], received ${f.no}`);
    }
    if (i > 0 && fields[i - 1]![1].no === f.no) throw new Error(`protoWriter: ${name}: field number ${f.no} is used by both ${fields[i - 1]![0]} and ${key}`);
    if (f.rule === 'packed' && f.kind !== 'int32' && f.kind !== 'int64' && f.kind !== 'float') {
      throw new Error(`protoWriter: ${name}.${key}: only a numeric field can be packed, received kind ${f.kind}`);
    }
  }
  return { name, fields };
}

// Field constructors, named after the .proto declarations they stand for.
export const optional = {
  int32: (no: number): SingularField<'int32'> => ({ no, kind: 'int32', rule: 'optional' }),
  int64: (no: number): SingularField<'int64'> => ({ no, kind: 'int64', rule: 'optional' }),
  float: (no: number): SingularField<'float'> => ({ no, kind: 'float', rule: 'optional' }),
  string: (no: number): SingularField<'string'> => ({ no, kind: 'string', rule: 'optional' }),
  bytes: (no: number): SingularField<'bytes'> => ({ no, kind: 'bytes', rule: 'optional' }),
  message: <T>(no: number, type: () => MessageType<T>): MessageField<T> & { readonly rule: 'optional' } => ({ no, kind: 'message', rule: 'optional', type }),
};
/** `repeated` without `[packed = true]`: one key per element. */
export const repeated = {
  int32: (no: number): RepeatedField<'int32'> => ({ no, kind: 'int32', rule: 'repeated' }),
  int64: (no: number): RepeatedField<'int64'> => ({ no, kind: 'int64', rule: 'repeated' }),
  float: (no: number): RepeatedField<'float'> => ({ no, kind: 'float', rule: 'repeated' }),
  string: (no: number): RepeatedField<'string'> => ({ no, kind: 'string', rule: 'repeated' }),
  bytes: (no: number): RepeatedField<'bytes'> => ({ no, kind: 'bytes', rule: 'repeated' }),
  message: <T>(no: number, type: () => MessageType<T>): MessageField<T> & { readonly rule: 'repeated' } => ({ no, kind: 'message', rule: 'repeated', type }),
};
/** `repeated … [packed = true]`: one key, the elements in one length-delimited payload. */
export const packed = {
  int32: (no: number): RepeatedField<'int32'> => ({ no, kind: 'int32', rule: 'packed' }),
  int64: (no: number): RepeatedField<'int64'> => ({ no, kind: 'int64', rule: 'packed' }),
  float: (no: number): RepeatedField<'float'> => ({ no, kind: 'float', rule: 'packed' }),
};

const WIRE_VARINT = 0, WIRE_LEN = 2, WIRE_FIXED32 = 5;

function wireType(f: Field): number {
  if (f.rule === 'packed') return WIRE_LEN;
  return f.kind === 'int32' || f.kind === 'int64' ? WIRE_VARINT : f.kind === 'float' ? WIRE_FIXED32 : WIRE_LEN;
}

/** The key of a field: varint(number·8 + wire type); number·8 stays below 2^32, so arithmetic is exact. */
function key(f: Field): number {
  return f.no * 8 + wireType(f);
}

/**
 * Bytes of the varint of an integer: ⌈bits/7⌉ for v ≥ 0 (1 for 0), 10 for v < 0 (64-bit two's
 * complement). `v` must be a safe integer.
 */
export function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  let n = 3;
  for (let r = Math.floor(v / 0x200000); r > 0; r = Math.floor(r / 0x80)) n++;
  return n;
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of `s` as TextEncoder writes it (a lone surrogate is U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** The output buffer, filled front to back. */
export class ProtoSink {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** A varint: a non-negative safe integer in ⌈bits/7⌉ bytes, a negative one as 10 bytes of 64-bit two's complement. */
  varint(v: number): void {
    const b = this.buf;
    if (v >= 0) {
      while (v >= 0x80) {
        b[this.pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      b[this.pos++] = v;
      return;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 9; i++) {
      b[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    b[this.pos++] = Number(u); // the top bit of the 64: 1 for a negative value
  }

  float(v: number): void {
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  bytes(v: Uint8Array): void {
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** UTF-8 of `s`, exactly `length` = utf8Length(s) bytes. */
  string(s: string, length: number): void {
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos, this.pos + length));
    if (written !== length) throw new Error(`protoWriter: a string took ${written} UTF-8 bytes, expected ${length}`);
    this.pos += length;
  }
}

/** Nesting limit of sub-messages (a cycle in the objects would otherwise recurse forever). */
const MAX_DEPTH = 100;

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

function checkScalar(kind: ScalarKind, v: unknown, where: () => string): void {
  const bad = (expected: string): never => {
    const got = typeof v === 'number' || typeof v === 'string' ? JSON.stringify(v).slice(0, 40) : v === null ? 'null' : typeof v;
    throw new Error(`protoWriter: ${where()} must be ${expected}, received ${got}`);
  };
  switch (kind) {
    case 'int32': if (!Number.isInteger(v) || (v as number) < INT32_MIN || (v as number) > INT32_MAX) bad('an int32 (an integer in [-2^31, 2^31 - 1])'); break;
    case 'int64': if (!Number.isSafeInteger(v)) bad('an int64 given as a safe integer (|v| <= 2^53 - 1)'); break;
    case 'float': if (typeof v !== 'number') bad('a number'); break;
    case 'string': if (typeof v !== 'string') bad('a string'); break;
    case 'bytes': if (!(v instanceof Uint8Array)) bad('a Uint8Array'); break;
  }
}

/** Bytes of one scalar value, without its key. */
function scalarSize(kind: ScalarKind, v: unknown): number {
  switch (kind) {
    case 'int32': case 'int64': return varintSize(v as number);
    case 'float': return 4;
    case 'string': { const n = utf8Length(v as string); return varintSize(n) + n; }
    case 'bytes': { const n = (v as Uint8Array).length; return varintSize(n) + n; }
  }
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Payload bytes of a packed field (the elements back to back, without key or length). */
function packedPayload(kind: ScalarKind, list: ArrayLike<unknown>): number {
  if (kind === 'float') return 4 * list.length;
  let n = 0;
  for (let i = 0; i < list.length; i++) n += varintSize(list[i] as number);
  return n;
}

/**
 * Bytes of `msg` (without its own key and length), checking every value; records the size of
 * each message object in `sizes` for the write pass.
 */
function measure(type: MessageType, msg: unknown, sizes: Map<object, number>, path: string, depth: number): number {
  if (typeof msg !== 'object' || msg === null || isList(msg)) {
    throw new Error(`protoWriter: ${path} must be a ${type.name} object, received ${msg === null ? 'null' : isList(msg) ? 'a list' : typeof msg}`);
  }
  if (depth > MAX_DEPTH) throw new Error(`protoWriter: ${path}: messages nested deeper than ${MAX_DEPTH} (a cycle?)`);
  const m = msg as Record<string, unknown>;
  let total = 0;
  for (const [name, f] of type.fields) {
    const v = m[name];
    if (v === undefined || v === null) continue;
    const keySize = varintSize(key(f));
    if (f.rule === 'optional') {
      if (f.kind === 'message') {
        const n = measure(f.type(), v, sizes, `${path}.${name}`, depth + 1);
        total += keySize + varintSize(n) + n;
      } else {
        checkScalar(f.kind, v, () => `${path}.${name}`);
        total += keySize + scalarSize(f.kind, v);
      }
      continue;
    }
    if (!isList(v)) throw new Error(`protoWriter: ${path}.${name} must be a list (repeated field), received ${typeof v}`);
    if (v.length === 0) continue;
    if (f.kind === 'message') {
      const sub = f.type();
      for (let i = 0; i < v.length; i++) {
        const n = measure(sub, v[i], sizes, `${path}.${name}[${i}]`, depth + 1);
        total += keySize + varintSize(n) + n;
      }
      continue;
    }
    for (let i = 0; i < v.length; i++) checkScalar(f.kind, v[i], () => `${path}.${name}[${i}]`);
    if (f.rule === 'packed') {
      const n = packedPayload(f.kind, v);
      total += keySize + varintSize(n) + n;
    } else {
      for (let i = 0; i < v.length; i++) total += keySize + scalarSize(f.kind, v[i]);
    }
  }
  sizes.set(m, total);
  return total;
}

function writeScalar(w: ProtoSink, kind: ScalarKind, v: unknown): void {
  switch (kind) {
    case 'int32': case 'int64': w.varint(v as number); break;
    case 'float': w.float(v as number); break;
    case 'string': { const s = v as string, n = utf8Length(s); w.varint(n); w.string(s, n); break; }
    case 'bytes': w.varint((v as Uint8Array).length); w.bytes(v as Uint8Array); break;
  }
}

/** Writes the fields of `msg` (measured before), in field-number order. */
function write(w: ProtoSink, type: MessageType, msg: Record<string, unknown>, sizes: Map<object, number>): void {
  for (const [name, f] of type.fields) {
    const v = msg[name];
    if (v === undefined || v === null) continue;
    const k = key(f);
    if (f.rule === 'optional') {
      w.varint(k);
      if (f.kind === 'message') {
        w.varint(sizes.get(v as object)!);
        write(w, f.type(), v as Record<string, unknown>, sizes);
      } else {
        writeScalar(w, f.kind, v);
      }
      continue;
    }
    const list = v as ArrayLike<unknown>;
    if (list.length === 0) continue;
    if (f.kind === 'message') {
      const sub = f.type();
      for (let i = 0; i < list.length; i++) {
        w.varint(k);
        w.varint(sizes.get(list[i] as object)!);
        write(w, sub, list[i] as Record<string, unknown>, sizes);
      }
    } else if (f.rule === 'packed') {
      w.varint(k);
      w.varint(packedPayload(f.kind, list));
      for (let i = 0; i < list.length; i++) writeScalar(w, f.kind, list[i]);
    } else {
      for (let i = 0; i < list.length; i++) {
        w.varint(k);
        writeScalar(w, f.kind, list[i]);
      }
    }
  }
}

/**
 * The wire bytes of `msg` as a `type` message. Throws (before writing anything) when a value does
 * not fit its field, naming the field's path, e.g. `ModelProto.graph.node[3].attribute[0].i`.
 */
export function encodeMessage<M>(type: MessageType<M>, msg: M): Uint8Array {
  const sizes = new Map<object, number>();
  const total = measure(type as MessageType, msg, sizes, type.name, 0);
  const w = new ProtoSink(total);
  write(w, type as MessageType, msg as Record<string, unknown>, sizes);
  if (w.pos !== total) throw new Error(`protoWriter: ${type.name}: wrote ${w.pos} bytes, measured ${total}`);
  return w.buf;
}
