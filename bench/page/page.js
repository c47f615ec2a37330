// The benchmark's side in the page. The runner (bench/browser.mjs) calls window.benchPage:
//   init(opts)                  TF.js backends (those asked for; wasm from local files, with a
//                               thread count where asked); no engine of ours yet
//   firstStep(job)              our time to first step, cold (ours.js: timeToFirstStep)
//   ourInfo()                   makes the timed engine and says what adapter it runs on
//   prepare(job)                makes the batch and every contender of one configuration
//   verifyOurs()                first-step losses of this engine on the GPU and on the float64 CPU
//   step(name)                  one timed training step of one contender: ms, loss, GPU counts
//   release()                   disposes the configuration's contenders
//   floors()                    the adapter's per-dispatch and round-trip costs (floors.js)
//   matmulRate(opts)            our matmul's GFLOP/s on this adapter (matmulRate.js)
//   profile({ pairs })          our step's time by kernel family (kernelProfile.js), after timing
// Timing is performance.now() around one awaited step (forward, backward, Adam, loss read back).
//
// Contender names: 'ours', or 'tfjs-<backend>-<layers|cell>' with backend one of webgpu, webgl,
// cpu, wasm, or wasm2: TF.js's wasm backend in a page made to run it with 2 threads (the runner
// opens that page with navigator.hardwareConcurrency emulated as 4, since TF.js 4.22 caps the
// thread count at hardwareConcurrency / 2, and init sets tf.wasm.setThreadsCount(2)).
import { randomBatch } from './data.js';
import { ourContender, firstStepLosses, initialParameters, ourEngine, ourAdapterInfo, timeToFirstStep } from './ours.js';
import { layersContender, cellContender } from './tfjsModels.js';
import { measureFloors } from './floors.js';
import { measureMatmulRate } from './matmulRate.js';
import { profileKernels } from './kernelProfile.js';

const tf = globalThis.tf;
const notes = [];
const log = (m) => notes.push(String(m));
let contenders = new Map();
let current = null;

const counts = () => ({ ...(globalThis.__gpuCounts ?? { dispatches: NaN, submits: NaN, commandBuffers: NaN, maps: NaN }) });

/** The TF.js backend a contender's backend token runs on (wasm2 is wasm, in its own page). */
const tfBackendOf = (token) => (token === 'wasm2' ? 'wasm' : token);

/** WebGL's renderer string, where the context tells it. */
function webglRenderer() {
  try {
    const gl = tf.backend().gpgpu?.gl;
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    return gl ? gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : null;
  } catch {
    return null;
  }
}

/**
 * opts: { wasmPath, backends: TF.js backend names to start (webgpu, webgl, cpu, wasm),
 *         wasmThreads: null (TF.js's default) or a count for tf.wasm.setThreadsCount }
 */
async function init({ wasmPath, backends: names = ['wasm', 'webgpu', 'webgl', 'cpu'], wasmThreads = null }) {
  tf.wasm.setWasmPaths(wasmPath);
  if (wasmThreads !== null) tf.wasm.setThreadsCount(wasmThreads);
  const backends = {};
  for (const name of names) {
    const t0 = performance.now();
    let ok = false, error = null;
    try {
      ok = await tf.setBackend(name);
      if (!ok) error = `tf.setBackend('${name}') returned false (the backend did not initialize)`;
    } catch (e) {
      error = String(e?.message ?? e);
    }
    backends[name] = { ok, error, initMs: performance.now() - t0 };
    if (!ok) continue;
    if (name === 'wasm') {
      backends.wasm.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      backends.wasm.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      backends.wasm.threadsAsked = wasmThreads;
      backends.wasm.threads = tf.wasm.getThreadsCount?.() ?? null;
    } else if (name === 'webgpu') {
      const info = tf.backend().adapterInfo;
      backends.webgpu.adapter = info ? { vendor: info.vendor, architecture: info.architecture } : null;
    } else if (name === 'webgl') {
      backends.webgl.version = tf.env().getNumber('WEBGL_VERSION');
      backends.webgl.renderer = webglRenderer();
    }
  }
  return {
    tfjsVersion: tf.version?.tfjs ?? tf.version_core ?? null,
    backends,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
  };
}

/** Our engine's adapter (makes the timed engine; the environment page only). */
async function ourInfo() {
  await ourEngine(log);
  const adapter = await navigator.gpu.requestAdapter();
  const ai = adapter?.info;
  return {
    ours: ourAdapterInfo(),
    adapter: ai ? { vendor: ai.vendor, architecture: ai.architecture, device: ai.device, description: ai.description, isFallbackAdapter: adapter.isFallbackAdapter ?? ai.isFallbackAdapter ?? null } : null,
  };
}

/** job: { spec, B, T, seed }: our cold time to first step on the configuration's batch. */
async function firstStep(job) {
  const batch = randomBatch(job.spec, job.B, job.T, job.seed + 1000);
  return timeToFirstStep(job.spec, batch, job.seed, log);
}

/**
 * job: { spec: { I, H, L, C, outputs }, B, T, seed, names: ['ours', 'tfjs-webgpu-layers', …] }
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
        const [, token, variant] = name.split('-');
        const backend = tfBackendOf(token);
        if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} is not available in this page`);
        const make = variant === 'layers' ? layersContender : variant === 'cell' ? cellContender : null;
        if (!make) throw new Error(`unknown TF.js variant ${JSON.stringify(variant)}`);
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
  if (!c) return { error: `no contender ${name} in this page`, ms: 0 };
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

globalThis.benchPage = {
  init, ourInfo, firstStep, prepare, verifyOurs, step, profile, release, takeNotes,
  floors: measureFloors, matmulRate: measureMatmulRate,
};
