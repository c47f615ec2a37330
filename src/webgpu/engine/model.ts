/**
 * The `webgpu` backend's model. It owns its parameters and gradients (flat f32 buffers in
 * src/params.ts's layout), its plans (an LRU cache, planCache.ts), and a host copy of its last good
 * weights: refreshed whenever the weights are read back (getParameters, save, every fit epoch) and
 * when they are set, so that after a lost device the model is still savable, from a known step.
 */
import type { ForwardResult, GradResult, Stream, Trainer, TrainerOptions } from '../../api.js';
import type { ResolvedConfig } from '../../config.js';
import { RuntimeFailure } from '../../errors.js';
import type { PreparedInputs, PreparedTargets } from '../../checks/tensors.js';
import { ModelBase } from '../../core/modelBase.js';
import type { FitDataset, FitSet } from '../../core/fit.js';
import { gpuFitDataset } from './dataset.js';
import { encodeModelFile } from '../../files/modelFile.js';
import { toBatchFirst } from '../../reference/network.js';
import { Arena } from './arena.js';
import type { WebGPUEngine } from './engine.js';
import { GpuPlan, type StartSource } from './plan.js';
import { PlanCache } from './planCache.js';
import { planSpec, type LearnedUse, type PlanMode } from './planSpec.js';
import { readRanges } from './readback.js';
import { GpuTrainer } from './trainer.js';
import { GpuStream } from './stream.js';
import { runsVariant } from './tuner.js';

/** The model's last good weights on the host, and when they were read. */
interface HostCopy {
  params: Float64Array;
  /** e.g. "as created", "after 1200 training steps" */
  when: string;
}

export class GpuModel extends ModelBase {
  readonly backend = 'webgpu' as const;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  private readonly arena: Arena;
  private readonly plans: PlanCache;
  private host: HostCopy;

  constructor(readonly gpu: WebGPUEngine, config: ResolvedConfig, initial: Float64Array) {
    super(gpu, config, 'f32');
    const n = this.layout.total;
    this.arena = new Arena(gpu.device, gpu.counters, 'model');
    this.params = this.arena.storage('params', n);
    this.grads = this.arena.storage('grads', n);
    gpu.device.queue.writeBuffer(this.params, 0, Float32Array.from(initial));
    this.plans = new PlanCache(gpu.device.queue);
    this.host = { params: Float64Array.from(Float32Array.from(initial)), when: 'as created or loaded' };
  }

  override assertUsable(where: string): void {
    try {
      super.assertUsable(where);
    } catch (e) {
      if (this.gpu.lost && e instanceof RuntimeFailure) {
        throw new RuntimeFailure(`${e.message}. This model's last good weights (${this.host.when}) are still savable: model.save()`);
      }
      throw e;
    }
  }

  /** The plan of (mode, B, T, learned start), made once and cached; its kernel variants are the tuner's choice. */
  plan(where: string, mode: PlanMode, B: number, T: number, learned: LearnedUse = { h: true, c: true }): Promise<GpuPlan> {
    const forced = this.gpu.tuner.forcedKey;
    const key = `${mode}:${B}:${T}:${learned.h ? 1 : 0}${learned.c ? 1 : 0}${forced ? `:${forced}` : ''}`;
    return this.plans.get(key, async () => {
      const variant = await this.gpu.tuner.choose(this, mode, B, T);
      return GpuPlan.create(this.gpu.ctx, planSpec(this.config, this.layout, B, T, mode, { learned, recurrence: variant.recurrence, matmul: variant.matmul }), this, where, variant.why, variant.settled);
    }, (plan) => this.outdated(plan, mode, B, T));
  }

  /**
   * Whether a plan made on the tuner's provisional pick is to be replaced: once the timings are in,
   * a plan that already runs the winner is kept (and says so); another is rebuilt on the winner.
   */
  private outdated(plan: GpuPlan, mode: PlanMode, B: number, T: number): boolean {
    if (plan.settled) return false;
    const v = this.gpu.tuner.settledChoice(this, mode, B, T);
    if (!v) return false;
    if (!runsVariant(plan.spec, v)) return true;
    plan.settled = true;
    plan.why = v.why;
    return false;
  }

  /** Plans in the cache, least recently used first (for tests). */
  get planKeys(): string[] {
    return this.plans.keys;
  }

  /** Where the learned initial state sits in the params (for plan.record), or null. */
  get learnedState(): { params: GPUBuffer; h0: number; c0: number | null } | null {
    if (!this.config.learnedInitialState) return null;
    return { params: this.params, h0: this.layout.byName.get('init.h0')!.offset, c0: this.layout.byName.get('init.c0')?.offset ?? null };
  }

  /** Which learned tensors a pass starts from: those the caller did not give. */
  learnedUse(start: StartSource): LearnedUse {
    const has = this.config.learnedInitialState;
    if (start.kind === 'carried') return { h: false, c: false };
    if (start.kind === 'explicit') return { h: has && !start.h0, c: has && this.config.cell === 'lstm' && !start.c0 };
    return { h: has, c: has && this.config.cell === 'lstm' };
  }

  /** A learned state tensor that a pass did not start from gets a zero gradient (the plan skipped it). */
  recordClearUnusedLearned(encoder: GPUCommandEncoder, learned: LearnedUse): void {
    if (!this.config.learnedInitialState) return;
    for (const [name, used] of [['init.h0', learned.h], ['init.c0', learned.c]] as const) {
      const s = this.layout.byName.get(name);
      if (s && !used) encoder.clearBuffer(this.grads, s.offset * 4, s.size * 4);
    }
  }

  private startOf(inputs: PreparedInputs): StartSource {
    return inputs.h0 || inputs.c0 ? { kind: 'explicit', h0: inputs.h0, c0: inputs.c0 } : { kind: 'default' };
  }

  protected async runForward(inputs: PreparedInputs, allStates: boolean): Promise<ForwardResult> {
    const cfg = this.config, H = cfg.hiddenSize, L = cfg.numLayers, C = cfg.outputSize;
    const { B, T } = inputs;
    const start = this.startOf(inputs);
    const plan = await this.plan('forward', 'forward', B, T);
    const device = this.gpu.device;
    return this.guard('forward', async () => {
      plan.upload(inputs, null);
      const enc = device.createCommandEncoder({ label: 'forward' });
      plan.record(enc, start, this.learnedState, `forward[B=${B},T=${T}]`);
      const got = await plan.readForward(enc, allStates);
      const BH = B * H;
      const cat = (parts: Float32Array[]) => { const o = new Float32Array(L * BH); parts.forEach((p, k) => o.set(p, k * BH)); return o; };
      const result: ForwardResult = {
        logits: cfg.outputs === 'all' ? Float32Array.from(toBatchFirst(got.logits, B, T, C)) : got.logits.slice(),
        logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
        hN: cat(got.hN),
        ...(cfg.cell === 'lstm' ? { cN: cat(got.cN) } : {}),
      };
      if (allStates) {
        const gather = (all: Float32Array[]) => {
          const out = new Float32Array(L * B * T * H);
          all.forEach((a, k) => { for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(a.subarray((t * B + b) * H, (t * B + b + 1) * H), ((k * B + b) * T + t) * H); });
          return out;
        };
        result.hAll = gather(got.h);
        if (cfg.cell === 'lstm') result.cAll = gather(got.c);
      }
      return result;
    });
  }

  protected async runGrad(inputs: PreparedInputs, targets: PreparedTargets): Promise<GradResult> {
    const cfg = this.config, H = cfg.hiddenSize, L = cfg.numLayers, C = cfg.outputSize;
    const { B, T } = inputs;
    const start = this.startOf(inputs);
    const learned = this.learnedUse(start);
    const plan = await this.plan('grad', 'grad', B, T, learned);
    return this.guard('grad', async () => {
      plan.upload(inputs, targets.y);
      const enc = this.gpu.device.createCommandEncoder({ label: 'grad' });
      plan.record(enc, start, this.learnedState, `grad[B=${B},T=${T}]`);
      this.recordClearUnusedLearned(enc, learned);
      const got = await plan.readGrad(enc, [{ buffer: this.grads, offset: 0, elements: this.layout.total }]);
      const BH = B * H;
      const cat = (parts: Float32Array[]) => { const o = new Float32Array(L * BH); parts.forEach((p, k) => o.set(p, k * BH)); return o; };
      const gradsFlat = got.extra[0]!;
      const grads = new Map<string, Float32Array>();
      for (const s of this.layout.specs) grads.set(s.name, gradsFlat.slice(s.offset, s.offset + s.size));
      const result: GradResult = {
        loss: got.lossSum * plan.lossScale,
        logits: cfg.outputs === 'all' ? Float32Array.from(toBatchFirst(got.logits, B, T, C)) : got.logits.slice(),
        logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
        hN: cat(got.hN), grads, dh0: got.dh0.slice(),
      };
      if (cfg.cell === 'lstm') {
        result.dc0 = got.dc0!.slice();
        result.cN = cat(got.cN);
      }
      return result;
    });
  }

  async readParameters(): Promise<Float64Array> {
    return this.guard('getParameters', async () => {
      const [flat] = await readRanges(this.gpu.device, this.gpu.counters, [{ buffer: this.params, offset: 0, elements: this.layout.total }]);
      const params = Float64Array.from(flat!);
      this.host = { params, when: 'as last read back' };
      return params.slice();
    });
  }

  /** Refreshes the host copy of the weights (every fit epoch), naming the trainer step it is from. */
  async keepHostCopy(steps: number): Promise<void> {
    await this.queue.run(async () => {
      if (this.isDestroyed || this.gpu.lost || this.gpu.isDestroyed) return;
      await this.readParameters();
      this.host.when = `after ${steps} training steps`;
    });
  }

  protected async writeParameters(parts: Array<[number, Float64Array]>): Promise<void> {
    const params = this.host.params.slice();
    for (const [offset, v] of parts) {
      this.gpu.device.queue.writeBuffer(this.params, offset * 4, Float32Array.from(v));
      params.set(Float64Array.from(Float32Array.from(v)), offset);
    }
    this.host = { params, when: this.host.when === 'as created or loaded' ? 'as set by setParameters' : `${this.host.when}, then setParameters` };
  }

  /** Writes a whole flat parameter vector (a checkpoint's). */
  writeAllParameters(flat: Float64Array, when: string): void {
    this.gpu.device.queue.writeBuffer(this.params, 0, Float32Array.from(flat));
    this.host = { params: Float64Array.from(Float32Array.from(flat)), when };
  }

  /** After a lost device, the last good weights from the host copy; else the device's. */
  override save(opts: { dtype?: 'F32' | 'F64' } = {}): Promise<Uint8Array> {
    if (this.gpu.lost && !this.isDestroyed && !this.gpu.isDestroyed) {
      try {
        const dtype = opts.dtype ?? 'F32';
        return Promise.resolve(encodeModelFile(this.config, this.host.params, dtype));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return super.save(opts);
  }

  /** When the host copy was taken (what a save after a lost device holds). */
  get hostCopyWhen(): string {
    return this.host.when;
  }

  /**
   * Runs GPU work; a failure caused by a lost device (an empty AbortError from a map, say) becomes
   * the engine's one clear error.
   */
  async guard<T>(where: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      // The device's lost promise settles a moment after the failure that it caused.
      if (!this.gpu.lost) await Promise.race([this.gpu.watch.lost, new Promise((r) => setTimeout(r, 50))]);
      if (this.gpu.lost) this.assertUsable(where);
      throw e;
    }
  }

  protected makeTrainer(opts: TrainerOptions): Trainer {
    return this.gpu.adopt(new GpuTrainer(this, opts));
  }

  protected makeStream(batchSize: number): Stream {
    return this.gpu.adopt(new GpuStream(this, batchSize));
  }

  /** fit's dataset (see core/fit.ts): on the GPU when it fits (dataset.ts), else sliced on the host. */
  fitDataset(set: FitSet): FitDataset {
    return gpuFitDataset(this, set);
  }

  protected async planText(mode: 'train' | 'forward', B: number, T: number): Promise<string> {
    return (await this.plan('describePlan', mode, B, T, this.learnedUse({ kind: 'default' }))).describe();
  }

  protected destroyBackend(): void {
    const plans = this.plans, arena = this.arena;
    // Buffers are freed only after the work already submitted is done.
    void this.gpu.device.queue.onSubmittedWorkDone().then(() => { plans.destroy(); arena.destroy(); }, () => { plans.destroy(); arena.destroy(); });
  }
}
