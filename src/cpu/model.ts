/**
 * The `cpu` backend's model: the float64 reference behind the public Model interface.
 */
import type { ForwardOptions, ForwardResult, GradResult, InitialState, Model, Targets, TrainerOptions } from '../api.js';
import type { ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { encodeModelFile } from '../files/modelFile.js';
import { paramLayout, type ParamLayout } from '../params.js';
import { fullGradient, finalStates, batchFirstLogits } from '../reference/gradient.js';
import { accumulateLearnedStateGradient, startState } from '../reference/initialState.js';
import { forwardNetwork } from '../reference/network.js';
import type { FloatTensor } from '../tensor.js';
import { checkInput, checkParameterMap, checkState, checkTargets } from '../checks/tensors.js';
import { CpuTrainer } from './trainer.js';

export class CpuModel implements Model {
  readonly backend = 'cpu' as const;
  readonly layout: ParamLayout;
  private destroyed = false;

  constructor(readonly config: ResolvedConfig, readonly params: Float64Array) {
    this.layout = paramLayout(config);
    if (params.length !== this.layout.total) {
      throw new InputError(`parameters: expected ${this.layout.total} values for this config, received ${params.length}`);
    }
  }

  private alive(): void {
    if (this.destroyed) throw new InputError('model: this model was destroyed');
  }

  async forward(x: FloatTensor, opts: ForwardOptions = {}): Promise<ForwardResult> {
    this.alive();
    const cfg = this.config;
    const { B, T } = checkInput(cfg, x, 'forward');
    const start = startState(cfg, this.layout, this.params, B, { h0: checkState(cfg, opts.h0, B, 'h0', 'forward'), c0: checkState(cfg, opts.c0, B, 'c0', 'forward') });
    const cache = forwardNetwork(cfg, this.layout, this.params, x.data, B, T, start.h0, start.c0);
    const { hN, cN } = finalStates(cache);
    const C = cfg.outputSize, H = cfg.hiddenSize;
    const out: ForwardResult = {
      logits: batchFirstLogits(cache),
      logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
      hN,
      ...(cN ? { cN } : {}),
    };
    if (opts.states === 'all') {
      // Every layer's h (and c) at every step, batch-first [L, B, T, H] like the input.
      const L = cfg.numLayers;
      const gather = (pick: (k: number) => Float64Array): Float64Array => {
        const all = new Float64Array(L * B * T * H);
        for (let k = 0; k < L; k++) {
          const src = pick(k);
          for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
            all.set(src.subarray(((t + 1) * B + b) * H, ((t + 1) * B + b + 1) * H), ((k * B + b) * T + t) * H);
          }
        }
        return all;
      };
      out.hAll = gather((k) => cache.layers[k]!.h);
      if (cfg.cell === 'lstm') out.cAll = gather((k) => cache.layers[k]!.c!);
    }
    return out;
  }

  /** One forward and backward pass (no update); initial-state gradients always returned. */
  async grad(x: FloatTensor, y: Targets, opts: InitialState = {}): Promise<GradResult> {
    this.alive();
    const cfg = this.config;
    const { B, T } = checkInput(cfg, x, 'grad');
    const targets = checkTargets(cfg, y, B, T, 'grad');
    const start = startState(cfg, this.layout, this.params, B, { h0: checkState(cfg, opts.h0, B, 'h0', 'grad'), c0: checkState(cfg, opts.c0, B, 'c0', 'grad') });
    const g = fullGradient(cfg, this.layout, this.params, x.data, targets, B, T, start.h0, start.c0);
    accumulateLearnedStateGradient(cfg, this.layout, g.grads, start, g.dh0, g.dc0, B);
    const grads = new Map<string, Float64Array>();
    for (const s of this.layout.specs) grads.set(s.name, g.grads.slice(s.offset, s.offset + s.size));
    const C = cfg.outputSize;
    return {
      loss: g.loss, logits: g.logits, logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
      hN: g.hN, ...(g.cN ? { cN: g.cN } : {}), grads, dh0: g.dh0, ...(g.dc0 ? { dc0: g.dc0 } : {}),
    };
  }

  trainer(opts: TrainerOptions): CpuTrainer {
    this.alive();
    return new CpuTrainer(this, opts);
  }

  async getParameters(): Promise<Map<string, Float64Array>> {
    this.alive();
    const out = new Map<string, Float64Array>();
    for (const s of this.layout.specs) out.set(s.name, this.params.slice(s.offset, s.offset + s.size));
    return out;
  }

  async setParameters(params: Map<string, ArrayLike<number>>): Promise<void> {
    this.alive();
    for (const [offset, v] of checkParameterMap(this.layout, params)) this.params.set(v, offset);
  }

  async save(opts: { dtype?: 'F32' | 'F64' } = {}): Promise<Uint8Array> {
    this.alive();
    return encodeModelFile(this.config, this.params, opts.dtype ?? 'F32');
  }

  destroy(): void {
    this.destroyed = true;
  }
}
