/**
 * The demo page (issue 5, item 3) in headless Chromium: `node demo/prepare.mjs` (what `npm run
 * demo` runs first), then the real server `node demo/server.mjs` on a free port, whose printed URL
 * the page is opened at. The page trains task bitpair on WebGPU for a few steps; the test takes a
 * screenshot and asserts that
 *   - the loss chart holds data (points uPlot itself holds) and the status line counts steps;
 *   - the task panel (confusion matrix) and the device card (adapter, limits) are drawn;
 *   - pause stops the steps;
 *   - no error is shown on the page, and no console error, uncaught exception or failed request
 *     occurred.
 * The screenshot goes to a temporary folder, removed afterwards unless DEMO_SCREENSHOT_KEEP=1
 * (its path is printed either way).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_FLAGS, REPO_ROOT } from './page.js';

/** What the page exposes on window.demo (demo/js/main.js). */
interface DemoState {
  status: string;
  task: string | null;
  backend: string | null;
  step: number;
  total: number;
  loss: number;
  stepsPerSecond: number;
  evaluations: number;
  error: string | null;
  notes: string[];
}

declare global {
  interface Window {
    demo: { state: DemoState; chartPoints: number };
  }
}

/** Steps to train: three loss readbacks (every 10th step), so the chart has a line. */
const STEPS = 30;

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;
let profile: string;
let shots: string;
const problems: string[] = [];

/** Starts `node demo/server.mjs` and resolves to the URL it prints. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['demo/server.mjs', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo server printed no URL within 20 s; output: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with ${code}: ${out}`));
    });
  });
}

/** The page's state without the panel's last view (large arrays), plus the chart's point count. */
const state = () => page.evaluate(() => ({ ...window.demo.state, lastView: undefined, chartPoints: window.demo.chartPoints }));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`demo test: ${CHROMIUM} not found; run scripts/setup-system.sh as root`);
  const prep = spawnSync(process.execPath, ['demo/prepare.mjs'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (prep.status !== 0) throw new Error(`node demo/prepare.mjs failed (${prep.status}):\n${prep.stdout}\n${prep.stderr}`);
  url = await startServer();
  profile = await mkdtemp(join(tmpdir(), 'webgpu-lstm-chromium-'));
  shots = await mkdtemp(join(tmpdir(), 'webgpu-lstm-demo-'));
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir: profile, args: CHROMIUM_FLAGS, timeout: 60_000 });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err instanceof Error ? err.message : String(err)}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? '?'})`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server!.once('exit', ok));
    server.kill('SIGTERM');
    await exited;
  }
  if (profile) await rm(profile, { recursive: true, force: true });
  if (shots && process.env.DEMO_SCREENSHOT_KEEP !== '1') await rm(shots, { recursive: true, force: true });
}, 30_000);

describe('the demo page (npm run demo)', () => {
  it(`trains bitpair on WebGPU for ${STEPS} steps with a live loss chart, panels, pause, and no errors`, async () => {
    await page.goto(`${url}?task=bitpair&seed=1`, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForFunction((n: number) => {
      const s = window.demo?.state;
      return s?.error != null || (s?.step >= n && window.demo.chartPoints > 0 && s.evaluations >= 1);
    }, { timeout: 40_000, polling: 100 }, STEPS);

    await page.click('#pause');
    await page.waitForFunction(() => window.demo.state.status === 'paused', { timeout: 20_000 });
    const paused = await state();
    await new Promise((r) => setTimeout(r, 300));
    const later = await state();

    const shot = join(shots, 'demo-bitpair.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`demo screenshot: ${shot}; state: ${JSON.stringify(later)}`);

    expect(later.error, 'an error is shown on the page').toBeNull();
    expect(await page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(problems, 'console errors, uncaught exceptions or failed requests').toEqual([]);

    expect(later.task).toBe('bitpair');
    expect(later.backend).toBe('webgpu');
    expect(later.step).toBeGreaterThanOrEqual(STEPS);
    expect(later.chartPoints).toBeGreaterThan(0);
    expect(Number.isFinite(later.loss) && later.loss > 0).toBe(true);
    expect(later.stepsPerSecond).toBeGreaterThan(0);
    // Paused means no more steps.
    expect(later.step).toBe(paused.step);
    expect(await page.$eval('#pause', (e) => e.textContent)).toBe('Resume');

    // The bitpair panel's confusion matrix: 4 × 4 counts over held-out steps; the device card names the adapter.
    const cells = await page.$$eval('#panel table.confusion td.cell', (tds) => tds.map((td) => Number(td.textContent)));
    expect(cells).toHaveLength(16);
    expect(cells.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const device = await page.$eval('#device', (e) => e.textContent ?? '');
    expect(device).toContain('adapter');
    expect(device).toContain('maxStorageBufferBindingSize');
  }, 60_000);
});
