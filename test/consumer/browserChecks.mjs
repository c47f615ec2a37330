// The consumer's browser side, in headless Chromium (WebGPU on SwiftShader where there is no GPU):
// the Vite app, the plain <script type="module"> page and the module Web Worker of the README,
// served from the consumer project by the repository's one static server (scripts/lib/browser.mjs).
//
// Each page reports by console.log, as the README's examples do: "epoch k: loss v" lines, then
// "trained N steps on BACKEND". A page passes when that last line comes, names webgpu (Chromium has
// an adapter here; the cpu backend would mean the engine missed it), every loss is finite and the
// last is below the first, and nothing went wrong on the way: no uncaught exception (page or
// worker), no console.error, no failed request or HTTP error (the browser's own /favicon.ico aside).
import { launchChromium, startStaticServer } from '../../scripts/lib/browser.mjs';
import { clip } from './exec.mjs';

/** How long one page may take to train, ms (SwiftShader on two cores: about 10–30 s). */
const PAGE_TIMEOUT_MS = 180_000;
const DONE = /^trained (\d+) steps on (\w+)/;

/**
 * Serves `mounts`, launches Chromium, and runs `pages` one after the other (they share the CPU).
 *
 * @param {ReadonlyArray<readonly [string, string]>} mounts
 * @param {ReadonlyArray<{ name: string, path: string }>} pages
 * @param {(name: string, result: { ok: boolean, line: string }) => void} report called once per page
 */
export async function runPages(mounts, pages, report) {
  const server = await startStaticServer({ mounts });
  let browser;
  try {
    browser = await launchChromium({ protocolTimeout: PAGE_TIMEOUT_MS + 60_000 });
    for (const { name, path } of pages) {
      try {
        report(name, { ok: true, line: await runPage(browser, `${server.origin}${path}`, name) });
      } catch (err) {
        report(name, { ok: false, line: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server.close();
  }
}

/** Opens one page, waits for its "trained …" line, and checks what it logged. */
async function runPage(browser, url, name) {
  const page = await browser.newPage();
  const logs = [];
  const errors = [];
  const warnings = [];
  const t0 = performance.now();
  let settle;
  const finished = new Promise((ok) => (settle = ok));
  const onLine = (source, type, text, where) => {
    if (type === 'error') errors.push(`${source} console.error: ${text}${where ? ` (${where})` : ''}`);
    else if (type === 'warn' || type === 'warning') warnings.push(`${source}: ${text}`);
    else if (type === 'log' || type === 'info') logs.push(text);
    if (DONE.test(text) || errors.length > 0) settle();
  };
  // The browser asks for /favicon.ico by itself; its 404 (and the console line about it) is no error of the page's.
  const favicon = (u) => /\/favicon\.ico(?:$|\?)/.test(u ?? '');
  page.on('console', (m) => {
    if (!favicon(m.location()?.url)) onLine('page', m.type(), m.text(), m.location()?.url);
  });
  page.on('pageerror', (e) => {
    errors.push(`page uncaught: ${e instanceof Error ? e.message : String(e)}`);
    settle();
  });
  page.on('workercreated', (w) => {
    w.on('console', (m) => {
      if (!favicon(m.location()?.url)) onLine('worker', m.type(), m.text(), m.location()?.url);
    });
    w.on('error', (e) => {
      errors.push(`worker uncaught: ${e instanceof Error ? e.message : String(e)}`);
      settle();
    });
  });
  page.on('requestfailed', (req) => {
    errors.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? '?'})`);
    settle();
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !favicon(res.url())) {
      errors.push(`HTTP ${res.status()}: ${res.url()}`);
      settle();
    }
  });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    let timer;
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise((ok) => (timer = setTimeout(() => ok(true), PAGE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    // A moment for errors logged right after the last line (e.g. in engine.destroy()).
    await new Promise((ok) => setTimeout(ok, 300));
    const seconds = (performance.now() - t0) / 1000;
    if (errors.length > 0) throw new Error(`${name}: ${errors.length} error(s), first: ${clip(errors[0], 300)}`);
    if (timedOut) throw new Error(`${name}: no "trained … steps on …" line within ${PAGE_TIMEOUT_MS / 1000} s; it logged ${JSON.stringify(clip(logs.join(' | ') || '(nothing)', 300))}`);
    const done = DONE.exec(logs.find((l) => DONE.test(l)));
    if (done[2] !== 'webgpu') throw new Error(`${name}: trained on ${done[2]}, expected webgpu (Chromium has an adapter here)`);
    const losses = logs.map((l) => /^epoch \d+: loss (\S+)$/.exec(l)?.[1]).filter((v) => v !== undefined).map(Number);
    if (losses.length === 0 || losses.some((v) => !Number.isFinite(v))) throw new Error(`${name}: epoch losses ${JSON.stringify(losses)}, expected finite numbers`);
    if (!(losses.at(-1) < losses[0])) throw new Error(`${name}: the loss did not go down (${losses.join(' → ')})`);
    const warned = warnings.length > 0 ? `; console.warn: ${clip(warnings.join(' | '), 200)}` : '';
    return `webgpu, ${done[1]} steps, loss ${losses[0]} → ${losses.at(-1)}, ${seconds.toFixed(1)} s${warned}`;
  } finally {
    await page.close().catch(() => undefined);
  }
}
