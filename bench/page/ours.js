// This engine in the page: the browser bundle's createEngine() (webgpu from navigator.gpu) for the
// timed contender, and its float64 CpuEngine for the verify step and for the initial weights that
// the TF.js models copy (the same seed gives the same weights on every backend).
import { createEngine, CpuEngine } from '/dist/browser/webgpu-lstm.js';

/** Adam, PyTorch's defaults except the rate, as every contender of the benchmark uses. */
export const OPTIMIZER = { name: 'adam', lr: 1e-3 };

let gpuEngine = null;
const cpuEngine = new CpuEngine();

export async function ourEngine(log) {
  gpuEngine ??= await createEngine({ backend: 'webgpu', log });
  return gpuEngine;
}

/** The engine's model options for a benchmark spec (softmax head on h, PyTorch init). */
export function modelOptions(spec, seed) {
  return {
    cell: 'lstm', inputSize: spec.I, hiddenSize: spec.H, numLayers: spec.L, outputSize: spec.C,
    outputs: spec.outputs, loss: 'softmax_ce', seed,
  };
}

function tensors(spec, batch) {
  return {
    x: { data: batch.x, shape: [batch.B, batch.T, spec.I] },
    y: { data: batch.ids, shape: spec.outputs === 'all' ? [batch.B, batch.T] : [batch.B] },
  };
}

/** A contender: one awaited `trainer.step` is forward, backward, Adam update and loss readback. */
export async function ourContender(spec, batch, seed, log) {
  const engine = await ourEngine(log);
  const model = engine.createModel(modelOptions(spec, seed));
  const trainer = model.trainer({ optimizer: OPTIMIZER });
  const { x, y } = tensors(spec, batch);
  return {
    step: async () => (await trainer.step(x, y)).loss,
    dispose: () => model.destroy(),
    engineCounters: () => ({ ...engine.counters }),
  };
}

/** The first step's loss (before any update) of a fresh model on both engines, same batch. */
export async function firstStepLosses(spec, batch, seed, log) {
  const { x, y } = tensors(spec, batch);
  const engine = await ourEngine(log);
  const gm = engine.createModel(modelOptions(spec, seed));
  const gpuLoss = (await gm.trainer({ optimizer: OPTIMIZER }).step(x, y)).loss;
  gm.destroy();
  const cm = cpuEngine.createModel(modelOptions(spec, seed));
  const t0 = performance.now();
  const cpuLoss = (await cm.trainer({ optimizer: OPTIMIZER }).step(x, y)).loss;
  const cpuMs = performance.now() - t0;
  cm.destroy();
  return { gpuLoss, cpuLoss, cpuMs };
}

/** The initial parameters by PyTorch name (float64), for the TF.js models to copy. */
export async function initialParameters(spec, seed) {
  const m = cpuEngine.createModel(modelOptions(spec, seed));
  const p = await m.getParameters();
  m.destroy();
  return p;
}

export function ourAdapterInfo() {
  return gpuEngine?.adapterInfo ?? null;
}
