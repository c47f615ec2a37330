// Data and metrics of task `forecast` (src/tasks/data/forecast.ts): the Mauna Loa CO₂ series
// from vega-datasets, its chronological split, train-only normalisation, windows and the naive bar.
import { describe, expect, it } from 'vitest';
import { InputError, RuntimeFailure } from '../src/errors.js';
import {
  afterLastGap,
  decodeForecast,
  forecastSplit,
  forecastStats,
  forecastWindows,
  naiveForecast,
  naiveRmse,
  parseCo2Csv,
  rmse,
  skill,
  type ForecastSeries,
  type ForecastWindows,
} from '../src/tasks/data/forecast.js';
import { loadForecastSeries } from '../src/tasks/data/forecastLoad.js';
import { packageFile } from '../src/tasks/data/packageFile.js';

/** A monthly series starting 2000-01 from plain values. */
function monthly(values: number[]): ForecastSeries {
  const dates = values.map((_, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`);
  return { dates, values: Float64Array.from(values), months: Int32Array.from(values, (_, i) => i % 12) };
}

/**
 * Least-squares fit of y ≈ [x, 1]·w on the train windows (normal equations, Gaussian elimination
 * with partial pivoting), then its predictions on other windows. C = 1.
 */
function linearAr(train: ForecastWindows, evalOn: ForecastWindows): Float64Array {
  const P = train.W * train.F + 1;
  const A = Array.from({ length: P }, () => new Float64Array(P + 1));
  const row = new Float64Array(P);
  for (let i = 0; i < train.N; i++) {
    row.set(train.x.subarray(i * (P - 1), (i + 1) * (P - 1)));
    row[P - 1] = 1;
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) A[a]![b]! += row[a]! * row[b]!;
      A[a]![P]! += row[a]! * train.y[i]!;
    }
  }
  for (let col = 0; col < P; col++) {
    let piv = col;
    for (let r = col + 1; r < P; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
    [A[col], A[piv]] = [A[piv]!, A[col]!];
    for (let r = 0; r < P; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / A[col]![col]!;
      for (let c = col; c <= P; c++) A[r]![c]! -= f * A[col]![c]!;
    }
  }
  const w = A.map((r, i) => r[P]! / r[i]!);
  const yHat = new Float64Array(evalOn.N);
  for (let i = 0; i < evalOn.N; i++) {
    let v = w[P - 1]!;
    for (let a = 0; a < P - 1; a++) v += w[a]! * evalOn.x[i * (P - 1) + a]!;
    yHat[i] = v;
  }
  return decodeForecast(evalOn, yHat);
}

describe('forecast: the CO₂ series', () => {
  it('loads 672 consecutive months 1964-05 … 2020-04 from vega-datasets, once', () => {
    const s = loadForecastSeries();
    expect(loadForecastSeries()).toBe(s);
    expect(s.values.length).toBe(672);
    expect(s.dates.length).toBe(672);
    expect(s.dates[0]).toBe('1964-05-01');
    expect(s.dates[671]).toBe('2020-04-01');
    expect(s.values[671]).toBe(416.18); // the file's last row
    expect(s.months[0]).toBe(4);
    for (let i = 1; i < 672; i++) expect(s.months[i]).toBe((s.months[i - 1]! + 1) % 12);
    // Real CO₂: rising about 1.5 ppm a year, with a seasonal cycle of a few ppm.
    expect(Math.min(...s.values)).toBeGreaterThan(315);
    expect(Math.max(...s.values)).toBeLessThan(420);
    expect(s.values[671]! - s.values[0]!).toBeGreaterThan(85);
  });

  it('parses the CSV from text and drops everything before the last missing month', () => {
    const text = 'Date,CO2,adjusted CO2\r\n1958-03-01,315.70,314.44\r\n1958-05-01,317.51,315.1\r\n1958-06-01,317.2,315.0\r\n1958-07-01,315.86,315.2\r\n';
    const all = parseCo2Csv(text);
    expect(all.dates).toEqual(['1958-03-01', '1958-05-01', '1958-06-01', '1958-07-01']);
    expect(Array.from(all.values)).toEqual([315.7, 317.51, 317.2, 315.86]);
    expect(Array.from(all.months)).toEqual([2, 4, 5, 6]);
    const run = afterLastGap(all);
    expect(run.dates).toEqual(['1958-05-01', '1958-06-01', '1958-07-01']);
    expect(Array.from(run.values)).toEqual([317.51, 317.2, 315.86]);
    // Columns found by name, in any order.
    expect(Array.from(parseCo2Csv('x,CO2,Date\n1,2.5,2001-02-01\n').values)).toEqual([2.5]);
  });

  it('refuses malformed CSV, naming the line', () => {
    expect(() => parseCo2Csv('Date,Value\n2000-01-01,1\n')).toThrow(/header with columns Date and CO2/);
    expect(() => parseCo2Csv('Date,CO2\n2000-01-01,abc\n')).toThrow(/line 2: expected a finite number/);
    expect(() => parseCo2Csv('Date,CO2\n2000/01/01,1\n')).toThrow(/line 2: expected a date/);
    expect(() => parseCo2Csv('Date,CO2\n2000-02-01,1\n2000-01-01,1\n')).toThrow(/line 3: expected dates in increasing months/);
    expect(() => parseCo2Csv('Date,CO2\n')).toThrow(InputError);
    expect(() => parseCo2Csv(`Date,CO2\n2000-01-01,${'9'.repeat(500)}x\n`)).toThrow(/^.{0,200}$/);
  });

  it('names the package and the install command when it is missing', () => {
    expect(() => packageFile('no-such-data-package-xyz', 'data/a.csv', 'forecast', '1.2.3')).toThrow(RuntimeFailure);
    expect(() => packageFile('no-such-data-package-xyz', 'data/a.csv', 'forecast', '1.2.3')).toThrow(/no-such-data-package-xyz.*npm i no-such-data-package-xyz@1\.2\.3/);
    expect(() => packageFile('vega-datasets', 'data/no-such-file.csv', 'forecast', '3.2.1')).toThrow(/lacks it.*npm i vega-datasets@3\.2\.1/);
  });
});

describe('forecast: split, normalisation and windows', () => {
  it('splits 672 months chronologically into 480 / 72 / 120', () => {
    const sp = forecastSplit(672);
    expect(sp).toEqual({ n: 672, trainEnd: 480, validationEnd: 552 });
    const s = loadForecastSeries();
    expect(s.dates[sp.trainEnd]).toBe('2004-05-01');
    expect(s.dates[sp.validationEnd]).toBe('2010-05-01');
    expect(() => forecastSplit(10, 9)).toThrow(/forecastSplit test/);
  });

  it('computes the statistics on the train part only', () => {
    const s = loadForecastSeries();
    const sp = forecastSplit(s.values.length);
    const st = forecastStats(s.values, sp);
    const changed = s.values.slice();
    for (let i = sp.trainEnd; i < changed.length; i++) changed[i] = 1e6 * (i % 3);
    expect(forecastStats(changed, sp)).toEqual(st);
    changed[sp.trainEnd - 1]! += 1;
    expect(forecastStats(changed, sp).mean).not.toBe(st.mean);
    // Against a direct computation.
    const train = Array.from(s.values.subarray(0, 480));
    const mean = train.reduce((a, v) => a + v, 0) / 480;
    expect(st.mean).toBeCloseTo(mean, 10);
    expect(st.std).toBeCloseTo(Math.sqrt(train.reduce((a, v) => a + (v - mean) ** 2, 0) / 480), 10);
    expect(st.deltaScale).toBeGreaterThan(0.9);
    expect(st.deltaScale).toBeLessThan(1.6);
  });

  it('lines windows up with the series, in both modes, with disjoint targets per part', () => {
    const s = loadForecastSeries();
    const sp = forecastSplit(s.values.length);
    const st = forecastStats(s.values, sp);
    const W = 12;
    for (const mode of ['level', 'delta'] as const) {
      const parts = (['train', 'validation', 'test'] as const).map((p) => forecastWindows(s, sp, st, p, { window: W, mode }));
      const [tr, va, te] = parts;
      expect(tr!.N).toBe(mode === 'level' ? 480 - W : 480 - W - 1);
      expect(va!.N).toBe(72);
      expect(te!.N).toBe(120);
      expect(tr!.start[tr!.N - 1]).toBe(479);
      expect(va!.start[0]).toBe(480);
      expect(te!.start[0]).toBe(552);
      expect(te!.start[119]).toBe(671);
      for (const w of parts) {
        for (let i = 0; i < w.N; i++) {
          const t = w.start[i]!;
          expect(w.truth[i]).toBe(s.values[t]);
          expect(w.last[i]).toBe(s.values[t - 1]);
          for (const j of [0, W - 1]) {
            const u = t - W + j; // x[i] is series[t−W .. t)
            const expected = mode === 'level' ? (s.values[u]! - st.mean) / st.std : (s.values[u]! - s.values[u - 1]!) / st.deltaScale;
            expect(w.x[i * W + j]).toBeCloseTo(expected, 12);
          }
        }
        // Decoding the normalised targets gives the targets back.
        const back = decodeForecast(w, w.y);
        for (let i = 0; i < w.N; i++) expect(back[i]).toBeCloseTo(w.truth[i]!, 9);
      }
    }
  });

  it('builds k-step targets inside the part and month features', () => {
    const s = monthly([0, 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66, 78]);
    const sp = forecastSplit(13, 4, 3); // train [0, 6), validation [6, 9), test [9, 13)
    const st = forecastStats(s.values, sp);
    const w = forecastWindows(s, sp, st, 'test', { window: 3, horizon: 2, mode: 'delta', monthFeatures: true });
    expect(Array.from(w.start)).toEqual([9, 10, 11]); // t = 12 would need s[13]
    expect(w.F).toBe(3);
    expect(w.C).toBe(2);
    expect(w.x.length).toBe(3 * 3 * 3);
    // Window at t = 9: differences s[6]−s[5], s[7]−s[6], s[8]−s[7] = 6, 7, 8, months 6, 7, 8.
    expect(w.x[0]! * st.deltaScale).toBeCloseTo(6, 12);
    expect(w.x[6]! * st.deltaScale).toBeCloseTo(8, 12);
    expect(w.x[1]).toBeCloseTo(Math.sin((2 * Math.PI * 6) / 12), 12);
    expect(w.x[2]).toBeCloseTo(Math.cos((2 * Math.PI * 6) / 12), 12);
    // Targets: s[9] − s[8] = 9 and s[10] − s[8] = 19.
    expect(w.y[0]! * st.deltaScale).toBeCloseTo(9, 12);
    expect(w.y[1]! * st.deltaScale).toBeCloseTo(19, 12);
    expect(Array.from(w.truth.subarray(0, 2))).toEqual([45, 55]);
    expect(() => forecastWindows(s, sp, st, 'test', { window: 0 })).toThrow(/forecastWindows window/);
    expect(() => forecastWindows(s, sp, st, 'nope' as 'test', { window: 2 })).toThrow(/forecastWindows part/);
  });
});

describe('forecast: metrics', () => {
  it('computes the naive RMSE by hand on a tiny series', () => {
    // 1, 2, 4, 7, 11: test = the last 2 values (7, 11), naive forecasts 4 and 7 → errors 3 and 4.
    const s = monthly([1, 2, 4, 7, 11]);
    const sp = forecastSplit(5, 2, 0);
    const w = forecastWindows(s, sp, forecastStats(s.values, sp), 'test', { window: 2, mode: 'level' });
    expect(Array.from(naiveForecast(w))).toEqual([4, 7]);
    expect(naiveRmse(w)).toBeCloseTo(Math.sqrt((9 + 16) / 2), 14);
    expect(rmse([7, 11], [7, 11])).toBe(0);
    expect(skill(0, naiveRmse(w))).toBe(1);
    expect(skill(naiveRmse(w), naiveRmse(w))).toBe(0);
    expect(skill(1, 4)).toBe(0.75);
    expect(() => skill(1, 0)).toThrow(/skill naiveRmse/);
    expect(() => rmse([1], [1, 2])).toThrow(/rmse pred/);
  });

  it('a least-squares linear autoregression beats the naive forecast clearly on the held-out tail', () => {
    const s = loadForecastSeries();
    const sp = forecastSplit(s.values.length);
    const st = forecastStats(s.values, sp);
    const results: Record<string, number> = {};
    for (const mode of ['level', 'delta'] as const) {
      for (const W of [12, 24]) {
        const tr = forecastWindows(s, sp, st, 'train', { window: W, mode });
        const te = forecastWindows(s, sp, st, 'test', { window: W, mode });
        const naive = naiveRmse(te);
        expect(naive).toBeCloseTo(1.391, 3);
        results[`${mode} W=${W}`] = skill(rmse(linearAr(tr, te), te.truth), naive);
      }
    }
    // Measured: level 0.685 / 0.731, delta 0.678 / 0.715 (W = 12 / 24); the task's bar is 0.2.
    for (const v of Object.values(results)) expect(v).toBeGreaterThan(0.6);
    expect(results['level W=12']).toBeCloseTo(0.685, 2);
    expect(results['delta W=24']).toBeCloseTo(0.715, 2);
  });
});
