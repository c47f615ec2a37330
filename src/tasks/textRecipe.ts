/**
 * The recipe of task `text` as data (pure, for the browser demo as well as the CLI): a
 * character-level model of Moby-Dick (src/tasks/data/text.ts): token inputs (an embedding of 16),
 * one LSTM layer of 128 and a softmax over the characters, trained by stateful truncated BPTT over
 * B parallel streams of the training text (windows of W characters, the state carried from one
 * window to the next within an epoch), Adam with clipping.
 */
import type { CreateModelOptions, FitOptions } from '../api.js';

export const TEXT_RECIPE = { embedding: 16, hidden: 128, streams: 16, window: 50, lr: 0.01, clipNorm: 5, epochs: 1, evalWindow: 256 };

/** The model for a vocabulary of V characters. */
export function textModel(V: number): Omit<CreateModelOptions, 'seed'> {
  return {
    cell: 'lstm', inputKind: 'tokens', vocabSize: V, inputSize: TEXT_RECIPE.embedding, hiddenSize: TEXT_RECIPE.hidden,
    numLayers: 1, outputSize: V, outputs: 'all', loss: 'softmax_ce',
  };
}

/** fit's options: one batch of all streams per epoch, cut into windows, not shuffled (streams continue). */
export function textFitOptions(epochs: number, stepsPerEpoch: number): FitOptions {
  return {
    optimizer: { name: 'adam', lr: TEXT_RECIPE.lr }, clipNorm: TEXT_RECIPE.clipNorm,
    schedule: { name: 'cosine', totalSteps: Math.max(1, epochs * stepsPerEpoch) },
    epochs, batchSize: TEXT_RECIPE.streams, shuffle: false, window: TEXT_RECIPE.window, lossEvery: 10,
  };
}
