/** The `cpu` engine: float64 reference models behind the public Engine interface. */
import type { AdapterInfo } from '../api.js';
import type { ResolvedConfig } from '../config.js';
import { EngineBase } from '../core/engineBase.js';
import { CpuModel } from './model.js';

export const CPU_DESCRIPTION = 'cpu (float64 reference)';

/** The cpu backend's most parameters: 2^26 (four float64 copies — parameters, gradients, two optimizer states — are 2 GiB). */
export const CPU_PARAMETER_LIMIT = 2 ** 26;

/**
 * The `cpu` backend's engine: float64 reference models (plain loops on the host) behind the Engine
 * interface. `createEngine({ backend: 'cpu' })` returns one; `new CpuEngine()` is the same thing.
 * A model may hold at most 2^26 parameters here.
 */
export class CpuEngine extends EngineBase {
  /** Always 'cpu'. */
  readonly backend = 'cpu' as const;
  /** description 'cpu (float64 reference)', vendor 'cpu', architecture 'float64', isFallbackAdapter false; `fallback` says why cpu was chosen, or null. */
  readonly adapterInfo: AdapterInfo;

  /** `fallback`: why the cpu backend was chosen when WebGPU was asked for by default and not found. */
  constructor(fallback: string | null = null) {
    super();
    this.adapterInfo = { description: CPU_DESCRIPTION, vendor: 'cpu', architecture: 'float64', isFallbackAdapter: false, fallback };
  }

  protected parameterBudget() {
    return { limit: CPU_PARAMETER_LIMIT, why: 'the cpu backend holds four float64 copies of the parameters; 2^26 of them are 2 GiB' };
  }

  protected makeModel(cfg: ResolvedConfig, params: Float64Array): CpuModel {
    return new CpuModel(this, cfg, params);
  }
}
