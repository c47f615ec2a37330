/**
 * The demo page (`npm run demo`) in headless Chromium: `node demo/prepare.mjs` (what `npm run demo`
 * runs first), then the real server `node demo/server.mjs` on a free port, whose printed URL the
 * pages are opened at. Each case trains a task for a few seconds through `model.fit` and asserts on
 * what the page draws and shows, not just that it loads:
 *   - bitpair (fresh batches as an iterable): the loss and held-out charts hold points, the status
 *     line counts steps toward the recipe's 3000, the confusion matrix and the device card are
 *     drawn, pause stops the steps;
 *   - forecast (a dataset in memory, one of the new tasks): the held-out decade, the model's and the
 *     naive forecast on one chart (120 points each), RMSE and skill shown, progress toward the
 *     recipe's steps; pause holds fit mid-epoch and resume continues it from the same step;
 *   - text (the other new task): a sample regenerated as the model trains (model.stream), the
 *     loss in bits per character, the held-out bits falling;
 *   - the cpu fallback: with navigator.gpu taken away the page trains on the cpu backend and says so.
 * No case may show an error on the page or log a console error, uncaught exception or failed
 * request. Screenshots go to a temporary folder, removed afterwards unless DEMO_SCREENSHOT_KEEP=1
 * (their paths are printed either way).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/browser.mjs';
import { REPO_ROOT, watchPage, type PageProblems } from './page.js';

/** What the page exposes on window.demo (demo/js/main.js). */
interface DemoState {
  status: string;
  task: string | null;
  backend: string | null;
  step: number;
  total: number;
  epoch: number;
  loss: number;
  stepsPerSecond: number;
  evaluations: number;
  score: number;
  error: string | null;
  notes: string[];
}

declare global {
  interface Window {
    demo: {
      state: DemoState & { lastView: unknown };
      chartPoints: number;
      scorePoints: number;
      flushCharts(): void;
      run: { panel: { points?: number[]; view?: Record<string, unknown> } } | null;
    };
  }
}

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let url: string;
let shots: string;

/** Starts `node demo/server.mjs` and resolves to the URL it prints. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['demo/server.mjs', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo server printed no URL within 20 s; output: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with ${code}: ${out}`));
    });
  });
}

/** A fresh tab on the demo at `query`, with its problems collected. */
async function openDemo(query: string, before?: () => void): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser!.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const problems = watchPage(page);
  if (before) await page.evaluateOnNewDocument(before);
  await page.goto(`${url}?${query}`, { waitUntil: 'load', timeout: 30_000 });
  return { page, problems };
}

/** The page's state without the panel's last view (large arrays), plus the charts' point counts. */
const state = (page: Page) => page.evaluate(() => ({ ...window.demo.state, lastView: undefined, chartPoints: window.demo.chartPoints, scorePoints: window.demo.scorePoints }));

/** Waits until the page's state satisfies `test` (or shows an error). */
async function until(page: Page, test: string, arg: unknown, timeout: number): Promise<void> {
  await page.waitForFunction(`(() => { const s = window.demo?.state; const arg = ${JSON.stringify(arg)}; return s && (s.error != null || (${test})); })()`, { timeout, polling: 200 });
}

/** Presses Pause and waits until the page says paused; its state then. */
async function pause(page: Page): ReturnType<typeof state> {
  await page.click('#pause');
  await page.waitForFunction(() => window.demo.state.status === 'paused', { timeout: 20_000 });
  return state(page);
}

async function screenshot(page: Page, name: string): Promise<string> {
  await page.evaluate(() => window.demo.flushCharts());
  await new Promise((r) => setTimeout(r, 100));
  const path = join(shots, `demo-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** No error on the page, none in the console, no failed request. */
async function expectClean(page: Page, problems: PageProblems): Promise<void> {
  const s = await state(page);
  expect(s.error, 'an error is shown on the page').toBeNull();
  expect(await page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);
  expect(problems.errors, 'console errors, uncaught exceptions or failed requests').toEqual([]);
}

beforeAll(async () => {
  const prep = spawnSync(process.execPath, ['demo/prepare.mjs'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (prep.status !== 0) throw new Error(`node demo/prepare.mjs failed (${prep.status}):\n${prep.stdout}\n${prep.stderr}`);
  url = await startServer();
  shots = await mkdtemp(join(tmpdir(), 'webgpu-lstm-demo-'));
  browser = await launchChromium({ timeout: 60_000 });
}, 150_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server!.once('exit', ok));
    server.kill('SIGTERM');
    await exited;
  }
  if (shots && process.env.DEMO_SCREENSHOT_KEEP !== '1') await rm(shots, { recursive: true, force: true });
}, 30_000);

describe('the demo page (npm run demo)', () => {
  it('bitpair: fit on fresh batches on WebGPU, live charts, progress toward the recipe\'s 3000 steps, the confusion matrix, pause', async () => {
    const { page, problems } = await openDemo('task=bitpair&seed=1');
    await until(page, 's.step >= 30 && s.evaluations >= 2 && window.demo.chartPoints > 0 && window.demo.scorePoints > 1', null, 60_000);

    const paused = await pause(page);
    await new Promise((r) => setTimeout(r, 400));
    const later = await state(page);
    const shot = await screenshot(page, 'bitpair');
    console.log(`demo screenshot: ${shot}; state: ${JSON.stringify(later)}`);
    await expectClean(page, problems);

    expect(later).toMatchObject({ task: 'bitpair', backend: 'webgpu', total: 3000, epoch: 1 });
    expect(later.step).toBeGreaterThanOrEqual(30);
    expect(later.chartPoints).toBeGreaterThan(0);
    expect(later.scorePoints).toBeGreaterThan(1);
    expect(Number.isFinite(later.loss) && later.loss > 0).toBe(true);
    expect(later.stepsPerSecond).toBeGreaterThan(0);
    // Paused means no more steps; the status line says where it stands against the recipe.
    expect(later.step).toBe(paused.step);
    expect(await page.$eval('#pause', (e) => e.textContent)).toBe('Resume');
    expect(await page.$eval('#total', (e) => e.textContent)).toBe('3,000');
    expect(await page.$eval('#progress', (e) => (e as HTMLProgressElement).value)).toBeCloseTo(later.step / 3000, 3);
    expect(await page.$eval('#recipe', (e) => e.textContent)).toMatch(/sgd lr 0\.1 · clip 10 · state carried · .* · 3,000 steps$/);
    expect(await page.$eval('#about', (e) => e.textContent)).toMatch(/loss stays at chance,\s+ln 4/);

    // The confusion matrix: 4 × 4 counts over held-out steps, and the phase it shows; the device card names the adapter.
    const cells = await page.$$eval('#panel table.confusion td.cell', (tds) => tds.map((td) => Number(td.textContent)));
    expect(cells).toHaveLength(16);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(32 * 99);
    expect(await page.$eval('#panel .phase', (e) => e.textContent)).toMatch(/chance|current bit|previous bit|learned/);
    const device = await page.$eval('#device', (e) => e.textContent ?? '');
    expect(device).toContain('adapter');
    expect(device).toContain('maxStorageBufferBindingSize');
    await page.close();
  }, 90_000);

  it('forecast: fit on the CO₂ windows draws the held-out decade, the model\'s and the naive forecast on one chart; pause and resume continue fit where it stood', async () => {
    const { page, problems } = await openDemo('task=forecast&seed=1');
    await until(page, 's.step >= 40 && s.evaluations >= 3', null, 60_000);
    const paused = await pause(page);
    const drawn = await page.evaluate(() => {
      const panel = window.demo.run!.panel;
      const v = panel.view as { dates: string[]; skill: number; rmse: number; naiveRmse: number };
      return { points: panel.points, first: v.dates[0], last: v.dates[v.dates.length - 1], skill: v.skill, rmse: v.rmse, naiveRmse: v.naiveRmse };
    });
    const metric = await page.$eval('#panel .metric', (e) => e.textContent ?? '');
    const legend = await page.$$eval('#panel .u-legend .u-label', (ls) => ls.map((l) => l.textContent));
    const credit = await page.$eval('#panel', (e) => e.textContent ?? '');
    const shot = await screenshot(page, 'forecast');
    console.log(`demo screenshot: ${shot}; state: ${JSON.stringify(paused)}; drawn: ${JSON.stringify(drawn)}; ${metric}`);

    expect(paused).toMatchObject({ task: 'forecast', backend: 'webgpu', total: 900 });
    expect(drawn.points).toEqual([120, 120, 120]);
    expect(drawn.first).toBe('2010-05-01');
    expect(drawn.last).toBe('2020-04-01');
    expect(drawn.naiveRmse).toBeCloseTo(1.391, 3);
    expect(drawn.skill).toBeCloseTo(1 - drawn.rmse / drawn.naiveRmse, 9);
    expect(metric).toMatch(/RMSE \d+\.\d{3} ppm \(naive 1\.391 ppm\), skill -?\d\.\d{3} \(bar 0\.2\)/);
    expect(legend).toEqual(expect.arrayContaining(['observed', 'model forecast', 'naive forecast (last value)']));
    expect(credit).toContain('Scripps CO₂ Program');
    expect(credit).toContain('CC BY 4.0');
    expect(await page.$eval('#recipe', (e) => e.textContent)).toMatch(/\(mse at the last step\).*adam lr 0\.01.*60 epochs · 900 steps$/);

    // Resume: fit goes on from the same step (its epoch and shuffled order kept), and trains on.
    await page.click('#pause');
    await until(page, 's.status === "training" && s.step > arg', paused.step + 10, 30_000);
    const resumed = await state(page);
    expect(resumed.step).toBeGreaterThan(paused.step);
    expect(resumed.epoch).toBeGreaterThanOrEqual(paused.epoch);
    await expectClean(page, problems);
    await page.close();
  }, 120_000);

  it('text: a sample regenerated as the model trains (model.stream), the loss in bits per character, the held-out bits falling', async () => {
    const { page, problems } = await openDemo('task=text&seed=1');
    const sample = () => page.evaluate(() => {
      const v = window.demo.state.lastView as { sample: string; step: number; heldOutBits: number; unigram: number; samples: number } | null;
      return v && { sample: v.sample, step: v.step, heldOutBits: v.heldOutBits, unigram: v.unigram, samples: v.samples };
    });
    await until(page, 's.evaluations >= 1', null, 60_000);
    const first = (await sample())!;
    await until(page, 's.evaluations >= 2 && window.demo.chartPoints > 0', null, 90_000);
    const second = (await sample())!;
    const shown = await page.$eval('#text-sample', (e) => e.textContent ?? '');
    const lossLabel = await page.$eval('#loss-label', (e) => e.textContent);
    const s = await state(page);
    const shot = await screenshot(page, 'text');
    console.log(`demo screenshot: ${shot}; state: ${JSON.stringify(s)}; samples: ${JSON.stringify(first)} → ${JSON.stringify(second)}`);
    await expectClean(page, problems);

    expect(s).toMatchObject({ task: 'text', backend: 'webgpu' });
    expect(lossLabel).toBe('bits/char');
    expect(first.step).toBe(0);
    expect(second.step).toBeGreaterThan(0);
    for (const v of [first, second]) {
      expect([...v.sample]).toHaveLength(160);
      expect(v.sample).not.toContain('\uFFFD');
    }
    expect(shown).toBe(`The whale ${second.sample}`);
    expect(second.sample).not.toBe(first.sample);
    // Untrained, the held-out text costs about log2(82) ≈ 6.4 bits a character; a few steps bring it toward the unigram entropy.
    expect(first.heldOutBits).toBeGreaterThan(5.5);
    expect(second.heldOutBits).toBeLessThan(first.heldOutBits);
    expect(first.unigram).toBeCloseTo(4.424, 3);
    await page.close();
  }, 150_000);

  it('without WebGPU (navigator.gpu taken away) the page trains on the cpu backend and says so', async () => {
    const { page, problems } = await openDemo('task=binary-add&seed=3', () => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    });
    await until(page, 's.step >= 50 && window.demo.chartPoints > 0', null, 60_000);
    const s = await state(page);
    const notice = await page.$eval('#notice', (e) => e.textContent ?? '');
    const badge = await page.$eval('#backend-badge', (e) => e.textContent);
    const shot = await screenshot(page, 'cpu-fallback');
    console.log(`demo screenshot: ${shot}; state: ${JSON.stringify(s)}; notice: ${notice}`);
    await expectClean(page, problems);
    expect(s).toMatchObject({ task: 'binary-add', backend: 'cpu', total: 400 });
    expect(badge).toBe('cpu');
    expect(notice).toMatch(/^WebGPU is not available here \(.+\), so training runs on the cpu backend instead/);
    await page.close();
  }, 90_000);
});
