// The static server of the browser benchmark: the page, the bench's page modules, the engine's
// browser bundle and TF.js 4.22 (its UMD bundles and the wasm backend's .wasm files) from
// node_modules, all on 127.0.0.1 (a secure context, so WebGPU is there; nothing from the network),
// served by the project's one static server (scripts/lib/browser.mjs). Responses carry COOP/COEP,
// so the page is cross-origin isolated and TF.js's wasm backend may use its threaded build
// (SharedArrayBuffer): its best, as the benchmark wants.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../scripts/lib/browser.mjs';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** URL prefix → directory under the repository root. */
const MOUNTS = [
  ['/bench/page/', 'bench/page/'],
  ['/dist/browser/', 'dist/browser/'],
  ['/tfjs/', 'node_modules/@tensorflow/tfjs/dist/'],
  ['/tfjs-wasm/', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'],
  ['/tfjs-webgpu/', 'node_modules/@tensorflow/tfjs-backend-webgpu/dist/'],
];

/** Cross-origin isolation: the page may use SharedArrayBuffer (TF.js's threaded wasm). */
const ISOLATED = {
  'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

// TF.js's UMD bundles first (global `tf`), then the page module.
export const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<title>webgpu-lstm browser benchmark</title>
<script src="/tfjs/tf.min.js"></script>
<script src="/tfjs-wasm/tf-backend-wasm.min.js"></script>
<script src="/tfjs-webgpu/tf-backend-webgpu.min.js"></script>
<script type="module" src="/bench/page/page.js"></script>
<p>webgpu-lstm browser benchmark</p>`;

/** Starts the server on a free port of 127.0.0.1; resolves to { url, close }. */
export function startServer() {
  return startStaticServer({ mounts: MOUNTS.map(([p, d]) => [p, join(ROOT, d)]), pages: { '/': PAGE }, headers: ISOLATED });
}
