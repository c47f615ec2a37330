/**
 * The `webgpu` backend's trainer: one training step is one command encoder and ONE submit —
 * initial-state copies, the plan's compute pass (forward, loss, BPTT, clipping, optimizer), the
 * carried state's copies — and, when asked, one small map of the loss and gradient norm.
 */
import type { InitialState, StepResult, Targets, Trainer, TrainerOptions } from '../api.js';
import { InputError } from '../errors.js';
import { resolveOptimizer, type ResolvedOptimizer } from '../reference/optimizerUpdate.js';
import { learningRate, resolveSchedule } from '../schedule.js';
import type { FloatTensor } from '../tensor.js';
import { resolveTrainerOptions } from '../checks/trainerOptions.js';
import { checkInput, checkState, checkTargets } from '../checks/tensors.js';
import type { GpuModel, StartMode } from './gpuModel.js';
import { recordPass } from './gpuModel.js';
import { packUniforms } from './reflect.js';
import { optimizerUniforms } from './optimizerUniforms.js';

export class GpuTrainer implements Trainer {
  readonly options: TrainerOptions;
  private readonly opt: ResolvedOptimizer;
  private readonly schedule: ReturnType<typeof resolveSchedule>;
  private count = 0;
  private carried: { h: GPUBuffer; c: GPUBuffer | null; B: number } | null = null;
  private carryBuffers = new Map<number, { h: GPUBuffer; c: GPUBuffer | null }>();
  private readonly readback: GPUBuffer;

  constructor(private readonly model: GpuModel, options: TrainerOptions) {
    this.options = resolveTrainerOptions(options);
    this.opt = resolveOptimizer(this.options.optimizer, 'trainer optimizer');
    this.schedule = resolveSchedule(this.options.schedule ?? { name: 'constant' }, 'trainer schedule');
    const { device, counters } = model.ctx;
    // A new trainer starts from empty optimizer state; Adagrad's accumulator from its initial value.
    const n = model.layout.total;
    device.queue.writeBuffer(model.flat.state1, 0, new Float32Array(n).fill(this.opt.kind === 'adagrad' ? this.opt.initialAccumulatorValue : 0));
    device.queue.writeBuffer(model.flat.state2, 0, new Float32Array(n));
    this.readback = device.createBuffer({ label: 'trainer.readback', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    counters.buffersCreated++;
  }

  get steps(): number {
    return this.count;
  }

  resetState(): void {
    this.carried = null;
  }

  private carry(B: number) {
    let c = this.carryBuffers.get(B);
    if (!c) {
      const { device, counters } = this.model.ctx;
      const cfg = this.model.config;
      const bytes = Math.max(16, cfg.numLayers * B * cfg.hiddenSize * 4);
      const make = (label: string) => { counters.buffersCreated++; return device.createBuffer({ label, size: bytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }); };
      c = { h: make('trainer.carry.h'), c: cfg.cell === 'lstm' ? make('trainer.carry.c') : null };
      this.carryBuffers.set(B, c);
    }
    return c;
  }

  async step(x: FloatTensor, y: Targets, opts: { readLoss?: boolean } & InitialState = {}): Promise<StepResult> {
    const m = this.model;
    m.alive();
    const cfg = m.config, H = cfg.hiddenSize;
    const { B, T } = checkInput(cfg, x, 'trainer.step');
    const targets = checkTargets(cfg, y, B, T, 'trainer.step');
    const h0 = checkState(cfg, opts.h0, B, 'h0', 'trainer.step'), c0 = checkState(cfg, opts.c0, B, 'c0', 'trainer.step');
    let start: StartMode = h0 || c0 ? { kind: 'explicit', h0, c0 } : { kind: 'zeros' };
    if (start.kind === 'zeros' && this.options.stateful && this.carried) {
      if (this.carried.B !== B) {
        throw new InputError(`trainer.step: a stateful trainer carries a state of batch ${this.carried.B}, received batch ${B}; call resetState() before changing the batch size`);
      }
      start = { kind: 'carried', h: this.carried.h, c: this.carried.c };
    }
    const plan = await m.plan('train', B, T, {
      ...(this.options.clipNorm !== undefined ? { clip: this.options.clipNorm } : {}),
      optimizerUniforms: optimizerUniforms(this.opt, 1, this.opt.lr, m.layout.total),
      learnedUsed: cfg.learnedInitialState && start.kind === 'zeros',
    });
    const { device, counters } = m.ctx;
    const lr = learningRate(this.opt.lr, this.schedule, this.count);
    const kernel = plan.dispatches.find((d) => d.kernel.name === 'optimizer_update')!.kernel;
    plan.slots.rewrite(device, plan.optimizerSlot!, packUniforms(kernel.info, optimizerUniforms(this.opt, this.count + 1, lr, m.layout.total), 'optimizer_update'));
    m.upload(plan, x.data, targets);
    const enc = device.createCommandEncoder({ label: `train.step ${this.count}` });
    m.recordStart(enc, plan, start);
    m.clearUnusedLearnedGrads(enc, plan);
    recordPass(enc, plan, m.ctx);
    if (this.options.stateful) {
      const carry = this.carry(B), BH = B * H;
      plan.layers.forEach((lb, k) => {
        enc.copyBufferToBuffer(lb.h, plan.T * BH * 4, carry.h, k * BH * 4, BH * 4);
        if (lb.c && carry.c) enc.copyBufferToBuffer(lb.c, plan.T * BH * 4, carry.c, k * BH * 4, BH * 4);
      });
      this.carried = { h: carry.h, c: carry.c, B };
    }
    const read = opts.readLoss ?? true;
    if (read) {
      enc.copyBufferToBuffer(plan.lossSum!, 0, this.readback, 0, 4);
      enc.copyBufferToBuffer(plan.stats!, 0, this.readback, 4, 4);
    }
    device.queue.submit([enc.finish()]);
    counters.submits++;
    this.count++;
    if (!read) return { loss: Number.NaN };
    await this.readback.mapAsync(GPUMapMode.READ);
    const v = new Float32Array(this.readback.getMappedRange(0, 8).slice(0));
    this.readback.unmap();
    const scale = cfg.loss === 'softmax_ce' ? 1 / plan.rows : 1 / (plan.rows * cfg.outputSize);
    return { loss: v[0]! * scale, gradNorm: v[1]! };
  }
}
