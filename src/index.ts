/// <reference types="@webgpu/types" preserve="true" />
/**
 * webgpu-lstm: train recurrent networks (LSTM, GRU, plain RNNs) with WebGPU compute shaders,
 * cross-checked against a float64 CPU reference. The same module in Node (Dawn, from the optional
 * peer dependency `webgpu`) and in the browser (navigator.gpu; the package's `browser` export).
 *
 * ```ts
 * import { createEngine } from 'webgpu-lstm';
 * const engine = await createEngine();               // webgpu when an adapter exists, else cpu
 * const model = engine.createModel({ cell: 'lstm', inputSize: 1, hiddenSize: 8, numLayers: 1,
 *                                    outputSize: 2, outputs: 'all', loss: 'softmax_ce', seed: 1 });
 * ```
 */
import type { BackendName, Engine } from './api.js';
import { CpuEngine } from './cpu/engine.js';
import { InputError, RuntimeFailure } from './errors.js';
import { openWebGPUDevice } from './backends.js';
import { show } from './checks/options.js';
import { describeAdapter } from './webgpu/device/adapterInfo.js';
import { limitsToRecord, errorMessage } from './webgpu/device/request.js';
import { WebGPUEngine } from './webgpu/engine/engine.js';

/** `createEngine`'s options; an unknown key or a bad value is an InputError naming it. */
export interface CreateEngineOptions {
  /** 'cpu' (float64 reference), 'webgpu', or absent for the best available (webgpu when an adapter exists, else cpu). */
  backend?: BackendName;
  /** A device the caller already has (e.g. from navigator.gpu); implies webgpu. The engine never destroys it. */
  device?: GPUDevice;
  /** Where notes go: the adapter fallback taken, why the cpu backend was chosen, uncaptured GPU errors. Default: stderr in Node, console.warn in a browser. */
  log?: (msg: string) => void;
  /**
   * webgpu: how each plan's kernel variants are chosen (model.describePlan says which and why).
   * 'background' (default): a new shape first runs the cost model's pick while the candidates are
   * timed on this adapter in the background, once per shape; the fastest takes over from the next
   * step. 'measure': the first step of a shape waits for the timings. 'model': the cost model
   * only, nothing timed.
   */
  tuning?: 'background' | 'measure' | 'model';
}

function defaultLog(msg: string): void {
  const p = (globalThis as { process?: { stderr?: { write(s: string): void } } }).process;
  if (p?.stderr) p.stderr.write(`webgpu-lstm: ${msg}\n`);
  else console.warn(`webgpu-lstm: ${msg}`);
}

/**
 * An engine on the best backend here, or the one asked for. An explicit `backend: 'webgpu'` never
 * falls back to cpu (no adapter is an error); without `backend`, no adapter means the cpu backend,
 * said through `log` and in `engine.adapterInfo.fallback`.
 *
 * @param opts backend, an existing device, where notes go
 * @returns the engine; `engine.backend` says which, `engine.adapterInfo` what runs it
 */
export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  if (typeof opts !== 'object' || opts === null) throw new InputError(`createEngine: expected an options object, received ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!['backend', 'device', 'log', 'tuning'].includes(k)) throw new InputError(`createEngine: unknown option ${show(k)} (known: backend, device, log, tuning)`);
  }
  if (opts.backend !== undefined && opts.backend !== 'cpu' && opts.backend !== 'webgpu') {
    throw new InputError(`createEngine: backend must be "cpu" or "webgpu", received ${show(opts.backend)}`);
  }
  if (opts.log !== undefined && typeof opts.log !== 'function') throw new InputError(`createEngine: log must be a function, received ${show(opts.log)}`);
  if (opts.tuning !== undefined && !['background', 'measure', 'model'].includes(opts.tuning as string)) throw new InputError(`createEngine: tuning must be "background", "measure" or "model", received ${show(opts.tuning)}`);
  const tuning = opts.tuning ?? 'background';
  const log = opts.log ?? defaultLog;
  if (opts.backend === 'cpu') {
    if (opts.device) throw new InputError('createEngine: a device implies backend "webgpu", received backend "cpu"');
    return new CpuEngine();
  }
  if (opts.device) {
    const d = opts.device;
    const info = (d as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    const described = describeAdapter({ info } as unknown as GPUAdapter, null);
    const fallback = described.isFallbackAdapter ? 'software adapter (the platform offered no GPU adapter)' : null;
    return new WebGPUEngine(d, { ...described, fallback }, limitsToRecord(d.limits), false, null, log, tuning);
  }
  let device;
  try {
    device = await openWebGPUDevice(log);
  } catch (e) {
    // An explicit webgpu never falls back to cpu; the best-available choice does, and says so.
    if (opts.backend === 'webgpu') throw new RuntimeFailure(`backend "webgpu": ${errorMessage(e)}`);
    const why = `no WebGPU adapter (${errorMessage(e)}); using the cpu backend (float64)`;
    log(why);
    return new CpuEngine(why);
  }
  return new WebGPUEngine(device.device, device.info, device.limits, true, device.watch, log, tuning);
}

export * from './api.js';
export {
  type CellType, type LossType, type OutputMode, type HeadFrom, type InputKind, type ModelConfig, type ResolvedConfig,
  CELLS, LOSSES, FIELD_LIMITS, gateCount, cellModuleName, headInputSize, parameterCount, resolveConfig, configToJSON,
} from './config.js';
export { InputError, UsageError, RuntimeFailure } from './errors.js';
export type { FloatTensor, IntTensor } from './tensor.js';
export type { OptimizerName } from './reference/optimizerUpdate.js';
export { CpuEngine } from './cpu/engine.js';
export { WebGPUEngine } from './webgpu/engine/engine.js';
export { normwiseError } from './compare.js';
export { describeBackends, type BackendsDescription } from './backends.js';
export { importTfjs, exportTfjs, tfjsModelArtifacts, type TfjsArtifacts } from './interop/tfjs.js';
export { exportOnnx } from './interop/onnx.js';
export { decodeModelFile, encodeModelFile } from './files/modelFile.js';
export { parseSafetensors, serializeSafetensors } from './files/safetensors.js';
export { runCheck, kernelsOf, TOLERANCE, type CheckRow } from './check.js';
