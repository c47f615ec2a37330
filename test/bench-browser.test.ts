/**
 * The browser benchmark's pieces that run without a browser: `webgpu-lstm bench`'s options (usage
 * errors before anything starts) and the Markdown report (ratios, the split of a GPU step into
 * adapter floors and kernel time, the note on a missed target). The benchmark itself runs in
 * headless Chromium for minutes (`npm run bench`), so no test runs it.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { benchArgs } from '../src/cli/bench.js';
import { UsageError } from '../src/errors.js';
// @ts-expect-error: a plain .mjs module of the benchmark, without types
import { markdown, timeSplit } from '../bench/browserReport.mjs';

describe('webgpu-lstm bench: options', () => {
  it('passes its options on to bench/browser.mjs', () => {
    expect(benchArgs([])).toEqual([]);
    expect(benchArgs(['--quick', '--seed', '3', '--steps', '4'])).toEqual(['--quick', '--seed', '3', '--steps', '4']);
    expect(benchArgs(['--only', 'echo,mnist-rows', '--no-scaling'])).toEqual(['--no-scaling', '--only', 'echo,mnist-rows']);
  });

  it('refuses bad options with a usage error naming them', () => {
    expect(() => benchArgs(['--fast'])).toThrow(UsageError);
    expect(() => benchArgs(['--steps', '0'])).toThrow(/--steps expects an integer ≥ 1, received "0"/);
    expect(() => benchArgs(['--only', ''])).toThrow(/--only expects configuration labels/);
    expect(() => benchArgs(['extra'])).toThrow(/unexpected argument "extra"/);
  });

  it('exits 2 with one line on stderr for an unknown option or configuration, before any browser starts', () => {
    const bad = spawnSync(process.execPath, ['bin/webgpu-lstm.js', 'bench', '--fast'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const label = spawnSync(process.execPath, ['bin/webgpu-lstm.js', 'bench', '--only', 'nope'], { encoding: 'utf8', timeout: 60_000 });
    expect(label.status).toBe(2);
    expect(label.stdout).toBe('');
    expect(label.stderr).toMatch(/unknown configuration "nope" \(configurations: "bitpair", "echo"/);
  });
});

/** A report as bench/browser.mjs writes it, cut down to what the Markdown reads. */
function report() {
  const contender = (msPerStep: number, d: number | null, s: number | null, m: number | null) => ({
    measured: true, steps: 10, fewSteps: false, msPerStep, dispatchesPerStep: d, submitsPerStep: s, mapsPerStep: m,
  });
  return {
    browser: 'Chrome/156', adapter: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true },
    tfjs: { version: '4.22.0', backends: { wasm: { multithread: false, simd: true } } },
    machine: { cpuModel: 'cpu', cpuCount: 2, loadavgStart: [1, 1, 1], loadavgEnd: [1, 1, 1] },
    floors: { dispatchUs: 20, submitUs: 30, roundTripMs: 2 },
    flopFormula: 'f', totalSeconds: 1, command: 'npm run bench', date: 'd', scaling: null,
    configs: [{
      label: 'echo', B: 5, T: 15, timedT: 15, extrapolated: false, gflopPerStep: 0.0002, gflopTimed: 0.0002, target: 10,
      verify: { ours: { ok: true, relDiff: 1e-8 }, 'tfjs-wasm-layers': { ok: true, relDiff: 1e-7 } },
      chosen: { webgpu: 'tfjs-webgpu-cell', wasm: 'tfjs-wasm-layers' }, tfjsBest: 'tfjs-wasm-layers', ratio: 3, meetsTarget: false,
      contenders: { ours: contender(10, 100, 1, 1), 'tfjs-webgpu-cell': contender(4000, 2500, 170, 1), 'tfjs-wasm-layers': contender(30, null, null, null) },
      notes: [],
      kernelProfile: { fullMs: 8, families: [{ family: 'lstm_step_forward', dispatches: 45, ms: 4 }, { family: 'matmul_x', dispatches: 1, ms: 2 }] },
    }],
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

  it('shows the ratio against TF.js best, and says where the time goes when the target is missed', () => {
    const md: string = markdown(report());
    expect(md).toMatch(/\| echo \| 0\.0002 \| 10\.0 ms n=10 \| 4000 ms n=10 \(cell\) \| 30\.0 ms n=10 \(layers\) \| \*\*3\*\* ✗ \| 10 \| 400 \| 100 · 2500 \| 1 · 170 \|/);
    expect(md).toContain('Targets missed');
    expect(md).toMatch(/ours must take ≤ 3\.0 ms/);
    expect(md).toMatch(/100 dispatches × 20 µs/);
    expect(md).toMatch(/The floor alone is over 3\.0 ms: only fewer dispatches close it/);
    expect(md).toContain('| echo | 8.0 ms | lstm_step_forward ×45: 4.0 ms (50 %) · matmul_x ×1: 2.0 ms (25 %) | 6.0 ms |');
    expect(md).toContain('By kernel family (alone, 8.0 ms a step): lstm_step_forward ×45 4.0 ms, matmul_x ×1 2.0 ms; the per-timestep step kernels 4.0 ms in 45 dispatches, the hoisted matmuls, reductions, loss and update 2.0 ms in 1.');
  });
});
