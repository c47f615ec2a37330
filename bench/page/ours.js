// This engine in the page: the browser bundle's createEngine() (webgpu from navigator.gpu) for the
// timed contender, and its float64 CpuEngine for the verify step and for the initial weights that
// the TF.js models copy (the same seed gives the same weights on every backend).
//
// Two GPU engines, on purpose:
//   - the time to first step (timeToFirstStep) uses a fresh engine as a user makes it,
//     createEngine({ backend: 'webgpu' }) with the default tuning ('background': the first step
//     runs the cost model's pick and waits only for its own compiles); it is the first thing of
//     this engine a configuration's page does, so nothing is compiled before it; it is destroyed
//     once its background tuning has settled, so none of it runs during the timed steps;
//   - the timed contender uses tuning 'measure' (the first pass of a shape waits for the tuner's
//     timings, so every timed step runs the settled plan: what `tuning` documents for benchmarks).
import { createEngine, CpuEngine } from '/dist/browser/webgpu-lstm.js';

/** Adam, PyTorch's defaults except the rate, as every contender of the benchmark uses. */
export const OPTIMIZER = { name: 'adam', lr: 1e-3 };

let gpuEngine = null;
const cpuEngine = new CpuEngine();

export async function ourEngine(log) {
  gpuEngine ??= await createEngine({ backend: 'webgpu', tuning: 'measure', log });
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

/**
 * Engine creation → first finished training step (forward, backward, Adam, loss read back), in
 * this page, cold: createEngine (adapter, device), createModel, trainer, one awaited step, which
 * compiles the pipelines its plan uses. Then waits for the background tuning to settle (reported,
 * not part of the first step) and destroys the engine.
 */
export async function timeToFirstStep(spec, batch, seed, log) {
  if (gpuEngine) throw new Error('timeToFirstStep: an engine of this page exists already, so the first step would not be cold');
  const t0 = performance.now();
  const engine = await createEngine({ backend: 'webgpu', log });
  const t1 = performance.now();
  try {
    const model = engine.createModel(modelOptions(spec, seed));
    const { x, y } = tensors(spec, batch);
    const { loss } = await model.trainer({ optimizer: OPTIMIZER }).step(x, y);
    const t2 = performance.now();
    const atFirst = { ...engine.counters };
    await engine.tuner?.idle?.();
    const t3 = performance.now();
    return {
      createEngineMs: t1 - t0, firstStepMs: t2 - t1, totalMs: t2 - t0, tuningSettledMs: t3 - t0, loss,
      pipelinesAtFirstStep: atFirst.pipelinesCreated, pipelinesWhenSettled: engine.counters.pipelinesCreated,
      tuning: engine.tuner?.policy ?? null,
    };
  } finally {
    engine.destroy();
  }
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
