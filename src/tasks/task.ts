// What an example task is: a recipe (../shared/SEEDS.md) that trains a model and measures it on
// fresh data.
import type { Engine, Model } from '../api.js';

/** How `TaskDefinition.run` trains: the seed and optional caps on its recipe. */
export interface TaskOptions {
  /** Seeds the data, the initial weights and every shuffle: the same seed gives the same result. */
  seed: number;
  /** Cap on the number of optimizer steps (the recipe's count when absent). */
  steps?: number;
  /** Number of epochs, for the tasks that have them (the recipe's count when absent). */
  epochs?: number;
  /** Called after every step with the steps done, the total planned and that step's loss. */
  onProgress?: (done: number, total: number, loss: number) => void;
}

/** What a task's run measured (the CLI's `train --json` prints it). */
export interface TaskResult {
  /** The task's name, e.g. `bitpair`. */
  task: string;
  /** Optimizer steps taken. */
  steps: number;
  /** Mean training loss read back over the last 100 steps (every 10th step and the last). */
  loss: number;
  /** The task's own metric on data it did not train on, in [0, 1] where it is an accuracy (forecast: skill; text: 1 − bits per character ÷ the unigram entropy). */
  accuracy: number;
  /** Accuracy per class, for the classification tasks that report it (bitpair). */
  perClass?: number[];
  /** The task's own further figures (forecast: rmse, naiveRmse, skill; text: bits per character…), in --json. */
  extra?: Record<string, number | string>;
}

/** An example task: its name, a one-line summary and the recipe that trains and measures it. */
export interface TaskDefinition {
  /** The name `webgpu-lstm train <name>` takes. */
  name: string;
  /** One line: the data, the model and the bar it must reach. */
  summary: string;
  /** Trains a fresh model on `engine` with the task's recipe and measures it on held-out data; the model is the caller's (`engine.destroy()` frees it). */
  run(engine: Engine, opts: TaskOptions): Promise<{ model: Model; result: TaskResult }>;
}

/**
 * Whether step s (0-based) of `total` reads its loss back. Reading waits for the GPU (about 2 ms on
 * SwiftShader, as much as a hundred dispatches), so training reads every 10th step and the last;
 * the steps between queue up on the GPU while the CPU makes the next batch.
 */
export function readsLoss(s: number, total: number): boolean {
  return s % 10 === 9 || s === total - 1;
}

/** Mean of the losses read back during the last 100 steps (unread steps report NaN). */
export class LossWindow {
  private readonly values: Array<[number, number]> = [];
  private step = 0;
  last = Number.NaN;
  push(v: number): void {
    this.step++;
    if (!Number.isNaN(v)) {
      this.last = v;
      this.values.push([this.step, v]);
    }
    while (this.values.length && this.values[0]![0] <= this.step - 100) this.values.shift();
  }
  mean(): number {
    return this.values.length ? this.values.reduce((a, [, v]) => a + v, 0) / this.values.length : Number.NaN;
  }
}

/** Total steps of a plan of `epochs × perEpoch`, capped by --steps. */
export function plannedSteps(perEpoch: number, epochs: number, cap?: number): number {
  const total = perEpoch * epochs;
  return cap === undefined ? total : Math.min(cap, total);
}
