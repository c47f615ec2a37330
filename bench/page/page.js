// The benchmark's side in the page. The runner (bench/browser.mjs) calls window.benchPage:
//   init()                      TF.js backends (webgpu, wasm from local files) and this engine
//   prepare(job)                makes the batch and every contender of one configuration
//   verifyOurs()                first-step losses of this engine on the GPU and on the float64 CPU
//   step(name)                  one timed training step of one contender: ms, loss, GPU counts
//   release()                   disposes the configuration's contenders
//   floors()                    the adapter's per-dispatch and round-trip costs (floors.js)
//   profile({ pairs })          our step's time by kernel family (kernelProfile.js), after timing
// Timing is performance.now() around one awaited step (forward, backward, Adam, loss read back).
import { randomBatch } from './data.js';
import { ourContender, firstStepLosses, initialParameters, ourEngine, ourAdapterInfo } from './ours.js';
import { layersContender, cellContender } from './tfjsModels.js';
import { measureFloors } from './floors.js';
import { profileKernels } from './kernelProfile.js';

const tf = globalThis.tf;
const notes = [];
const log = (m) => notes.push(String(m));
let contenders = new Map();
let current = null;

const counts = () => ({ ...(globalThis.__gpuCounts ?? { dispatches: NaN, submits: NaN, commandBuffers: NaN, maps: NaN }) });

async function init({ wasmPath }) {
  tf.wasm.setWasmPaths(wasmPath);
  const backends = {};
  for (const name of ['wasm', 'webgpu']) {
    const t0 = performance.now();
    let ok = false, error = null;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      error = String(e?.message ?? e);
    }
    backends[name] = { ok, error, initMs: performance.now() - t0 };
  }
  if (backends.wasm.ok) {
    await tf.setBackend('wasm');
    backends.wasm.simd = tf.env().getAsync ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null;
    backends.wasm.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    backends.wasm.threads = tf.wasm.getThreadsCount?.() ?? null;
  }
  if (backends.webgpu.ok) {
    await tf.setBackend('webgpu');
    const info = tf.backend().adapterInfo;
    backends.webgpu.adapter = info ? { vendor: info.vendor, architecture: info.architecture } : null;
  }
  await ourEngine(log);
  const adapter = await navigator.gpu.requestAdapter();
  const ai = adapter?.info;
  return {
    tfjsVersion: tf.version?.tfjs ?? tf.version_core ?? null,
    backends,
    ours: ourAdapterInfo(),
    adapter: ai ? { vendor: ai.vendor, architecture: ai.architecture, device: ai.device, description: ai.description, isFallbackAdapter: adapter.isFallbackAdapter ?? ai.isFallbackAdapter ?? null } : null,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
    notes,
  };
}

/**
 * job: { spec: { I, H, L, C, outputs }, B, T, seed, names: ['ours', 'tfjs-webgpu-layers', …] }
 * Contender names: 'ours', or 'tfjs-<backend>-<layers|cell>'.
 */
async function prepare(job) {
  release();
  const { spec, B, T, seed } = job;
  const batch = randomBatch(spec, B, T, seed + 1000);
  const params = await initialParameters(spec, seed);
  current = { job, batch, params };
  const made = {};
  for (const name of job.names) {
    const t0 = performance.now();
    try {
      if (name === 'ours') {
        contenders.set(name, { ...(await ourContender(spec, batch, seed, log)), backend: null });
      } else {
        const [, backend, variant] = name.split('-');
        await tf.setBackend(backend);
        const make = variant === 'layers' ? layersContender : cellContender;
        contenders.set(name, { ...make(tf, spec, batch, params), backend });
      }
      made[name] = { ok: true, ms: performance.now() - t0 };
    } catch (e) {
      made[name] = { ok: false, error: String(e?.message ?? e) };
    }
  }
  return made;
}

/** Our engine's first-step loss on the GPU and on the float64 CPU engine, fresh models, same batch. */
async function verifyOurs() {
  const { job, batch } = current;
  return firstStepLosses(job.spec, batch, job.seed, log);
}

async function step(name) {
  const c = contenders.get(name);
  if (!c) throw new Error(`no contender ${name}`);
  if (c.backend) await tf.setBackend(c.backend);
  const before = counts();
  const ours0 = c.engineCounters?.();
  const t0 = performance.now();
  let loss;
  try {
    loss = await c.step();
  } catch (e) {
    return { error: String(e?.message ?? e), ms: performance.now() - t0 };
  }
  const ms = performance.now() - t0;
  const after = counts();
  const ours1 = c.engineCounters?.();
  const out = { ms, loss };
  for (const k of Object.keys(after)) out[k] = after[k] - before[k];
  if (ours0) out.engine = { dispatches: ours1.dispatches - ours0.dispatches, submits: ours1.submits - ours0.submits, buffersCreated: ours1.buffersCreated - ours0.buffersCreated };
  if (c.backend) out.tfTensors = tf.memory().numTensors;
  return out;
}

/** Our kernels' share of the step, by family; the 'ours' model is spoilt afterwards (skipped kernels). */
async function profile(opts) {
  const c = contenders.get('ours');
  if (!c) throw new Error('no contender ours');
  return profileKernels(c.step, opts);
}

function release() {
  for (const c of contenders.values()) {
    try { c.dispose(); } catch { /* already gone */ }
  }
  contenders = new Map();
  current = null;
}

function takeNotes() {
  return notes.splice(0);
}

globalThis.benchPage = { init, prepare, verifyOurs, step, profile, release, takeNotes, floors: measureFloors };
