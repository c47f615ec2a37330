/**
 * What both backends' streams share (model.stream: inference one timestep per call, the state
 * kept between calls): the checks of every call, the order of the work (the model's queue), the
 * head's window for outputs 'last' (the head reads the last headSteps steps: the first
 * headSteps − 1 calls after a reset have no output yet and return NaN), and the output
 * activation. A backend keeps the state and computes one step.
 */
import type { FloatArray, InitialState, Inputs, Prediction, Stream } from '../api.js';
import { InputError } from '../errors.js';
import { prepareStepInput, prepareStreamState, type FloatCopy } from '../checks/tensors.js';
import { activate } from './activation.js';
import type { ModelBase } from './modelBase.js';

export abstract class StreamBase implements Stream {
  private count = 0;
  private destroyed = false;

  constructor(protected readonly model: ModelBase, readonly batchSize: number) {}

  get steps(): number {
    return this.count;
  }

  protected assertAlive(where: string): void {
    this.model.assertUsable(where);
    if (this.destroyed) throw new InputError(`${where}: this stream was destroyed (stream.destroy())`);
  }

  /** One step of checked input; returns logits [B, C], NaN while the head's window is not full. */
  protected abstract runStep(xt: FloatCopy | Int32Array, index: number): Promise<FloatArray>;
  protected abstract resetState(): void;
  protected abstract readState(): Promise<{ h: FloatArray; c?: FloatArray }>;
  protected abstract writeState(h: FloatCopy | null, c: FloatCopy | null): Promise<void>;
  protected abstract destroyBackend(): void;

  step(xt: Inputs): Promise<{ output: Prediction; logits: Prediction }> {
    const where = 'stream.step';
    let x: FloatCopy | Int32Array;
    try {
      this.assertAlive(where);
      x = prepareStepInput(this.model.config, where, xt, this.batchSize, this.model.precision);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.model.queue.run(async () => {
      this.assertAlive(where);
      const logits = await this.runStep(x, this.count);
      this.count++;
      const C = this.model.config.outputSize, shape = [this.batchSize, C];
      return { output: { data: activate(this.model.config.loss, logits, C), shape }, logits: { data: logits, shape } };
    });
  }

  reset(): void {
    this.assertAlive('stream.reset');
    this.model.queue.run(() => {
      this.resetState();
      this.count = 0;
    }).catch(() => undefined);
  }

  getState(): Promise<{ h: FloatArray; c?: FloatArray }> {
    try {
      this.assertAlive('stream.getState');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.model.queue.run(() => this.readState());
  }

  setState(state: InitialState): Promise<void> {
    const where = 'stream.setState';
    let s: { h: FloatCopy | null; c: FloatCopy | null };
    try {
      this.assertAlive(where);
      if (typeof state !== 'object' || state === null) throw new InputError(`${where}: expected { h0, c0? } tensors [L, B, H], received ${String(state)}`);
      s = prepareStreamState(this.model.config, where, state, this.batchSize, this.model.precision);
      if (!s.h && !s.c) throw new InputError(`${where}: expected h0 (and c0 for LSTM) tensors [L, B, H], received neither`);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.model.queue.run(() => this.writeState(s.h, s.c));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.model.engine.release(this);
    this.model.queue.run(() => this.destroyBackend()).catch(() => undefined);
  }
}
