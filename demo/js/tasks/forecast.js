// Task forecast on the page: next month's CO₂ at Mauna Loa from the past 24 months (the recipe of
// src/tasks/forecastRecipe.ts), fit with validation on the 6 years before the held-out decade,
// and for the panel the held-out decade (2010-05 … 2020-04) drawn with the model's one-step
// forecasts and the naive forecast (the last value repeated), their RMSE in ppm and the skill
// 1 − rmse / naiveRmse. The data: demo/generated/co2-concentration.csv, copied by
// demo/prepare.mjs from the npm package vega-datasets 3.2.1 (Scripps CO₂ Program, CC BY 4.0),
// parsed, split and normalised (on the training part only) by the tasks bundle's own functions.
import {
  co2SeriesFromCsv, decodeForecast, FORECAST_MODEL, FORECAST_RECIPE as R, FORECAST_WINDOWS, forecastFitOptions, forecastSplit,
  forecastStats, forecastWindows, naiveForecast, rmse, skill,
} from 'webgpu-lstm';
import { fetchGenerated } from '../dataFiles.js';
import { ForecastPanel } from '../panels/forecast.js';

/** The task's bar on the held-out decade. */
const BAR = 0.2;

const tensors = (w) => ({ x: { data: Float32Array.from(w.x), shape: [w.N, w.W, w.F] }, y: { data: Float32Array.from(w.y), shape: [w.N, w.C] } });

export const forecastTask = {
  name: 'forecast',
  title: 'forecast — Mauna Loa CO₂, next month from the past 24',
  model: FORECAST_MODEL,
  Panel: ForecastPanel,
  score: { label: 'skill vs naive', unit: '', range: [-0.5, 1], refs: [{ label: `bar ${BAR}`, value: BAR }, { label: 'naive', value: 0 }] },
  about: 'Windows of 24 months of month-to-month changes (with the month of year) predict the next change; trained on 1964–2004,'
    + ' validated on 2004–2010, scored on the held-out decade 2010–2020. Skill = 1 − rmse / naiveRmse: 0 is no better than repeating'
    + ` the last value; the task's bar is ${BAR}.`,
  credit: 'Data: Mauna Loa monthly mean CO₂, Scripps CO₂ Program (scrippsco2.ucsd.edu), CC BY 4.0; from the npm package vega-datasets 3.2.1.',

  async createData(seed) {
    const series = co2SeriesFromCsv(await fetchGenerated('co2-concentration.csv', 'text'));
    const split = forecastSplit(series.values.length);
    const stats = forecastStats(series.values, split);
    const [train, val, test] = ['train', 'validation', 'test'].map((p) => forecastWindows(series, split, stats, p, FORECAST_WINDOWS));
    const perEpoch = Math.ceil(train.N / R.batch);
    const fit = forecastFitOptions(R.epochs, perEpoch, seed);
    const dates = Array.from(test.start, (t) => series.dates[t]);
    const naive = naiveForecast(test);
    const naiveRmse = rmse(naive, test.truth);
    return {
      total: R.epochs * perEpoch,
      source: tensors(train),
      trainerOptions: fit,
      fitOptions: () => ({ ...fit, validation: tensors(val) }),
      batchText: `batches of ${R.batch} of ${train.N} windows, ${perEpoch} per epoch, ${R.epochs} epochs`,
      evalEvery: { ms: 1000 },
      async evaluate(model) {
        const pred = await model.predict({ data: Float32Array.from(test.x), shape: [test.N, test.W, test.F] });
        const forecast = decodeForecast(test, pred.data);
        const r = rmse(forecast, test.truth);
        const s = skill(r, naiveRmse);
        return { dates, truth: test.truth, forecast, naive, rmse: r, naiveRmse, skill: s, bar: BAR, score: s };
      },
    };
  },
};
