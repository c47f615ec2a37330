/**
 * webgpu-lstm: train recurrent networks with WebGPU compute shaders, cross-checked against a
 * float64 CPU reference. `createEngine()` picks the best backend available here.
 */
import type { BackendName, Engine } from './api.js';
import { CpuEngine } from './cpu/engine.js';
import { InputError, RuntimeFailure } from './errors.js';
import { openWebGPUDevice } from './backends.js';
import { limitsToRecord } from './webgpu/deviceRequest.js';
import { WebGPUEngine } from './webgpu/gpuEngine.js';
import { nodeShaderSource, type ShaderSource } from './webgpu/shaderSource.js';

export interface CreateEngineOptions {
  /** 'cpu', 'webgpu', or absent for the best available (webgpu when an adapter exists). */
  backend?: BackendName;
  /** A device the caller already has (browser); implies webgpu. */
  device?: GPUDevice;
  /** Where the WGSL kernels come from (default: the package's shaders/ folder, in Node). */
  shaders?: ShaderSource;
  /** Notes such as the adapter fallback taken, or why the cpu backend was chosen. */
  log?: (msg: string) => void;
}

export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  if (opts.backend !== undefined && opts.backend !== 'cpu' && opts.backend !== 'webgpu') {
    throw new InputError(`createEngine: backend must be "cpu" or "webgpu", received ${JSON.stringify(opts.backend)}`);
  }
  if (opts.backend === 'cpu') return new CpuEngine();
  const shaders = opts.shaders ?? nodeShaderSource;
  if (opts.device) {
    const d = opts.device;
    const info = (d as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return new WebGPUEngine(d, {
      description: info?.description || `${info?.vendor ?? 'unknown'} ${info?.architecture ?? ''}`.trim(),
      vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', fallback: null,
    }, limitsToRecord(d.limits), shaders, false);
  }
  let device;
  try {
    device = await openWebGPUDevice(opts.log);
  } catch (e) {
    // An explicit webgpu never falls back to cpu; the best-available choice does, and says so.
    if (opts.backend === 'webgpu') throw new RuntimeFailure(`backend "webgpu": ${(e as Error).message}`);
    opts.log?.(`no WebGPU adapter (${(e as Error).message}); using the cpu backend`);
    return new CpuEngine();
  }
  return new WebGPUEngine(device.device, device.info, device.limits, shaders, true);
}

/** A Node engine on Dawn, with the SwiftShader fallback when there is no GPU (src/webgpu/device.ts). */
export async function createNodeWebGPUEngine(): Promise<WebGPUEngine> {
  return (await createEngine({ backend: 'webgpu' })) as WebGPUEngine;
}

export * from './api.js';
export * from './config.js';
export * from './errors.js';
export type { Tensor, FloatTensor, IntTensor } from './tensor.js';
export { CpuEngine } from './cpu/engine.js';
export { WebGPUEngine } from './webgpu/gpuEngine.js';
export type { ShaderSource } from './webgpu/shaderSource.js';
export { normwiseError } from './compare.js';
