/**
 * PROPOSED replacement for test/bench-browser.test.ts (bench/ owns no tests; move this file there).
 *
 * The browser benchmark's pieces that run without a browser: `webgpu-lstm bench`'s options (usage
 * errors before anything starts) and the Markdown report (ratios against TF.js's best backend,
 * the floor model of our step, the time to first step, the split of a GPU step into adapter
 * floors and kernel time, the note on a missed target, a skipped or failed backend said in its
 * cell). The benchmark itself runs in headless Chromium for many minutes (`npm run bench`), so no
 * test runs it.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { benchArgs } from '../src/cli/bench.js';
import { UsageError } from '../src/errors.js';
// @ts-expect-error: a plain .mjs module of the benchmark, without types
import { markdown, timeSplit, floorModel, backendCell } from '../bench/browserReport.mjs';

describe('webgpu-lstm bench: options', () => {
  it('passes its options on to bench/browser.mjs', () => {
    expect(benchArgs([])).toEqual([]);
    expect(benchArgs(['--quick', '--seed', '3', '--steps', '4'])).toEqual(['--quick', '--seed', '3', '--steps', '4']);
    expect(benchArgs(['--backends', 'webgl,wasm2', '--variants', 'cell'])).toEqual(['--backends', 'webgl,wasm2', '--variants', 'cell']);
    expect(benchArgs(['--only', 'echo,mnist-rows', '--no-scaling'])).toEqual(['--no-scaling', '--only', 'echo,mnist-rows']);
  });

  it('refuses bad options with a usage error naming them', () => {
    expect(() => benchArgs(['--fast'])).toThrow(UsageError);
    expect(() => benchArgs(['--steps', '0'])).toThrow(/--steps expects an integer ≥ 1, received "0"/);
    expect(() => benchArgs(['--only', ''])).toThrow(/--only expects configuration labels/);
    expect(() => benchArgs(['extra'])).toThrow(/unexpected argument "extra"/);
  });

  it('exits 2 with one line on stderr for an unknown option, configuration or backend, before any browser starts', () => {
    const bad = spawnSync(process.execPath, ['bin/webgpu-lstm.js', 'bench', '--fast'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const label = spawnSync(process.execPath, ['bin/webgpu-lstm.js', 'bench', '--only', 'nope'], { encoding: 'utf8', timeout: 60_000 });
    expect(label.status).toBe(2);
    expect(label.stdout).toBe('');
    expect(label.stderr).toMatch(/unknown configuration "nope" \(configurations: "bitpair", "echo"/);
    const backend = spawnSync(process.execPath, ['bench/browser.mjs', '--backends', 'webgpu,tpu'], { encoding: 'utf8', timeout: 60_000 });
    expect(backend.status).toBe(2);
    expect(backend.stdout).toBe('');
    expect(backend.stderr).toMatch(/--backends: unknown "tpu" \(expected some of webgpu, webgl, cpu, wasm, wasm2\)/);
  });
});

/** A report as bench/browser.mjs writes it, cut down to what the Markdown reads. */
function report() {
  const contender = (msPerStep: number, d: number | null, s: number | null, m: number | null) => ({
    measured: true, steps: 10, fewSteps: false, msPerStep, dispatchesPerStep: d, submitsPerStep: s, mapsPerStep: m,
  });
  const row = {
    label: 'echo', B: 5, T: 15, timedT: 15, extrapolated: false, gflopPerStep: 0.0002, gflopTimed: 0.0002, target: 10,
    floors: { dispatchUs: 20, submitUs: 30, roundTripMs: 2 }, matmul: { gflops: 2 },
    firstStep: { createEngineMs: 10, firstStepMs: 790, totalMs: 800, atT: 15 },
    verify: { ours: { ok: true, relDiff: 1e-8 }, 'tfjs-wasm-layers': { ok: true, relDiff: 1e-7 }, 'tfjs-webgl-cell': { ok: false, relDiff: 0.02 } },
    chosen: { webgpu: 'tfjs-webgpu-cell', wasm: 'tfjs-wasm-layers' }, tfjsBest: 'tfjs-wasm-layers', ratio: 3, meetsTarget: false,
    skipped: { cpu: { why: 'skipped: first step 75 s > 60 s' } },
    contenders: {
      ours: contender(10, 100, 1, 1), 'tfjs-webgpu-cell': contender(4000, 2500, 170, 1), 'tfjs-wasm-layers': contender(30, null, null, null),
      'tfjs-webgl-cell': { error: 'verify failed: loss 0.7 vs float64 0.69 (rel. 0.02)' }, 'tfjs-cpu-cell': { skipped: 'skipped: first step 75 s > 60 s' },
    },
    notes: [],
    kernelProfile: { fullMs: 8, pairs: 5, families: [{ family: 'lstm_layer_forward', dispatches: 3, ms: 4 }, { family: 'matmul_x', dispatches: 1, ms: 2 }] },
  };
  return {
    browser: 'Chrome/156', adapter: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true },
    backends: ['webgpu', 'webgl', 'cpu', 'wasm', 'wasm2'],
    tfjs: { version: '4.22.0', backends: { webgpu: { ok: true }, webgl: { ok: true, version: 2 }, cpu: { ok: true }, wasm: { ok: true, multithread: true, simd: true, threads: 1 }, wasm2: { ok: false, error: 'TF.js wasm runs 1 thread(s) in its page, not 2' } } },
    machine: { cpuModel: 'cpu', cpuCount: 2, loadavgStart: [1, 1, 1], loadavgEnd: [1, 1, 1] },
    floors: { dispatchUs: 20, submitUs: 30, roundTripMs: 2 }, matmul: { gflops: 2, M: 1024, N: 1024, K: 512 }, skipFirstStepS: 60,
    flopFormula: 'f', totalSeconds: 1, command: 'npm run bench', date: 'd', scaling: null,
    configs: [{ ...row, floorModel: floorModel(row) }],
  };
}

describe('browser benchmark report', () => {
  it('splits a GPU step into dispatch, submit and readback floors and the kernels', () => {
    const r = report();
    const s = timeSplit(r.configs[0], 'ours', r.floors);
    expect(s.dispatchMs).toBeCloseTo(2, 12); // 100 × 20 µs
    expect(s.submitMs).toBeCloseTo(0.03, 12);
    expect(s.readMs).toBe(2);
    expect(s.restMs).toBeCloseTo(10 - 2 - 0.03 - 2, 12);
  });

  it('models our step\'s floor: dispatches × floor + readbacks × round trip + FLOPs ÷ our matmul rate', () => {
    const f = floorModel(report().configs[0]);
    expect(f.dispatchMs).toBeCloseTo(2, 12);
    expect(f.readMs).toBe(2);
    expect(f.arithMs).toBeCloseTo(0.1, 12); // 0.0002 GFLOP at 2 GFLOP/s
    expect(f.ms).toBeCloseTo(4.1, 12);
    expect(f.oursOverFloor).toBeCloseTo(10 / 4.1, 12);
    expect(floorModel({ ...report().configs[0], matmul: { error: 'x' } })).toBeNull();
  });

  it('says in its cell why a backend has no time: skipped, verification failed', () => {
    const row = report().configs[0];
    expect(backendCell(row, 'cpu')).toBe('skipped: first step 75 s > 60 s');
    expect(backendCell(row, 'webgl')).toMatch(/^cell: verify failed: loss 0\.7 vs float64 0\.69/);
    expect(backendCell(row, 'wasm')).toBe('30.0 ms n=10 (layers)');
  });

  it('shows every backend, TF.js best, the ratio, the floor model and the time to first step in one table', () => {
    const md: string = markdown(report());
    expect(md).toContain('| config | GFLOP/step | ours | dispatches · submits (ours) | TF.js webgpu | TF.js webgl | TF.js cpu | TF.js wasm, 1 thread | TF.js wasm, 2 threads | TF.js best | TF.js best ÷ ours | floor model (ours) | ours ÷ floor | time to first step (ours, page) |');
    expect(md).toContain('| echo | 0.0002 | 10.0 ms n=10 | 100 · 1 | 4000 ms n=10 (cell) | cell: verify failed: loss 0.7 vs float64 0.69 (rel. 0.02) | skipped: first step 75 s > 60 s | 30.0 ms n=10 (layers) | – | wasm, 30.0 ms | **3** ✗ (target 10) | 4.1 ms | 2.44 | 800 ms (engine 10.0 ms + step 790 ms) |');
    expect(md).toContain('wasm (2 threads): TF.js wasm runs 1 thread(s) in its page, not 2');
    expect(md).toContain('floor model 4.1 ms = 100 dispatches × 20 µs (2.0 ms) + 1 readback × 2.0 ms + 0.0002 GFLOP at 2 GFLOP/s (100 µs); ours is 2.44× that.');
    expect(md).toContain('lstm_layer_forward ×3 4.0 ms (50 %), matmul_x ×1 2.0 ms (25 %); recurrent kernels 4.0 ms in 3 dispatches, the rest (matmuls, reductions, loss, update) 2.0 ms in 1.');
    expect(md).toMatch(/Target ≥ 10× TF\.js best \(wasm, 30\.0 ms\) needs ≤ 3\.0 ms: the dispatch and readback floors alone come to 4\.0 ms: only fewer dispatches close it\./);
    expect(md).toContain('TF.js 1 of 2 OK (≤ 1e-7)');
    expect(md).toContain('NOT OK: tfjs-webgl-cell');
  });

  it('says "within the noise" for a family whose leave-one-out difference came out below zero, never a negative time', () => {
    const r = report();
    r.configs[0]!.kernelProfile = { fullMs: 8, pairs: 1, families: [{ family: 'lstm_layer_forward', dispatches: 3, ms: 4 }, { family: 'matmul_x', dispatches: 1, ms: -1.7 }] };
    const md: string = markdown(r);
    expect(md).toContain('(step alone 8.0 ms, 1 pair: rough): lstm_layer_forward ×3 4.0 ms (50 %), matmul_x ×1 within the noise; recurrent kernels 4.0 ms in 3 dispatches, the rest (matmuls, reductions, loss, update) within the noise in 1.');
    expect(md).not.toMatch(/-\d[\d.]* (ms|µs)/);
  });
});
