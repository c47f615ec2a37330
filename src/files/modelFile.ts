/**
 * The model file (DESIGN.md section 5 and its version 1 additions): a safetensors file whose
 * `__metadata__` holds `format: "webgpu-lstm"`, `version: "1"` and `config` (JSON of
 * configToJSON), and whose tensors are the parameters under their PyTorch names and shapes
 * (src/params.ts). Readers accept parameters in F16, BF16, F32 and F64 (all widened exactly to
 * float64); writers use F32 unless asked for F64, and refuse what a reader would refuse.
 *
 * Every reader here also accepts
 * - a checkpoint (checkpoint.ts) as a model file: the `optim.*` and `state.*` tensors are skipped;
 * - a plain PyTorch state dict (no webgpu-lstm `__metadata__`, or `format: "pt"`) when the caller
 *   gives what its tensors cannot say: `decodeModelFile(bytes, where, { config, names })`, see
 *   torchState.ts for what is read from names and shapes and how prefix maps work.
 *
 * A PyTorch state dict that this format cannot express (bidirectional, proj_size, bias=False,
 * dropout) is refused by name, never loaded wrongly. Every refusal about which tensors are there
 * lists the names the file holds (a bounded list).
 */
import { configToJSON, resolveConfig, type ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { paramLayout } from '../params.js';
import { shapeString } from '../tensor.js';
import { expectDType, expectFinite, expectShape } from '../checks/elements.js';
import { checkConfigKeys } from './configKeys.js';
import { preview, previewList, quote } from '../checks/preview.js';
import {
  FLOAT_DTYPES, parseSafetensors, serializeSafetensors, type DType, type SafetensorsContents, type StTensor,
} from './safetensors.js';
import { floatTensor } from './tensorValues.js';
import { checkLoadOptions, readTorchNames, type ModelLoadOptions } from './torchState.js';

export type { ModelLoadOptions } from './torchState.js';

export const MODEL_FORMAT = 'webgpu-lstm';
export const MODEL_VERSION = '1';

export type FloatDType = 'F32' | 'F64';

/** Tensors of a checkpoint that a model reader skips. */
export function isCheckpointTensor(name: string): boolean {
  return name.startsWith('optim.') || name.startsWith('state.');
}

/** The parameter tensors of a model, checked (finite; for F32 within range), as they are written. */
export function modelTensors(where: string, config: ResolvedConfig, params: Float64Array, dtype: FloatDType): Array<[string, StTensor]> {
  if (dtype !== 'F32' && dtype !== 'F64') {
    throw new InputError(`${where}: dtype expected "F32" or "F64", received ${preview(dtype)}`);
  }
  const layout = paramLayout(config);
  const isFloats = params instanceof Float64Array || (params as unknown) instanceof Float32Array;
  if (!isFloats || params.length !== layout.total) {
    throw new InputError(`${where}: params expected a Float64Array of ${layout.total} values for this config, received ${isFloats ? params.length : preview(params)}`);
  }
  return layout.specs.map((s) => [s.name, floatTensor(where, s.name, params.subarray(s.offset, s.offset + s.size), s.shape.slice(), dtype)]);
}

/** The model's `__metadata__`; `extra` adds entries (a checkpoint's). */
export function modelMetadata(config: ResolvedConfig, extra: Record<string, string> = {}): Record<string, string> {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, config: JSON.stringify(configToJSON(config)), ...extra };
}

/** Write a model: `params` is the flat buffer in the layout of paramLayout(config). */
export function encodeModelFile(config: ResolvedConfig, params: Float64Array, dtype: FloatDType = 'F32'): Uint8Array {
  return serializeSafetensors(modelTensors('encodeModelFile', config, params, dtype), modelMetadata(config));
}

/**
 * Refuse, by name, the PyTorch features this format has no place for, as shown by the tensor
 * names of a state dict (with or without a module prefix such as `lstm.`).
 */
function refuseForeignFeatures(where: string, names: ReadonlySet<string>): void {
  const cannot = 'which the webgpu-lstm model format cannot express';
  for (const name of names) {
    if (name.endsWith('_reverse')) {
      throw new InputError(`${where}: tensor ${quote(name)} belongs to a bidirectional layer (bidirectional=True), ${cannot}`);
    }
    if (/(^|\.)weight_hr_l\d+$/.test(name)) {
      throw new InputError(`${where}: tensor ${quote(name)} is a projection (proj_size > 0), ${cannot}`);
    }
    const w = /^(.*?)weight_ih_l(\d+)$/.exec(name);
    if (w) {
      const [, prefix, k] = w;
      if (!names.has(`${prefix}bias_ih_l${k}`) && !names.has(`${prefix}bias_hh_l${k}`)) {
        throw new InputError(
          `${where}: tensor ${quote(name)} has no ${quote(`${prefix}bias_ih_l${k}`)} or ${quote(`${prefix}bias_hh_l${k}`)}: a layer without biases (bias=False), ${cannot}`,
        );
      }
    }
  }
  refuseBiaslessHead(where, names.has('head.weight'), names.has('head.bias'), 'head.weight');
}

function refuseBiaslessHead(where: string, weight: boolean, bias: boolean, weightName: string): void {
  if (weight && !bias) {
    throw new InputError(
      `${where}: tensor ${quote(weightName)} has no ${quote(weightName.replace(/weight$/, 'bias'))}: a head without bias (bias=False), which the webgpu-lstm model format cannot express`,
    );
  }
}

/** The config of a webgpu-lstm file's metadata (format already checked). */
function readConfig(where: string, metadata: Record<string, string>): ResolvedConfig {
  if (metadata.version !== MODEL_VERSION) {
    const received = metadata.version === undefined ? 'none' : quote(metadata.version);
    throw new InputError(`${where}: unsupported model file version: expected "${MODEL_VERSION}", received ${received}`);
  }
  if (metadata.config === undefined) {
    throw new InputError(`${where}: __metadata__ expected a "config" entry, received none`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(metadata.config);
  } catch (err) {
    throw new InputError(`${where}: __metadata__ "config" is not valid JSON: ${String((err as Error).message).slice(0, 120)}`);
  }
  return resolveConfig(checkConfigKeys(where, raw, 'config'), where);
}

/** A caller's config must agree with a webgpu-lstm file's own, field by field. */
function checkAgrees(where: string, config: ResolvedConfig, given: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined && (config as unknown as Record<string, unknown>)[k] !== v) {
      throw new InputError(
        `${where}: options.config ${k} ${preview(v)} contradicts the file's config, which says ${preview((config as unknown as Record<string, unknown>)[k])}`,
      );
    }
  }
}

export interface ModelTensorInfo {
  /** Our (PyTorch) name, as in paramLayout. */
  name: string;
  /** The name in the file (differs only where a plain PyTorch file's prefix was mapped). */
  fileName: string;
  dtype: DType;
  shape: number[];
}

/** All a model reader learns from a file (decodeModelFile returns config and params of it). */
export interface ModelReading {
  config: ResolvedConfig;
  params: Float64Array;
  /** `webgpu-lstm`: a model file or checkpoint of ours; `pytorch`: a plain state dict. */
  source: 'webgpu-lstm' | 'pytorch';
  /** The parameters, in layout order. */
  tensors: ModelTensorInfo[];
  /** Checkpoint tensors (optim.*, state.*) that a model reader skips. */
  skipped: string[];
}

/** Read the model in parsed safetensors contents; `opts` as for decodeModelFile. */
export function readModel(contents: SafetensorsContents, where: string, opts?: ModelLoadOptions): ModelReading {
  const { tensors, metadata } = contents;
  const fileNames = [...tensors.keys()];
  const holds = `the file holds: ${previewList(fileNames)}`;
  refuseForeignFeatures(where, new Set(fileNames));
  const { given } = checkLoadOptions(where, opts);

  const format = metadata.format;
  let config: ResolvedConfig;
  let fileNameOf: Map<string, string>;
  let source: ModelReading['source'];
  const skipped: string[] = [];
  if (format === MODEL_FORMAT) {
    source = 'webgpu-lstm';
    config = readConfig(where, metadata);
    checkAgrees(where, config, given as Record<string, unknown>);
    fileNameOf = new Map();
    for (const name of fileNames) {
      if (isCheckpointTensor(name)) skipped.push(name);
      else fileNameOf.set(name, name);
    }
  } else if (format === undefined || format === 'pt') {
    source = 'pytorch';
    if (opts === undefined || (opts.config === undefined && opts.names === undefined)) {
      throw new InputError(
        `${where}: not a webgpu-lstm model file (no __metadata__ "format": "${MODEL_FORMAT}"): to read a plain PyTorch state dict, give what its tensors cannot say, options.config { loss, outputs } (${holds})`,
      );
    }
    const reading = readTorchNames(where, fileNames.map((name) => ({ name, shape: tensors.get(name)!.shape })), opts);
    config = reading.config;
    fileNameOf = reading.fileNameOf;
    refuseBiaslessHead(where, fileNameOf.has('head.weight'), fileNameOf.has('head.bias'), fileNameOf.get('head.weight') ?? 'head.weight');
  } else {
    throw new InputError(
      `${where}: not a webgpu-lstm model file: expected __metadata__ "format": "${MODEL_FORMAT}" (or none, for a plain PyTorch state dict), received ${quote(format)}`,
    );
  }

  const layout = paramLayout(config);
  const fileOf = (our: string): string => fileNameOf.get(our) ?? our;
  for (const s of layout.specs) {
    const t = fileNameOf.has(s.name) ? tensors.get(fileOf(s.name)) : undefined;
    if (!t) {
      throw new InputError(`${where}: tensor "${s.name}" expected shape ${shapeString(s.shape)}, received no such tensor (${holds})`);
    }
    expectShape(where, fileOf(s.name), s.shape, t.shape);
  }
  const expected = new Set(layout.specs.map((s) => s.name));
  for (const [our, file] of fileNameOf) {
    if (!expected.has(our)) {
      throw new InputError(
        `${where}: unexpected tensor ${quote(file)} (the config expects: ${previewList(layout.specs.map((s) => s.name))})`,
      );
    }
  }

  const params = new Float64Array(layout.total);
  const infos: ModelTensorInfo[] = [];
  for (const s of layout.specs) {
    const fileName = fileOf(s.name);
    const t = tensors.get(fileName)!;
    expectDType(where, fileName, FLOAT_DTYPES, t.dtype);
    expectFinite(where, fileName, t.data, s.shape);
    params.set(t.data, s.offset);
    infos.push({ name: s.name, fileName, dtype: t.dtype, shape: s.shape.slice() });
  }
  return { config, params, source, tensors: infos, skipped };
}

/**
 * Read and check a model file, a checkpoint (read as its model) or, given `opts`, a plain PyTorch
 * state dict; `where` names it in errors (e.g. "model file m.safetensors"). A state dict cannot
 * tell `nn.RNN(nonlinearity='tanh')` from `'relu'`: a plain RNN loads as `rnn_tanh` unless
 * `opts.config.cell` is `'rnn_relu'`. `opts.names` (prefix maps) applies to plain PyTorch files
 * only; a webgpu-lstm file is read by its own names, and `opts.config` must agree with its config.
 */
export function decodeModelFile(bytes: Uint8Array | ArrayBuffer, where: string, opts?: ModelLoadOptions): { config: ResolvedConfig; params: Float64Array } {
  const { config, params } = readModel(parseSafetensors(bytes, where), where, opts);
  return { config, params };
}
