/**
 * Harness of the browser suite: the project's static server (scripts/lib/browser.mjs) on
 * 127.0.0.1 serving the bundles under dist/browser/ and the pages under test/browser/pages/,
 * headless Chromium launched by the same module, and one page opened on it. The tests evaluate
 * functions in the page; console errors and uncaught exceptions are collected for them to assert on.
 *
 * WebGPU needs a secure context, which http://127.0.0.1 is (about:blank and file:// are not). The
 * adapter in CI is SwiftShader (Vulkan on the CPU): correct and slow, so timeouts are generous.
 *
 * Missing Chromium or a page without `navigator.gpu` is an error, never a skip: CI installs both
 * with scripts/setup-system.sh, and a suite that skips there would pass while testing nothing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer';
import { CHROMIUM, CHROMIUM_FLAGS, SETUP_HINT, launchChromium, startStaticServer } from '../../scripts/lib/browser.mjs';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The library, and the library plus the example tasks' pure parts (scripts/build-browser.mjs). */
export const BUNDLES = ['dist/browser/webgpu-lstm.js', 'dist/browser/webgpu-lstm-tasks.js'];

export interface PageProblems {
  /** Uncaught exceptions, console.error messages, failed requests and HTTP errors, in order. */
  errors: string[];
  /** console.warn messages (the engine's notes, e.g. an uncaptured GPU error, go there). */
  warnings: string[];
}

/** Collects what went wrong in `page` from now on. */
export function watchPage(page: Page): PageProblems {
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
  return { errors, warnings };
}

export interface BrowserPage extends PageProblems {
  page: Page;
  browser: Browser;
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** Milliseconds to launch Chromium, and to load the page up to the bundle being imported. */
  timings: { launchMs: number; loadMs: number };
  /** The browser's version string. */
  version: string;
  close(): Promise<void>;
}

export interface OpenPageOptions {
  /** Page path (default: the engine test page). */
  path?: string;
  /** Global the page sets once its module code has run (default: `lstm`, the bundle). */
  readyGlobal?: string;
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
  for (const b of BUNDLES) {
    if (!existsSync(join(REPO_ROOT, b))) throw new Error(`browser suite: ${b} not found; build it with \`npm run build\` (vitest's globalSetup test/setup/build.ts does)`);
  }

  const server = await startStaticServer({
    mounts: [['/dist/browser/', join(REPO_ROOT, 'dist/browser')], ['/test/browser/pages/', join(REPO_ROOT, 'test/browser/pages')]],
  });
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server.close();
  };

  try {
    const t0 = performance.now();
    // A page.evaluate may train for a minute on SwiftShader; the tests' own timeouts bound it.
    browser = await launchChromium({ protocolTimeout: 900_000 });
    const launchMs = performance.now() - t0;
    const page = await browser.newPage();
    const problems = watchPage(page);

    const t1 = performance.now();
    await page.goto(`${server.origin}${path}`, { waitUntil: 'load', timeout: 60_000 });
    try {
      await page.waitForFunction((name: string) => (globalThis as Record<string, unknown>)[name] !== undefined, { timeout: 60_000 }, readyGlobal);
    } catch {
      throw new Error(`browser suite: the page ${path} never set window.${readyGlobal}; page errors:\n${problems.errors.join('\n') || '(none)'}`);
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
    return { page, browser, origin: server.origin, ...problems, timings: { launchMs, loadMs }, version: await browser.version(), close };
  } catch (err) {
    await close();
    throw err;
  }
}
