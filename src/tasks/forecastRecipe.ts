/**
 * The recipe of task `forecast` as data (pure, for the browser demo as well as the CLI): the
 * Mauna Loa CO₂ series (src/tasks/data/forecast.ts), windows of the past 24 months as month-to-
 * month changes with the month of year (sin, cos), predicting the next month's change; one LSTM
 * layer of 16 and a linear head, mean squared error, Adam with a cosine decay, batches of 32,
 * validated on the 6 years before the held-out decade.
 */
import type { CreateModelOptions, FitOptions } from '../api.js';
import type { ForecastWindowOptions } from './data/forecast.js';

export const FORECAST_RECIPE = { window: 24, hidden: 16, lr: 0.01, batch: 32, epochs: 60 };

export const FORECAST_WINDOWS: ForecastWindowOptions = { window: FORECAST_RECIPE.window, mode: 'delta', monthFeatures: true };

/** Three input features per month: the normalised change, sin and cos of the month. */
export const FORECAST_MODEL: Omit<CreateModelOptions, 'seed'> = {
  cell: 'lstm', inputSize: 3, hiddenSize: FORECAST_RECIPE.hidden, numLayers: 1, outputSize: 1, outputs: 'last', loss: 'mse',
};

/** fit's options for a run of `epochs` epochs of `perEpoch` steps. */
export function forecastFitOptions(epochs: number, perEpoch: number, seed: number): FitOptions {
  return {
    optimizer: { name: 'adam', lr: FORECAST_RECIPE.lr }, schedule: { name: 'cosine', totalSteps: Math.max(1, epochs * perEpoch) },
    epochs, batchSize: FORECAST_RECIPE.batch, shuffle: true, seed, metrics: ['mse'], lossEvery: 5,
  };
}
