/**
 * What both backends' trainers share: the options (checked once), the step count and the
 * learning-rate schedule's position, the stateful trainer's carried batch size, the order of the
 * work (queued on the model's SerialQueue, so un-awaited steps apply in call order, each exactly
 * once, with the carried state of the one before), and checkpoints: `save()` writes the model, the
 * optimizer's state and the step count (DESIGN.md section 5); `resume` restores them after
 * checking that the checkpoint belongs to this model and these options.
 *
 * A backend implements the step on checked, copied tensors, and the few state moves a checkpoint
 * needs (read and write the optimizer state and the carried state).
 */
import type { InitialState, Inputs, StepOptions, StepResult, Targets, Trainer, TrainerOptions } from '../api.js';
import { configDifference } from '../config.js';
import { InputError, RuntimeFailure } from '../errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../files/checkpoint.js';
import { prepareInputs, prepareTargets, type FloatCopy, type PreparedInputs, type PreparedTargets } from '../checks/tensors.js';
import { publicTrainerOptions, resolveTrainerOptions, type ResolvedTrainerOptions } from '../checks/trainerOptions.js';
import { show } from '../checks/options.js';
import { learningRate } from '../schedule.js';
import type { ResolvedOptimizer } from '../reference/optimizerUpdate.js';
import type { ModelBase } from './modelBase.js';
import { plainOptions } from '../checks/options.js';
import { shapeOf } from '../checks/tensors.js';

/** Where a step's initial state comes from. */
export type StepStart = 'explicit' | 'carried' | 'default';

/** One step's work, as the backend receives it (in queue order). */
export interface StepWork {
  inputs: PreparedInputs;
  targets: PreparedTargets;
  start: StepStart;
  read: boolean;
  /** Steps applied before this one: the optimizer's t is index + 1. */
  index: number;
  /** This step's scheduled learning rate. */
  lr: number;
  /** A batch already on the device (fit's GPU dataset): the backend gathers it there. */
  gathered?: unknown;
}

/** The optimizer's state by PyTorch's state name (momentum_buffer, exp_avg, …), flat in the parameter layout. */
export type OptimizerBuffers = Record<string, FloatCopy>;

/** A carried state [L, B, H] on the host. */
export interface HostState {
  B: number;
  h: FloatCopy;
  c: FloatCopy | null;
}

export abstract class TrainerBase implements Trainer {
  readonly options: TrainerOptions;
  protected readonly opts: ResolvedTrainerOptions;
  private applied = 0;
  /** Batch size of the carried state once the queued work has run (null: none), kept in call order. */
  private carryB: number | null = null;
  private destroyed = false;

  constructor(protected readonly model: ModelBase, raw: TrainerOptions) {
    this.opts = resolveTrainerOptions(raw);
    this.options = publicTrainerOptions(raw);
  }

  /** Call at the end of a subclass constructor: restores a checkpoint given as `resume`. */
  protected startFromCheckpoint(): void {
    if (!this.opts.resume) return;
    const ck = this.checkCheckpoint(this.opts.resume);
    this.carryB = ck.carried?.batchSize ?? null;
    // Counted at once: the restore is queued first, so every later call sees the checkpoint's step.
    this.applied = ck.optimizerState.step;
    const restore = this.model.queue.run(() => this.restore(ck));
    restore.catch(() => undefined);
  }

  get optimizer(): ResolvedOptimizer {
    return this.opts.optimizer;
  }

  get steps(): number {
    return this.applied;
  }

  protected assertAlive(where: string): void {
    this.model.assertUsable(where);
    if (this.destroyed) throw new InputError(`${where}: this trainer was destroyed (trainer.destroy())`);
  }

  // ---- what each backend implements ----
  protected abstract runStep(work: StepWork): Promise<StepResult>;
  /** Forgets the carried state (in queue order). */
  protected abstract clearCarried(): void;
  /** The optimizer state and the carried state, read for a checkpoint. */
  protected abstract readState(): Promise<{ buffers: OptimizerBuffers; carried: HostState | null }>;
  /** Writes a checked checkpoint's parameters, optimizer state and carried state. */
  protected abstract restore(ck: Checkpoint): Promise<void>;
  protected abstract destroyBackend(): void;

  step(x: Inputs, y: Targets, opts: StepOptions = {}): Promise<StepResult> {
    const where = 'trainer.step';
    let inputs: PreparedInputs, targets: PreparedTargets, read: boolean, start: StepStart;
    try {
      this.assertAlive(where);
      const o = plainOptions(where, opts, ['readLoss', 'lengths', 'h0', 'c0']);
      if (o.readLoss !== undefined && typeof o.readLoss !== 'boolean') throw new InputError(`${where}: readLoss must be a boolean, received ${show(o.readLoss)}`);
      read = (o.readLoss as boolean | undefined) ?? true;
      inputs = prepareInputs(this.model.config, where, x, o as InitialState, this.model.precision, shapeOf(y));
      targets = prepareTargets(this.model.config, where, y, inputs, shapeOf(x)!, this.model.precision);
      start = this.startOf(where, inputs);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.enqueueStep(where, inputs, targets, start, read);
  }

  /** fit's steps: tensors already checked (the whole dataset once), the initial state by rule. */
  stepPrepared(inputs: PreparedInputs, targets: PreparedTargets, read: boolean, carry: boolean, gathered?: unknown): Promise<StepResult> {
    const where = 'fit';
    try {
      this.assertAlive(where);
    } catch (e) {
      return Promise.reject(e);
    }
    const start: StepStart = carry && this.carryB !== null ? 'carried' : 'default';
    return this.enqueueStep(where, inputs, targets, start, read, gathered);
  }

  /** The initial state of a step: the caller's, else (stateful) the carried one, else the model's default. */
  private startOf(where: string, inputs: PreparedInputs): StepStart {
    if (inputs.h0 || inputs.c0) return 'explicit';
    if (!this.opts.stateful || this.carryB === null) return 'default';
    if (this.carryB !== inputs.B) {
      throw new InputError(`${where}: a stateful trainer carries a state of batch ${this.carryB}, received batch ${inputs.B}; call resetState() before changing the batch size`);
    }
    return 'carried';
  }

  private enqueueStep(where: string, inputs: PreparedInputs, targets: PreparedTargets, start: StepStart, read: boolean, gathered?: unknown): Promise<StepResult> {
    if (this.opts.stateful || start === 'carried') this.carryB = inputs.B;
    return this.model.queue.run(async () => {
      this.assertAlive(where);
      const index = this.applied;
      const lr = learningRate(this.opts.optimizer.lr, this.opts.schedule, index);
      const result = await this.runStep({ inputs, targets, start, read, index, lr, ...(gathered !== undefined ? { gathered } : {}) });
      this.applied = index + 1;
      return result;
    });
  }

  /** Whether steps carry their final state into the next (stateful, or fit's windows). */
  get carries(): boolean {
    return this.opts.stateful;
  }

  resetState(): void {
    this.carryB = null;
    this.model.queue.run(() => this.clearCarried()).catch(() => undefined);
  }

  /** fit's windows: the next window starts from the model's default state. */
  resetCarried(): void {
    this.resetState();
  }

  save(opts: { dtype?: 'F32' | 'F64' } = {}): Promise<Uint8Array> {
    const where = 'trainer.save';
    try {
      this.assertAlive(where);
      const o = plainOptions(where, opts, ['dtype']);
      if (o.dtype !== undefined && o.dtype !== 'F32' && o.dtype !== 'F64') throw new InputError(`${where}: dtype must be "F32" or "F64", received ${show(o.dtype)}`);
      // The cpu backend resumes bit for bit only from float64; the GPU's state is float32 already.
      const dtype = (o.dtype as 'F32' | 'F64' | undefined) ?? (this.model.precision === 'f64' ? 'F64' : 'F32');
      return this.model.queue.run(async () => {
        this.assertAlive(where);
        const params = await this.model.readParameters();
        const { buffers, carried } = await this.readState();
        const f64: Record<string, Float64Array> = {};
        for (const [k, v] of Object.entries(buffers)) f64[k] = v instanceof Float64Array ? v : Float64Array.from(v);
        return encodeCheckpoint({
          config: this.model.config, params,
          optimizer: this.opts.optimizer, optimizerState: { step: this.applied, buffers: f64 },
          ...(this.opts.clipNorm !== null ? { clipNorm: this.opts.clipNorm } : {}),
          ...(this.opts.schedule.name !== 'constant' ? { schedule: this.opts.schedule } : {}),
          ...(this.opts.stateful ? { stateful: true } : {}),
          ...(carried ? { carried: { batchSize: carried.B, h: carried.h, ...(carried.c ? { c: carried.c } : {}) } } : {}),
        }, dtype);
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Decodes a checkpoint and checks it against this model and these options, naming what differs. */
  private checkCheckpoint(bytes: Uint8Array): Checkpoint {
    const where = 'trainer resume';
    const ck = decodeCheckpoint(bytes, `${where} checkpoint`);
    const diff = configDifference(ck.config, this.model.config);
    if (diff) throw new InputError(`${where}: the checkpoint is of another model (${diff.replace(' vs ', ' in the checkpoint, ')} in this model)`);
    const a = ck.optimizer, b = this.opts.optimizer;
    for (const k of Object.keys(b) as Array<keyof ResolvedOptimizer>) {
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) {
        throw new InputError(`${where}: the checkpoint was trained with optimizer ${a.name} ${k} ${show(a[k])}, these options give ${b.name} ${k} ${show(b[k])}; pass the same optimizer options to continue`);
      }
    }
    const clip = ck.clipNorm ?? null;
    if (clip !== this.opts.clipNorm) throw new InputError(`${where}: the checkpoint was trained with clipNorm ${show(clip)}, these options give ${show(this.opts.clipNorm)}`);
    if (JSON.stringify(ck.schedule ?? { name: 'constant' }) !== JSON.stringify(this.opts.schedule)) {
      throw new InputError(`${where}: the checkpoint was trained with schedule ${show(ck.schedule ?? { name: 'constant' })}, these options give ${show(this.opts.schedule)}`);
    }
    if ((ck.stateful ?? false) !== this.opts.stateful) throw new InputError(`${where}: the checkpoint was trained with stateful ${show(ck.stateful ?? false)}, these options give ${show(this.opts.stateful)}`);
    return ck;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.model.engine.release(this);
    this.model.queue.run(() => this.destroyBackend()).catch(() => undefined);
  }
}

/** A run-time failure of a step that leaves the model as it was. */
export function stepFailure(where: string, e: unknown): RuntimeFailure {
  return e instanceof RuntimeFailure ? e : new RuntimeFailure(`${where}: ${(e as Error)?.message ?? String(e)}`);
}
