/**
 * The model file (DESIGN.md section 5): a safetensors file whose `__metadata__` holds
 * `format: "webgpu-lstm"`, `version: "1"` and `config` (JSON of configToJSON), and whose tensors
 * are the parameters under their PyTorch names and shapes (src/params.ts). Readers accept F32 and
 * F64; writers use F32 unless asked for F64.
 *
 * A PyTorch state dict that this format cannot express (bidirectional, proj_size, bias=False,
 * dropout) is refused by name, never loaded wrongly.
 */
import { configToJSON, resolveConfig, type ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { paramLayout } from '../params.js';
import { shapeString } from '../tensor.js';
import { expectDType, expectFinite, expectShape } from '../checks/elements.js';
import { parseSafetensors, serializeSafetensors, type StTensor } from './safetensors.js';

export const MODEL_FORMAT = 'webgpu-lstm';
export const MODEL_VERSION = '1';

export type FloatDType = 'F32' | 'F64';

/** Write a model: `params` is the flat buffer in the layout of paramLayout(config). */
export function encodeModelFile(config: ResolvedConfig, params: Float64Array, dtype: FloatDType = 'F32'): Uint8Array {
  const where = 'encodeModelFile';
  if (dtype !== 'F32' && dtype !== 'F64') {
    throw new InputError(`${where}: dtype expected "F32" or "F64", received ${JSON.stringify(dtype)}`);
  }
  const layout = paramLayout(config);
  if (params.length !== layout.total) {
    throw new InputError(`${where}: params expected ${layout.total} values for this config, received ${params.length}`);
  }
  const tensors: Array<[string, StTensor]> = layout.specs.map((s) => {
    const view = params.subarray(s.offset, s.offset + s.size);
    // Refuse to write a file that the reader would refuse (a diverged model).
    expectFinite(where, s.name, view, s.shape);
    const data = dtype === 'F32' ? Float32Array.from(view) : Float64Array.from(view);
    return [s.name, { dtype, shape: s.shape.slice(), data }];
  });
  return serializeSafetensors(tensors, {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    config: JSON.stringify(configToJSON(config)),
  });
}

/**
 * Refuse, by name, the PyTorch features this format has no place for, as shown by the tensor
 * names of a state dict (with or without a module prefix such as `lstm.`).
 */
function refuseForeignFeatures(where: string, names: ReadonlySet<string>): void {
  const cannot = 'which the webgpu-lstm model format cannot express';
  for (const name of names) {
    if (/_reverse$/.test(name)) {
      throw new InputError(`${where}: tensor "${name}" belongs to a bidirectional layer (bidirectional=True), ${cannot}`);
    }
    if (/(^|\.)weight_hr_l\d+$/.test(name)) {
      throw new InputError(`${where}: tensor "${name}" is a projection (proj_size > 0), ${cannot}`);
    }
    const w = /^(.*?)weight_ih_l(\d+)$/.exec(name);
    if (w) {
      const [, prefix, k] = w;
      if (!names.has(`${prefix}bias_ih_l${k}`) && !names.has(`${prefix}bias_hh_l${k}`)) {
        throw new InputError(
          `${where}: tensor "${name}" has no "${prefix}bias_ih_l${k}" or "${prefix}bias_hh_l${k}": a layer without biases (bias=False), ${cannot}`,
        );
      }
    }
  }
  if (names.has('head.weight') && !names.has('head.bias')) {
    throw new InputError(`${where}: tensor "head.weight" has no "head.bias": a head without bias (bias=False), ${cannot}`);
  }
}

/** PyTorch options that a foreign config might carry, each refused with its own reason. */
const FOREIGN_CONFIG_KEYS: Record<string, string> = {
  dropout: 'dropout between layers',
  bidirectional: 'bidirectional layers',
  proj_size: 'projections (proj_size)',
  bias: 'layers without biases (bias=False)',
};

function readConfig(where: string, metadata: Record<string, string>): ResolvedConfig {
  if (metadata.format !== MODEL_FORMAT) {
    const received = metadata.format === undefined ? 'none' : JSON.stringify(metadata.format);
    throw new InputError(
      `${where}: not a webgpu-lstm model file: expected __metadata__ "format": "${MODEL_FORMAT}", received ${received}`,
    );
  }
  if (metadata.version !== MODEL_VERSION) {
    const received = metadata.version === undefined ? 'none' : JSON.stringify(metadata.version);
    throw new InputError(`${where}: unsupported model file version: expected "${MODEL_VERSION}", received ${received}`);
  }
  if (metadata.config === undefined) {
    throw new InputError(`${where}: __metadata__ expected a "config" entry, received none`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(metadata.config);
  } catch (err) {
    throw new InputError(`${where}: __metadata__ "config" is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const [key, what] of Object.entries(FOREIGN_CONFIG_KEYS)) {
      if (Object.prototype.hasOwnProperty.call(raw, key)) {
        throw new InputError(
          `${where}: config key "${key}" (${what}) is not part of the webgpu-lstm model format, received ${JSON.stringify((raw as Record<string, unknown>)[key])}`,
        );
      }
    }
  }
  return resolveConfig(raw, where);
}

/** Read and check a model file; `where` names it in errors (e.g. "model file m.safetensors"). */
export function decodeModelFile(bytes: Uint8Array, where: string): { config: ResolvedConfig; params: Float64Array } {
  const { tensors, metadata } = parseSafetensors(bytes, where);
  refuseForeignFeatures(where, new Set(tensors.keys()));
  const config = readConfig(where, metadata);
  const layout = paramLayout(config);

  for (const s of layout.specs) {
    const t = tensors.get(s.name);
    if (!t) {
      throw new InputError(
        `${where}: tensor "${s.name}" expected shape ${shapeString(s.shape)}, received no such tensor`,
      );
    }
    expectShape(where, s.name, s.shape, t.shape);
  }
  const expected = new Set(layout.specs.map((s) => s.name));
  for (const name of tensors.keys()) {
    if (!expected.has(name)) {
      throw new InputError(
        `${where}: unexpected tensor "${name}" (the config expects: ${layout.specs.map((s) => s.name).join(', ')})`,
      );
    }
  }

  const params = new Float64Array(layout.total);
  for (const s of layout.specs) {
    const t = tensors.get(s.name)!;
    expectDType(where, s.name, ['F32', 'F64'] as const, t.dtype);
    expectFinite(where, s.name, t.data, s.shape);
    params.set(t.data, s.offset);
  }
  return { config, params };
}
