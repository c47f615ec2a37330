/** The `webgpu` engine: a device (the caller's, or one made here), the kernel registry, models. */
import type { AdapterInfo, CreateModelOptions, Engine } from '../api.js';
import { resolveConfig } from '../config.js';
import { InputError } from '../errors.js';
import { decodeModelFile } from '../files/modelFile.js';
import { initParams, paramLayout } from '../params.js';
import { newCounters, type GpuCounters } from './counters.js';
import { GpuModel } from './gpuModel.js';
import { KernelRegistry } from './kernels.js';
import type { PlanContext } from './plan.js';
import type { ShaderSource } from './shaderSource.js';

export class WebGPUEngine implements Engine {
  readonly backend = 'webgpu' as const;
  readonly counters: GpuCounters = newCounters();
  private readonly ctx: PlanContext;
  private readonly models = new Set<GpuModel>();

  constructor(readonly device: GPUDevice, readonly adapterInfo: AdapterInfo, limits: Record<string, number>, source: ShaderSource,
    private readonly ownsDevice: boolean) {
    this.ctx = { device, registry: new KernelRegistry(device, source, this.counters), counters: this.counters, limits };
  }

  createModel(opts: CreateModelOptions): GpuModel {
    const { seed, forgetBias, ...rest } = opts;
    const cfg = resolveConfig(rest, 'createModel');
    if (seed !== undefined && !Number.isInteger(seed)) throw new InputError(`createModel: seed must be an integer, received ${JSON.stringify(seed)}`);
    if (forgetBias !== undefined && !Number.isFinite(forgetBias)) throw new InputError(`createModel: forgetBias must be a finite number, received ${JSON.stringify(forgetBias)}`);
    // Initial weights are drawn on the CPU by the one seeded generator, so every backend starts equal.
    return this.track(new GpuModel(this.ctx, cfg, initParams(cfg, paramLayout(cfg), { seed: seed ?? 0, forgetBias: forgetBias ?? 0 })));
  }

  loadModel(bytes: Uint8Array, where = 'model file'): GpuModel {
    const { config, params } = decodeModelFile(bytes, where);
    return this.track(new GpuModel(this.ctx, config, params));
  }

  private track(m: GpuModel): GpuModel {
    this.models.add(m);
    return m;
  }

  destroy(): void {
    for (const m of this.models) m.destroy();
    this.models.clear();
    if (this.ownsDevice) this.device.destroy();
  }
}
