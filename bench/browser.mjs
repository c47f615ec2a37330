#!/usr/bin/env node
// The browser benchmark: this engine against TensorFlow.js 4.22 in ONE headless Chromium, on one
// WebGPU adapter (here SwiftShader, Vulkan on the CPU), for the five configurations of the WebGPU
// engine issue, plus the scaling of this engine's step time with T and H.
//
//   npm run bench                  (builds the browser bundle, then runs this file)
//   npm run bench -- --quick       (the three small configurations only; no scaling)
//   webgpu-lstm bench [--quick]    (the same, from the command line)
//   node bench/browser.mjs [--quick] [--only label,label] [--no-scaling] [--seed N] [--steps N]
//
// Contenders, all training the same model from the same initial weights on the same batch
// (stacked LSTM, dense softmax head, mean cross-entropy, Adam lr 1e-3):
//   ours                 dist/browser/webgpu-lstm.js, createEngine() → webgpu, trainer.step;
//   tfjs-webgpu-layers   tf.layers.lstm (recurrentActivation 'sigmoid') + dense, trainOnBatch;
//   tfjs-webgpu-cell     tf.multiRNNCell/basicLSTMCell loop, tf.train.adam().minimize;
//   tfjs-wasm-layers, tfjs-wasm-cell   the same on TF.js's wasm backend (its .wasm files served
//                        from node_modules; threaded where the page is cross-origin isolated).
// A step is forward, backward, Adam update and the loss read back, timed in the page with
// performance.now() around one awaited call.
//
// For each configuration, in this order:
//   1. verify: our first-step loss on the GPU against the float64 CpuEngine (rel. 1e-3); each TF.js
//      variant's first-step loss (same weights, so the same loss) against the same reference
//      (rel. 1e-3), finite and within 25 % of ln(C). A contender that fails is not timed.
//   2. warm up: each contender's first step (above: shader compiles) and one more step;
//   3. per TF.js backend, the variant (layers or cell) with the faster warm-up step is timed;
//   4. time: rounds in which ours, TF.js webgpu and TF.js wasm each take one step, the order
//      rotating per round (so load from other processes falls on all alike), until each has 10
//      steps; the median is reported. At most 3 measured steps (flagged `fewSteps`) where a
//      contender's warm-up step took over 20 s, or where the configuration is over 10 GFLOP per
//      step (DESIGN.md section 8).
// The two large configurations are timed at a shorter sequence (TIMED_T, every contender alike)
// because TF.js's webgpu backend needs about 0.75 s (B64 H256) and 4.6 s (B128 H512) per
// timestep on this adapter (measured here; one full-length step would take 75 s and 15 min):
// their ratios are measured at that T; their ms/step at the full T are the measured ones scaled
// by T/T' (an upper bound: the step's fixed part, the Adam update and the readback, is scaled
// too), flagged `extrapolated`.
//
// Dispatches and submits per step: GPUComputePassEncoder.prototype.dispatchWorkgroups and
// GPUQueue.prototype.submit are wrapped before any script runs (page/gpuCounters.js), counted
// around each step of each contender. The adapter's per-dispatch, per-submit and readback floors
// are measured in each configuration's page (page/floors.js), to say where the time goes; after
// the timing, our step is profiled by kernel family by leaving each family's dispatches out
// (page/kernelProfile.js). Each configuration runs in a fresh page of the one browser.
//
// Output: progress on stderr; the Markdown tables on stdout; JSON in
// bench/results/browser-<date>.json and browser-latest.json, Markdown in browser-latest.md
// (with --quick or --only: browser-quick-*, so the full table is not replaced by a partial one).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { launchChromium } from '../scripts/lib/browser.mjs';
import { startServer, ROOT } from './browserServer.mjs';
import { installGpuCounters } from './page/gpuCounters.js';
import { stepFlops, FLOP_FORMULA } from './flops.mjs';
import { markdown } from './browserReport.mjs';

/** The configurations of the WebGPU engine issue (names are labels; DESIGN.md section 8). */
const CONFIGS = [
  { label: 'bitpair', B: 50, T: 50, spec: { I: 1, H: 5, L: 2, C: 4, outputs: 'all' }, small: true },
  { label: 'echo', B: 5, T: 15, spec: { I: 1, H: 4, L: 3, C: 2, outputs: 'all' }, small: true },
  { label: 'mnist-rows', B: 64, T: 28, spec: { I: 28, H: 128, L: 1, C: 10, outputs: 'last' }, small: true },
  { label: 'B64 T100 I64 H256 L2 C64', B: 64, T: 100, spec: { I: 64, H: 256, L: 2, C: 64, outputs: 'all' } },
  { label: 'B128 T200 I256 H512 L2 C256', B: 128, T: 200, spec: { I: 256, H: 512, L: 2, C: 256, outputs: 'all' } },
];
/** The sequence length the large configurations are timed at (see the header). */
const TIMED_T = { 'B64 T100 I64 H256 L2 C64': 25, 'B128 T200 I256 H512 L2 C256': 5 };
/** The issue's targets: TF.js's best ÷ ours per step. */
const TARGET = { small: 10, large: 3 };

/** Scaling of our step time: base B64 I64 L1 C64 (outputs all); T at H128, H at T50. */
const SCALING_BASE = { B: 64, spec: { I: 64, L: 1, C: 64, outputs: 'all' } };
const SCALING_T = [25, 50, 100, 200], SCALING_T_H = 128;
const SCALING_H = [64, 128, 256, 512], SCALING_H_T = 50;
/** Scaling points: steps to fill about 20 s, between 3 and 10. */
const SCALING_TARGET_MS = 20_000;

const CONTENDERS = ['ours', 'tfjs-webgpu-layers', 'tfjs-webgpu-cell', 'tfjs-wasm-layers', 'tfjs-wasm-cell'];
const VERIFY_RTOL = 1e-3, LN_C_RTOL = 0.25;
const FEW_STEPS = 3, SLOW_STEP_MS = 20_000, FEW_STEPS_GFLOP = 10;
/** Pairs (full step, step without one family) per family in the kernel profile (page/kernelProfile.js). */
const PROFILE_PAIRS = 5, PROFILE_PAIRS_FEW = 1;

const argv = process.argv.slice(2);
const log = (msg) => process.stderr.write(`${msg}\n`);
/** Bad arguments: one line on stderr, exit status 2 (as the CLI's usage errors). */
function usage(msg) {
  log(`bench: ${msg}`);
  process.exit(2);
}
let values;
try {
  ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
    quick: { type: 'boolean' }, only: { type: 'string' }, 'no-scaling': { type: 'boolean' },
    seed: { type: 'string' }, steps: { type: 'string' },
  } }));
} catch (e) {
  usage(e.message);
}
const intOption = (name, dflt, min) => {
  const v = values[name];
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) usage(`--${name} expects an integer ≥ ${min}, received ${JSON.stringify(v)}`);
  return Number(v);
};
const quick = values.quick ?? false;
const only = values.only?.split(',').map((l) => l.trim());
const unknown = only?.filter((l) => !CONFIGS.some((c) => c.label === l));
if (unknown?.length) usage(`--only: unknown configuration ${JSON.stringify(unknown[0])} (configurations: ${CONFIGS.map((c) => JSON.stringify(c.label)).join(', ')})`);
const seed = intOption('seed', 1, 0);
/** Measured steps per contender (10; fewer only for a quick look at the harness, flagged). */
const STEPS = intOption('steps', 10, 1);
const scaling = !quick && !only && !values['no-scaling'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? x ?? null : Number(x.toPrecision(d)));
const gflopOf = (spec, B, T) => stepFlops({ cell: 'lstm', inputSize: spec.I, hiddenSize: spec.H, numLayers: spec.L, outputSize: spec.C, outputs: spec.outputs }, B, T).step / 1e9;
const backendOf = (name) => (name === 'ours' ? 'ours' : name.split('-')[1]);

async function step(page, name) {
  const r = await page.evaluate((n) => globalThis.benchPage.step(n), name);
  if (r.error) throw new Error(`${name}: ${r.error}`);
  return r;
}

/** What a contender's measured steps come to: median ms and the GPU work per step. */
function summarise(samples) {
  const per = (k) => median(samples.map((s) => s[k]));
  return {
    steps: samples.length, msPerStep: round(median(samples.map((s) => s.ms))),
    minMs: round(Math.min(...samples.map((s) => s.ms))), maxMs: round(Math.max(...samples.map((s) => s.ms))),
    samplesMs: samples.map((s) => round(s.ms)),
    dispatchesPerStep: per('dispatches'), submitsPerStep: per('submits'), mapsPerStep: per('maps'),
    lastLoss: samples.at(-1)?.loss ?? null,
  };
}

function verifyTfjs(loss, reference, C) {
  const relDiff = Math.abs(loss - reference) / Math.abs(reference);
  const lnC = Math.log(C), nearLnC = Math.abs(loss / lnC - 1) <= LN_C_RTOL;
  return { loss, relDiff: round(relDiff, 3), lnC: round(lnC), ok: Number.isFinite(loss) && relDiff <= VERIFY_RTOL && nearLnC };
}

async function benchConfig(page, c) {
  const T = TIMED_T[c.label] ?? c.T;
  const gflop = gflopOf(c.spec, c.B, c.T), gflopTimed = gflopOf(c.spec, c.B, T);
  const fewStepsConfig = gflop > FEW_STEPS_GFLOP;
  const row = {
    label: c.label, B: c.B, T: c.T, timedT: T, extrapolated: T !== c.T, spec: c.spec,
    gflopPerStep: round(gflop), gflopTimed: round(gflopTimed), target: c.small ? TARGET.small : TARGET.large,
    fewSteps: fewStepsConfig, verify: {}, contenders: {}, chosen: {}, ratio: null, notes: [],
  };
  if (row.extrapolated) row.notes.push(`timed at T=${T} (every contender); ms/step at T=${c.T} scaled ×${c.T / T}`);
  const made = await page.evaluate((job) => globalThis.benchPage.prepare(job), { spec: c.spec, B: c.B, T, seed, names: CONTENDERS });
  const alive = [];
  for (const name of CONTENDERS) {
    if (made[name]?.ok) alive.push(name);
    else { row.contenders[name] = { error: made[name]?.error ?? 'not made' }; row.notes.push(`${name}: not made (${made[name]?.error})`); }
  }

  // 1. Verify our engine against the float64 reference, on the timed batch.
  const t0 = performance.now();
  const v = await page.evaluate(() => globalThis.benchPage.verifyOurs());
  const rel = Math.abs(v.gpuLoss - v.cpuLoss) / Math.abs(v.cpuLoss);
  row.verify.ours = { gpuLoss: v.gpuLoss, cpuLoss: v.cpuLoss, relDiff: round(rel, 3), cpuStepMs: round(v.cpuMs), ok: rel <= VERIFY_RTOL };
  log(`  verify: ours ${v.gpuLoss} vs cpu ${v.cpuLoss} (rel ${rel.toExponential(2)}) ${row.verify.ours.ok ? 'OK' : 'NOT OK'} [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
  if (!row.verify.ours.ok) {
    row.notes.push('ours: verification failed, not timed');
    alive.splice(alive.indexOf('ours'), 1);
  }

  // 2. First steps (TF.js verified here: same weights, so the float64 loss is its reference too).
  const warm = {};
  for (const name of [...alive]) {
    try {
      const r = await step(page, name);
      row.contenders[name] = { firstStepMs: round(r.ms), firstLoss: r.loss };
      warm[name] = [];
      if (name === 'ours') row.verify.ours.contenderFirstLoss = r.loss; // same seed and batch: the same loss
      else {
        row.verify[name] = verifyTfjs(r.loss, v.cpuLoss, c.spec.C);
        if (!row.verify[name].ok) { row.notes.push(`${name}: verification failed, not timed`); alive.splice(alive.indexOf(name), 1); }
      }
      log(`  first step ${name}: ${r.ms.toFixed(0)} ms, loss ${r.loss}`);
    } catch (e) {
      row.contenders[name] = { error: e.message };
      row.notes.push(`${name}: ${e.message}`);
      alive.splice(alive.indexOf(name), 1);
    }
  }
  // Warm-up step, then the faster TF.js variant per backend.
  for (const name of [...alive]) {
    try {
      const r = await step(page, name);
      warm[name].push(r.ms);
      row.contenders[name].warmupMs = [round(r.ms)];
      log(`  warm-up ${name}: ${r.ms.toFixed(0)} ms (${r.dispatches} dispatches, ${r.submits} submits)`);
    } catch (e) {
      row.contenders[name].error = e.message;
      alive.splice(alive.indexOf(name), 1);
    }
  }
  for (const backend of ['webgpu', 'wasm']) {
    const variants = alive.filter((n) => backendOf(n) === backend).sort((a, b) => warm[a][0] - warm[b][0]);
    if (variants.length) row.chosen[backend] = variants[0];
  }
  const timed = ['ours', row.chosen.webgpu, row.chosen.wasm].filter((n) => n && alive.includes(n));

  // 3. Alternating measured rounds.
  const cap = Object.fromEntries(timed.map((n) => [n, fewStepsConfig || warm[n][0] > SLOW_STEP_MS ? FEW_STEPS : STEPS]));
  const samples = Object.fromEntries(timed.map((n) => [n, []]));
  const rounds = Math.max(0, ...Object.values(cap));
  for (let r = 0; r < rounds; r++) {
    const order = timed.map((_, i) => timed[(i + r) % timed.length]);
    for (const name of order) {
      if (samples[name].length >= cap[name] || row.contenders[name].error) continue;
      try {
        samples[name].push(await step(page, name));
      } catch (e) {
        row.contenders[name].error = e.message;
        row.notes.push(`${name}: ${e.message}`);
      }
    }
    log(`  round ${r + 1}/${rounds}: ${timed.map((n) => `${n} ${samples[n].at(-1)?.ms.toFixed(0) ?? '–'} ms`).join(', ')}`);
  }
  for (const name of timed) {
    if (!samples[name].length) continue;
    const s = summarise(samples[name]);
    Object.assign(row.contenders[name], s, { measured: true, fewSteps: s.steps < STEPS });
    if (row.extrapolated) row.contenders[name].msPerStepAtT = round(s.msPerStep * (c.T / T));
    if (s.steps < STEPS) row.notes.push(`${name}: ${s.steps} measured steps (${fewStepsConfig ? `over ${FEW_STEPS_GFLOP} GFLOP per step` : `warm-up step over ${SLOW_STEP_MS / 1000} s`})`);
  }

  // Our step by kernel family (after the timing: it spoils the model's results).
  if (row.contenders.ours?.measured) {
    try {
      row.kernelProfile = await page.evaluate((o) => globalThis.benchPage.profile(o), { pairs: fewStepsConfig ? PROFILE_PAIRS_FEW : PROFILE_PAIRS });
      log(`  kernels: ${row.kernelProfile.families.slice(0, 5).map((f) => `${f.family} ×${f.dispatches} ${f.ms.toFixed(1)} ms`).join(', ')} (step ${row.kernelProfile.fullMs.toFixed(1)} ms)`);
    } catch (e) {
      row.notes.push(`kernel profile: ${e.message}`);
    }
  }

  // Ratio: TF.js's best backend ÷ ours, medians at the timed T.
  const ours = row.contenders.ours?.msPerStep;
  const tf = ['webgpu', 'wasm'].map((b) => row.chosen[b]).filter((n) => row.contenders[n]?.msPerStep);
  if (ours && tf.length) {
    const best = tf.reduce((a, b) => (row.contenders[a].msPerStep <= row.contenders[b].msPerStep ? a : b));
    row.tfjsBest = best;
    row.ratio = round(row.contenders[best].msPerStep / ours, 3);
    row.meetsTarget = row.ratio >= row.target;
  }
  await page.evaluate(() => globalThis.benchPage.release());
  return row;
}

/** Our step time over T (at H128) and H (at T50), base B64 I64 L1 C64. */
async function benchScaling(page) {
  const points = [
    ...SCALING_T.map((T) => ({ sweep: 'T', T, H: SCALING_T_H })),
    ...SCALING_H.filter((H) => H !== SCALING_T_H).map((H) => ({ sweep: 'H', T: SCALING_H_T, H })),
  ];
  const rows = [];
  for (const p of points) {
    const spec = { ...SCALING_BASE.spec, H: p.H };
    const gflop = gflopOf(spec, SCALING_BASE.B, p.T);
    log(`scaling ${p.sweep}: B${SCALING_BASE.B} T${p.T} I${spec.I} H${p.H} L${spec.L} C${spec.C} (${gflop.toFixed(2)} GFLOP)`);
    const row = { ...p, B: SCALING_BASE.B, spec, gflopPerStep: round(gflop) };
    try {
      const made = await page.evaluate((job) => globalThis.benchPage.prepare(job), { spec, B: SCALING_BASE.B, T: p.T, seed, names: ['ours'] });
      if (!made.ours.ok) throw new Error(made.ours.error);
      const first = await step(page, 'ours');
      const okLoss = Number.isFinite(first.loss) && Math.abs(first.loss / Math.log(spec.C) - 1) <= LN_C_RTOL;
      if (!okLoss) throw new Error(`first-step loss ${first.loss} is not near ln(C) = ${Math.log(spec.C).toFixed(3)}`);
      const w = await step(page, 'ours');
      const n = Math.max(FEW_STEPS, Math.min(STEPS, Math.floor(SCALING_TARGET_MS / w.ms)));
      const samples = [];
      for (let i = 0; i < n; i++) samples.push(await step(page, 'ours'));
      Object.assign(row, { firstStepMs: round(first.ms), firstLoss: first.loss, warmupMs: round(w.ms), ...summarise(samples) });
      row.gflops = round(gflop / (row.msPerStep / 1000));
      log(`  ${row.msPerStep} ms/step (n=${n}), ${row.gflops} GFLOP/s, ${row.dispatchesPerStep} dispatches`);
    } catch (e) {
      row.error = e.message;
      log(`  error: ${e.message}`);
    }
    rows.push(row);
    await page.evaluate(() => globalThis.benchPage.release());
  }
  // The H128 T50 point belongs to both sweeps.
  const shared = rows.find((r) => r.sweep === 'T' && r.T === SCALING_H_T);
  return {
    base: `B${SCALING_BASE.B} I${SCALING_BASE.spec.I} L${SCALING_BASE.spec.L} C${SCALING_BASE.spec.C}, outputs all`,
    T: rows.filter((r) => r.sweep === 'T'),
    H: [...rows.filter((r) => r.sweep === 'H'), ...(shared ? [{ ...shared, sweep: 'H' }] : [])].sort((a, b) => a.H - b.H),
  };
}

function writeJson(path, obj) {
  const tmp = `${path}.tmp.json`;
  writeFileSync(tmp, `${JSON.stringify(obj, null, 2)}\n`);
  renameSync(tmp, path);
}

function writeText(path, text) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function main() {
  const bundle = join(ROOT, 'dist/browser/webgpu-lstm.js');
  if (!existsSync(bundle)) throw new Error('dist/browser/webgpu-lstm.js is missing: run `npm run build` first');
  if (!existsSync(join(ROOT, 'node_modules/@tensorflow/tfjs-backend-webgpu'))) throw new Error('TensorFlow.js is missing: run `npm install` (devDependencies)');
  const start = performance.now();
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version, loadavgStart: os.loadavg(), loadavgEnd: null,
  };
  const server = await startServer();
  const pageErrors = [], pageNotes = [];
  let browser;
  try {
    browser = await launchChromium({ timeout: 120_000, protocolTimeout: 30 * 60_000 });
    const browserVersion = await browser.version();
    // A fresh page per configuration, in the one browser: TF.js's buffer pools and every device
    // of the last configuration go with its page, and a device lost there does not end the run.
    const withPage = async (what, fn) => {
      const page = await browser.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${what}: ${err}`));
      page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`${what}: console.error: ${msg.text()}`); });
      try {
        await page.evaluateOnNewDocument(installGpuCounters);
        await page.goto(server.url, { waitUntil: 'load', timeout: 120_000 });
        await page.waitForFunction(() => globalThis.benchPage !== undefined, { timeout: 120_000 });
        const env = await page.evaluate((u) => globalThis.benchPage.init({ wasmPath: u }), `${server.url}tfjs-wasm/`);
        const floors = await page.evaluate(() => globalThis.benchPage.floors());
        log(`${what}: floors ${floors.dispatchUs.toFixed(1)} µs/dispatch, ${floors.submitUs.toFixed(1)} µs/submit, ${floors.roundTripMs.toFixed(2)} ms submit+readback`);
        const out = await fn(page, env, floors);
        pageNotes.push(...(await page.evaluate(() => globalThis.benchPage.takeNotes())).map((n) => `${what}: ${n}`));
        return out;
      } finally {
        await page.close();
      }
    };

    const env = await withPage('environment', async (_page, e, floors) => ({ ...e, floors }));
    log(`${browserVersion}; adapter ${JSON.stringify(env.adapter)}; TF.js ${env.tfjsVersion}: ${JSON.stringify(env.backends)}`);
    const configs = CONFIGS.filter((c) => (only ? only.includes(c.label) : !quick || c.small));
    const rows = [];
    for (const c of configs) {
      log(`${c.label}: B${c.B} T${c.T}${TIMED_T[c.label] ? ` (timed at T=${TIMED_T[c.label]})` : ''}`);
      try {
        rows.push(await withPage(c.label, async (page, _env, floors) => ({ ...(await benchConfig(page, c)), floors })));
      } catch (e) {
        log(`  error: ${e.stack ?? e.message}`);
        rows.push({ label: c.label, B: c.B, T: c.T, spec: c.spec, error: e.message, notes: [] });
      }
      const r = rows.at(-1);
      if (r.ratio !== undefined) log(`  ratio TF.js best ÷ ours: ${r.ratio} (target ${r.target})`);
    }
    let scalingRows = null;
    if (scaling) {
      try {
        scalingRows = await withPage('scaling', (page) => benchScaling(page));
      } catch (e) {
        log(`scaling: error: ${e.stack ?? e.message}`);
        scalingRows = { error: e.message };
      }
    }
    machine.loadavgEnd = os.loadavg();
    const date = new Date().toISOString();
    const report = {
      format: 'webgpu-lstm-bench-browser', version: 1, date, command, quick, seed,
      browser: browserVersion, adapter: env.adapter, tfjs: { version: env.tfjsVersion, backends: env.backends },
      crossOriginIsolated: env.crossOriginIsolated, machine, floors: env.floors,
      model: 'stacked LSTM (PyTorch gates i, f, g, o; σ σ tanh σ) + dense softmax head on h, mean cross-entropy, Adam lr 1e-3; same initial weights (this engine\'s seed) in every contender',
      flopFormula: FLOP_FORMULA, verifyTolerance: VERIFY_RTOL, lnCTolerance: LN_C_RTOL,
      timedT: TIMED_T, configs: rows, scaling: scalingRows, pageErrors: pageErrors.slice(0, 20), pageNotes,
      totalSeconds: round((performance.now() - start) / 1000),
    };
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const stem = quick || only || STEPS !== 10 ? 'browser-quick' : 'browser';
    const dated = join(dir, `${stem}-${date.slice(0, 19).replace(/:/g, '-')}Z.json`);
    writeJson(dated, report);
    writeJson(join(dir, `${stem}-latest.json`), report);
    const md = markdown(report);
    writeText(join(dir, `${stem}-latest.md`), `${md}\n`);
    process.stdout.write(`${md}\n`);
    log(`wrote ${dated}, ${stem}-latest.json and ${stem}-latest.md in ${dir}`);
    const failed = rows.some((r) => r.error || r.verify?.ours?.ok === false);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await browser?.close();
    await server.close();
  }
}

main().catch((e) => {
  log(`bench: FAILED: ${e?.stack ?? e}`);
  process.exitCode = 1;
});
