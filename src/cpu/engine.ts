/** The `cpu` engine: float64 reference models behind the public Engine interface. */
import type { AdapterInfo, CreateModelOptions, Engine } from '../api.js';
import { resolveConfig } from '../config.js';
import { decodeModelFile } from '../files/modelFile.js';
import { initParams, paramLayout } from '../params.js';
import { InputError } from '../errors.js';
import { CpuModel } from './model.js';

export const CPU_ADAPTER: AdapterInfo = {
  description: 'cpu (float64 reference)', vendor: 'cpu', architecture: 'float64', fallback: null,
};

export class CpuEngine implements Engine {
  readonly backend = 'cpu' as const;
  readonly adapterInfo = CPU_ADAPTER;

  createModel(opts: CreateModelOptions): CpuModel {
    const { seed, forgetBias, ...rest } = opts;
    const cfg = resolveConfig(rest, 'createModel');
    if (seed !== undefined && !Number.isInteger(seed)) throw new InputError(`createModel: seed must be an integer, received ${JSON.stringify(seed)}`);
    if (forgetBias !== undefined && !Number.isFinite(forgetBias)) throw new InputError(`createModel: forgetBias must be a finite number, received ${JSON.stringify(forgetBias)}`);
    const layout = paramLayout(cfg);
    return new CpuModel(cfg, initParams(cfg, layout, { seed: seed ?? 0, forgetBias: forgetBias ?? 0 }));
  }

  loadModel(bytes: Uint8Array, where = 'model file'): CpuModel {
    const { config, params } = decodeModelFile(bytes, where);
    return new CpuModel(config, params);
  }

  destroy(): void {}
}
