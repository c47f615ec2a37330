// The six example tasks the page trains, in the CLI's order (bitpair, the default, first).
import { binaryAddTask } from './binaryAdd.js';
import { bitpairTask } from './bitpair.js';
import { echoTask } from './echo.js';
import { forecastTask } from './forecast.js';
import { mnistRowsTask } from './mnistRows.js';
import { textTask } from './text.js';

export const TASKS = [bitpairTask, echoTask, mnistRowsTask, binaryAddTask, forecastTask, textTask];

export function taskByName(name) {
  return TASKS.find((t) => t.name === name);
}
