/**
 * Task `forecast`: next-month CO₂ at Mauna Loa from the past 24 months (recipe in
 * forecastRecipe.ts, data in data/forecast.ts: vega-datasets 3.2.1, BSD-3-Clause, the data CC BY
 * 4.0 from the Scripps CO₂ Program; train 1964-05…2004-04, validation …2010-04, held-out test
 * 2010-05…2020-04, normalised on the training part only). Measured on the held-out decade, in
 * ppm: `rmse`, `naiveRmse` (the last value repeated) and `skill = 1 − rmse / naiveRmse`
 * (the task's accuracy). Bar: skill ≥ 0.2.
 */
import type { Model } from '../api.js';
import { decodeForecast, forecastSplit, forecastStats, forecastWindows, naiveRmse, rmse, skill, type ForecastWindows } from './data/forecast.js';
import { loadForecastSeries } from './data/forecastLoad.js';
import { FORECAST_MODEL, FORECAST_RECIPE, FORECAST_WINDOWS, forecastFitOptions } from './forecastRecipe.js';
import type { TaskDefinition } from './task.js';

export { FORECAST_MODEL, FORECAST_RECIPE, FORECAST_WINDOWS, forecastFitOptions } from './forecastRecipe.js';

/** The model's forecast of every window, in ppm, and its rmse / skill against the naive forecast. */
export async function scoreForecast(model: Model, w: ForecastWindows): Promise<{ forecast: Float64Array; rmse: number; naiveRmse: number; skill: number }> {
  const pred = await model.predict({ data: Float32Array.from(w.x), shape: [w.N, w.W, w.F] });
  const forecast = decodeForecast(w, pred.data);
  const r = rmse(forecast, w.truth), naive = naiveRmse(w);
  return { forecast, rmse: r, naiveRmse: naive, skill: skill(r, naive) };
}

export const forecast: TaskDefinition = {
  name: 'forecast',
  summary: 'Mauna Loa CO₂, next month from the past 24, LSTM 16, mse, Adam + cosine, 60 epochs; skill vs the naive forecast',
  async run(engine, opts) {
    const series = loadForecastSeries();
    const split = forecastSplit(series.values.length);
    const stats = forecastStats(series.values, split);
    const [train, val, test] = (['train', 'validation', 'test'] as const).map((p) => forecastWindows(series, split, stats, p, FORECAST_WINDOWS));
    const model = engine.createModel({ ...FORECAST_MODEL, seed: opts.seed });
    const perEpoch = Math.ceil(train!.N / FORECAST_RECIPE.batch);
    const epochs = opts.epochs ?? (opts.steps !== undefined ? Math.max(1, Math.ceil(opts.steps / perEpoch)) : FORECAST_RECIPE.epochs);
    const total = epochs * perEpoch;
    const f32 = (a: Float64Array) => Float32Array.from(a);
    let done = 0;
    const history = await model.fit(
      { x: { data: f32(train!.x), shape: [train!.N, train!.W, train!.F] }, y: { data: f32(train!.y), shape: [train!.N, 1] } },
      {
        ...forecastFitOptions(epochs, perEpoch, opts.seed),
        validation: { x: { data: f32(val!.x), shape: [val!.N, val!.W, val!.F] }, y: { data: f32(val!.y), shape: [val!.N, 1] } },
        onStep: ({ loss }) => opts.onProgress?.(++done, total, loss),
      },
    );
    const s = await scoreForecast(model, test!);
    const last = history.epochs[history.epochs.length - 1]!;
    return {
      model,
      result: {
        task: 'forecast', steps: history.steps, loss: last.loss, accuracy: s.skill,
        extra: { rmse: s.rmse, naiveRmse: s.naiveRmse, skill: s.skill, valLoss: last.valLoss ?? Number.NaN, unit: 'ppm' },
      },
    };
  },
};
