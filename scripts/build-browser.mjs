// Builds the browser bundle: dist/browser/webgpu-lstm.js (ESM, WGSL kernels inlined as text).
// Node-only modules (Dawn's `webgpu`, node:fs) are reached only through dynamic imports on Node
// paths, so they are left external and never loaded in a browser.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

// src/webgpu/device.ts is Dawn for Node (it imports node:fs): the bundle gets a stub instead.
const nodeDeviceStub = {
  name: 'node-device-stub',
  setup(b) {
    b.onResolve({ filter: /\/webgpu\/device\.js$/ }, () => ({ path: fileURLToPath(new URL('../src/browser/noNodeDevice.ts', import.meta.url)) }));
  },
};

await build({
  entryPoints: ['src/browser/index.ts'],
  outfile: 'dist/browser/webgpu-lstm.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  external: ['webgpu', 'node:*'],
  plugins: [nodeDeviceStub],
  logLevel: 'warning',
});
console.log('built dist/browser/webgpu-lstm.js');
