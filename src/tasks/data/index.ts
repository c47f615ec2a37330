/** Data and metrics of the four example tasks (SEEDS.md); pure functions seeded by `Rng`. */
export * from './bitpair.js';
export * from './echo.js';
export * from './mnistRows.js';
export * from './binaryAdd.js';
export { argmax } from './checks.js';
