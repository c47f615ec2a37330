// The data streams of a seed, as the CLI's tasks draw them (src/tasks/*.ts: training data from
// Rng(seed·7919 + 1), held-out data from Rng(seed·7919 + 2)), so the page trains on the same data
// as `webgpu-lstm train <task> --seed N`.
import { Rng } from 'webgpu-lstm';

export const trainRng = (seed) => new Rng(seed * 7919 + 1);
export const heldOutRng = (seed) => new Rng(seed * 7919 + 2);
