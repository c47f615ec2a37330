/**
 * What exportOnnx accepts, checked before any graph is built: the options, the size of the model
 * against protobuf's message limit, and the parameter map (every tensor of the config present,
 * of the right size, finite and within float32's range, since the file stores float32).
 */
import { parameterCount, type ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { paramLayout } from '../params.js';
import { checkParameterMap } from '../checks/tensors.js';
import { show } from '../checks/options.js';

export interface OnnxExportOptions {
  /** Add the `lengths` input (int32 [batch]), ONNX's sequence_lens. Default false. */
  lengths?: boolean;
  /** The ONNX opset to import, an integer in [14, 20]. Default 14. */
  opset?: number;
  /** Add required inputs h0 (and, LSTM, c0) [L, batch, H]. Default false. */
  stateInputs?: boolean;
}

/** 14 is the floor the export targets; 20 the newest opset of onnxruntime 1.17, which tests it. */
export const ONNX_OPSET_MIN = 14;
export const ONNX_OPSET_MAX = 20;
export const ONNX_OPSET_DEFAULT = 14;

/** protobuf's limit on one message (2 GiB − 1), less room for the graph around the weights. */
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;
const GRAPH_OVERHEAD_BYTES = 1 << 20;

const OPTION_KEYS = ['lengths', 'opset', 'stateInputs'];

/** The IR version of the ONNX release that introduced an opset: 14 → 7, 15–18 → 8, 19–20 → 9. */
export function irVersionFor(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : 9;
}

export function checkExportOptions(where: string, opts: unknown): Required<OnnxExportOptions> {
  if (opts === undefined) return { lengths: false, opset: ONNX_OPSET_DEFAULT, stateInputs: false };
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new InputError(`${where}: options must be an object { ${OPTION_KEYS.map((k) => `${k}?`).join(', ')} }, received ${show(opts)}`);
  }
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) throw new InputError(`${where}: unknown option ${show(k)} (known: ${OPTION_KEYS.join(', ')})`);
  }
  const bool = (name: string): boolean => {
    const v = o[name];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new InputError(`${where}: option ${name} must be a boolean, received ${show(v)}`);
    return v;
  };
  const opset = o.opset === undefined ? ONNX_OPSET_DEFAULT : o.opset;
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < ONNX_OPSET_MIN || opset > ONNX_OPSET_MAX) {
    throw new InputError(`${where}: option opset must be an integer in [${ONNX_OPSET_MIN}, ${ONNX_OPSET_MAX}] (the opsets this export is tested with), received ${show(opset)}`);
  }
  return { lengths: bool('lengths'), opset, stateInputs: bool('stateInputs') };
}

/** Refuses, from the config alone, a model whose float32 weights cannot fit one protobuf message. */
export function checkExportSize(where: string, cfg: ResolvedConfig): void {
  const n = parameterCount(cfg), bytes = n * 4;
  if (bytes + GRAPH_OVERHEAD_BYTES > PROTOBUF_LIMIT_BYTES) {
    throw new InputError(`${where}: the model's ${n} float32 parameters take ${bytes} bytes, over the 2 GiB limit of one protobuf message (an ONNX file with external data is not written)`);
  }
}

/** Every parameter of the config's layout, checked; returns the map as given. */
export function checkExportParams(where: string, cfg: ResolvedConfig, params: unknown): Map<string, ArrayLike<number>> {
  const layout = paramLayout(cfg);
  checkParameterMap(layout, params, where, 'f32'); // a Map; names known; sizes right; finite f32 values
  const map = params as Map<string, ArrayLike<number>>;
  const missing = layout.specs.filter((s) => !map.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    const shown = missing.slice(0, 8).join(', ') + (missing.length > 8 ? `, … (${missing.length} in all)` : '');
    throw new InputError(`${where}: params is missing ${shown} (expected every parameter of the config: ${layout.specs.length} tensors)`);
  }
  return map;
}
