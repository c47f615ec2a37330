#!/usr/bin/env node
// Smoke check of WebGPU in headless Chromium (Debian's /usr/bin/chromium, driven by puppeteer):
// opens a page on a local http server, gets the engine's device there with
// src/webgpu/device/navigator.ts, runs the affine smoke kernel (test/fixtures/affineSmoke.ts) and
// prints the adapter, its limits and the result. Exit status 1 if anything fails.
//
// The server transpiles the repository's TypeScript per file on request (typescript's
// transpileModule: no bundler, no build step), so the page runs the same sources as Node.
// WebGPU needs a secure context: http://localhost and http://127.0.0.1 are; about:blank is not.
//
// Usage: node scripts/smoke-browser.mjs [--json]
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { launchChromium, startStaticServer } from './lib/browser.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Only these trees are served: src/ and test/ as .js transpiled from their .ts, shaders/ as .wgsl. */
const SERVED_DIRS = ['src', 'test', 'shaders'];
const PAGE = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>webgpu-lstm smoke</title><p>webgpu-lstm browser smoke</p>';

const json = process.argv.includes('--json');

/** /<dir>/x.js is the transpiled /<dir>/x.ts; .wgsl files go as they are. */
async function transpiled(file) {
  if (!file.endsWith('.js')) return undefined;
  const source = await readFile(file.replace(/\.js$/, '.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  });
  return outputText;
}

/** Runs in the page: the engine's device from navigator.gpu, then the affine smoke kernel. */
async function inPage() {
  const t0 = performance.now();
  const { createNavigatorDevice } = await import('/src/webgpu/device/navigator.js');
  const { runAffineSmoke } = await import('/test/fixtures/affineSmoke.js');
  const wgsl = await (await fetch('/test/fixtures/affine.wgsl')).text();
  const t1 = performance.now();
  const notes = [];
  const adapterProbe = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  const t2 = performance.now();
  if (adapterProbe === null) return { adapter: null, notes };
  const gpu = await createNavigatorDevice({ log: (m) => notes.push(m) });
  const t3 = performance.now();
  const result = await runAffineSmoke(gpu.device, wgsl, 1000, 64);
  const ragged = await runAffineSmoke(gpu.device, wgsl, 257, 256);
  gpu.device.destroy();
  const pick = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'minStorageBufferOffsetAlignment'];
  return {
    adapter: gpu.info,
    limits: Object.fromEntries(pick.map((k) => [k, gpu.limits[k]])),
    features: gpu.features,
    result,
    ragged,
    notes,
    ms: { modules: t1 - t0, requestAdapter: t2 - t1, device: t3 - t2 },
  };
}

async function main() {
  const server = await startStaticServer({
    mounts: SERVED_DIRS.map((d) => [`/${d}/`, join(ROOT, d)]),
    pages: { '/': PAGE },
    types: { '.js': 'text/javascript; charset=utf-8', '.wgsl': 'text/plain; charset=utf-8' },
    transform: transpiled,
  });
  let browser;
  try {
    const t0 = performance.now();
    browser = await launchChromium({ timeout: 60_000 });
    const launchMs = performance.now() - t0;
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => pageErrors.push(`console.${msg.type()}: ${msg.text()}`));
    const t1 = performance.now();
    await page.goto(server.url, { waitUntil: 'load', timeout: 30_000 });
    const gotoMs = performance.now() - t1;
    const secure = await page.evaluate(() => ({ isSecureContext, hasGpu: 'gpu' in navigator }));
    if (!secure.hasGpu) throw new Error(`navigator.gpu is missing in the page (isSecureContext=${secure.isSecureContext})`);
    const t2 = performance.now();
    const out = await page.evaluate(inPage);
    const evalMs = performance.now() - t2;
    const version = await browser.version();
    const summary = { browser: version, launchMs, gotoMs, evalMs, ...out, pageMessages: pageErrors };
    if (json) console.log(JSON.stringify(summary));
    else report(summary);
    const ok = out.adapter !== null
      && out.result.mismatchCount === 0 && out.result.tailIntact
      && out.ragged.mismatchCount === 0 && out.ragged.tailIntact;
    if (!ok) {
      console.error(out.adapter === null
        ? 'smoke-browser: FAILED: navigator.gpu.requestAdapter() returned null'
        : `smoke-browser: FAILED: ${JSON.stringify({ result: out.result, ragged: out.ragged })}`);
      process.exitCode = 1;
    }
  } finally {
    await browser?.close();
    await server.close();
  }
}

function report(s) {
  const f = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`browser: ${s.browser}; launch ${f(s.launchMs)}, page load ${f(s.gotoMs)}, WebGPU work ${f(s.evalMs)}`);
  if (s.adapter === null) return;
  const a = s.adapter;
  console.log(`adapter: ${a.description} (vendor "${a.vendor}", architecture "${a.architecture}", software: ${a.isFallbackAdapter})`);
  console.log(`in page: modules ${f(s.ms.modules)}, requestAdapter ${f(s.ms.requestAdapter)}, requestDevice ${f(s.ms.device)}`);
  console.log(`limits: ${JSON.stringify(s.limits)}`);
  console.log(`features: ${s.features.join(' ')}`);
  for (const r of [s.result, s.ragged]) {
    const verdict = r.mismatchCount === 0 && r.tailIntact ? 'OK' : `NOT OK (${r.mismatchCount} wrong, tail intact: ${r.tailIntact}) ${r.mismatches.join('; ')}`;
    console.log(`affine n=${r.n} workgroupSize=${r.workgroupSize}: ${verdict}; y[0..3] = ${r.sample.join(', ')}; compile ${f(r.compileMs)}, run ${f(r.runMs)}`);
  }
  for (const m of [...s.notes, ...s.pageMessages]) console.log(`note: ${m}`);
}

main().catch((err) => {
  console.error(`smoke-browser: FAILED: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
