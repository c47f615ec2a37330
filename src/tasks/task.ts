/** What an example task is: a recipe (SEEDS.md) that trains a model and measures it on fresh data. */
import type { Engine, Model } from '../api.js';

export interface TaskOptions {
  seed: number;
  /** Cap on the number of optimizer steps (the recipe's count when absent). */
  steps?: number;
  /** Number of epochs, for the tasks that have them (the recipe's count when absent). */
  epochs?: number;
  /** Called after every step with the steps done, the total planned and that step's loss. */
  onProgress?: (done: number, total: number, loss: number) => void;
}

export interface TaskResult {
  task: string;
  steps: number;
  /** Mean training loss over the last min(100, steps) steps. */
  loss: number;
  /** The task's own metric on data it did not train on (DESIGN.md section 5). */
  accuracy: number;
  perClass?: number[];
}

export interface TaskDefinition {
  name: string;
  summary: string;
  run(engine: Engine, opts: TaskOptions): Promise<{ model: Model; result: TaskResult }>;
}

/** Mean of the last (up to) 100 losses. */
export class LossWindow {
  private readonly values: number[] = [];
  push(v: number): void {
    this.values.push(v);
    if (this.values.length > 100) this.values.shift();
  }
  mean(): number {
    return this.values.length ? this.values.reduce((a, b) => a + b, 0) / this.values.length : Number.NaN;
  }
}

/** Total steps of a plan of `epochs × perEpoch`, capped by --steps. */
export function plannedSteps(perEpoch: number, epochs: number, cap?: number): number {
  const total = perEpoch * epochs;
  return cap === undefined ? total : Math.min(cap, total);
}
