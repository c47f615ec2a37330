/**
 * The `cpu` backend's trainer: forward, backward, clipping and the optimizer update in float64,
 * with stateful truncated BPTT (the final state of a step is the detached initial state of the next).
 */
import type { InitialState, StepResult, Targets, Trainer, TrainerOptions } from '../api.js';
import { InputError } from '../errors.js';
import { clipGradNorm, gradNorm } from '../reference/gradNorm.js';
import { fullGradient } from '../reference/gradient.js';
import { accumulateLearnedStateGradient, startState } from '../reference/initialState.js';
import { createOptimizerState, optimizerUpdate, resolveOptimizer, type OptimizerState, type ResolvedOptimizer } from '../reference/optimizerUpdate.js';
import { learningRate, resolveSchedule } from '../schedule.js';
import type { FloatTensor } from '../tensor.js';
import { checkInput, checkState, checkTargets } from '../checks/tensors.js';
import type { CpuModel } from './model.js';
import { resolveTrainerOptions } from '../checks/trainerOptions.js';

export class CpuTrainer implements Trainer {
  readonly options: TrainerOptions;
  private readonly opt: ResolvedOptimizer;
  private readonly state: OptimizerState;
  private readonly schedule: ReturnType<typeof resolveSchedule>;
  private carried: { h: Float64Array; c: Float64Array | null; B: number } | null = null;
  private count = 0;

  constructor(private readonly model: CpuModel, options: TrainerOptions) {
    this.options = resolveTrainerOptions(options);
    this.opt = resolveOptimizer(this.options.optimizer, 'trainer optimizer');
    this.schedule = resolveSchedule(this.options.schedule ?? { name: 'constant' }, 'trainer schedule');
    this.state = createOptimizerState(this.opt, model.layout.total);
  }

  get steps(): number {
    return this.count;
  }

  resetState(): void {
    this.carried = null;
  }

  async step(x: FloatTensor, y: Targets, opts: { readLoss?: boolean } & InitialState = {}): Promise<StepResult> {
    const m = this.model, cfg = m.config;
    const { B, T } = checkInput(cfg, x, 'trainer.step');
    const targets = checkTargets(cfg, y, B, T, 'trainer.step');
    let h0 = checkState(cfg, opts.h0, B, 'h0', 'trainer.step');
    let c0 = checkState(cfg, opts.c0, B, 'c0', 'trainer.step');
    if (this.options.stateful && this.carried && !h0 && !c0) {
      if (this.carried.B !== B) {
        throw new InputError(`x: a stateful trainer carries a state of batch ${this.carried.B}, received batch ${B}; call resetState() before changing the batch size`);
      }
      h0 = this.carried.h;
      c0 = this.carried.c;
    }
    const start = startState(cfg, m.layout, m.params, B, { h0, c0 });
    const g = fullGradient(cfg, m.layout, m.params, x.data, targets, B, T, start.h0, start.c0);
    accumulateLearnedStateGradient(cfg, m.layout, g.grads, start, g.dh0, g.dc0, B);
    const norm = this.options.clipNorm !== undefined ? clipGradNorm(g.grads, this.options.clipNorm).norm : gradNorm(g.grads);
    optimizerUpdate(this.opt, this.state, m.params, g.grads, learningRate(this.opt.lr, this.schedule, this.count));
    this.count++;
    if (this.options.stateful) this.carried = { h: g.hN, c: g.cN, B };
    return { loss: g.loss, gradNorm: norm };
  }
}
