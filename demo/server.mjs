// The demo's static server (node:http, GET only) on 127.0.0.1: a secure context, so the page gets
// navigator.gpu. It serves
//   /               demo/index.html, and the page's files under demo/ (style.css, js/, generated/)
//   /lib/…          dist/browser/ (the library's browser bundle and its source map)
//   /vendor/…       uPlot's ESM build and stylesheet from node_modules/uplot/dist/
// and nothing else. Every response is no-store, so a rebuilt bundle is always what the page gets.
//
// Usage: node demo/server.mjs [--port N]   (default: PORT, else a free port; the URL is printed)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** URL prefix → directory it maps to; the first match wins. */
const MOUNTS = [
  ['/lib/', join(ROOT, 'dist/browser')],
  ['/vendor/', join(ROOT, 'node_modules/uplot/dist')],
  ['/js/', join(ROOT, 'demo/js')],
  ['/generated/', join(ROOT, 'demo/generated')],
  ['/', join(ROOT, 'demo')],
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.safetensors': 'application/octet-stream',
};

/** The file a URL path maps to, or null when it is not served (outside the mounts, other types). */
export function fileFor(urlPath) {
  const path = urlPath === '/' ? '/index.html' : urlPath;
  for (const [prefix, dir] of MOUNTS) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    if (!file.startsWith(dir + sep) || TYPES[extname(file)] === undefined) return null;
    // The root mount serves the page and its stylesheet only, not the server's own scripts.
    if (prefix === '/' && !['/index.html', '/style.css'].includes(path)) return null;
    return file;
  }
  return null;
}

async function handle(req, res) {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return send(res, 400, 'text/plain; charset=utf-8', 'bad URL');
  }
  const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(path) : null;
  if (file === null) return send(res, 404, 'text/plain; charset=utf-8', 'not served');
  let body;
  try {
    body = await readFile(file);
  } catch {
    const hint = path.startsWith('/lib/') ? ' (run `npm run build`)' : path.startsWith('/generated/') ? ' (run `node demo/prepare.mjs`)' : '';
    return send(res, 404, 'text/plain; charset=utf-8', `not found${hint}`);
  }
  send(res, 200, TYPES[extname(file)], req.method === 'HEAD' ? '' : body);
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Starts the server; port 0 picks a free one. Resolves to its URL and a close(). */
export async function startDemoServer({ port = 0, host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, 'text/plain; charset=utf-8', String(err)));
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const url = `http://${host}:${server.address().port}/`;
  const close = () => new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
  return { server, url, close };
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
