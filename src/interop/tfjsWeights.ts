/**
 * The weights half of a TF.js Layers model: the manifest (`weightsManifest` of model.json, a list
 * of groups `{paths, weights: [{name, shape, dtype, quantization?, group?}]}`, or the flat
 * `weightSpecs` of a tf.io ModelArtifacts) and the weight bytes, which tf.io writes as every
 * weight's raw little-endian values back to back, in manifest order, with no padding (the shard
 * files of `paths` are simply that byte string cut into pieces).
 *
 * Everything is checked before a single value is read: each entry's name, shape and dtype, and the
 * total byte length against the manifest (a truncated or padded file is refused, never read past
 * its end). Only float32 entries can be decoded; other numeric dtypes and quantized entries are
 * still sized, so that a model holding them elsewhere (an int32 step counter, say) keeps the
 * offsets of the weights that follow right.
 */
import { InputError } from '../errors.js';
import { clip } from './tfjsClip.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** tensorflowjs_converter's quantization ({ dtype: 'uint8' | 'uint16' | 'float16', scale?, min? }). */
  quantization?: { dtype: string };
  /** tf.io marks optimizer state with group 'optimizer' (model.save with includeOptimizer). */
  group?: string;
}

/** A manifest entry with its place in the weight bytes. */
export interface PlacedWeight extends TfjsWeightSpec {
  offset: number;
  bytes: number;
  elements: number;
}

/** Bytes per element of the dtypes tf.io writes with a fixed width (strings have none). */
const WIDTH: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** At most this many elements in one weight: far above any model a browser holds, exact in a double. */
const MAX_ELEMENTS = 2 ** 40;

function placeEntry(where: string, raw: unknown, index: number, offset: number): PlacedWeight {
  const at = `${where}: weightsManifest entry ${index}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${at}: expected an object {name, shape, dtype}, received ${clip(raw)}`);
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') throw new InputError(`${at}: name must be a non-empty string, received ${clip(o.name)}`);
  const name = o.name;
  if (!Array.isArray(o.shape) || o.shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new InputError(`${at} (${clip(name)}): shape must be an array of non-negative integers, received ${clip(o.shape)}`);
  }
  const shape = o.shape as number[];
  let elements = 1;
  for (const d of shape) elements *= d;
  if (elements > MAX_ELEMENTS) throw new InputError(`${at} (${clip(name)}): shape ${clip(shape)} holds ${elements} elements, over the limit of ${MAX_ELEMENTS}`);
  if (typeof o.dtype !== 'string') throw new InputError(`${at} (${clip(name)}): dtype must be a string, received ${clip(o.dtype)}`);
  let width = WIDTH[o.dtype];
  let quantization: { dtype: string } | undefined;
  if (o.quantization !== undefined && o.quantization !== null) {
    const q = o.quantization as Record<string, unknown>;
    if (typeof q !== 'object' || typeof q.dtype !== 'string' || WIDTH[q.dtype] === undefined || !['uint8', 'uint16', 'float16'].includes(q.dtype)) {
      throw new InputError(`${at} (${clip(name)}): quantization must be {dtype: "uint8" | "uint16" | "float16", …}, received ${clip(o.quantization)}`);
    }
    quantization = { dtype: q.dtype };
    width = WIDTH[q.dtype];
  }
  if (width === undefined) {
    throw new InputError(`${at} (${clip(name)}): dtype must be one of ${Object.keys(WIDTH).join(', ')} (fixed-width values), received ${clip(o.dtype)}`);
  }
  const spec: PlacedWeight = { name, shape: [...shape], dtype: o.dtype, offset, bytes: elements * width, elements };
  if (quantization) spec.quantization = quantization;
  if (typeof o.group === 'string') spec.group = o.group;
  return spec;
}

/**
 * The manifest of a model.json (`weightsManifest`) or of tf.io ModelArtifacts (`weightSpecs`),
 * flattened in byte order, each entry with its offset and byte length.
 */
export function readManifest(json: Record<string, unknown>, where: string): PlacedWeight[] {
  let entries: unknown[];
  if (json.weightsManifest !== undefined) {
    if (!Array.isArray(json.weightsManifest)) throw new InputError(`${where}: weightsManifest must be an array of {paths, weights} groups, received ${clip(json.weightsManifest)}`);
    entries = [];
    json.weightsManifest.forEach((g: unknown, gi: number) => {
      const w = (g as Record<string, unknown> | null)?.weights;
      if (!Array.isArray(w)) throw new InputError(`${where}: weightsManifest group ${gi} must hold a weights array, received ${clip(g)}`);
      entries.push(...w);
    });
  } else if (json.weightSpecs !== undefined) {
    if (!Array.isArray(json.weightSpecs)) throw new InputError(`${where}: weightSpecs must be an array of {name, shape, dtype}, received ${clip(json.weightSpecs)}`);
    entries = json.weightSpecs;
  } else {
    throw new InputError(`${where}: expected a weightsManifest (model.json) or weightSpecs (tf.io ModelArtifacts), received neither (keys: ${clip(Object.keys(json))})`);
  }
  const out: PlacedWeight[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const p = placeEntry(where, e, i, offset);
    offset += p.bytes;
    out.push(p);
  });
  return out;
}

/** The weight bytes as one Uint8Array: a single buffer, a view, or the shards in manifest order. */
export function weightBytes(data: unknown, where: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof ArrayBuffer)) {
    const total = data.reduce((n: number, d: ArrayBuffer) => n + d.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const d of data as ArrayBuffer[]) {
      out.set(new Uint8Array(d), at);
      at += d.byteLength;
    }
    return out;
  }
  throw new InputError(`${where}: weightData must be an ArrayBuffer, a Uint8Array or an array of ArrayBuffers (the shards in manifest order), received ${clip(data)}`);
}

/** Refuse weight bytes whose length is not exactly what the manifest describes. */
export function checkWeightLength(specs: readonly PlacedWeight[], data: Uint8Array, where: string): void {
  const need = specs.reduce((n, s) => n + s.bytes, 0);
  if (data.byteLength !== need) {
    const why = data.byteLength < need ? 'truncated?' : 'extra bytes after the last weight';
    throw new InputError(`${where}: weightData expected ${need} bytes for the ${specs.length} weights of the manifest, received ${data.byteLength} (${why})`);
  }
}

/** The float32 values of one placed weight, widened to float64 (exactly). */
export function readFloat32(data: Uint8Array, spec: PlacedWeight): Float64Array {
  const view = new DataView(data.buffer, data.byteOffset + spec.offset, spec.bytes);
  const out = new Float64Array(spec.elements);
  for (let i = 0; i < spec.elements; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Weights to write: float32, in this order. */
export interface WeightToWrite {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
}

/** The manifest entries and the bytes of float32 weights (rounded to nearest), back to back. */
export function encodeFloat32(weights: readonly WeightToWrite[]): { specs: TfjsWeightSpec[]; data: ArrayBuffer } {
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const data = new ArrayBuffer(4 * total);
  const view = new DataView(data);
  let at = 0;
  const specs: TfjsWeightSpec[] = [];
  for (const w of weights) {
    for (let i = 0; i < w.values.length; i++, at += 4) view.setFloat32(at, w.values[i]!, true);
    specs.push({ name: w.name, shape: [...w.shape], dtype: 'float32' });
  }
  return { specs, data };
}
