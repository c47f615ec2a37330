// The engines the page trains on, one per backend, made on first use and kept for the page's
// life; and the description of this browser's WebGPU (adapter, limits) for the device panel.
//
// Kernel tuning: by default the webgpu engine runs the cost model's pick for a new shape and times
// the kernel variants in the background, once per shape (createEngine's `tuning: 'background'`).
// On a software adapter (SwiftShader) that timing runs on the same CPU cores as the training the
// page shows — measured for mnist-rows: 12–26 s for each of the training batch, the last smaller
// batch and the evaluation's forward pass — so there the page takes the cost model's pick only
// (`tuning: 'model'`) unless the URL says ?tuning=background or ?tuning=measure.
import { CpuEngine, createEngine, describeBackends } from 'webgpu-lstm';

export class Engines {
  /**
   * @param {(msg: string) => void} log  notes from the engine (fallback taken, device warnings)
   * @param {'background' | 'measure' | 'model' | null} tuning  the URL's choice, or null for the page's default
   */
  constructor(log, tuning = null) {
    this.log = log;
    this.tuningChoice = tuning;
    this.byBackend = new Map();
    this.description = null;
  }

  /** WebGPU here: available or why not, the adapter and its limits (opens and closes a device once). */
  describe() {
    this.description ??= describeBackends({ log: this.log });
    return this.description;
  }

  /** The tuning policy of the webgpu engine here, and why. */
  async tuning() {
    if (this.tuningChoice) return { policy: this.tuningChoice, why: 'as the URL asks (?tuning=…)' };
    const software = (await this.describe()).webgpu.adapter?.isFallbackAdapter === true;
    return software
      ? { policy: 'model', why: 'a software adapter: timing the kernel variants would take seconds of the same CPU per new shape (?tuning=background times them)' }
      : { policy: 'background', why: 'the kernel variants are timed once per shape on this adapter, in the background' };
  }

  /**
   * The engine for 'auto' (webgpu when an adapter exists, else cpu, said through `log`), 'webgpu'
   * (an error where there is none) or 'cpu'.
   */
  async get(choice) {
    if (choice === 'auto') choice = (await this.describe()).webgpu.available ? 'webgpu' : 'cpu';
    let engine = this.byBackend.get(choice);
    if (!engine) {
      engine = choice === 'cpu' ? new CpuEngine() : await createEngine({ backend: 'webgpu', log: this.log, tuning: (await this.tuning()).policy });
      this.byBackend.set(choice, engine);
    }
    return engine;
  }
}
