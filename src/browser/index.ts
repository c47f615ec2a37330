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
// Task `bitpair` (pure: no node:fs), for the browser tests and pages.
export { bitpair, BITPAIR_RECIPE } from '../tasks/bitpair.js';
export { BitpairStreams, bitpairAccuracy, BITPAIR_CLASSES } from '../tasks/data/bitpair.js';
export type { TaskDefinition, TaskOptions, TaskResult } from '../tasks/task.js';
// The other example tasks' recipes, data and metrics (all pure), for the demo page (demo/). Not
// src/tasks/index.ts nor src/tasks/data/mnistRows.ts: they read files with node:fs.
export { Rng } from '../rng.js';
export { BITPAIR_MODEL, bitpairTrainerOptions } from '../tasks/bitpair.js';
export { ECHO_RECIPE, ECHO_MODEL, echoTrainerOptions } from '../tasks/echo.js';
export { echoSeries, echoWindow, echoAccuracy, windowsPerEpoch, ECHO_DEFAULTS, type EchoSeries } from '../tasks/data/echo.js';
export { BINARY_ADD_RECIPE, BINARY_ADD_MODEL, binaryAddTrainerOptions } from '../tasks/binaryAdd.js';
export { binaryAddData, binaryAddAccuracy, decodeBits, BINARY_ADD_DEFAULTS, type BinaryAddData } from '../tasks/data/binaryAdd.js';
export { MNIST_RECIPE, MNIST_MODEL, mnistTrainerOptions } from '../tasks/mnistRecipe.js';
export { shuffledBatches, gatherRows, gatherLabels } from '../tasks/data/batches.js';
export { argmax } from '../tasks/data/checks.js';
export { readsLoss, plannedSteps } from '../tasks/task.js';
