/**
 * The browser entry of webgpu-lstm: the same library as in Node (src/index.ts), with the device
 * from `navigator.gpu` (or the caller's `{ device }`). The build (scripts/build-browser.mjs) swaps
 * the Node-only Dawn device module for a stub, so nothing here imports a Node module.
 */
export * from '../index.js';
