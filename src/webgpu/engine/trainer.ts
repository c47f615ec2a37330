/**
 * The `webgpu` backend's trainer. One training step is one command encoder and ONE submit: the
 * plan's pass (initial state, forward, loss, BPTT; plan.ts), this trainer's update pass (norm,
 * clip, optimizer; updatePass.ts), the carried state's copy and, when asked, the loss and norm
 * into this trainer's readback buffer, mapped once (8 bytes). The trainer owns its optimizer state,
 * its carried state and its readback buffer, and destroys them. Steps that do not read the loss
 * are bounded in flight (inflight.ts).
 */
import type { StepResult, TrainerOptions } from '../../api.js';
import type { Checkpoint } from '../../files/checkpoint.js';
import { TrainerBase, type HostState, type OptimizerBuffers, type StepWork } from '../../core/trainerBase.js';
import { optimizerStateSlots } from '../kernels/optimizerUniforms.js';
import { Arena } from './arena.js';
import { InFlight } from './inflight.js';
import type { GpuModel } from './model.js';
import type { StartSource } from './plan.js';
import { readRanges } from './readback.js';
import { UpdatePass } from './updatePass.js';
import type { GatheredBatch } from './dataset.js';

interface Carry {
  B: number;
  h: GPUBuffer;
  c: GPUBuffer | null;
}

export class GpuTrainer extends TrainerBase {
  private update: Promise<UpdatePass>;
  private readonly arena: Arena;
  private readonly readback: GPUBuffer;
  private readonly inflight: InFlight;
  /** Carry buffers per batch size (made once each). */
  private readonly carryBuffers = new Map<number, Carry>();
  private carried: Carry | null = null;

  constructor(private readonly gm: GpuModel, options: TrainerOptions) {
    super(gm, options);
    const { device, counters } = gm.gpu;
    this.arena = new Arena(device, counters, 'trainer');
    this.readback = this.arena.readback('loss', 16);
    this.inflight = new InFlight(device.queue);
    this.update = UpdatePass.create(device, gm.gpu.ctx.registry, counters, gm.gpu.limits, gm, gm.layout.total, this.opts.optimizer, this.opts.clipNorm);
    this.update.catch(() => undefined);
    this.startFromCheckpoint();
  }

  private carryFor(B: number): Carry {
    let c = this.carryBuffers.get(B);
    if (!c) {
      const cfg = this.gm.config;
      const bytes = cfg.numLayers * B * cfg.hiddenSize * 4;
      c = { B, h: this.arena.copyTarget(`carry.h[B=${B}]`, bytes), c: cfg.cell === 'lstm' ? this.arena.copyTarget(`carry.c[B=${B}]`, bytes) : null };
      this.carryBuffers.set(B, c);
    }
    return c;
  }

  protected async runStep(work: StepWork): Promise<StepResult> {
    const m = this.gm, cfg = m.config;
    const { inputs, targets } = work;
    const { B, T } = inputs;
    const start: StartSource = work.start === 'explicit' ? { kind: 'explicit', h0: inputs.h0, c0: inputs.c0 }
      : work.start === 'carried' && this.carried ? { kind: 'carried', h: this.carried.h, c: this.carried.c } : { kind: 'default' };
    const learned = m.learnedUse(start);
    const plan = await m.plan('trainer.step', 'train', B, T, learned);
    const update = await this.update;
    return m.guard('trainer.step', async () => {
      await this.inflight.room();
      const { device, counters } = m.gpu;
      update.setStep(work.index + 1, work.lr);
      const enc = device.createCommandEncoder({ label: `train.step ${work.index}` });
      const g = work.gathered as GatheredBatch | undefined;
      if (g) {
        device.queue.writeBuffer(g.idx, 0, g.rows as Int32Array<ArrayBuffer>);
        plan.uploadGathered(inputs.lengths, m.config.inputKind === 'tokens' ? inputs.x as Int32Array : null);
        await plan.recordGather(enc, g);
      } else {
        plan.upload(inputs, targets.y);
      }
      plan.record(enc, start, m.learnedState, `step[B=${B},T=${T}]`);
      m.recordClearUnusedLearned(enc, learned);
      update.record(enc, 'update');
      if (this.carries) {
        const carry = this.carryFor(B);
        plan.recordFinalState(enc, carry.h, carry.c);
        this.carried = carry;
      }
      if (work.read) {
        plan.recordLossCopy(enc, this.readback, 0);
        update.recordStatsCopy(enc, this.readback, 4);
      }
      device.queue.submit([enc.finish()]);
      counters.submits++;
      this.inflight.submitted();
      if (!work.read) return { loss: Number.NaN };
      await this.readback.mapAsync(GPUMapMode.READ);
      const v = new Float32Array(this.readback.getMappedRange(0, 8).slice(0));
      this.readback.unmap();
      return { loss: v[0]! * plan.lossScale, gradNorm: v[1]! };
    });
  }

  protected clearCarried(): void {
    this.carried = null;
  }

  protected async readState(): Promise<{ buffers: OptimizerBuffers; carried: HostState | null }> {
    const update = await this.update;
    const { device, counters } = this.gm.gpu;
    const n = this.gm.layout.total;
    const slots = optimizerStateSlots(this.opts.optimizer);
    const ranges = slots.map((s) => ({ buffer: update.stateBuffer(s.name), offset: 0, elements: n }));
    const c = this.carried;
    const L = this.gm.config.numLayers, H = this.gm.config.hiddenSize;
    if (c) {
      ranges.push({ buffer: c.h, offset: 0, elements: L * c.B * H });
      if (c.c) ranges.push({ buffer: c.c, offset: 0, elements: L * c.B * H });
    }
    const got = await this.gm.guard('trainer.save', () => readRanges(device, counters, ranges));
    const buffers: OptimizerBuffers = {};
    slots.forEach((s, i) => { buffers[s.name] = got[i]!.slice(); });
    const carried = c ? { B: c.B, h: got[slots.length]!.slice(), c: c.c ? got[slots.length + 1]!.slice() : null } : null;
    return { buffers, carried };
  }

  protected async restore(ck: Checkpoint): Promise<void> {
    const update = await this.update;
    const q = this.gm.gpu.device.queue;
    this.gm.writeAllParameters(ck.params, `from a checkpoint at step ${ck.optimizerState.step}`);
    for (const s of optimizerStateSlots(this.opts.optimizer)) q.writeBuffer(update.stateBuffer(s.name), 0, Float32Array.from(ck.optimizerState.buffers[s.name]!));
    if (ck.carried) {
      const carry = this.carryFor(ck.carried.batchSize);
      q.writeBuffer(carry.h, 0, Float32Array.from(ck.carried.h));
      if (carry.c && ck.carried.c) q.writeBuffer(carry.c, 0, Float32Array.from(ck.carried.c));
      this.carried = carry;
    }
  }

  protected destroyBackend(): void {
    const arena = this.arena, update = this.update;
    void this.gm.gpu.device.queue.onSubmittedWorkDone().then(() => {
      arena.destroy();
      update.then((u) => u.destroy(), () => undefined);
    }, () => undefined);
  }
}
