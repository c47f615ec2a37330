/** The example tasks by name; `bitpair` is the default. */
import { binaryAdd } from './binaryAdd.js';
import { bitpair } from './bitpair.js';
import { echo } from './echo.js';
import { mnistRows } from './mnistRows.js';
import { forecast } from './forecast.js';
import { text } from './text.js';
import type { TaskDefinition } from './task.js';

/** Every example task by its name: bitpair, echo, mnist-rows, binary-add, forecast, text. */
export const TASKS: ReadonlyMap<string, TaskDefinition> = new Map([bitpair, echo, mnistRows, binaryAdd, forecast, text].map((t) => [t.name, t]));
/** The task `webgpu-lstm train` runs when none is named. */
export const DEFAULT_TASK = 'bitpair';
export type { TaskDefinition, TaskOptions, TaskResult } from './task.js';
