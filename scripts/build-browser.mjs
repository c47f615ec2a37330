// Builds the browser bundles (ESM, the WGSL kernels inside from src/webgpu/kernels/generated.ts):
//   dist/browser/webgpu-lstm.js        the library (the package's `browser` export)
//   dist/browser/webgpu-lstm-tasks.js  the library plus the example tasks' pure parts (recipes,
//                                      data generators, metrics), for the demo page and the tests
// The only Node module the library reaches is Dawn's device (src/webgpu/device/dawn.ts, through a
// dynamic import on the Node path); the bundles get a stub in its place, so a bundler that builds
// an app from them sees no Node module at all (no node:fs, no `webgpu`).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const nodeDeviceStub = {
  name: 'node-device-stub',
  setup(b) {
    b.onResolve({ filter: /\/webgpu\/device\/dawn\.js$/ }, () => ({ path: fileURLToPath(new URL('../src/browser/noNodeDevice.ts', import.meta.url)) }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  plugins: [nodeDeviceStub],
  logLevel: 'warning',
};

const minify = process.argv.includes('--minify');
await build({ ...common, entryPoints: ['src/browser/index.ts'], outfile: 'dist/browser/webgpu-lstm.js', minify });
await build({ ...common, entryPoints: ['src/browser/tasks.ts'], outfile: 'dist/browser/webgpu-lstm-tasks.js', minify });
console.log('built dist/browser/webgpu-lstm.js and dist/browser/webgpu-lstm-tasks.js');
