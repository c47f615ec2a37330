/**
 * The `cpu` backend's model: the float64 reference (src/reference/) behind the public Model
 * interface. The parameters are one flat Float64Array in src/params.ts's layout.
 */
import type { ForwardResult, GradResult, Stream, Trainer, TrainerOptions } from '../api.js';
import type { ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import type { PreparedInputs, PreparedTargets } from '../checks/tensors.js';
import { ModelBase } from '../core/modelBase.js';
import { hostFitDataset, type FitDataset, type FitSet } from '../core/fit.js';
import { fullGradient, finalStates, batchFirstLogits } from '../reference/gradient.js';
import { accumulateLearnedStateGradient, startState } from '../reference/initialState.js';
import { forwardNetwork } from '../reference/network.js';
import { planSpec, type PlanMode } from '../webgpu/engine/planSpec.js';
import type { CpuEngine } from './engine.js';
import { CpuTrainer } from './trainer.js';
import { CpuStream } from './stream.js';

/** Largest float64 tensor of one pass: 2^28 values (2 GiB). */
export const CPU_TENSOR_LIMIT = 2 ** 28;

export class CpuModel extends ModelBase {
  readonly backend = 'cpu' as const;

  constructor(engine: CpuEngine, config: ResolvedConfig, readonly params: Float64Array) {
    super(engine, config, 'f64');
    if (params.length !== this.layout.total) {
      throw new InputError(`parameters: expected ${this.layout.total} values for this config, received ${params.length}`);
    }
  }

  /**
   * Refuses, before computing, a pass whose tensors the cpu backend cannot hold. The pass's
   * tensors are the GPU plan's buffers (the same data flow), in float64.
   */
  checkPass(where: string, B: number, T: number, mode: PlanMode): void {
    const spec = planSpec(this.config, this.layout, B, T, mode);
    for (const b of spec.buffers) {
      if (b.elements > CPU_TENSOR_LIMIT) {
        throw new InputError(`${where}: batch B=${B}, T=${T} needs tensor ${b.name} ${b.shape} of ${b.elements} float64 values (${(b.elements * 8 / 2 ** 30).toFixed(1)} GiB), over the cpu backend's limit of 2^28 values (2 GiB) per tensor; use a smaller batch or shorter sequences`);
      }
    }
  }

  protected async runForward(inputs: PreparedInputs, allStates: boolean): Promise<ForwardResult> {
    const cfg = this.config;
    const { B, T } = inputs;
    this.checkPass('forward', B, T, 'forward');
    const start = startState(cfg, this.layout, this.params, B, { h0: inputs.h0, c0: inputs.c0 });
    const cache = forwardNetwork(cfg, this.layout, this.params, inputs.x, B, T, start.h0, start.c0, inputs.lengths);
    const { hN, cN } = finalStates(cache);
    const C = cfg.outputSize, H = cfg.hiddenSize;
    const out: ForwardResult = {
      logits: batchFirstLogits(cache),
      logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
      hN,
      ...(cN ? { cN } : {}),
    };
    if (allStates) {
      // Every layer's h (and c) at every step, batch-first [L, B, T, H] like the input (0 at padded steps).
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

  protected async runGrad(inputs: PreparedInputs, targets: PreparedTargets): Promise<GradResult> {
    const cfg = this.config;
    const { B, T } = inputs;
    this.checkPass('grad', B, T, 'grad');
    const start = startState(cfg, this.layout, this.params, B, { h0: inputs.h0, c0: inputs.c0 });
    const g = fullGradient(cfg, this.layout, this.params, inputs.x, targets.y, B, T, start.h0, start.c0, inputs.lengths);
    accumulateLearnedStateGradient(cfg, this.layout, g.grads, start, g.dh0, g.dc0, B);
    const grads = new Map<string, Float64Array>();
    for (const s of this.layout.specs) grads.set(s.name, g.grads.slice(s.offset, s.offset + s.size));
    const C = cfg.outputSize;
    return {
      loss: g.loss, logits: g.logits, logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
      hN: g.hN, ...(g.cN ? { cN: g.cN } : {}), grads, dh0: g.dh0, ...(g.dc0 ? { dc0: g.dc0 } : {}),
    };
  }

  async readParameters(): Promise<Float64Array> {
    return this.params.slice();
  }

  protected async writeParameters(parts: Array<[number, Float64Array]>): Promise<void> {
    for (const [offset, v] of parts) this.params.set(v, offset);
  }

  protected makeTrainer(opts: TrainerOptions): Trainer {
    return new CpuTrainer(this, opts);
  }

  protected makeStream(batchSize: number): Stream {
    return new CpuStream(this, batchSize);
  }

  /** fit's dataset: the checked copies, sliced per batch. */
  fitDataset(set: FitSet): FitDataset {
    return hostFitDataset(this, set);
  }

  protected destroyBackend(): void {}

  protected async planText(mode: 'train' | 'forward', B: number, T: number): Promise<string> {
    this.checkPass('describePlan', B, T, mode);
    return `${mode} B=${B} T=${T}: the cpu backend runs each pass on the host in float64 (src/reference/, the kernels' twins in the GPU plan's order); no GPU plan`;
  }
}
