#!/usr/bin/env node
// Training-step benchmark of the WebGPU engine in Node (Dawn; SwiftShader where there is no GPU),
// against the float64 cpu engine measured in the same run.
//
//   npm run bench:node            (builds dist/, then runs this file)
//   node bench/node.mjs [--budget-s 570] [--only label,label] [--seed 1] [--profile | --no-profile] [--json PATH]
//                       [--first-step-runs 3 | --no-first-step]
//
// The configurations are exactly those of the WebGPU engine issue (DESIGN.md section 8); their
// names are labels. Each is one LSTM, Adam (lr 1e-3), softmax cross-entropy, random data.
// For each configuration, in this order:
//   1. verify: one step on the GPU and one on the cpu engine from the same seed and batch; the two
//      losses must agree to 1e-3 relative (only where the cpu engine runs the configuration);
//   2. warm up: 2 steps;
//   3. time: the median wall-clock ms of N steps, each `await trainer.step(x, y)` (forward,
//      backward, Adam update, loss readback: one submit, one map). N ≥ 10; configurations over
//      10 GFLOP per step run at most 3 measured steps and are flagged `fewSteps`.
// Dispatches and submits per step are the engine's counter deltas over the measured steps.
// GFLOP per step: bench/flops.mjs (matmul multiply-adds; step = 3 × forward).
//
// Time budget. The whole run aims at --budget-s seconds (default 570). Each configuration gets
// an equal share of what is left when it starts. Before a configuration runs, its step time is
// predicted from the GFLOP/s of the last one of at least 0.5 GFLOP (tiny ones are
// dispatch-bound). Where even its first step would not fit what is left of the budget (less a
// minute for each later configuration), the benchmark times the same model at a shorter sequence
// T' (three steps fitting its share) and scales the time by T/T' (every matmul of a step is
// linear in T), flagged `extrapolated`. Where the share allows fewer warm-up or measured steps
// than asked, the row's notes say so: under 10 GFLOP never fewer than ten measured steps; above,
// the pipelines are compiled first by one step of a throwaway model at T = 2 (pipelines are keyed
// by kernel and overrides, not shape), so the verify step is warm apart from allocating the
// arena, and where no further step fits, the verify step is the one timed step (said in the
// notes). The cpu engine runs bitpair, echo and mnist-rows fully, and a larger configuration only
// where its step is predicted under CPU_MAYBE_S seconds; then its verify step is also one of its
// timed steps.
//
// The machine is shared: wall-clock times move with the load of other processes. Each row also
// gives the process CPU time per step (Dawn's and SwiftShader's threads run inside this process),
// and the JSON records the load average before and after.
//
// Time to first step: before anything else, bench/firstStep.mjs runs --first-step-runs times (3)
// as a fresh `node` process each: process start (performance.timeOrigin) → the first finished
// bitpair step (B50 T50 H5 L2), with createEngine's default options, pipeline compiles included;
// the median run is reported, with its parts (Node start + imports, createEngine, first step).
// The benchmark's own engine uses tuning 'measure' (the first pass of a shape waits for the tuner's
// timings, so every timed step runs the settled plan).
//
// Output: a Markdown table on stdout (progress on stderr), and JSON in
// bench/results/node-<ISO date>.json and bench/results/node-latest.json.
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { createEngine } from '../dist/index.js';
import { randomBatch } from '../dist/check.js';
import { Rng } from '../dist/rng.js';
import { FLOP_FORMULA, stepFlops } from './flops.mjs';
import { profilePlan } from './profile.mjs';

const CONFIGS = [
  { label: 'bitpair', B: 50, T: 50, cpu: 'always',
    cfg: { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' } },
  // echo's own model reads the head from c and h of the last layer (SEEDS.md section 2).
  { label: 'echo', B: 5, T: 15, cpu: 'always',
    cfg: { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', loss: 'softmax_ce', headFrom: 'ch' } },
  { label: 'mnist-rows', B: 64, T: 28, cpu: 'always',
    cfg: { cell: 'lstm', inputSize: 28, hiddenSize: 128, numLayers: 1, outputSize: 10, outputs: 'last', headSteps: 1, loss: 'softmax_ce' } },
  { label: 'B64 T100 I64 H256 L2 C64', B: 64, T: 100, cpu: 'if-fits',
    cfg: { cell: 'lstm', inputSize: 64, hiddenSize: 256, numLayers: 2, outputSize: 64, outputs: 'all', loss: 'softmax_ce' } },
  { label: 'B128 T200 I256 H512 L2 C256', B: 128, T: 200, cpu: 'never',
    cfg: { cell: 'lstm', inputSize: 256, hiddenSize: 512, numLayers: 2, outputSize: 256, outputs: 'all', loss: 'softmax_ce' } },
];

/** TF.js 4.22 in headless Chromium on this machine's SwiftShader (DESIGN.md section 6): context, not this run. */
const DESIGN_TFJS_MS = {
  'mnist-rows': { webgpu: 2800, wasm: 300 },
  'B64 T100 I64 H256 L2 C64': { webgpu: 77000, wasm: 15100, webgl: 8700 },
};

const OPTIMIZER = { name: 'adam', lr: 1e-3 };
const VERIFY_RTOL = 1e-3;
const WARMUP = 2;
const MIN_STEPS = 10, MAX_STEPS = 30, SMALL_TARGET_MS = 5000;
const FEW_STEPS_GFLOP = 10, FEW_STEPS_MAX = 3;
const CPU_MAYBE_S = 60;
const PREDICT_FROM_GFLOP = 0.5;

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const budgetS = Number(arg('--budget-s', 570));
const seed = Number(arg('--seed', 1));
const only = arg('--only', null)?.split(',');
// A trial run may write elsewhere: --json PATH writes only there (no dated file, no node-latest.json).
const jsonPath = arg('--json', null);
// Per-dispatch profile (bench/profile.mjs): by default of the configurations under 10 GFLOP.
const profileMode = argv.includes('--no-profile') ? 'none' : argv.includes('--profile') ? 'all' : 'small';
// Time to first step (bench/firstStep.mjs): fresh processes, the median reported.
const firstStepRuns = argv.includes('--no-first-step') ? 0 : Number(arg('--first-step-runs', 3));
if (!Number.isInteger(firstStepRuns) || firstStepRuns < 0) {
  process.stderr.write(`bench/node.mjs: --first-step-runs expects an integer ≥ 0, received ${JSON.stringify(arg('--first-step-runs', ''))}\n`);
  process.exit(2);
}
const FIRST_STEP_SCRIPT = fileURLToPath(new URL('./firstStep.mjs', import.meta.url));
const log = (msg) => process.stderr.write(`${msg}\n`);

const now = () => performance.now();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? x ?? null : Number(x.toPrecision(d + 1)));

/** One awaited training step: wall-clock ms and process CPU ms (all threads of this process). */
async function timedStep(trainer, x, y) {
  const c0 = process.cpuUsage(), t0 = now();
  const r = await trainer.step(x, y);
  const wallMs = now() - t0, cu = process.cpuUsage(c0);
  return { loss: r.loss, wallMs, cpuMs: (cu.user + cu.system) / 1000 };
}

/**
 * Warm-up then measured steps. Each warm-up step refines the estimate of a step's time; with
 * `capWarmup`, warm-up steps are dropped where they and one measured step would pass `deadline`.
 * `steps(estMs)` is the measured-step target, cut to what fits (never below minSteps). Where no
 * measured step fits (minSteps 0), `fallback` (the verify step and its counter deltas) is the sample.
 */
async function warmAndTime(trainer, x, y, { estMs, deadline, warmup, capWarmup, steps, minSteps, counters, fallback = null }) {
  const fits = (k) => now() + k * estMs <= deadline;
  const notes = [];
  let w = 0;
  while (w < warmup && (!capWarmup || fits(1 + Math.max(minSteps, 1)))) {
    estMs = (await timedStep(trainer, x, y)).wallMs;
    w++;
  }
  if (w < warmup) notes.push(`warm-up ${w} of ${warmup} steps (budget)`);
  const target = steps(estMs);
  let n = target;
  while (n > minSteps && !fits(n)) n--;
  if (n < target && minSteps < target) notes.push(`${n} of ${target} measured steps (budget)`);
  const c0 = counters ? { ...counters } : null;
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(await timedStep(trainer, x, y));
  const per = (k) => (c0 ? (counters[k] - c0[k]) / n : null);
  if (n === 0) {
    notes.push('timed: the verify step only (pipelines compiled before it; no further step fit the budget)');
    return {
      warmupSteps: w, steps: 1, includesVerifyStep: true, msPerStep: fallback.wallMs, cpuMsPerStep: fallback.cpuMs,
      samplesMs: [round(fallback.wallMs, 4)], ...fallback.perStep, lastLoss: fallback.loss, notes,
    };
  }
  return {
    warmupSteps: w, steps: n,
    msPerStep: median(samples.map((s) => s.wallMs)), cpuMsPerStep: median(samples.map((s) => s.cpuMs)),
    samplesMs: samples.map((s) => round(s.wallMs, 4)),
    dispatchesPerStep: per('dispatches'), submitsPerStep: per('submits'), buffersCreatedPerStep: per('buffersCreated'),
    lastLoss: samples.at(-1)?.loss, notes,
  };
}

/** Measured-step target: FEW_STEPS_MAX for fewSteps configurations, else 10–30 (about 5 s of steps). */
const stepTarget = (fewSteps) => (estMs) =>
  fewSteps ? FEW_STEPS_MAX : Math.max(MIN_STEPS, Math.min(MAX_STEPS, Math.floor(SMALL_TARGET_MS / Math.max(estMs, 1))));

/** Compiles the training pipelines with a throwaway model at a short sequence (same B and sizes). */
async function precompile(gpu, c, B) {
  const t0 = now();
  const m = gpu.createModel({ ...c.cfg, seed });
  const { x, y } = randomBatch(c.cfg, B, Math.min(2, c.T), new Rng(seed));
  await m.trainer({ optimizer: OPTIMIZER }).step(x, y);
  m.destroy();
  return now() - t0;
}

async function benchConfig(c, { gpu, cpu, deadline, hardLeftMs, gpuRate, cpuRate }) {
  const flops = stepFlops(c.cfg, c.B, c.T);
  const gflop = flops.step / 1e9;
  const fewSteps = gflop > FEW_STEPS_GFLOP;
  const row = {
    label: c.label, B: c.B, T: c.T, config: c.cfg, gflopPerStep: round(gflop, 4), fewSteps,
    verify: null, gpu: null, cpu: null, cpuOverGpu: null, cpuOverGpuCpuTime: null, notes: [],
  };

  // A shorter sequence only where the prediction says that the first step alone would not fit
  // what is left of the whole budget; the steps are then sized to this configuration's share.
  const predictedMs = gpuRate ? (gflop / gpuRate) * 1000 : null;
  const shareMs = deadline - now();
  let Trun = c.T;
  if (predictedMs !== null && predictedMs > hardLeftMs) {
    Trun = Math.max(1, Math.min(c.T, Math.floor((c.T * shareMs) / (3 * predictedMs))));
    row.notes.push(`predicted ${(predictedMs / 1000).toFixed(0)} s/step at ${gpuRate.toFixed(2)} GFLOP/s: timed at T=${Trun}, scaled ×${(c.T / Trun).toPrecision(3)}`);
  }
  const extrapolated = Trun !== c.T;
  const runCpu = !extrapolated && (c.cpu === 'always' || (c.cpu === 'if-fits' && cpuRate !== null && gflop / cpuRate <= CPU_MAYBE_S));
  if (c.cpu === 'if-fits' && !runCpu) row.notes.push(`cpu engine skipped (predicted over ${CPU_MAYBE_S} s a step)`);

  const { x, y } = randomBatch(c.cfg, c.B, Trun, new Rng(seed));
  if (fewSteps && !extrapolated) row.precompileMs = round(await precompile(gpu, c, c.B), 4);

  // 1. Verify: the first step's loss (before any update) on both engines, same seed and batch.
  const gm = gpu.createModel({ ...c.cfg, seed });
  const gt = gm.trainer({ optimizer: OPTIMIZER });
  const k0 = { ...gpu.counters };
  const first = await timedStep(gt, x, y);
  first.perStep = { dispatchesPerStep: gpu.counters.dispatches - k0.dispatches, submitsPerStep: gpu.counters.submits - k0.submits, buffersCreatedPerStep: null };
  log(`  gpu first step ${first.wallMs.toFixed(0)} ms, loss ${first.loss}`);
  let cm = null, ct = null, cpuFirst = null;
  if (runCpu) {
    cm = cpu.createModel({ ...c.cfg, seed });
    ct = cm.trainer({ optimizer: OPTIMIZER });
    cpuFirst = await timedStep(ct, x, y);
    const rel = Math.abs(first.loss - cpuFirst.loss) / Math.max(Math.abs(cpuFirst.loss), 1e-12);
    row.verify = { gpuLoss: first.loss, cpuLoss: cpuFirst.loss, relDiff: rel, tolerance: VERIFY_RTOL, ok: rel <= VERIFY_RTOL };
    log(`  cpu first step ${cpuFirst.wallMs.toFixed(0)} ms, loss ${cpuFirst.loss}: ${row.verify.ok ? 'OK' : 'NOT OK'} (rel ${rel.toExponential(2)})`);
    if (!row.verify.ok) {
      row.notes.push('verification failed: not timed');
      gm.destroy(); cm.destroy();
      return row;
    }
  } else if (!Number.isFinite(first.loss)) {
    row.verify = { gpuLoss: first.loss, ok: false };
    row.notes.push('non-finite loss: not timed');
    gm.destroy();
    return row;
  }

  // 2–3. GPU warm-up and measured steps. The cpu engine's share is kept out of the GPU's deadline.
  const cpuReserveMs = runCpu ? (fewSteps ? 0 : (WARMUP + MIN_STEPS) * cpuFirst.wallMs) : 0;
  // At least ten measured steps under 10 GFLOP; above, none need follow a precompiled verify step,
  // but a cold one (extrapolated runs compile in their first step) needs one.
  const minSteps = !fewSteps ? MIN_STEPS : extrapolated ? 1 : 0;
  const { notes: gNotes, ...g } = await warmAndTime(gt, x, y, {
    estMs: first.wallMs, deadline: deadline - cpuReserveMs, warmup: WARMUP, capWarmup: fewSteps, steps: stepTarget(fewSteps), minSteps, counters: gpu.counters, fallback: first,
  });
  const scale = c.T / Trun;
  row.gpu = {
    firstStepMs: round(first.wallMs, 4), ...g,
    msPerStep: round(g.msPerStep * scale, 4), cpuMsPerStep: round(g.cpuMsPerStep * scale, 4),
    gflops: round(gflop / ((g.msPerStep * scale) / 1000), 4),
  };
  if (extrapolated) row.gpu.extrapolated = { fromT: Trun, factor: scale, msPerStepAtT: round(g.msPerStep, 4), gflopAtT: round(stepFlops(c.cfg, c.B, Trun).step / 1e9, 4) };
  row.notes.push(...gNotes);
  if (profileMode === 'all' || (profileMode === 'small' && !fewSteps)) {
    // The trainer's plan for this (B, T): the key matches the trainer's (no clipping, no learned state).
    const plan = await gm.plan('bench.profile', 'train', c.B, Trun, { h: false, c: false });
    const p = await profilePlan(gpu.device, plan, gpu.counters);
    row.gpu.profile = { ...p, emptySubmitMs: round(p.emptySubmitMs, 3), totalMs: round(p.totalMs, 4),
      roles: p.roles.map((r) => ({ ...r, ms: round(r.ms, 4), usPerDispatch: round(r.usPerDispatch, 4), share: round(r.share, 3) })) };
  }
  gm.destroy();
  log(`  gpu ${row.gpu.msPerStep} ms/step${extrapolated ? ` (extrapolated from T=${Trun})` : ''}, ${g.steps} steps`);

  // The cpu engine: the same procedure; for fewSteps configurations its verify step is its sample
  // (no shader compile to warm up), plus whatever further steps fit its allowance.
  if (runCpu) {
    let cres;
    if (fewSteps) {
      const allowance = Math.min(deadline, now() + (CPU_MAYBE_S * 1000 - cpuFirst.wallMs));
      const more = [];
      while (more.length < FEW_STEPS_MAX - 1 && now() + cpuFirst.wallMs <= allowance) more.push(await timedStep(ct, x, y));
      const all = [cpuFirst, ...more];
      cres = { warmupSteps: 0, steps: all.length, includesVerifyStep: true,
        msPerStep: median(all.map((s) => s.wallMs)), cpuMsPerStep: median(all.map((s) => s.cpuMs)), samplesMs: all.map((s) => round(s.wallMs, 4)) };
      row.notes.push(`cpu: ${all.length} step(s), the verify step included`);
    } else {
      cres = await warmAndTime(ct, x, y, { estMs: cpuFirst.wallMs, deadline, warmup: WARMUP, capWarmup: false, steps: stepTarget(false), minSteps: MIN_STEPS, counters: null });
      delete cres.dispatchesPerStep; delete cres.submitsPerStep; delete cres.buffersCreatedPerStep;
      row.notes.push(...cres.notes.map((n) => `cpu: ${n}`));
      delete cres.notes;
    }
    row.cpu = { firstStepMs: round(cpuFirst.wallMs, 4), ...cres, msPerStep: round(cres.msPerStep, 4), cpuMsPerStep: round(cres.cpuMsPerStep, 4), gflops: round(gflop / (cres.msPerStep / 1000), 4) };
    row.cpuOverGpu = round(row.cpu.msPerStep / row.gpu.msPerStep, 3);
    // The same ratio in process CPU time, which moves less with the load of other processes.
    row.cpuOverGpuCpuTime = round(row.cpu.cpuMsPerStep / row.gpu.cpuMsPerStep, 3);
    cm.destroy();
    log(`  cpu ${row.cpu.msPerStep} ms/step, ${cres.steps} steps`);
  }
  if (DESIGN_TFJS_MS[c.label]) row.designTfjsMs = DESIGN_TFJS_MS[c.label];
  return row;
}

const fmtNum = (x) => (x === null || x === undefined ? '–' : Number(x.toPrecision(3)).toString());

function fmtMs(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function markdown(report) {
  const lines = [
    `WebGPU engine, Node: ${report.adapter.description} — ${report.machine.cpuModel} ×${report.machine.cpuCount}, load ${report.machine.loadavgStart.map((l) => l.toFixed(1)).join('/')} at start`,
    '',
    '| config | GFLOP/step | GPU ms/step | GPU CPU-time ms | GPU GFLOP/s | CPU ms/step | CPU GFLOP/s | CPU÷GPU time | CPU÷GPU CPU-time | dispatches/step | submits/step | verify (rel. loss diff) | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of report.configs) {
    const g = r.gpu, c = r.cpu;
    const gSteps = g ? ` (n=${g.steps}${g.extrapolated ? `, T=${g.extrapolated.fromT}` : ''})` : '';
    const verify = r.verify ? (r.verify.cpuLoss !== undefined ? `${r.verify.ok ? 'OK' : 'NOT OK'} ${r.verify.relDiff.toExponential(1)}` : (r.verify.ok ? 'OK' : 'NOT OK')) : '–';
    const notes = [r.fewSteps ? 'fewSteps' : null, g?.extrapolated ? 'extrapolated' : null, r.error ? `error: ${r.error}` : null, ...r.notes].filter(Boolean).join('; ');
    lines.push(`| ${r.label} | ${fmtNum(r.gflopPerStep)} | ${g ? fmtMs(g.msPerStep) + gSteps : '–'} | ${g ? fmtMs(g.cpuMsPerStep) : '–'} | ${fmtNum(g?.gflops)} | ${c ? `${fmtMs(c.msPerStep)} (n=${c.steps})` : '–'} | ${fmtNum(c?.gflops)} | ${fmtNum(r.cpuOverGpu)} | ${fmtNum(r.cpuOverGpuCpuTime)} | ${fmtNum(g?.dispatchesPerStep)}${g?.extrapolated ? ` (T=${g.extrapolated.fromT})` : ''} | ${fmtNum(g?.submitsPerStep)} | ${verify} | ${notes} |`);
  }
  for (const r of report.configs) {
    const p = r.gpu?.profile;
    if (!p) continue;
    lines.push('', `**${r.label}**: where a GPU step's time goes, one dispatch per submit less an empty submit (${p.emptySubmitMs.toFixed(1)} ms): sum ${fmtMs(p.totalMs)} ms against ${fmtMs(r.gpu.extrapolated ? r.gpu.extrapolated.msPerStepAtT : r.gpu.msPerStep)} ms a step${r.gpu.extrapolated ? ` (at T=${r.gpu.extrapolated.fromT})` : ''}.`, '',
      '| part of the step (kernel) | dispatches | ms | share | µs/dispatch |', '|---|---:|---:|---:|---:|');
    for (const k of p.roles.slice(0, 8)) lines.push(`| ${k.role}${k.role === k.kernel ? '' : ` (${k.kernel})`} | ${k.dispatches} | ${fmtMs(k.ms)} | ${(100 * k.share).toFixed(0)} % | ${fmtNum(k.usPerDispatch)} |`);
    if (p.roles.length > 8) {
      const rest = p.roles.slice(8);
      lines.push(`| ${rest.length} others | ${rest.reduce((a, k) => a + k.dispatches, 0)} | ${fmtMs(rest.reduce((a, k) => a + k.ms, 0))} | ${(100 * rest.reduce((a, k) => a + k.share, 0)).toFixed(0)} % | |`);
    }
  }
  const f = report.firstStep;
  if (f?.error) lines.push('', `Time to first step: error: ${f.error}`);
  else if (f) {
    const m = f.median;
    lines.push('', `Time to first step (${f.config}, a fresh \`node\` process each, median of ${f.runs}: ${f.all.map((r) => fmtMs(r.totalMs)).join(', ')} ms): ` +
      `**${fmtMs(m.totalMs)} ms** from process start to the first finished step = Node's start and the imports ${fmtMs(m.importMs)} ms + createEngine ${fmtMs(m.createEngineMs)} ms + createModel and the first step ${fmtMs(m.firstStepMs)} ms ` +
      `(${m.pipelinesCreated} pipelines compiled; tuning "${f.tuning}"); the second step took ${fmtMs(m.secondStepMs)} ms. Spawn → result in the parent: ${fmtMs(m.spawnToResultMs)} ms.`);
  }
  lines.push('', `GFLOP/step: ${FLOP_FORMULA}.`, 'CPU÷GPU > 1 means the WebGPU engine is faster than the float64 cpu engine. CPU-time: process CPU time per step (all threads), which moves less than wall-clock time with the load of other processes.',
    `Budget ${report.budgetS} s; ran ${report.totalSeconds.toFixed(0)} s. Shared machine: load ${report.machine.loadavgStart.map((l) => l.toFixed(1)).join('/')} → ${report.machine.loadavgEnd.map((l) => l.toFixed(1)).join('/')}; wall-clock times are noisy.`);
  return lines.join('\n');
}

function writeJson(path, obj) {
  const tmp = `${path}.tmp.json`;
  writeFileSync(tmp, `${JSON.stringify(obj, null, 2)}\n`);
  renameSync(tmp, path);
}

/** One run of bench/firstStep.mjs in a fresh process: its JSON line, plus spawn → that line in this process's clock. */
function firstStepRun() {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, [FIRST_STEP_SCRIPT, '--seed', String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', lineAt = null;
    child.stdout.on('data', (d) => { stdout += d; if (lineAt === null && stdout.includes('\n')) lineAt = now(); });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`bench/firstStep.mjs exited with ${code ?? signal}: ${stderr.trim().slice(-400)}`));
      try {
        resolve({ ...JSON.parse(stdout.trim().split('\n').at(-1)), spawnToResultMs: lineAt - t0 });
      } catch (e) {
        reject(new Error(`bench/firstStep.mjs printed no JSON line (${e.message}): ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/** Node's time to first step: `runs` fresh processes, one after another; the median run by totalMs. */
async function nodeFirstStep(runs) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const r = await firstStepRun();
    log(`  time to first step, run ${i + 1}/${runs}: ${r.totalMs.toFixed(0)} ms from process start (import ${r.importMs.toFixed(0)}, createEngine ${r.createEngineMs.toFixed(0)}, first step ${r.firstStepMs.toFixed(0)} ms; ${r.pipelinesCreated} pipelines)`);
    all.push(r);
  }
  const sorted = [...all].sort((a, b) => a.totalMs - b.totalMs);
  const med = sorted[(sorted.length - 1) >> 1];
  const pick = (r) => ({ totalMs: round(r.totalMs, 4), importMs: round(r.importMs, 4), createEngineMs: round(r.createEngineMs, 4), firstStepMs: round(r.firstStepMs, 4), secondStepMs: round(r.secondStepMs, 4), spawnToResultMs: round(r.spawnToResultMs, 4), pipelinesCreated: r.pipelinesCreated, loss: r.loss });
  return { config: 'bitpair B50 T50 I1 H5 L2 C4', runs: all.length, tuning: med.tuning, adapter: med.adapter, median: pick(med), all: all.map(pick) };
}

async function main() {
  const start = now(), end = start + budgetS * 1000;
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemGiB: round(os.totalmem() / 2 ** 30, 3), node: process.version, loadavgStart: os.loadavg(), loadavgEnd: null,
  };
  let firstStep = null;
  if (firstStepRuns > 0) {
    log('time to first step (fresh processes, bench/firstStep.mjs):');
    try {
      firstStep = await nodeFirstStep(firstStepRuns);
    } catch (e) {
      firstStep = { error: e.message };
      log(`  error: ${e.message}`);
    }
  }
  const gpu = await createEngine({ backend: 'webgpu', tuning: 'measure', log });
  const cpu = await createEngine({ backend: 'cpu' });
  log(`adapter: ${gpu.adapterInfo.description}`);
  const configs = CONFIGS.filter((c) => !only || only.includes(c.label));
  const rows = [];
  let gpuRate = null, cpuRate = null;
  for (let i = 0; i < configs.length; i++) {
    const c = configs[i];
    const deadline = now() + (end - now()) / (configs.length - i);
    // What this configuration may use at most: the rest of the budget less a minute for each later one.
    const hardLeftMs = end - now() - 60_000 * (configs.length - i - 1);
    log(`${c.label}: B${c.B} T${c.T} (${((deadline - now()) / 1000).toFixed(0)} s of budget)`);
    let row;
    try {
      row = await benchConfig(c, { gpu, cpu, deadline, hardLeftMs, gpuRate, cpuRate });
    } catch (e) {
      row = { label: c.label, B: c.B, T: c.T, config: c.cfg, gflopPerStep: round(stepFlops(c.cfg, c.B, c.T).step / 1e9, 4), error: e.message, notes: [] };
      log(`  error: ${e.stack ?? e.message}`);
    }
    rows.push(row);
    // Only configurations with real work predict the next one (tiny ones are dispatch-bound).
    if (row.gflopPerStep >= PREDICT_FROM_GFLOP && row.gpu?.gflops) gpuRate = row.gpu.gflops;
    if (row.gflopPerStep >= PREDICT_FROM_GFLOP && row.cpu?.gflops) cpuRate = row.cpu.gflops;
  }
  machine.loadavgEnd = os.loadavg();
  const date = new Date().toISOString();
  const report = {
    format: 'webgpu-lstm-bench-node', version: 2, date, adapter: gpu.adapterInfo, machine, budgetS, seed, firstStep,
    optimizer: OPTIMIZER, flopFormula: FLOP_FORMULA, verifyTolerance: VERIFY_RTOL,
    designTfjsNote: 'designTfjsMs: TF.js 4.22 per training step in headless Chromium on the same adapter, from DESIGN.md section 6; context only, not measured in this run',
    configs: rows, totalSeconds: (now() - start) / 1000,
  };
  gpu.destroy();
  cpu.destroy();
  process.stdout.write(`${markdown(report)}\n`);
  if (jsonPath) {
    writeJson(jsonPath, report);
    log(`wrote ${jsonPath}`);
  } else {
    const dir = new URL('./results/', import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    const dated = `${dir}node-${date.slice(0, 19).replace(/:/g, '-')}Z.json`;
    writeJson(dated, report);
    writeJson(`${dir}node-latest.json`, report);
    log(`wrote ${dated} and ${dir}node-latest.json`);
  }
  const failed = rows.some((r) => r.error || (r.verify && !r.verify.ok));
  process.exitCode = failed ? 1 : 0;
}

await main();
