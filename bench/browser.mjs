#!/usr/bin/env node
// The browser benchmark: this engine against every TensorFlow.js 4.22 backend in ONE headless
// Chromium, on one WebGPU adapter (here SwiftShader, Vulkan on the CPU), for the five
// configurations of the WebGPU engine issue, plus the scaling of this engine's step time with T and H.
//
//   npm run bench                  (builds the browser bundle, then runs this file)
//   npm run bench -- --quick       (the three small configurations only; no scaling)
//   webgpu-lstm bench [--quick]    (the same, from the command line)
//   node bench/browser.mjs [--quick] [--only label,label] [--no-scaling] [--seed N] [--steps N]
//                          [--backends webgpu,webgl,cpu,wasm,wasm2] [--variants layers,cell]
//
// Contenders, all training the same model from the same initial weights on the same batch
// (stacked LSTM, dense softmax head, mean cross-entropy, Adam lr 1e-3):
//   ours                 dist/browser/webgpu-lstm.js, createEngine() → webgpu, trainer.step;
//   tfjs-<backend>-layers   tf.layers.lstm (recurrentActivation 'sigmoid') + dense, trainOnBatch;
//   tfjs-<backend>-cell     tf.multiRNNCell/basicLSTMCell loop, tf.train.adam().minimize;
// on the TF.js backends (--backends, default all):
//   webgpu   @tensorflow/tfjs-backend-webgpu, on the same adapter as ours;
//   webgl    TF.js's WebGL 2 backend; on this machine WebGL is SwiftShader's GLES, which Chromium
//            allows only with --enable-unsafe-swiftshader (added to the launch flags);
//   cpu      TF.js's plain-JavaScript backend;
//   wasm     TF.js's wasm backend (its .wasm files served from node_modules; SIMD, threaded build
//            since the page is cross-origin isolated) as TF.js configures it: TF.js 4.22 caps its
//            thread pool at navigator.hardwareConcurrency / 2, which is 1 thread on this 2-core machine;
//   wasm2    the same with 2 threads: tf.wasm.setThreadsCount(2) alone is capped to 1 as above,
//            so it runs in a second page of the same browser in which navigator.hardwareConcurrency
//            is emulated as 4 (CDP Emulation.setHardwareConcurrencyOverride), which lifts the cap;
//            the page reports the thread count TF.js actually uses (tf.wasm.getThreadsCount()),
//            and a count other than 2 is reported as that contender's error. The two pages take
//            turns: the one stepping is brought to the front first (a hidden page's timers are
//            throttled), outside the timed call.
// A step is forward, backward, Adam update and the loss read back, timed in the page with
// performance.now() around one awaited call.
//
// For each configuration, in a fresh page (and a fresh wasm2 page), in this order:
//   0. our time to first step, cold: createEngine({ backend: 'webgpu' }) with its default tuning,
//      createModel, one awaited trainer.step (its pipeline compiles included), before anything else
//      of this engine runs in the page (page/ours.js). Chromium runs with
//      --disable-gpu-shader-disk-cache, so no page gets compiled shaders from an earlier one.
//      Reported as createEngine ms + first step ms; at the timed T where that is shorter.
//   1. the adapter's floors (page/floors.js) and our matmul's GFLOP/s (page/matmulRate.js: the
//      shipped matmul.wgsl, default tile, 1024 × 1024 × 512), each on a device of its own;
//   2. verify: our first-step loss on the GPU against the float64 CpuEngine (rel. 1e-3); each TF.js
//      variant's first-step loss (same weights, so the same loss) against the same reference
//      (rel. 1e-3), finite and within 25 % of ln(C). A contender that fails is not timed, and the
//      table says so in its cell.
//   3. skip rule for slow backends: a TF.js backend whose first step is predicted over
//      SKIP_FIRST_STEP_S (60 s) from its rate on the largest earlier configuration (GFLOP ÷ its
//      first step there) is not run, and one whose first step took over 60 s is not run further
//      (its other variant neither); the cell says which and why. (With --only, a backend has no
//      earlier configuration to predict from and is always tried.)
//   4. warm up: each contender's first step (above) and one more step; per TF.js backend, the
//      variant (layers or cell) with the faster warm-up step is timed;
//   5. time: rounds in which ours and each backend's chosen variant take one step each, the order
//      rotating per round (so load from other processes falls on all alike), until each has 10
//      steps; the median is reported. At most 3 measured steps (flagged `fewSteps`) where a
//      contender's warm-up step took over 20 s, or where the configuration is over 10 GFLOP per
//      step (DESIGN.md section 8).
//   6. our step by kernel family (page/kernelProfile.js), after the timing.
// TF.js best is the fastest measured TF.js contender of the configuration, any backend; the ratio
// is TF.js best ÷ ours (how many times faster ours is; the issue's targets are ≥ 10× and ≥ 3×).
// The floor model of our step: dispatches × the per-dispatch floor + readbacks × the submit+readback
// floor + the step's FLOPs ÷ our matmul rate, all measured in the same page; ours ÷ floor says how
// far the step is above what the adapter allows for its work.
//
// The two large configurations are timed at a shorter sequence (TIMED_T, every contender alike)
// because TF.js's webgpu backend needs about 0.75 s (B64 H256) and 4.6 s (B128 H512) per
// timestep on this adapter (measured here; one full-length step would take 75 s and 15 min):
// their ratios are measured at that T; their ms/step at the full T are the measured ones scaled
// by T/T' (an upper bound: the step's fixed part, the Adam update and the readback, is scaled
// too), flagged `extrapolated`.
//
// Dispatches and submits per step: GPUComputePassEncoder.prototype.dispatchWorkgroups and
// GPUQueue.prototype.submit are wrapped before any script runs (page/gpuCounters.js), counted
// around each step of each contender.
//
// Output: progress on stderr; the Markdown on stdout (bench/browserReport.mjs); JSON in
// bench/results/browser-<date>.json and browser-latest.json, Markdown in browser-latest.md
// (with --quick, --only, --steps, --backends or --variants: browser-quick-*, so the full table is
// not replaced by a partial one).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { launchChromium } from '../scripts/lib/browser.mjs';
import { startServer, ROOT } from './browserServer.mjs';
import { installGpuCounters } from './page/gpuCounters.js';
import { stepFlops, FLOP_FORMULA } from './flops.mjs';
import { markdown, floorModel } from './browserReport.mjs';

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

/** TF.js backends, in table order; wasm2 is wasm with 2 threads in a page of its own (see the header). */
const BACKENDS = ['webgpu', 'webgl', 'cpu', 'wasm', 'wasm2'];
const VARIANTS = ['layers', 'cell'];
const WASM2_THREADS = 2, WASM2_HARDWARE_CONCURRENCY = 4;
/** Added to scripts/lib/browser.mjs's flags: WebGL on SwiftShader; no shader cache shared between pages. */
const CHROMIUM_EXTRA_FLAGS = ['--enable-unsafe-swiftshader', '--disable-gpu-shader-disk-cache'];
const VERIFY_RTOL = 1e-3, LN_C_RTOL = 0.25;
const FEW_STEPS = 3, SLOW_STEP_MS = 20_000, FEW_STEPS_GFLOP = 10;
/** A TF.js backend whose first step takes (or is predicted to take) longer is not run (see the header). */
const SKIP_FIRST_STEP_S = 60;
/** Earlier configurations under this many GFLOP per step do not predict a backend's rate (fixed costs rule them). */
const PREDICT_FROM_GFLOP = 0.1;
/** Pairs (full step, step without one family) per family in the kernel profile (page/kernelProfile.js). */
const PROFILE_PAIRS = 5, PROFILE_PAIRS_FEW = 1;
/** The matmul rate probe's shape (page/matmulRate.js). */
const MATMUL_PROBE = { M: 1024, N: 1024, K: 512, reps: 3 };

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
    seed: { type: 'string' }, steps: { type: 'string' }, backends: { type: 'string' }, variants: { type: 'string' },
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
/** A comma-separated subset of `known` (in `known`'s order), or all of it. */
const listOption = (name, known, allowEmpty) => {
  const v = values[name];
  if (v === undefined) return [...known];
  const got = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = got.find((x) => !known.includes(x));
  if (bad !== undefined) usage(`--${name}: unknown ${JSON.stringify(bad.slice(0, 40))} (expected some of ${known.join(', ')})`);
  if (!got.length && !allowEmpty) usage(`--${name} expects some of ${known.join(', ')} separated by commas, received ${JSON.stringify(v.slice(0, 40))}`);
  return known.filter((x) => got.includes(x));
};
const quick = values.quick ?? false;
const only = values.only?.split(',').map((l) => l.trim());
const unknown = only?.filter((l) => !CONFIGS.some((c) => c.label === l));
if (unknown?.length) usage(`--only: unknown configuration ${JSON.stringify(unknown[0])} (configurations: ${CONFIGS.map((c) => JSON.stringify(c.label)).join(', ')})`);
const seed = intOption('seed', 1, 0);
/** Measured steps per contender (10; fewer only for a quick look at the harness, flagged). */
const STEPS = intOption('steps', 10, 1);
/** --backends '' (an empty list) times ours alone. */
const backends = listOption('backends', BACKENDS, true);
const variants = listOption('variants', VARIANTS, false);
const scaling = !quick && !only && !values['no-scaling'] && values.backends === undefined && values.variants === undefined;
const CONTENDERS = ['ours', ...backends.flatMap((b) => variants.map((v) => `tfjs-${b}-${v}`))];
/** TF.js backends the main page starts (wasm2 runs in its own page). */
const MAIN_TF_BACKENDS = backends.filter((b) => b !== 'wasm2');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 4) => (x === null || x === undefined || !Number.isFinite(x) ? x ?? null : Number(x.toPrecision(d)));
const roundAll = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
const gflopOf = (spec, B, T) => stepFlops({ cell: 'lstm', inputSize: spec.I, hiddenSize: spec.H, numLayers: spec.L, outputSize: spec.C, outputs: spec.outputs }, B, T).step / 1e9;
const backendOf = (name) => (name === 'ours' ? 'ours' : name.split('-')[1]);
const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** The page a contender lives in, brought to the front (a hidden page's timers are throttled) when it is not. */
async function pageFor(pages, name) {
  const page = backendOf(name) === 'wasm2' ? pages.wasm2 : pages.main;
  if (!page) throw new Error(`${name}: its page is not open`);
  if (pages.front !== page) {
    await page.bringToFront();
    pages.front = page;
  }
  return page;
}

async function step(pages, name) {
  const page = await pageFor(pages, name);
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

/**
 * A backend's predicted first step at `gflop`, from its first step on the largest earlier
 * configuration of at least PREDICT_FROM_GFLOP (rates grow with size, so this errs long), or null.
 */
function predictFirstStep(history, backend, gflop) {
  const earlier = (history[backend] ?? []).filter((h) => h.gflop >= PREDICT_FROM_GFLOP);
  if (!earlier.length) return null;
  const from = earlier.reduce((a, b) => (b.gflop > a.gflop ? b : a));
  const gflops = from.gflop / (from.ms / 1000);
  return { ms: (gflop / gflops) * 1000, gflops, from: from.label };
}

async function benchConfig(pages, c, history) {
  const T = TIMED_T[c.label] ?? c.T;
  const gflop = gflopOf(c.spec, c.B, c.T), gflopTimed = gflopOf(c.spec, c.B, T);
  const fewStepsConfig = gflop > FEW_STEPS_GFLOP;
  const row = {
    label: c.label, B: c.B, T: c.T, timedT: T, extrapolated: T !== c.T, spec: c.spec,
    gflopPerStep: round(gflop), gflopTimed: round(gflopTimed), target: c.small ? TARGET.small : TARGET.large,
    fewSteps: fewStepsConfig, firstStep: null, floors: null, matmul: null,
    verify: {}, contenders: {}, chosen: {}, skipped: {}, ratio: null, notes: [],
  };
  if (row.extrapolated) row.notes.push(`timed at T=${T} (every contender); ms/step at T=${c.T} scaled ×${c.T / T}`);
  const job = { spec: c.spec, B: c.B, T, seed };
  const main = pages.main;

  // 0. Our time to first step, cold: the first thing of this engine in the page.
  try {
    const f = await main.evaluate((j) => globalThis.benchPage.firstStep(j), job);
    row.firstStep = { ...roundAll(f), atT: T };
    log(`  time to first step: ${f.totalMs.toFixed(0)} ms (createEngine ${f.createEngineMs.toFixed(0)} ms + first step ${f.firstStepMs.toFixed(0)} ms, ${f.pipelinesAtFirstStep} pipelines; tuning settled at ${f.tuningSettledMs.toFixed(0)} ms)`);
  } catch (e) {
    row.firstStep = { error: e.message };
    row.notes.push(`time to first step: ${e.message}`);
  }
  // 1. The adapter's floors and our matmul rate, on devices of their own.
  try {
    row.floors = await main.evaluate(() => globalThis.benchPage.floors());
  } catch (e) {
    row.notes.push(`floors: ${e.message}`);
  }
  try {
    row.matmul = roundAll(await main.evaluate((o) => globalThis.benchPage.matmulRate(o), { ...pages.matmulProbe, ...MATMUL_PROBE }));
  } catch (e) {
    row.matmul = { error: e.message };
    row.notes.push(`matmul rate: ${e.message}`);
  }
  log(`  floors ${row.floors ? `${row.floors.dispatchUs.toFixed(1)} µs/dispatch, ${row.floors.submitUs.toFixed(1)} µs/submit, ${row.floors.roundTripMs.toFixed(2)} ms submit+readback` : '–'}; matmul ${row.matmul.gflops ?? '–'} GFLOP/s`);

  // 2. The contenders, in their pages.
  const inWasm2 = (n) => backendOf(n) === 'wasm2';
  const made = await main.evaluate((j) => globalThis.benchPage.prepare(j), { ...job, names: CONTENDERS.filter((n) => !inWasm2(n)) });
  const wasm2Names = CONTENDERS.filter(inWasm2);
  if (wasm2Names.length) {
    if (pages.wasm2Error) for (const n of wasm2Names) made[n] = { ok: false, error: pages.wasm2Error };
    else Object.assign(made, await pages.wasm2.evaluate((j) => globalThis.benchPage.prepare(j), { ...job, names: wasm2Names }));
  }
  const alive = [];
  const drop = (name) => { const i = alive.indexOf(name); if (i >= 0) alive.splice(i, 1); };
  for (const name of CONTENDERS) {
    if (made[name]?.ok) alive.push(name);
    else { row.contenders[name] = { error: `not made: ${made[name]?.error ?? 'unknown'}` }; row.notes.push(`${name}: not made (${made[name]?.error})`); }
  }

  // Verify our engine against the float64 reference, on the timed batch.
  const t0 = performance.now();
  await pageFor(pages, 'ours');
  const v = await main.evaluate(() => globalThis.benchPage.verifyOurs());
  const rel = Math.abs(v.gpuLoss - v.cpuLoss) / Math.abs(v.cpuLoss);
  row.verify.ours = { gpuLoss: v.gpuLoss, cpuLoss: v.cpuLoss, relDiff: round(rel, 3), cpuStepMs: round(v.cpuMs), ok: rel <= VERIFY_RTOL };
  log(`  verify: ours ${v.gpuLoss} vs cpu ${v.cpuLoss} (rel ${rel.toExponential(2)}) ${row.verify.ours.ok ? 'OK' : 'NOT OK'} [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
  if (!row.verify.ours.ok) {
    row.notes.push('ours: verification failed, not timed');
    row.contenders.ours = { error: `verification failed (rel. ${rel.toExponential(1)})` };
    drop('ours');
  }

  // First steps (TF.js verified here: same weights, so the float64 loss is its reference too), by
  // backend, with the skip rule for slow backends.
  const warm = {};
  const firstMs = {}, firstOf = {};
  for (const backend of ['ours', ...backends]) {
    const names = alive.filter((n) => backendOf(n) === backend);
    if (!names.length) continue;
    const pred = backend === 'ours' ? null : predictFirstStep(history, backend, gflopTimed);
    if (pred && pred.ms > SKIP_FIRST_STEP_S * 1000) {
      row.skipped[backend] = { why: `skipped: first step predicted ≈ ${seconds(pred.ms)} > ${SKIP_FIRST_STEP_S} s (${round(pred.gflops, 3)} GFLOP/s on ${pred.from})`, predictedMs: round(pred.ms) };
      row.notes.push(`${backend}: ${row.skipped[backend].why}`);
      log(`  ${backend}: ${row.skipped[backend].why}`);
      for (const n of names) { row.contenders[n] = { skipped: row.skipped[backend].why }; drop(n); }
      continue;
    }
    for (const name of names) {
      if (row.skipped[backend]) { row.contenders[name] = { skipped: row.skipped[backend].why }; drop(name); continue; }
      try {
        const r = await step(pages, name);
        row.contenders[name] = { firstStepMs: round(r.ms), firstLoss: r.loss };
        warm[name] = [];
        firstMs[name] = r.ms;
        firstOf[backend] = Math.min(firstOf[backend] ?? Infinity, r.ms);
        log(`  first step ${name}: ${r.ms.toFixed(0)} ms, loss ${r.loss}`);
        if (name !== 'ours') {
          row.verify[name] = verifyTfjs(r.loss, v.cpuLoss, c.spec.C);
          if (!row.verify[name].ok) {
            row.contenders[name].error = `verify failed: loss ${round(r.loss)} vs float64 ${round(v.cpuLoss)} (rel. ${row.verify[name].relDiff})`;
            row.notes.push(`${name}: ${row.contenders[name].error}, not timed`);
            drop(name);
          }
          if (r.ms > SKIP_FIRST_STEP_S * 1000) {
            row.skipped[backend] = { why: `skipped: first step ${seconds(r.ms)} > ${SKIP_FIRST_STEP_S} s`, firstStepMs: round(r.ms) };
            row.contenders[name].skipped = row.skipped[backend].why;
            row.notes.push(`${name}: ${row.skipped[backend].why}`);
            drop(name);
          }
        }
      } catch (e) {
        row.contenders[name] = { error: e.message };
        row.notes.push(`${name}: ${e.message}`);
        drop(name);
      }
    }
    if (backend !== 'ours' && Number.isFinite(firstOf[backend])) (history[backend] ??= []).push({ label: c.label, gflop: gflopTimed, ms: firstOf[backend] });
  }
  // Warm-up step, then the faster TF.js variant per backend. A backend whose first steps took over
  // SLOW_STEP_MS warms up only its variant with the faster first step (the other is not timed).
  for (const backend of backends) {
    const vs = alive.filter((n) => backendOf(n) === backend);
    const fastest = Math.min(...vs.map((x) => firstMs[x]));
    if (vs.length < 2 || fastest <= SLOW_STEP_MS) continue;
    for (const n of vs.filter((x) => firstMs[x] > fastest)) {
      row.contenders[n].notTimed = `first step over ${SLOW_STEP_MS / 1000} s and slower than the other variant's: not warmed up or timed`;
      row.notes.push(`${n}: ${row.contenders[n].notTimed}`);
      drop(n);
    }
  }
  for (const name of [...alive]) {
    try {
      const r = await step(pages, name);
      warm[name].push(r.ms);
      row.contenders[name].warmupMs = [round(r.ms)];
      log(`  warm-up ${name}: ${r.ms.toFixed(0)} ms (${r.dispatches} dispatches, ${r.submits} submits)`);
    } catch (e) {
      row.contenders[name].error = e.message;
      row.notes.push(`${name}: ${e.message}`);
      drop(name);
    }
  }
  for (const backend of backends) {
    const vs = alive.filter((n) => backendOf(n) === backend).sort((a, b) => warm[a][0] - warm[b][0]);
    if (vs.length) row.chosen[backend] = vs[0];
  }
  const timed = ['ours', ...backends.map((b) => row.chosen[b])].filter((n) => n && alive.includes(n));

  // Alternating measured rounds.
  const cap = Object.fromEntries(timed.map((n) => [n, fewStepsConfig || warm[n][0] > SLOW_STEP_MS ? Math.min(FEW_STEPS, STEPS) : STEPS]));
  const samples = Object.fromEntries(timed.map((n) => [n, []]));
  const rounds = Math.max(0, ...Object.values(cap));
  for (let r = 0; r < rounds; r++) {
    const order = timed.map((_, i) => timed[(i + r) % timed.length]);
    for (const name of order) {
      if (samples[name].length >= cap[name] || row.contenders[name].error) continue;
      try {
        samples[name].push(await step(pages, name));
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
      await pageFor(pages, 'ours');
      row.kernelProfile = await main.evaluate((o) => globalThis.benchPage.profile(o), { pairs: fewStepsConfig ? PROFILE_PAIRS_FEW : PROFILE_PAIRS });
      log(`  kernels: ${row.kernelProfile.families.slice(0, 5).map((f) => `${f.family} ×${f.dispatches} ${f.ms.toFixed(1)} ms`).join(', ')} (step ${row.kernelProfile.fullMs.toFixed(1)} ms)`);
    } catch (e) {
      row.notes.push(`kernel profile: ${e.message}`);
    }
  }

  // Ratio: TF.js's best (any backend) ÷ ours, medians at the timed T; and our floor model.
  const ours = row.contenders.ours?.msPerStep;
  const tf = timed.filter((n) => n !== 'ours' && row.contenders[n]?.msPerStep);
  if (tf.length) row.tfjsBest = tf.reduce((a, b) => (row.contenders[a].msPerStep <= row.contenders[b].msPerStep ? a : b));
  if (ours && row.tfjsBest) {
    row.ratio = round(row.contenders[row.tfjsBest].msPerStep / ours, 3);
    row.meetsTarget = row.ratio >= row.target;
  }
  row.floorModel = floorModel(row);
  for (const page of [main, pages.wasm2]) await page?.evaluate(() => globalThis.benchPage.release());
  return row;
}

/** Our step time over T (at H128) and H (at T50), base B64 I64 L1 C64. */
async function benchScaling(pages) {
  const page = pages.main;
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
      const first = await step(pages, 'ours');
      const okLoss = Number.isFinite(first.loss) && Math.abs(first.loss / Math.log(spec.C) - 1) <= LN_C_RTOL;
      if (!okLoss) throw new Error(`first-step loss ${first.loss} is not near ln(C) = ${Math.log(spec.C).toFixed(3)}`);
      const w = await step(pages, 'ours');
      const n = Math.max(FEW_STEPS, Math.min(STEPS, Math.floor(SCALING_TARGET_MS / w.ms)));
      const samples = [];
      for (let i = 0; i < n; i++) samples.push(await step(pages, 'ours'));
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

/** The shipped matmul kernel and its default tile, for the page's rate probe (page/matmulRate.js). */
async function matmulProbe() {
  const { KERNELS } = await import('../dist/webgpu/kernels/generated.js');
  const { MATMUL_DEFAULTS, matmulWorkgroups } = await import('../dist/webgpu/kernels/grids.js');
  const k = KERNELS.matmul;
  if (!k) throw new Error('dist/webgpu/kernels/generated.js has no matmul kernel: run `npm run build`');
  return { source: k.source, info: k.info, overrides: { ...MATMUL_DEFAULTS }, workgroups: matmulWorkgroups(MATMUL_PROBE.M, MATMUL_PROBE.N, MATMUL_DEFAULTS) };
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
  const probe = await matmulProbe();
  const server = await startServer();
  const pageErrors = [], pageNotes = [];
  let browser;
  try {
    browser = await launchChromium({ timeout: 120_000, protocolTimeout: 30 * 60_000, extraFlags: CHROMIUM_EXTRA_FLAGS });
    const browserVersion = await browser.version();
    const wasmPath = `${server.url}tfjs-wasm/`;

    const openPage = async (what, hardwareConcurrency = null) => {
      const page = await browser.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${what}: ${err}`));
      page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`${what}: console.error: ${msg.text()}`); });
      if (hardwareConcurrency !== null) {
        page.cdp = await page.createCDPSession();
        await page.cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency });
      }
      await page.evaluateOnNewDocument(installGpuCounters);
      await page.goto(server.url, { waitUntil: 'load', timeout: 120_000 });
      await page.waitForFunction(() => globalThis.benchPage !== undefined, { timeout: 120_000 });
      return page;
    };
    // A fresh page (and a fresh wasm2 page where asked) per configuration, in the one browser:
    // TF.js's buffer pools and every device of the last configuration go with its page, and a
    // device lost there does not end the run. The wasm2 page opens first, so that the main page
    // is the front one from the start.
    const withPages = async (what, { wasm2, tfjs = true }, fn) => {
      const pages = { main: null, wasm2: null, front: null, wasm2Error: null, matmulProbe: probe };
      try {
        if (wasm2) {
          pages.wasm2 = await openPage(`${what} (wasm2)`, WASM2_HARDWARE_CONCURRENCY);
          pages.wasm2Env = await pages.wasm2.evaluate((o) => globalThis.benchPage.init(o), { wasmPath, backends: ['wasm'], wasmThreads: WASM2_THREADS });
          const w = pages.wasm2Env.backends.wasm;
          if (!w.ok) pages.wasm2Error = `TF.js wasm did not start in its 2-thread page: ${w.error}`;
          else if (w.threads !== WASM2_THREADS) pages.wasm2Error = `TF.js wasm runs ${w.threads} thread(s) in its page, not ${WASM2_THREADS} (hardwareConcurrency ${pages.wasm2Env.hardwareConcurrency}, multithread ${w.multithread})`;
        }
        pages.main = await openPage(what);
        pages.front = pages.main;
        pages.env = await pages.main.evaluate((o) => globalThis.benchPage.init(o), { wasmPath, backends: tfjs ? MAIN_TF_BACKENDS : [] });
        const out = await fn(pages);
        for (const p of [pages.main, pages.wasm2]) if (p) pageNotes.push(...(await p.evaluate(() => globalThis.benchPage.takeNotes())).map((n) => `${what}: ${n}`));
        return out;
      } finally {
        for (const p of [pages.wasm2, pages.main]) await p?.close().catch(() => undefined);
      }
    };

    const env = await withPages('environment', { wasm2: backends.includes('wasm2') }, async (pages) => {
      const ours = await pages.main.evaluate(() => globalThis.benchPage.ourInfo());
      const floors = await pages.main.evaluate(() => globalThis.benchPage.floors());
      let matmul;
      try {
        matmul = roundAll(await pages.main.evaluate((o) => globalThis.benchPage.matmulRate(o), { ...probe, ...MATMUL_PROBE }));
      } catch (e) {
        matmul = { error: e.message };
      }
      return { ...pages.env, ...ours, floors, matmul, wasm2: pages.wasm2Env ? { ...pages.wasm2Env.backends.wasm, hardwareConcurrency: pages.wasm2Env.hardwareConcurrency, error: pages.wasm2Error } : null };
    });
    const tfjsBackends = { ...env.backends, ...(env.wasm2 ? { wasm2: env.wasm2 } : {}) };
    log(`${browserVersion}; adapter ${JSON.stringify(env.adapter)}; TF.js ${env.tfjsVersion}: ${JSON.stringify(tfjsBackends)}`);
    log(`environment: floors ${env.floors.dispatchUs.toFixed(1)} µs/dispatch, ${env.floors.roundTripMs.toFixed(2)} ms submit+readback; matmul ${env.matmul.gflops ?? env.matmul.error} GFLOP/s`);
    const configs = CONFIGS.filter((c) => (only ? only.includes(c.label) : !quick || c.small));
    const rows = [];
    const history = {};
    for (const c of configs) {
      log(`${c.label}: B${c.B} T${c.T}${TIMED_T[c.label] ? ` (timed at T=${TIMED_T[c.label]})` : ''}`);
      try {
        rows.push(await withPages(c.label, { wasm2: backends.includes('wasm2') }, (pages) => benchConfig(pages, c, history)));
      } catch (e) {
        log(`  error: ${e.stack ?? e.message}`);
        rows.push({ label: c.label, B: c.B, T: c.T, spec: c.spec, error: e.message, notes: [] });
      }
      const r = rows.at(-1);
      if (r.ratio !== undefined && r.ratio !== null) log(`  ratio TF.js best (${r.tfjsBest}) ÷ ours: ${r.ratio} (target ${r.target})`);
      if (r.floorModel) log(`  floor model ${r.floorModel.ms.toFixed(2)} ms; ours ÷ floor ${r.floorModel.oursOverFloor.toFixed(1)}`);
    }
    let scalingRows = null;
    if (scaling) {
      try {
        scalingRows = await withPages('scaling', { wasm2: false, tfjs: false }, (pages) => benchScaling(pages));
      } catch (e) {
        log(`scaling: error: ${e.stack ?? e.message}`);
        scalingRows = { error: e.message };
      }
    }
    machine.loadavgEnd = os.loadavg();
    const date = new Date().toISOString();
    const report = {
      format: 'webgpu-lstm-bench-browser', version: 2, date, command, quick, seed, steps: STEPS, backends, variants,
      browser: browserVersion, chromiumExtraFlags: CHROMIUM_EXTRA_FLAGS, adapter: env.adapter,
      tfjs: { version: env.tfjsVersion, backends: tfjsBackends },
      crossOriginIsolated: env.crossOriginIsolated, hardwareConcurrency: env.hardwareConcurrency, machine, floors: env.floors, matmul: env.matmul,
      model: 'stacked LSTM (PyTorch gates i, f, g, o; σ σ tanh σ) + dense softmax head on h, mean cross-entropy, Adam lr 1e-3; same initial weights (this engine\'s seed) in every contender',
      flopFormula: FLOP_FORMULA, verifyTolerance: VERIFY_RTOL, lnCTolerance: LN_C_RTOL, skipFirstStepS: SKIP_FIRST_STEP_S,
      timedT: TIMED_T, configs: rows, scaling: scalingRows, pageErrors: pageErrors.slice(0, 20), pageNotes,
      totalSeconds: round((performance.now() - start) / 1000),
    };
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const partial = quick || only || STEPS !== 10 || values.backends !== undefined || values.variants !== undefined;
    const stem = partial ? 'browser-quick' : 'browser';
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
