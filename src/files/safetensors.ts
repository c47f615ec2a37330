/**
 * A dependency-free safetensors reader and writer, usable in Node and the browser. Dtypes:
 * F32, F64, I32 as they are; F16 and BF16 (PyTorch's `model.half()` / `bfloat16`) widened exactly
 * to a Float32Array; I64 (PyTorch's `long`) kept exactly as a BigInt64Array in `int64`, with
 * `data` holding the same values as float64 (exact up to 2^53; see tensorValues.ts for the
 * range-checked int32 view the batch reader uses).
 *
 * Layout: bytes [0, 8) hold N, the header length, as a little-endian u64; bytes [8, 8 + N) hold a
 * UTF-8 JSON object `{ name: { dtype, shape, data_offsets: [begin, end] }, …, "__metadata__":
 * { string: string } }`; the rest is the data section, each tensor's little-endian bytes at
 * [begin, end) relative to its start.
 *
 * The reader trusts nothing: every length, offset and shape is checked before a byte of data is
 * read, and every failure is an InputError prefixed with `where` (e.g. "model file m.safetensors").
 * As the format's specification asks, tensors may not overlap and the data section may not have
 * holes or trailing bytes (this keeps polyglot files out). Before JSON.parse, headerScan.ts bounds
 * the nesting and the array lengths; every message quotes file content cut (preview.ts), so a
 * hostile header gets one short line.
 */
import { InputError } from '../errors.js';
import { describeIndex } from '../checks/elements.js';
import { MAX_NESTING, MAX_RANK, scanHeader, type ScanProblem } from './headerScan.js';
import { bf16ToFloat32, f16ToFloat32, float32ToBf16Exact, float32ToF16Exact } from './halfFloat.js';
import { preview, previewShape, quote } from '../checks/preview.js';

export type DType = 'F16' | 'BF16' | 'F32' | 'F64' | 'I32' | 'I64';
export type StData = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ['F16', 'BF16', 'F32', 'F64', 'I32', 'I64'];
export const FLOAT_DTYPES = ['F16', 'BF16', 'F32', 'F64'] as const;
export const INT_DTYPES = ['I32', 'I64'] as const;

export interface StTensor {
  /** The dtype in the file (F16/BF16 arrive widened in a Float32Array, I64 as float64 plus int64). */
  dtype: DType;
  shape: number[];
  /** F32/F16/BF16: Float32Array; F64: Float64Array; I32: Int32Array; I64: Float64Array (Number of each value). */
  data: StData;
  /**
   * I64 only: the exact values. The reader always sets it; the writer takes it when given, else
   * converts `data` (which must then hold safe integers).
   */
  int64?: BigInt64Array;
}

export interface SafetensorsContents {
  /** In the order of their data offsets (the order the writer put them in). */
  tensors: Map<string, StTensor>;
  metadata: Record<string, string>;
}

/** The reference implementation's bound on the header (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const BYTES_PER: Record<DType, number> = { F16: 2, BF16: 2, F32: 4, F64: 8, I32: 4, I64: 8 };
const SUPPORTED = DTYPES.join(', ');
const ENTRY_KEYS = new Set(['dtype', 'shape', 'data_offsets']);

/** Typed arrays use the host's byte order; every host we target is little-endian, but check. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDType(s: unknown): s is DType {
  return typeof s === 'string' && (DTYPES as readonly string[]).includes(s);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The element count of a shape, or null when it exceeds 2^53 − 1 (any zero dimension gives 0). */
function elementCount(shape: readonly number[]): number | null {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return null;
  }
  return n;
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Check one header entry; `dataLength` is the size of the data section. */
function checkEntry(where: string, name: string, raw: unknown, dataLength: number): Entry {
  const t = `${where}: tensor ${quote(name)}`;
  if (!isPlainObject(raw)) {
    throw new InputError(`${t}: expected a header entry {dtype, shape, data_offsets}, received ${preview(raw)}`);
  }
  for (const k in raw) {
    if (Object.prototype.hasOwnProperty.call(raw, k) && !ENTRY_KEYS.has(k)) {
      throw new InputError(`${t}: unexpected header field ${quote(k)} (expected dtype, shape, data_offsets)`);
    }
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (dtype === undefined) throw new InputError(`${t}: missing "dtype"`);
  if (!isDType(dtype)) {
    throw new InputError(`${t}: unsupported dtype ${preview(dtype)} (supported: ${SUPPORTED})`);
  }
  if (Array.isArray(shape) && shape.length > MAX_RANK) {
    // headerScan refuses such arrays before parsing; kept so this function stands on its own.
    throw new InputError(`${t}: "shape" ${previewShape(shape)} has ${shape.length} dimensions, more than the limit of ${MAX_RANK}`);
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    throw new InputError(`${t}: expected "shape" to be an array of non-negative integers, received ${Array.isArray(shape) ? previewShape(shape) : preview(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
    throw new InputError(
      `${t}: expected "data_offsets" to be [begin, end], two non-negative integers, received ${preview(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) {
    throw new InputError(`${t}: expected data_offsets begin <= end, received [${begin}, ${end}]`);
  }
  if (end > dataLength) {
    throw new InputError(
      `${t}: data_offsets [${begin}, ${end}] lie outside the data section of ${dataLength} bytes`,
    );
  }
  const count = elementCount(shape);
  if (count === null) {
    throw new InputError(`${t}: shape ${previewShape(shape)} has more than 2^53 elements`);
  }
  const bytes = count * BYTES_PER[dtype];
  if (bytes !== end - begin) {
    throw new InputError(
      `${t}: ${dtype} shape ${previewShape(shape)} needs ${bytes} bytes, received data_offsets [${begin}, ${end}] (${end - begin} bytes)`,
    );
  }
  return { name, dtype, shape: shape.slice(), begin, end };
}

/** An aligned copy of the entry's bytes (the source may sit at any offset). */
function alignedBytes(e: Entry, src: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(e.end - e.begin);
  copy.set(src.subarray(e.begin, e.end));
  return copy.buffer;
}

/** Read one tensor into fresh typed arrays (see StTensor for which array each dtype gives). */
function readTensor(e: Entry, src: Uint8Array): StTensor {
  const n = (e.end - e.begin) / BYTES_PER[e.dtype];
  const base = { dtype: e.dtype, shape: e.shape };
  if (HOST_LITTLE_ENDIAN) {
    const buf = alignedBytes(e, src);
    switch (e.dtype) {
      case 'F32': return { ...base, data: new Float32Array(buf) };
      case 'F64': return { ...base, data: new Float64Array(buf) };
      case 'I32': return { ...base, data: new Int32Array(buf) };
      case 'F16': return { ...base, data: f16ToFloat32(new Uint16Array(buf)) };
      case 'BF16': return { ...base, data: bf16ToFloat32(new Uint16Array(buf)) };
      case 'I64': {
        const int64 = new BigInt64Array(buf);
        return { ...base, data: Float64Array.from(int64, Number), int64 };
      }
    }
  }
  const view = new DataView(src.buffer, src.byteOffset + e.begin, e.end - e.begin);
  switch (e.dtype) {
    case 'F32': return { ...base, data: Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true)) };
    case 'F64': return { ...base, data: Float64Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true)) };
    case 'I32': return { ...base, data: Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true)) };
    case 'F16': return { ...base, data: f16ToFloat32(Uint16Array.from({ length: n }, (_, i) => view.getUint16(2 * i, true))) };
    case 'BF16': return { ...base, data: bf16ToFloat32(Uint16Array.from({ length: n }, (_, i) => view.getUint16(2 * i, true))) };
    case 'I64': {
      const int64 = BigInt64Array.from({ length: n }, (_, i) => view.getBigInt64(8 * i, true));
      return { ...base, data: Float64Array.from(int64, Number), int64 };
    }
  }
}

/** The message for a header that headerScan refused before parsing. */
function scanMessage(where: string, p: ScanProblem): string {
  const under = p.path.length === 0 ? '' : ` under ${p.path.slice(0, 3).map((k) => quote(k, 40)).join(' → ')}`;
  if (p.kind === 'nesting') {
    return `${where}: header nests deeper than ${MAX_NESTING} levels${under} (at character ${p.at} of the header; a safetensors header nests 3 deep)`;
  }
  const first = `${p.first.replace(/\s+/g, '').slice(0, 24)}…`;
  const count = `${p.closed ? '' : 'at least '}${p.entries}`;
  if (p.path.length === 2 && p.path[0] !== METADATA_KEY) {
    const t = `${where}: tensor ${quote(p.path[0]!)}`;
    if (p.path[1] === 'shape') {
      return `${t}: "shape" ${first} has ${count} dimensions, more than the limit of ${MAX_RANK}`;
    }
    return `${t}: ${quote(p.path[1]!, 40)} ${first} holds ${count} entries, more than the ${MAX_RANK} of any header array`;
  }
  return `${where}: header: an array${under} ${first} holds ${count} entries, more than the ${MAX_RANK} of any header array`;
}

/** Read a safetensors file (its bytes, or an ArrayBuffer of them). `where` names it in every error message. */
export function parseSafetensors(input: Uint8Array | ArrayBuffer, where: string): SafetensorsContents {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) {
    throw new InputError(`${where}: expected the file's bytes (a Uint8Array or ArrayBuffer), received ${arrayName(bytes)}`);
  }
  if (bytes.length < 8) {
    throw new InputError(`${where}: not a safetensors file: expected at least 8 bytes (the header length), received ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new InputError(`${where}: header length ${declared} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const headerLength = Number(declared);
  if (headerLength > bytes.length - 8) {
    throw new InputError(
      `${where}: header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length field (file truncated?)`,
    );
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new InputError(`${where}: header is not valid UTF-8`);
  }
  const scan = scanHeader(text);
  if (scan.problem) throw new InputError(scanMessage(where, scan.problem));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: header is not valid JSON: ${String((err as Error).message).slice(0, 120)}`);
  }
  if (!isPlainObject(header)) {
    throw new InputError(`${where}: header expected a JSON object, received ${Array.isArray(header) ? 'an array' : preview(header)}`);
  }
  if (scan.duplicate !== null) {
    throw new InputError(`${where}: header has the key ${quote(scan.duplicate)} twice`);
  }

  let metadata: Record<string, string> = {};
  const rawMeta = header[METADATA_KEY];
  if (rawMeta !== undefined) {
    if (!isPlainObject(rawMeta)) {
      throw new InputError(`${where}: "${METADATA_KEY}" expected an object of strings, received ${preview(rawMeta)}`);
    }
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') {
        throw new InputError(`${where}: "${METADATA_KEY}" value ${quote(k)} expected a string, received ${preview(v)}`);
      }
    }
    // fromEntries defines own properties, so even a key "__proto__" stays plain data.
    metadata = Object.fromEntries(Object.entries(rawMeta)) as Record<string, string>;
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name !== METADATA_KEY) entries.push(checkEntry(where, name, raw, dataLength));
  }

  // Sorted by offset, each tensor must start exactly where the previous one ended: no overlap,
  // no hole, and the last one must end at the end of the file.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | null = null;
  for (const e of entries) {
    if (e.begin < cursor) {
      throw new InputError(
        `${where}: tensor ${quote(e.name)} at data_offsets [${e.begin}, ${e.end}] overlaps tensor ${quote(previous!.name)} at [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (e.begin > cursor) {
      throw new InputError(
        `${where}: the data section has unused bytes [${cursor}, ${e.begin}) before tensor ${quote(e.name)}`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    throw new InputError(
      `${where}: the tensors cover ${cursor} bytes of data, received a data section of ${dataLength} bytes`,
    );
  }

  const data = bytes.subarray(dataStart);
  const tensors = new Map<string, StTensor>();
  for (const e of entries) tensors.set(e.name, readTensor(e, data));
  return { tensors, metadata };
}

function arrayName(data: unknown): string {
  if (data === null || data === undefined) return String(data);
  return typeof data === 'object' ? (data as object).constructor?.name ?? 'object' : typeof data;
}

/** The arrays each dtype is written from. */
const WRITES_FROM: Record<DType, string> = {
  F32: 'a Float32Array', F64: 'a Float64Array', I32: 'an Int32Array',
  F16: 'a Float32Array or Float64Array', BF16: 'a Float32Array or Float64Array',
  I64: 'int64 (a BigInt64Array) or data of safe integers',
};

/** The little-endian bytes of one tensor; `tn` names it in errors. */
function tensorBytes(tn: string, t: StTensor, count: number): Uint8Array {
  const fail = (): never => {
    throw new InputError(`${tn}: dtype ${t.dtype} expected ${WRITES_FROM[t.dtype]}, received ${arrayName(t.data)}`);
  };
  const isFloat = t.data instanceof Float32Array || t.data instanceof Float64Array;
  if (t.dtype === 'F32' || t.dtype === 'F64' || t.dtype === 'I32') {
    const ok = t.dtype === 'F32' ? t.data instanceof Float32Array : t.dtype === 'F64' ? t.data instanceof Float64Array : t.data instanceof Int32Array;
    if (!ok) fail();
    // The caller's own bytes, not a copy: they are copied once, into the file.
    if (HOST_LITTLE_ENDIAN) return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  }
  const out = new Uint8Array(count * BYTES_PER[t.dtype]);
  const view = new DataView(out.buffer);
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) view.setFloat32(4 * i, t.data[i]!, true);
      return out;
    case 'F64':
      for (let i = 0; i < count; i++) view.setFloat64(8 * i, t.data[i]!, true);
      return out;
    case 'I32':
      for (let i = 0; i < count; i++) view.setInt32(4 * i, t.data[i]!, true);
      return out;
    case 'F16':
    case 'BF16': {
      if (!isFloat) fail();
      const encode = t.dtype === 'F16' ? float32ToF16Exact : float32ToBf16Exact;
      for (let i = 0; i < count; i++) {
        const bits = encode(t.data[i]!);
        if (bits === null) {
          throw new InputError(`${tn}: dtype ${t.dtype} cannot hold ${t.data[i]} (at ${describeIndex(i, t.shape)}) exactly: round it to ${t.dtype} first`);
        }
        view.setUint16(2 * i, bits, true);
      }
      return out;
    }
    case 'I64': {
      const src = t.int64;
      if (src !== undefined) {
        if (!(src instanceof BigInt64Array)) {
          throw new InputError(`${tn}: int64 expected a BigInt64Array, received ${arrayName(src)}`);
        }
        if (src.length !== count) {
          throw new InputError(`${tn}: int64 expected ${count} values for the shape, received ${src.length}`);
        }
        for (let i = 0; i < count; i++) view.setBigInt64(8 * i, src[i]!, true);
        return out;
      }
      if (!ArrayBuffer.isView(t.data)) fail();
      for (let i = 0; i < count; i++) {
        const v = t.data[i]!;
        if (!Number.isSafeInteger(v)) {
          throw new InputError(`${tn}: dtype I64 expected safe integers, received ${v} at ${describeIndex(i, t.shape)}`);
        }
        view.setBigInt64(8 * i, BigInt(v), true);
      }
      return out;
    }
  }
}

/**
 * Write a safetensors file: tensors in the order given, the header padded with spaces to a
 * multiple of 8 bytes (as the reference implementation does, so the data section starts aligned).
 * F16 and BF16 are written only from values they hold exactly (the writer never rounds).
 */
export function serializeSafetensors(
  tensors: Iterable<readonly [string, StTensor]>,
  metadata?: Record<string, string>,
): Uint8Array {
  const where = 'serializeSafetensors';
  // The header is written by hand, one JSON member at a time, so that any name (even
  // "__proto__") is written as given and the order is exactly the order of the tensors.
  const members: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new InputError(`${where}: metadata value ${quote(k)} expected a string, received ${preview(v)}`);
      }
    }
    members.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  const chunks: Uint8Array[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const [name, t] of tensors) {
    const tn = `${where}: tensor ${quote(name)}`;
    if (name === METADATA_KEY || names.has(name)) {
      throw new InputError(`${where}: tensor name ${quote(name)} is ${name === METADATA_KEY ? 'reserved' : 'used twice'}`);
    }
    names.add(name);
    if (!isDType(t.dtype)) {
      throw new InputError(`${tn}: unsupported dtype ${preview(t.dtype)} (supported: ${SUPPORTED})`);
    }
    if (!Array.isArray(t.shape) || t.shape.length > MAX_RANK || !t.shape.every(isSize)) {
      throw new InputError(`${tn}: expected a shape of at most ${MAX_RANK} non-negative integers, received ${Array.isArray(t.shape) ? previewShape(t.shape) : preview(t.shape)}`);
    }
    const count = elementCount(t.shape);
    const length = t.dtype === 'I64' && t.int64 !== undefined ? t.int64.length : (t.data as ArrayLike<number> | undefined)?.length;
    if (count === null || count !== length) {
      throw new InputError(`${tn}: shape ${previewShape(t.shape)} expected ${count ?? 'too many'} elements, received ${length}`);
    }
    const bytes = tensorBytes(tn, t, count);
    const begin = offset;
    offset += bytes.length;
    const entry = { dtype: t.dtype, shape: t.shape, data_offsets: [begin, offset] };
    members.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    chunks.push(bytes);
  }

  const json = new TextEncoder().encode(`{${members.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
