/**
 * Harness of the browser suite: a static server on 127.0.0.1 serving the repository root (the
 * bundle dist/browser/webgpu-lstm.js and the pages under test/browser/pages/), Debian's headless
 * Chromium driven by puppeteer, and one page opened on it. The tests evaluate functions in the
 * page; console errors and uncaught exceptions are collected for them to assert on.
 *
 * WebGPU needs a secure context, which http://127.0.0.1 is (about:blank and file:// are not). The
 * adapter in CI is SwiftShader (Vulkan on the CPU): correct and slow, so timeouts are generous.
 *
 * Missing Chromium or a page without `navigator.gpu` is an error, never a skip: CI installs both
 * with scripts/setup-system.sh, and a suite that skips there would pass while testing nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CHROMIUM = '/usr/bin/chromium';
export const BUNDLE = 'dist/browser/webgpu-lstm.js';

/** The flags of DEVELOPERS.md; puppeteer adds --headless and the fresh --user-data-dir. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SETUP_HINT = 'run scripts/setup-system.sh as root (it installs Debian\'s chromium, whose SwiftShader is the WebGPU adapter here)';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wgsl': 'text/plain',
  '.css': 'text/css',
  '.safetensors': 'application/octet-stream',
};

export interface BrowserPage {
  page: Page;
  browser: Browser;
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** Uncaught exceptions, console.error messages and failed requests, in order. */
  errors: string[];
  /** console.warn messages (the engine's notes, e.g. an uncaptured GPU error, go there). */
  warnings: string[];
  /** Milliseconds to launch Chromium, and to load the page up to the bundle being imported. */
  timings: { launchMs: number; loadMs: number };
  /** The browser's version string. */
  version: string;
  close(): Promise<void>;
}

export interface OpenPageOptions {
  /** Page path under the repository root (default: the engine test page). */
  path?: string;
  /** Global the page sets once its module code has run (default: `lstm`, the bundle). */
  readyGlobal?: string;
}

/**
 * Serves files under `root` (GET only); never outside it. Every response is no-store, so a rebuilt
 * bundle is always what the page gets.
 */
export async function startStaticServer(root: string): Promise<{ server: Server; origin: string }> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path));
    const type = CONTENT_TYPES[extname(file)];
    if (req.method !== 'GET' || type === undefined || !file.startsWith(root + sep)) return send(res, 404, 'text/plain', 'not served');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return send(res, 404, 'text/plain', 'not found');
    }
    send(res, 200, type, body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, 'text/plain', String(err)));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type.startsWith('text/') ? `${type}; charset=utf-8` : type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Starts the server and Chromium, opens the page, waits until its module has run, and checks that
 * the page has `navigator.gpu` and an adapter. Throws (with the page's errors) otherwise; on any
 * failure, what was started is closed again.
 */
export async function openPage(opts: OpenPageOptions = {}): Promise<BrowserPage> {
  const path = opts.path ?? '/test/browser/pages/engine.html';
  const readyGlobal = opts.readyGlobal ?? 'lstm';
  if (!existsSync(CHROMIUM)) throw new Error(`browser suite: ${CHROMIUM} not found; ${SETUP_HINT}`);
  if (!existsSync(join(REPO_ROOT, BUNDLE))) {
    throw new Error(`browser suite: ${BUNDLE} not found; build it with \`npm run build\` (vitest's globalSetup test/setup/build.ts does)`);
  }

  const { server, origin } = await startStaticServer(REPO_ROOT);
  const profile = await mkdtemp(join(tmpdir(), 'webgpu-lstm-chromium-'));
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((ok) => server.close(() => ok()));
    await rm(profile, { recursive: true, force: true });
  };

  try {
    const t0 = performance.now();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: CHROMIUM_FLAGS,
      timeout: 90_000,
      // A page.evaluate may train for minutes on SwiftShader; the tests' own timeouts bound it.
      protocolTimeout: 900_000,
    });
    const launchMs = performance.now() - t0;
    const page = await browser.newPage();
    const errors: string[] = [];
    const warnings: string[] = [];
    page.on('pageerror', (err) => errors.push(`uncaught: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
    page.on('console', (msg) => {
      const type = msg.type() as string;
      if (type === 'error') errors.push(`console.error: ${msg.text()}`);
      else if (type === 'warn' || type === 'warning') warnings.push(`console.warn: ${msg.text()}`);
    });
    page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? '?'})`));
    page.on('response', (res) => {
      if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
    });

    const t1 = performance.now();
    await page.goto(`${origin}${path}`, { waitUntil: 'load', timeout: 60_000 });
    try {
      await page.waitForFunction((name: string) => (globalThis as Record<string, unknown>)[name] !== undefined, { timeout: 60_000 }, readyGlobal);
    } catch {
      throw new Error(`browser suite: the page ${path} never set window.${readyGlobal}; page errors:\n${errors.join('\n') || '(none)'}`);
    }
    const loadMs = performance.now() - t1;

    const gpu = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
      if (gpu === undefined) return { secure: isSecureContext, hasGpu: false, adapter: false };
      return { secure: isSecureContext, hasGpu: true, adapter: (await gpu.requestAdapter()) !== null };
    });
    if (!gpu.hasGpu || !gpu.adapter) {
      const what = gpu.hasGpu ? 'navigator.gpu.requestAdapter() returned null' : `navigator.gpu is missing (isSecureContext=${gpu.secure})`;
      throw new Error(`browser suite: ${what} in ${CHROMIUM} with ${CHROMIUM_FLAGS.join(' ')}; ${SETUP_HINT}`);
    }
    return { page, browser, origin, errors, warnings, timings: { launchMs, loadMs }, version: await browser.version(), close };
  } catch (err) {
    await close();
    throw err;
  }
}
