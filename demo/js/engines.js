// The engines the page trains on, one per backend, made on first use and kept for the page's
// life; and the description of this browser's WebGPU (adapter, limits) for the device panel.
import { CpuEngine, createEngine, describeBackends } from 'webgpu-lstm';

export class Engines {
  /** @param {(msg: string) => void} log  notes from the engine (fallback taken, device warnings) */
  constructor(log) {
    this.log = log;
    this.byBackend = new Map();
    this.description = null;
  }

  /** WebGPU here: available or why not, the adapter and its limits (opens and closes a device once). */
  describe() {
    this.description ??= describeBackends({ log: this.log });
    return this.description;
  }

  /**
   * The engine for 'auto' (webgpu when an adapter exists, else cpu, said through `log`), 'webgpu'
   * (an error where there is none) or 'cpu'.
   */
  async get(choice) {
    if (choice === 'auto') choice = (await this.describe()).webgpu.available ? 'webgpu' : 'cpu';
    let engine = this.byBackend.get(choice);
    if (!engine) {
      engine = choice === 'cpu' ? new CpuEngine() : await createEngine({ backend: 'webgpu', log: this.log });
      this.byBackend.set(choice, engine);
    }
    return engine;
  }
}
