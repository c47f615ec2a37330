// The demo's static server on 127.0.0.1 (a secure context, so the page gets navigator.gpu), the
// project's one static server (scripts/lib/browser.mjs: GET and HEAD only, no-store, nothing
// outside its mounts). It serves
//   /               demo/index.html, and the page's files under demo/ (style.css, js/, generated/)
//   /lib/…          dist/browser/ (the library's browser bundles and their source maps)
//   /vendor/…       uPlot's ESM build and stylesheet from node_modules/uplot/dist/
// and nothing else: under demo/ only the types a page needs, so the server's own scripts (.mjs)
// are not served.
//
// Usage: node demo/server.mjs [--port N]   (default: PORT, else a free port; the URL is printed)
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONTENT_TYPES, startStaticServer } from '../scripts/lib/browser.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const MOUNTS = [
  ['/lib/', join(ROOT, 'dist/browser')],
  ['/vendor/', join(ROOT, 'node_modules/uplot/dist')],
  ['/', join(ROOT, 'demo')],
];

/** What the page fetches: markup, scripts, styles, source maps and the generated data files. */
const TYPES = Object.fromEntries(['.html', '.css', '.js', '.map', '.safetensors', '.csv', '.txt'].map((e) => [e, CONTENT_TYPES[e]]));

function hint(path) {
  if (path.startsWith('/lib/')) return 'run `npm run build`';
  if (path.startsWith('/generated/')) return 'run `node demo/prepare.mjs`';
  return undefined;
}

/** Starts the server; port 0 picks a free one. Resolves to its URL and a close(). */
export function startDemoServer({ port = 0 } = {}) {
  return startStaticServer({ mounts: MOUNTS, types: TYPES, notFoundHint: hint, port });
}

function portArgument() {
  const i = process.argv.indexOf('--port');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.PORT;
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo server: --port expected an integer in [0, 65535], received ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url, close } = await startDemoServer({ port: portArgument() });
  console.log(`webgpu-lstm demo: ${url}  (Ctrl-C stops it)`);
  const stop = () => close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
