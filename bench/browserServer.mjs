// The static server of the browser benchmark: the page, the bench's page modules, the engine's
// browser bundle and TF.js 4.22 (its UMD bundles and the wasm backend's .wasm files) from
// node_modules, all on 127.0.0.1 (a secure context, so WebGPU is there; nothing from the network).
// Responses carry COOP/COEP, so the page is cross-origin isolated and TF.js's wasm backend may use
// its threaded build (SharedArrayBuffer): its best, as the benchmark wants.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** URL prefix → directory under the repository root. */
const MOUNTS = {
  '/bench/page/': 'bench/page/',
  '/dist/browser/': 'dist/browser/',
  '/tfjs/': 'node_modules/@tensorflow/tfjs/dist/',
  '/tfjs-wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/',
  '/tfjs-webgpu/': 'node_modules/@tensorflow/tfjs-backend-webgpu/dist/',
};

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json', '.html': 'text/html' };

// TF.js's UMD bundles first (global `tf`), then the page module.
export const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<title>webgpu-lstm browser benchmark</title>
<script src="/tfjs/tf.min.js"></script>
<script src="/tfjs-wasm/tf-backend-wasm.min.js"></script>
<script src="/tfjs-webgpu/tf-backend-webgpu.min.js"></script>
<script type="module" src="/bench/page/page.js"></script>
<p>webgpu-lstm browser benchmark</p>`;

function send(res, status, type, body) {
  res.writeHead(status, {
    'content-type': type, 'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
  });
  res.end(body);
}

async function handle(req, res) {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  if (path === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE);
  const prefix = Object.keys(MOUNTS).find((p) => path.startsWith(p));
  if (!prefix) return send(res, 404, 'text/plain', 'not served');
  const dir = join(ROOT, MOUNTS[prefix]);
  const file = normalize(join(dir, path.slice(prefix.length)));
  if (!file.startsWith(dir) || file.includes(`${sep}..${sep}`)) return send(res, 404, 'text/plain', 'not served');
  try {
    return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
}

/** Starts the server on a free port of 127.0.0.1; resolves to { url, close }. */
export async function startServer() {
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, 'text/plain', String(err)));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}
