// The one place that knows how this project drives a browser: where Chromium is, the flags it
// runs with, how it is launched (puppeteer, a fresh profile), and the one static file server that
// the browser suite, the smoke check, the benchmark and the demo all serve their pages from.
//
// Why a server at all: WebGPU needs a secure context, and http://127.0.0.1 is one (file:// and
// about:blank are not). Why this server: it binds 127.0.0.1 only, answers GET and HEAD only, maps
// URL prefixes to directories ("mounts") and never serves a file outside them (the resolved path is
// checked against the mount's directory, so `..` and encoded slashes cannot climb out), serves
// only the file types it knows, and marks every response no-store, so a rebuilt bundle is always
// what the page gets.
//
// Plain ESM with JSDoc (scripts/lib/browser.d.mts gives TypeScript its types).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import puppeteer from 'puppeteer';

/** Debian's Chromium (scripts/setup-system.sh installs it; its SwiftShader is the WebGPU adapter on a machine without a GPU). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags every launch uses (DEVELOPERS.md): WebGPU on Linux, nothing that reaches the network.
 * The launcher adds headless and a fresh --user-data-dir.
 */
export const CHROMIUM_FLAGS = Object.freeze([
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);

/** What to do when Chromium is missing. */
export const SETUP_HINT = 'run scripts/setup-system.sh as root (it installs Debian\'s chromium, whose SwiftShader is the WebGPU adapter here)';

/** Content types by file extension; a file of any other type is not served. */
export const CONTENT_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wgsl': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
});

/**
 * Launches headless Chromium through puppeteer, with CHROMIUM_FLAGS plus `extraFlags` and a fresh
 * temporary profile that is removed when the browser closes (or its process ends).
 *
 * @param {{ extraFlags?: readonly string[], protocolTimeout?: number, timeout?: number }} [opts]
 *   protocolTimeout: the longest one DevTools call may take, ms (a page.evaluate that trains for
 *   minutes needs a long one; puppeteer's default is 180 s); timeout: for the launch itself, ms.
 * @returns {Promise<import('puppeteer').Browser>}
 */
export async function launchChromium(opts = {}) {
  const { extraFlags = [], protocolTimeout, timeout = 90_000 } = opts;
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found; ${SETUP_HINT}`);
  const profile = await mkdtemp(join(tmpdir(), 'webgpu-lstm-chromium-'));
  // One removal, shared by whoever asks first; retried, since Chromium may still be writing as it exits.
  let removing = null;
  const removeProfile = () => (removing ??= rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch((err) => {
    removing = null;
    throw err;
  }));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [...CHROMIUM_FLAGS, ...extraFlags],
      timeout,
      ...(protocolTimeout !== undefined ? { protocolTimeout } : {}),
    });
  } catch (err) {
    await removeProfile();
    throw new Error(`launching ${CHROMIUM} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // The profile goes with the browser: after close(), and once its process has ended (a crash).
  browser.process()?.once('exit', () => void removeProfile().catch(() => undefined));
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      await removeProfile();
    }
  };
  return browser;
}

/**
 * The file a URL path names under one of the mounts, or null: outside every mount, climbing out of
 * its directory, or of a type not in `types`. A path ending in '/' names its index.html.
 *
 * @param {ReadonlyArray<readonly [string, string]>} mounts  [urlPrefix, absolute dir], longest prefix first
 * @param {string} urlPath  decoded
 * @param {Readonly<Record<string, string>>} types
 * @returns {string | null}
 */
function fileFor(mounts, urlPath, types) {
  if (urlPath.includes('\0') || urlPath.includes('\\')) return null;
  const path = urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath;
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = resolve(dir, `.${sep}${path.slice(prefix.length)}`);
    if (!file.startsWith(dir + sep)) return null;
    return types[extname(file)] === undefined ? null : file;
  }
  return null;
}

/**
 * Starts the static server on 127.0.0.1 (a free port unless `port` is given).
 *
 * @param {{
 *   mounts: ReadonlyArray<readonly [string, string]>,
 *   pages?: Readonly<Record<string, string>>,
 *   headers?: Readonly<Record<string, string>>,
 *   transform?: (file: string, urlPath: string) => string | Uint8Array | undefined | Promise<string | Uint8Array | undefined>,
 *   types?: Readonly<Record<string, string>>,
 *   notFoundHint?: (urlPath: string) => string | undefined,
 *   port?: number,
 * }} opts
 *   mounts: [urlPrefix, dir] pairs, e.g. ['/dist/browser/', 'dist/browser'] (prefixes start and end
 *   with '/'; dirs absolute or relative to the working directory; the longest matching prefix
 *   wins). pages: exact URL paths served as HTML from memory, e.g. { '/': '<!doctype html>…' }.
 *   headers: added to every response (e.g. COOP/COEP for cross-origin isolation). transform: may
 *   give the body of a file (e.g. TypeScript transpiled on request); undefined means "serve the
 *   file as it is"; a throw is a 404. types: extension → content type (default CONTENT_TYPES).
 *   notFoundHint: a line appended to a 404's text (e.g. "run `npm run build`").
 * @returns {Promise<{ url: string, origin: string, port: number, close(): Promise<void> }>}
 *   url ends in '/', origin does not.
 */
export async function startStaticServer(opts) {
  const { pages = {}, headers = {}, transform, types = CONTENT_TYPES, notFoundHint, port = 0 } = opts;
  if (!Array.isArray(opts.mounts)) throw new TypeError('startStaticServer: mounts must be an array of [urlPrefix, dir] pairs');
  const mounts = opts.mounts.map(([prefix, dir]) => {
    if (typeof prefix !== 'string' || !prefix.startsWith('/') || !prefix.endsWith('/')) {
      throw new TypeError(`startStaticServer: a mount's URL prefix must start and end with "/", received ${JSON.stringify(prefix)}`);
    }
    return [prefix, resolve(dir)];
  }).sort((a, b) => b[0].length - a[0].length);

  const send = (req, res, status, type, body) => {
    res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const notFound = (req, res, path, what) => {
    const hint = notFoundHint?.(path);
    send(req, res, 404, 'text/plain; charset=utf-8', `${what}: ${path}${hint ? ` (${hint})` : ''}`);
  };

  const handle = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(req, res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD');
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(req, res, 400, 'text/plain; charset=utf-8', 'bad URL');
    }
    if (Object.hasOwn(pages, path)) return send(req, res, 200, 'text/html; charset=utf-8', pages[path]);
    const file = fileFor(mounts, path, types);
    if (file === null) return notFound(req, res, path, 'not served');
    let body;
    try {
      body = (await transform?.(file, path)) ?? (await readFile(file));
    } catch {
      return notFound(req, res, path, 'not found');
    }
    send(req, res, 200, types[extname(file)], body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', String(err));
      else res.destroy();
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const bound = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const origin = `http://127.0.0.1:${bound}`;
  return {
    url: `${origin}/`,
    origin,
    port: bound,
    close: () => new Promise((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}
