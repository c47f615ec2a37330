/**
 * The recipe of task `mnist-rows` (seed 002) as data, apart from the task's runner
 * (src/tasks/mnistRows.ts), which reads the digits with node:fs: this module is pure, so the
 * browser bundle and the demo page can use the same numbers.
 */
import type { CreateModelOptions, TrainerOptions } from '../api.js';

export const MNIST_RECIPE = { hidden: 128, headSteps: 3, lr: 0.01, batch: 64, epochs: 10, forgetBias: 1 };

/** One LSTM of 128 over 28 pixels per step; the last 3 steps' h → dense 10; forget-gate bias 1. */
export const MNIST_MODEL: Omit<CreateModelOptions, 'seed'> = {
  cell: 'lstm', inputSize: 28, hiddenSize: MNIST_RECIPE.hidden, numLayers: 1, outputSize: 10, outputs: 'last', headSteps: MNIST_RECIPE.headSteps,
  loss: 'softmax_ce', forgetBias: MNIST_RECIPE.forgetBias,
};

/** Adam with a cosine decay of the learning rate over a run of `totalSteps`. */
export function mnistTrainerOptions(totalSteps: number): TrainerOptions {
  return { optimizer: { name: 'adam', lr: MNIST_RECIPE.lr }, schedule: { name: 'cosine', totalSteps } };
}
