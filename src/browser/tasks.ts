/**
 * The library plus the example tasks' pure parts (recipes, data generators and metrics — nothing
 * that reads files), as one browser bundle (dist/browser/webgpu-lstm-tasks.js) for the demo page
 * and the browser tests. The tasks' Node loaders (mnist, vega-datasets, moby-dick) are not here:
 * the demo fetches those files itself and uses the same pure functions on their contents.
 */
export * from './index.js';
export { Rng } from '../rng.js';
export { bitpair, BITPAIR_RECIPE, BITPAIR_MODEL, bitpairTrainerOptions } from '../tasks/bitpair.js';
export { BitpairStreams, bitpairAccuracy, BITPAIR_CLASSES } from '../tasks/data/bitpair.js';
export type { TaskDefinition, TaskOptions, TaskResult } from '../tasks/task.js';
export { ECHO_RECIPE, ECHO_MODEL, echoTrainerOptions } from '../tasks/echo.js';
export { echoSeries, echoWindow, echoAccuracy, windowsPerEpoch, ECHO_DEFAULTS, type EchoSeries } from '../tasks/data/echo.js';
export { BINARY_ADD_RECIPE, BINARY_ADD_MODEL, binaryAddTrainerOptions } from '../tasks/binaryAdd.js';
export { binaryAddData, binaryAddAccuracy, decodeBits, BINARY_ADD_DEFAULTS, type BinaryAddData } from '../tasks/data/binaryAdd.js';
export { MNIST_RECIPE, MNIST_MODEL, mnistTrainerOptions } from '../tasks/mnistRecipe.js';
export { FORECAST_RECIPE, FORECAST_MODEL, FORECAST_WINDOWS, forecastFitOptions } from '../tasks/forecastRecipe.js';
export * from '../tasks/data/forecast.js';
export { TEXT_RECIPE, textModel, textFitOptions } from '../tasks/textRecipe.js';
export * from '../tasks/data/text.js';
export { shuffledBatches, gatherRows, gatherLabels } from '../tasks/data/batches.js';
export { argmax } from '../tasks/data/checks.js';
export { readsLoss, plannedSteps } from '../tasks/task.js';
