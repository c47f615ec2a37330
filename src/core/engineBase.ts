/**
 * What both engines share: the checks of createModel's and loadModel's arguments (so both refuse
 * the same things with the same words, before any work), the parameter budget, the models it made,
 * and its lifetime: after `destroy()` every call on the engine or its models fails at once with
 * "this engine was destroyed".
 */
import type { AdapterInfo, BackendName, CreateModelOptions, Engine, LoadModelOptions, Model } from '../api.js';
import { checkParameterBudget, resolveConfig, type ModelConfig, type ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { decodeModelFile } from '../files/modelFile.js';
import { importTfjs } from '../interop/tfjs.js';
import { initParams, paramLayout } from '../params.js';
import { checkObject, show } from '../checks/options.js';

/** Something an engine made and frees with it. */
export interface Owned {
  destroy(): void;
}

export abstract class EngineBase implements Engine {
  abstract readonly backend: BackendName;
  abstract readonly adapterInfo: AdapterInfo;
  private destroyed = false;
  private readonly owned = new Set<Owned>();

  /** The most parameters a model may have here, and where that limit comes from. */
  protected abstract parameterBudget(): { limit: number; why: string };

  /** Makes the backend's model from a checked config and its float64 parameters. */
  protected abstract makeModel(cfg: ResolvedConfig, params: Float64Array): Model;

  /** Throws when the engine can no longer be used (destroyed; webgpu: device lost). */
  assertUsable(where: string): void {
    if (this.destroyed) throw new InputError(`${where}: this engine was destroyed (engine.destroy()); create a new engine`);
  }

  /** True once `destroy()` has run; every later call on the engine or its models then fails with an InputError. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  createModel(opts: CreateModelOptions): Model {
    const where = 'createModel';
    this.assertUsable(where);
    const o = checkObject(where, 'a model options', opts);
    const { seed, forgetBias, ...rest } = o as unknown as CreateModelOptions;
    const cfg = resolveConfig(rest, where);
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
      throw new InputError(`${where}: seed must be an integer in [0, 4294967295], received ${show(seed)}`);
    }
    if (forgetBias !== undefined && !(typeof forgetBias === 'number' && Number.isFinite(forgetBias))) {
      throw new InputError(`${where}: forgetBias must be a finite number, received ${show(forgetBias)}`);
    }
    if (forgetBias !== undefined && cfg.cell !== 'lstm') {
      throw new InputError(`${where}: forgetBias applies to cell "lstm" only, received cell ${show(cfg.cell)}`);
    }
    this.checkBudget(where, cfg);
    // Initial weights are drawn on the CPU by the one seeded generator, so every backend starts equal.
    return this.adopt(this.makeModel(cfg, initParams(cfg, paramLayout(cfg), { seed: seed ?? 0, forgetBias: forgetBias ?? 0 })));
  }

  loadModel(source: Uint8Array | ArrayBuffer | { modelJson: object | string; weightData: ArrayBuffer | Uint8Array }, opts?: LoadModelOptions | string): Model {
    this.assertUsable('loadModel');
    const o: LoadModelOptions = typeof opts === 'string' ? { where: opts } : (opts === undefined ? {} : checkObject('loadModel', 'a load options', opts) as LoadModelOptions);
    const where = o.where ?? 'model file';
    if (typeof where !== 'string') throw new InputError(`loadModel: where must be a string, received ${show(where)}`);
    let cfg: ResolvedConfig, params: Float64Array;
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
      const decoded = decodeModelFile(bytes, where, {
        ...(o.config !== undefined ? { config: o.config as Partial<ModelConfig> } : {}),
        ...(o.names !== undefined ? { names: o.names } : {}),
      });
      cfg = decoded.config;
      params = decoded.params;
    } else if (typeof source === 'object' && source !== null && !Array.isArray(source) && 'modelJson' in source && 'weightData' in source) {
      const imported = importTfjs(source.modelJson, source.weightData, {
        ...(o.config?.loss !== undefined ? { loss: o.config.loss } : {}), where,
      });
      cfg = imported.config;
      const layout = paramLayout(cfg);
      params = new Float64Array(layout.total);
      for (const s of layout.specs) params.set(imported.params.get(s.name)!, s.offset);
    } else {
      throw new InputError(`loadModel: expected the bytes of a model file (Uint8Array or ArrayBuffer) or TF.js artifacts { modelJson, weightData }, received ${describeSource(source)}`);
    }
    this.checkBudget(where, cfg);
    return this.adopt(this.makeModel(cfg, params));
  }

  private checkBudget(where: string, cfg: ResolvedConfig): void {
    const { limit, why } = this.parameterBudget();
    checkParameterBudget(where, cfg, limit, why);
  }

  /** Tracks something the engine frees on destroy (models, and what they made). */
  adopt<T extends Owned>(x: T): T {
    this.owned.add(x);
    return x;
  }

  /**
   * Forgets `x`, a model, trainer or stream that freed itself, so that `destroy()` does not free it
   * again. Called by what the engine made; not part of the stable API.
   */
  release(x: Owned): void {
    this.owned.delete(x);
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const x of [...this.owned]) x.destroy();
    this.owned.clear();
    this.destroyed = true;
    this.destroyBackend();
  }

  /** Frees what only the backend holds (the webgpu device it made). */
  protected destroyBackend(): void {}
}

function describeSource(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `a string of ${v.length} characters (pass the file's bytes, not its text or path)`;
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}
