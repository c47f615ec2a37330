/**
 * Node loader of task `forecast` (see forecast.ts): reads `data/co2-concentration.csv` from the
 * installed optional package `vega-datasets` and returns the gap-free monthly series (672 months,
 * 1964-05 … 2020-04, for vega-datasets 3.2.1). Cached in module scope; do not write into the arrays.
 */
import { readFileSync } from 'node:fs';
import { CO2_FILE, co2SeriesFromCsv, type ForecastSeries } from './forecast.js';
import { packageFile } from './packageFile.js';

export const FORECAST_PACKAGE = 'vega-datasets';
export const FORECAST_PACKAGE_VERSION = '3.2.1';

let cache: ForecastSeries | undefined;

export function loadForecastSeries(): ForecastSeries {
  if (cache) return cache;
  const file = packageFile(FORECAST_PACKAGE, CO2_FILE, 'forecast', FORECAST_PACKAGE_VERSION);
  cache = co2SeriesFromCsv(readFileSync(file, 'utf8'));
  return cache;
}
