/**
 * webgpu-lstm: train recurrent networks with WebGPU compute shaders, cross-checked against a
 * float64 CPU reference. `createEngine()` picks the best backend available here.
 */
import type { BackendName, Engine } from './api.js';
import { CpuEngine } from './cpu/engine.js';
import { InputError, RuntimeFailure } from './errors.js';

export interface CreateEngineOptions {
  /** 'cpu', 'webgpu', or absent for the best available. */
  backend?: BackendName;
  /** A device the caller already has (browser); implies webgpu. */
  device?: GPUDevice;
}

export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  const backend = opts.backend ?? (opts.device ? 'webgpu' : 'cpu');
  if (backend === 'cpu') return new CpuEngine();
  if (backend === 'webgpu') {
    throw new RuntimeFailure('backend "webgpu": the WebGPU engine is not built yet in this version; use backend "cpu"');
  }
  throw new InputError(`createEngine: backend must be "cpu" or "webgpu", received ${JSON.stringify(backend)}`);
}

export * from './api.js';
export * from './config.js';
export * from './errors.js';
export type { Tensor, FloatTensor, IntTensor } from './tensor.js';
export { CpuEngine } from './cpu/engine.js';
export { normwiseError } from './compare.js';
