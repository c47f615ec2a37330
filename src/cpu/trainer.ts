/**
 * The `cpu` backend's trainer: forward, backward, clipping and the optimizer update in float64,
 * with stateful truncated BPTT (the final state of a step is the detached initial state of the
 * next). It owns its optimizer state and its carried state.
 */
import type { StepResult, TrainerOptions } from '../api.js';
import type { Checkpoint } from '../files/checkpoint.js';
import { TrainerBase, type HostState, type OptimizerBuffers, type StepWork } from '../core/trainerBase.js';
import { clipGradNorm, gradNorm } from '../reference/gradNorm.js';
import { fullGradient } from '../reference/gradient.js';
import { accumulateLearnedStateGradient, startState } from '../reference/initialState.js';
import { createOptimizerState, optimizerUpdate, type OptimizerState } from '../reference/optimizerUpdate.js';
import type { CpuModel } from './model.js';

export class CpuTrainer extends TrainerBase {
  private state: OptimizerState;
  private carried: HostState | null = null;

  constructor(private readonly cpu: CpuModel, options: TrainerOptions) {
    super(cpu, options);
    this.state = createOptimizerState(this.opts.optimizer, cpu.layout.total);
    this.startFromCheckpoint();
  }

  protected async runStep(work: StepWork): Promise<StepResult> {
    const m = this.cpu, cfg = m.config;
    const { inputs, targets } = work;
    const { B, T } = inputs;
    m.checkPass('trainer.step', B, T, 'train');
    const given = work.start === 'explicit' ? { h0: inputs.h0, c0: inputs.c0 }
      : work.start === 'carried' && this.carried ? { h0: this.carried.h, c0: this.carried.c } : {};
    const start = startState(cfg, m.layout, m.params, B, given);
    const g = fullGradient(cfg, m.layout, m.params, inputs.x, targets.y, B, T, start.h0, start.c0, inputs.lengths);
    accumulateLearnedStateGradient(cfg, m.layout, g.grads, start, g.dh0, g.dc0, B);
    const norm = this.opts.clipNorm !== null ? clipGradNorm(g.grads, this.opts.clipNorm).norm : gradNorm(g.grads);
    this.state.step = work.index;
    optimizerUpdate(this.opts.optimizer, this.state, m.params, g.grads, work.lr);
    if (this.carries) this.carried = { B, h: g.hN, c: g.cN };
    // Same contract on both backends: a loss that was not asked for is not reported (the GPU never
    // reads it back), so fit's epoch means cover the same steps everywhere.
    return work.read ? { loss: g.loss, gradNorm: norm } : { loss: Number.NaN };
  }

  protected clearCarried(): void {
    this.carried = null;
  }

  protected async readState(): Promise<{ buffers: OptimizerBuffers; carried: HostState | null }> {
    const buffers: OptimizerBuffers = {};
    for (const [k, v] of Object.entries(this.state.buffers)) buffers[k] = v.slice();
    return { buffers, carried: this.carried ? { B: this.carried.B, h: this.carried.h.slice(), c: this.carried.c ? this.carried.c.slice() : null } : null };
  }

  protected async restore(ck: Checkpoint): Promise<void> {
    this.cpu.params.set(ck.params);
    const state = createOptimizerState(this.opts.optimizer, this.cpu.layout.total);
    for (const k of Object.keys(state.buffers)) state.buffers[k]!.set(ck.optimizerState.buffers[k]!);
    state.step = ck.optimizerState.step;
    this.state = state;
    this.carried = ck.carried ? { B: ck.carried.batchSize, h: Float64Array.from(ck.carried.h), c: ck.carried.c ? Float64Array.from(ck.carried.c) : null } : null;
  }

  protected destroyBackend(): void {
    this.carried = null;
  }
}
