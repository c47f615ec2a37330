/**
 * A dependency-free safetensors reader and writer (F32, F64, I32), usable in Node and the browser.
 *
 * Layout: bytes [0, 8) hold N, the header length, as a little-endian u64; bytes [8, 8 + N) hold a
 * UTF-8 JSON object `{ name: { dtype, shape, data_offsets: [begin, end] }, …, "__metadata__":
 * { string: string } }`; the rest is the data section, each tensor's little-endian bytes at
 * [begin, end) relative to its start.
 *
 * The reader trusts nothing: every length, offset and shape is checked before a byte of data is
 * read, and every failure is an InputError prefixed with `where` (e.g. "model file m.safetensors").
 * As the format's specification asks, tensors may not overlap and the data section may not have
 * holes or trailing bytes (this keeps polyglot files out).
 */
import { InputError } from '../errors.js';
import { shapeString } from '../tensor.js';

export type DType = 'F32' | 'F64' | 'I32';
export type StData = Float32Array | Float64Array | Int32Array;

export interface StTensor {
  dtype: DType;
  shape: number[];
  data: StData;
}

export interface SafetensorsContents {
  /** In the order of their data offsets (the order the writer put them in). */
  tensors: Map<string, StTensor>;
  metadata: Record<string, string>;
}

/** The reference implementation's bound on the header (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const BYTES_PER: Record<DType, number> = { F32: 4, F64: 8, I32: 4 };
const ENTRY_KEYS = new Set(['dtype', 'shape', 'data_offsets']);

/** Typed arrays use the host's byte order; every host we target is little-endian, but check. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDType(s: unknown): s is DType {
  return s === 'F32' || s === 'F64' || s === 'I32';
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

function newArray(dtype: DType, n: number): StData {
  return dtype === 'F32' ? new Float32Array(n) : dtype === 'F64' ? new Float64Array(n) : new Int32Array(n);
}

/**
 * The first key that appears twice inside one JSON object, or null. JSON.parse silently keeps the
 * last of duplicate keys, so a file could show one reader one tensor and another reader another.
 * `json` must already be known to be well-formed: this only tracks strings and brackets.
 */
function findDuplicateKey(json: string): string | null {
  // One entry per open bracket: the keys seen so far in an object, or null in an array.
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; json.charCodeAt(j) !== 0x22; j++) {
        if (json.charCodeAt(j) === 0x5c /* \ */) {
          escaped = true;
          j++;
        }
      }
      if (expectKey) {
        const key = escaped ? (JSON.parse(json.slice(i, j + 1)) as string) : json.slice(i + 1, j);
        const keys = stack[stack.length - 1]!;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return null;
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
  const t = `${where}: tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(raw)) {
    throw new InputError(`${t}: expected a header entry {dtype, shape, data_offsets}, received ${JSON.stringify(raw)}`);
  }
  for (const k of Object.keys(raw)) {
    if (!ENTRY_KEYS.has(k)) {
      throw new InputError(`${t}: unexpected header field ${JSON.stringify(k)} (expected dtype, shape, data_offsets)`);
    }
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (dtype === undefined) throw new InputError(`${t}: missing "dtype"`);
  if (!isDType(dtype)) {
    throw new InputError(`${t}: unsupported dtype ${JSON.stringify(dtype)} (supported: F32, F64, I32)`);
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    throw new InputError(`${t}: expected "shape" to be an array of non-negative integers, received ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
    throw new InputError(
      `${t}: expected "data_offsets" to be [begin, end], two non-negative integers, received ${JSON.stringify(offsets)}`,
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
    throw new InputError(`${t}: shape ${shapeString(shape)} has more than 2^53 elements`);
  }
  const bytes = count * BYTES_PER[dtype];
  if (bytes !== end - begin) {
    throw new InputError(
      `${t}: ${dtype} shape ${shapeString(shape)} needs ${bytes} bytes, received data_offsets [${begin}, ${end}] (${end - begin} bytes)`,
    );
  }
  return { name, dtype, shape: shape.slice(), begin, end };
}

/** Copy little-endian bytes into a fresh (hence aligned) typed array; the source may sit at any offset. */
function readData(e: Entry, src: Uint8Array): StData {
  const n = (e.end - e.begin) / BYTES_PER[e.dtype];
  const out = newArray(e.dtype, n);
  if (HOST_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(src.subarray(e.begin, e.end));
  } else {
    const view = new DataView(src.buffer, src.byteOffset + e.begin, e.end - e.begin);
    const w = BYTES_PER[e.dtype];
    for (let i = 0; i < n; i++) {
      out[i] = e.dtype === 'F32' ? view.getFloat32(i * w, true)
        : e.dtype === 'F64' ? view.getFloat64(i * w, true) : view.getInt32(i * w, true);
    }
  }
  return out;
}

/** Read a safetensors file. `where` names it in every error message. */
export function parseSafetensors(bytes: Uint8Array, where: string): SafetensorsContents {
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
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: header is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(header)) {
    throw new InputError(`${where}: header expected a JSON object, received ${Array.isArray(header) ? 'an array' : JSON.stringify(header)}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) {
    throw new InputError(`${where}: header has the key ${JSON.stringify(duplicate)} twice`);
  }

  let metadata: Record<string, string> = {};
  const rawMeta = header[METADATA_KEY];
  if (rawMeta !== undefined) {
    if (!isPlainObject(rawMeta)) {
      throw new InputError(`${where}: "${METADATA_KEY}" expected an object of strings, received ${JSON.stringify(rawMeta)}`);
    }
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') {
        throw new InputError(`${where}: "${METADATA_KEY}" value ${JSON.stringify(k)} expected a string, received ${JSON.stringify(v)}`);
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
        `${where}: tensor ${JSON.stringify(e.name)} at data_offsets [${e.begin}, ${e.end}] overlaps tensor ${JSON.stringify(previous!.name)} at [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (e.begin > cursor) {
      throw new InputError(
        `${where}: the data section has unused bytes [${cursor}, ${e.begin}) before tensor ${JSON.stringify(e.name)}`,
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
  for (const e of entries) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: readData(e, data) });
  return { tensors, metadata };
}

function dtypeOfArray(data: unknown): DType | null {
  return data instanceof Float32Array ? 'F32' : data instanceof Float64Array ? 'F64' : data instanceof Int32Array ? 'I32' : null;
}

/**
 * Write a safetensors file: tensors in the order given, the header padded with spaces to a
 * multiple of 8 bytes (as the reference implementation does, so the data section starts aligned).
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
        throw new InputError(`${where}: metadata value ${JSON.stringify(k)} expected a string, received ${JSON.stringify(v)}`);
      }
    }
    members.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  const list: Array<[string, StTensor]> = [];
  const names = new Set<string>();
  let offset = 0;
  for (const [name, t] of tensors) {
    const tn = `${where}: tensor ${JSON.stringify(name)}`;
    if (name === METADATA_KEY || names.has(name)) {
      throw new InputError(`${where}: tensor name ${JSON.stringify(name)} is ${name === METADATA_KEY ? 'reserved' : 'used twice'}`);
    }
    names.add(name);
    if (!isDType(t.dtype)) {
      throw new InputError(`${tn}: unsupported dtype ${JSON.stringify(t.dtype)} (supported: F32, F64, I32)`);
    }
    const arrayType = dtypeOfArray(t.data);
    if (arrayType !== t.dtype) {
      throw new InputError(`${tn}: dtype ${t.dtype} expected a ${newArray(t.dtype, 0).constructor.name}, received ${arrayType ?? typeof t.data}`);
    }
    if (!Array.isArray(t.shape) || !t.shape.every(isSize)) {
      throw new InputError(`${tn}: expected a shape of non-negative integers, received ${JSON.stringify(t.shape)}`);
    }
    const count = elementCount(t.shape);
    if (count !== t.data.length) {
      throw new InputError(`${tn}: shape ${shapeString(t.shape)} expected ${count ?? 'too many'} elements, received ${t.data.length}`);
    }
    const begin = offset;
    offset += t.data.byteLength;
    const entry = { dtype: t.dtype, shape: t.shape, data_offsets: [begin, offset] };
    members.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    list.push([name, t]);
  }

  const json = new TextEncoder().encode(`{${members.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const [, t] of list) {
    if (HOST_LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      const w = BYTES_PER[t.dtype];
      for (let i = 0; i < t.data.length; i++) {
        const p = pos + i * w;
        if (t.dtype === 'F32') view.setFloat32(p, t.data[i]!, true);
        else if (t.dtype === 'F64') view.setFloat64(p, t.data[i]!, true);
        else view.setInt32(p, t.data[i]!, true);
      }
    }
    pos += t.data.byteLength;
  }
  return out;
}
