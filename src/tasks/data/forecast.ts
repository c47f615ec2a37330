/**
 * Data and metrics of task `forecast`: one-step (or k-step) forecasting of a real univariate
 * series, the Mauna Loa monthly mean CO₂ record (Scripps CO₂ Program, data licence CC BY 4.0) as
 * shipped by the npm package `vega-datasets` 3.2.1 in `data/co2-concentration.csv`. Pure functions
 * on text and arrays, so the browser demo can use them on fetched text; the Node loader that reads
 * the package's file is in forecastLoad.ts.
 *
 * The series. The CSV has 741 rows `Date,CO2,adjusted CO2` from 1958-03 to 2020-04 in ppm; five
 * months are missing (1958-06, 1958-10, 1964-02 … 1964-04). Only the raw `CO2` column is used: the
 * seasonally adjusted column comes from a harmonic fit over the whole record, so it carries
 * information from the future. The task series is the record after its last gap, 1964-05 …
 * 2020-04: 672 consecutive months, nothing interpolated (`afterLastGap`).
 *
 * The split (`forecastSplit`, chronological, by the index of the value a window predicts):
 *   train      [0, 480)    1964-05 … 2004-04   (40 years)
 *   validation [480, 552)  2004-05 … 2010-04   (6 years)
 *   test       [552, 672)  2010-05 … 2020-04   (the held-out tail, 10 years)
 * A window predicting a value of one part may read inputs from the part before it: those are past
 * values a forecaster has observed. Targets never cross parts (a k-step window belongs to a part
 * only when all k targets do). The test tail lies entirely above the training range (387–416 ppm
 * against 317–381), which is why the default parametrisation is `delta` (below).
 *
 * Normalisation (`forecastStats`) uses values[0, trainEnd) only: the mean and standard deviation
 * of the levels, and the root mean square of the one-step differences within the train part.
 *
 * Windows (`forecastWindows`), for a predicted index t, window W and horizon k (C = k outputs):
 *   level: x[i, j, 0] = (s[t−W+j] − mean) / std                       j = 0 … W−1
 *          y[i, c]    = (s[t+c] − mean) / std                           c = 0 … k−1
 *   delta: x[i, j, 0] = (s[t−W+j] − s[t−W+j−1]) / deltaScale          (needs t ≥ W+1)
 *          y[i, c]    = (s[t+c] − s[t−1]) / deltaScale                  (change since the last input)
 * With `monthFeatures`, x[i, j, 1..2] = sin, cos of 2π·month(t−W+j)/12 (month 0 = January), so
 * x is [N, W, 3]. They matter for short windows: a linear autoregression with W = 6 goes from
 * skill 0.36 to 0.66 with them, with W = 24 from 0.73 to 0.73 (the window already holds two
 * seasons). `delta` keeps inputs and targets in the range seen in training even though the test
 * levels are 2.5–4.2 training standard deviations above the training mean; a tanh network asked
 * for normalised levels there has to extrapolate.
 *
 * Metrics, in ppm: the naive forecast repeats the last observed value s[t−1] for all k steps;
 * rmse over all N·k predictions; skill = 1 − rmse / naiveRmse (1 perfect, 0 no better than naive).
 * Measured on the test tail, k = 1: naiveRmse 1.391 ppm; least-squares linear autoregression on the
 * train windows (with a bias) W = 12: skill 0.685 (level) / 0.678 (delta); W = 24: 0.731 / 0.715.
 */
import { InputError } from '../../errors.js';
import { expectInt, expectLength } from './checks.js';

export interface ForecastSeries {
  /** One date per value, `YYYY-MM-DD` as in the file. */
  dates: string[];
  /** The values (CO₂ in ppm). */
  values: Float64Array;
  /** Month of year of each value, 0 = January … 11 = December. */
  months: Int32Array;
}

export const CO2_FILE = 'data/co2-concentration.csv';
export const FORECAST_TEST_LENGTH = 120;
export const FORECAST_VALIDATION_LENGTH = 72;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A piece of file content for an error message, at most 60 characters. */
function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

/**
 * Parses the CSV text of `co2-concentration.csv`: a header naming at least the columns `Date` and
 * `CO2` (any order), then one row per month with a `YYYY-MM-DD` date and a finite number. Dates
 * must increase by whole months (gaps are allowed; `afterLastGap` removes them). CRLF line ends and
 * a trailing newline are accepted; blank lines are skipped.
 */
export function parseCo2Csv(text: string): ForecastSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const dateCol = header.indexOf('Date');
  const valueCol = header.indexOf('CO2');
  if (dateCol < 0 || valueCol < 0) {
    throw new InputError(`parseCo2Csv text: expected a header with columns Date and CO2, received ${quote(lines[0] ?? '')}`);
  }
  const dates: string[] = [];
  const values: number[] = [];
  const months: number[] = [];
  let prevMonth = -Infinity;
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const date = (cells[dateCol] ?? '').trim();
    const m = DATE.exec(date);
    if (!m) throw new InputError(`parseCo2Csv line ${li + 1}: expected a date YYYY-MM-DD in column Date, received ${quote(line)}`);
    const month = Number(m[2]) - 1;
    if (month < 0 || month > 11) throw new InputError(`parseCo2Csv line ${li + 1}: expected a month 01–12, received ${quote(date)}`);
    const absMonth = Number(m[1]) * 12 + month;
    if (absMonth <= prevMonth) {
      throw new InputError(`parseCo2Csv line ${li + 1}: expected dates in increasing months, received ${quote(date)} after ${quote(dates[dates.length - 1]!)}`);
    }
    const cell = (cells[valueCol] ?? '').trim();
    const v = cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(v)) throw new InputError(`parseCo2Csv line ${li + 1}: expected a finite number in column CO2, received ${quote(line)}`);
    prevMonth = absMonth;
    dates.push(date);
    values.push(v);
    months.push(month);
  }
  if (values.length === 0) throw new InputError('parseCo2Csv text: expected at least one data row, received none');
  return { dates, values: Float64Array.from(values), months: Int32Array.from(months) };
}

/** Year·12 + month of a `YYYY-MM-DD` date. */
function monthNumber(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/** The values after the last missing month: a run of consecutive months ending at the last row. */
export function afterLastGap(series: ForecastSeries): ForecastSeries {
  const { dates } = series;
  let start = dates.length - 1;
  while (start > 0 && monthNumber(dates[start]!) === monthNumber(dates[start - 1]!) + 1) start--;
  return { dates: dates.slice(start), values: series.values.slice(start), months: series.months.slice(start) };
}

/** The task series from the file's text: `afterLastGap(parseCo2Csv(text))`, 672 months for 3.2.1. */
export function co2SeriesFromCsv(text: string): ForecastSeries {
  return afterLastGap(parseCo2Csv(text));
}

/** Target-index ranges of the three parts: train [0, trainEnd), validation [trainEnd, validationEnd), test [validationEnd, n). */
export interface ForecastSplit {
  n: number;
  trainEnd: number;
  validationEnd: number;
}

export type ForecastPart = 'train' | 'validation' | 'test';

/** The chronological split: the last `test` values are the held-out tail, the `validation` values before them validate. */
export function forecastSplit(n: number, test = FORECAST_TEST_LENGTH, validation = FORECAST_VALIDATION_LENGTH): ForecastSplit {
  expectInt('forecastSplit n', n, 3);
  expectInt('forecastSplit test', test, 1, n - 2);
  expectInt('forecastSplit validation', validation, 0, n - test - 2);
  return { n, trainEnd: n - test - validation, validationEnd: n - test };
}

export interface ForecastStats {
  /** Mean and (population) standard deviation of the train values. */
  mean: number;
  std: number;
  /** Root mean square of the one-step differences inside the train part. */
  deltaScale: number;
}

/** Normalisation statistics from values[0, split.trainEnd) only. */
export function forecastStats(values: Float64Array, split: ForecastSplit): ForecastStats {
  if (values.length !== split.n) throw new InputError(`forecastStats values: expected ${split.n} values (split.n), received ${values.length}`);
  const m = split.trainEnd;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += values[i]!;
  const mean = sum / m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (values[i]! - mean) ** 2;
  let ds = 0;
  for (let i = 1; i < m; i++) ds += (values[i]! - values[i - 1]!) ** 2;
  const std = Math.sqrt(ss / m);
  const deltaScale = Math.sqrt(ds / (m - 1));
  if (!(std > 0) || !(deltaScale > 0)) {
    throw new InputError(`forecastStats values: expected a train part that is not constant, received std ${std} and delta scale ${deltaScale}`);
  }
  return { mean, std, deltaScale };
}

export type ForecastMode = 'level' | 'delta';

export interface ForecastWindowOptions {
  /** W, the number of past steps read. */
  window: number;
  /** k, the number of future values predicted (C = k). Default 1. */
  horizon?: number;
  /** Default `delta` (see the file header). */
  mode?: ForecastMode;
  /** Add sin/cos month-of-year features to every input step (F = 3). Default false. */
  monthFeatures?: boolean;
}

export interface ForecastWindows {
  /** [N, W, F] inputs, F = 1 or 3. */
  x: Float64Array;
  /** [N, C] normalised targets. */
  y: Float64Array;
  N: number;
  W: number;
  F: number;
  C: number;
  mode: ForecastMode;
  stats: ForecastStats;
  /** [N] the index t of each window's first target; its inputs end at t − 1. */
  start: Int32Array;
  /** [N] the last observed value s[t−1], in original units. */
  last: Float64Array;
  /** [N, C] the targets in original units. */
  truth: Float64Array;
}

/** Every window of one part whose k targets all lie in the part and whose inputs exist (t ≥ W, or W + 1 for delta). */
export function forecastWindows(series: ForecastSeries, split: ForecastSplit, stats: ForecastStats, part: ForecastPart, opts: ForecastWindowOptions): ForecastWindows {
  const s = series.values;
  if (s.length !== split.n) throw new InputError(`forecastWindows series: expected ${split.n} values (split.n), received ${s.length}`);
  const mode = opts.mode ?? 'delta';
  if (mode !== 'level' && mode !== 'delta') throw new InputError(`forecastWindows mode: expected "level" or "delta", received ${quote(String(mode))}`);
  const W = opts.window;
  const C = opts.horizon ?? 1;
  expectInt('forecastWindows window', W, 1, split.n - 2);
  expectInt('forecastWindows horizon', C, 1, split.n - 1);
  const F = opts.monthFeatures ? 3 : 1;
  const [lo, hi] = part === 'train' ? [0, split.trainEnd] : part === 'validation' ? [split.trainEnd, split.validationEnd] : part === 'test' ? [split.validationEnd, split.n] : [NaN, NaN];
  if (Number.isNaN(lo)) throw new InputError(`forecastWindows part: expected "train", "validation" or "test", received ${quote(String(part))}`);
  const first = Math.max(lo!, mode === 'delta' ? W + 1 : W);
  const N = Math.max(0, hi! - C + 1 - first);
  const x = new Float64Array(N * W * F);
  const y = new Float64Array(N * C);
  const start = new Int32Array(N);
  const last = new Float64Array(N);
  const truth = new Float64Array(N * C);
  const { mean, std, deltaScale } = stats;
  for (let i = 0; i < N; i++) {
    const t = first + i;
    start[i] = t;
    last[i] = s[t - 1]!;
    for (let j = 0; j < W; j++) {
      const u = t - W + j;
      const o = (i * W + j) * F;
      x[o] = mode === 'level' ? (s[u]! - mean) / std : (s[u]! - s[u - 1]!) / deltaScale;
      if (F === 3) {
        const angle = (2 * Math.PI * series.months[u]!) / 12;
        x[o + 1] = Math.sin(angle);
        x[o + 2] = Math.cos(angle);
      }
    }
    for (let c = 0; c < C; c++) {
      const v = s[t + c]!;
      truth[i * C + c] = v;
      y[i * C + c] = mode === 'level' ? (v - mean) / std : (v - s[t - 1]!) / deltaScale;
    }
  }
  return { x, y, N, W, F, C, mode, stats, start, last, truth };
}

/** Normalised predictions [N, C] (what a model trained on `windows.y` outputs) back in original units. */
export function decodeForecast(windows: ForecastWindows, yHat: ArrayLike<number>): Float64Array {
  const { N, C, mode, stats, last } = windows;
  expectLength('decodeForecast yHat', yHat, [N, C]);
  const out = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < C; c++) {
      const v = yHat[i * C + c]!;
      out[i * C + c] = mode === 'level' ? stats.mean + v * stats.std : last[i]! + v * stats.deltaScale;
    }
  }
  return out;
}

/** The naive forecast [N, C]: the last observed value s[t−1] repeated for every step ahead. */
export function naiveForecast(windows: ForecastWindows): Float64Array {
  const { N, C, last } = windows;
  const out = new Float64Array(N * C);
  for (let i = 0; i < N; i++) out.fill(last[i]!, i * C, (i + 1) * C);
  return out;
}

/** Root mean square of pred − truth over all elements (same length, at least one). */
export function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (truth.length === 0) throw new InputError('rmse truth: expected at least one value, received none');
  expectLength('rmse pred', pred, [truth.length]);
  let ss = 0;
  for (let i = 0; i < truth.length; i++) ss += (pred[i]! - truth[i]!) ** 2;
  return Math.sqrt(ss / truth.length);
}

/** RMSE of the naive forecast against the windows' targets, in original units. */
export function naiveRmse(windows: ForecastWindows): number {
  return rmse(naiveForecast(windows), windows.truth);
}

/** 1 − rmse / naiveRmse: 1 for a perfect forecast, 0 for one no better than the naive one, negative if worse. */
export function skill(modelRmse: number, naive: number): number {
  if (!(naive > 0) || !Number.isFinite(naive)) throw new InputError(`skill naiveRmse: expected a finite number > 0, received ${naive}`);
  if (!(modelRmse >= 0) || !Number.isFinite(modelRmse)) throw new InputError(`skill rmse: expected a finite number ≥ 0, received ${modelRmse}`);
  return 1 - modelRmse / naive;
}
