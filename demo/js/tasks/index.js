// The four example tasks the page trains, in the CLI's order (bitpair, the default, first).
import { binaryAddTask } from './binaryAdd.js';
import { bitpairTask } from './bitpair.js';
import { echoTask } from './echo.js';
import { mnistRowsTask } from './mnistRows.js';

export const TASKS = [bitpairTask, echoTask, mnistRowsTask, binaryAddTask];

export function taskByName(name) {
  return TASKS.find((t) => t.name === name);
}
