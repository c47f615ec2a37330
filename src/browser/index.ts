/**
 * The browser entry of webgpu-lstm: the same API as in Node, with the WGSL kernels bundled in and
 * the device taken from `navigator.gpu` (or passed by the caller as `{ device }`).
 */
import type { Engine } from '../api.js';
import { createEngine as createEngineWith, type CreateEngineOptions } from '../index.js';
import { mapShaderSource } from '../webgpu/shaderSource.js';
import { BUNDLED_SHADERS } from './shaders.js';

export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  return createEngineWith({ shaders: mapShaderSource(BUNDLED_SHADERS), ...opts });
}

export type { CreateEngineOptions } from '../index.js';
export * from '../api.js';
export * from '../config.js';
export * from '../errors.js';
export type { Tensor, FloatTensor, IntTensor } from '../tensor.js';
export { CpuEngine } from '../cpu/engine.js';
export { WebGPUEngine } from '../webgpu/gpuEngine.js';
export { normwiseError } from '../compare.js';
export { runCheck, kernelsOf, TOLERANCE } from '../check.js';
export { describeBackends } from '../backends.js';
export { BUNDLED_SHADERS };
