/**
 * The engine in headless Chromium (issue 5, item 2): the bundle dist/browser/webgpu-lstm.js in a
 * page on http://127.0.0.1, its device from navigator.gpu (SwiftShader in CI).
 *   - the default engine is webgpu, not a silent cpu fallback, and reports its adapter;
 *   - the whole-pass and training cross-checks against the float64 CPU twin pass (src/check.ts);
 *   - task `bitpair` trains to its bar with the full recipe (3000 steps);
 *   - bad input gives the same InputError message as the same call in Node.
 * Chromium or navigator.gpu missing fails the suite (see test/browser/page.ts), never skips it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Bundle from '../../src/browser/index.js';
import { createEngine as createNodeEngine, InputError, type ModelConfig } from '../../src/index.js';
import { openPage, type BrowserPage } from './page.js';

declare global {
  interface Window {
    /** The bundle, set by test/browser/pages/engine.html. */
    lstm: typeof Bundle;
    /** The engine the tests share: `createEngine()` with no options, as a web app calls it. */
    engine: Bundle.Engine;
    /** Notes the engine logged while it was created. */
    engineNotes: string[];
  }
}

/** SEEDS.md's bar for bitpair, on fresh streams, steps t ≥ 1. */
const BITPAIR_BAR = { accuracy: 0.98, perClass: 0.95 };
/** The CLI's default seed. */
const SEED = 1;

/** The bitpair model (2 × LSTM 5, 4 classes at every step), the one the bad-input cases use. */
const BITPAIR_MODEL: ModelConfig = {
  cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce',
};

let p: BrowserPage;

beforeAll(async () => {
  p = await openPage();
  const notes = await p.page.evaluate(async () => {
    window.engineNotes = [];
    window.engine = await window.lstm.createEngine({ log: (m) => window.engineNotes.push(m) });
    return window.engineNotes;
  });
  console.log(`browser: ${p.version}; Chromium launch ${p.timings.launchMs.toFixed(0)} ms, page + bundle ${p.timings.loadMs.toFixed(0)} ms`);
  for (const n of notes) console.log(`engine note: ${n}`);
}, 180_000);

afterAll(async () => {
  await p?.close();
}, 60_000);

describe('webgpu-lstm in headless Chromium (navigator.gpu)', () => {
  it('the default engine is webgpu on navigator.gpu (no silent cpu fallback) and reports its adapter', async () => {
    const got = await p.page.evaluate(async () => {
      const { lstm, engine } = window;
      const { webgpu } = await lstm.describeBackends();
      return {
        backend: engine.backend,
        isWebGPUEngine: engine instanceof lstm.WebGPUEngine,
        adapterInfo: engine.adapterInfo,
        implementation: webgpu.implementation,
        limits: webgpu.limits,
      };
    });
    const a = got.adapterInfo;
    console.log(`adapter: "${a.description}" (vendor "${a.vendor}", architecture "${a.architecture}"), via ${got.implementation}`);
    const shown = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage'];
    console.log(`limits: ${shown.map((k) => `${k} ${got.limits?.[k]}`).join(', ')}`);
    expect(got.backend).toBe('webgpu');
    expect(got.isWebGPUEngine).toBe(true);
    expect(got.implementation).toBe('navigator.gpu');
    expect(typeof a.description).toBe('string');
    expect(a.description.length).toBeGreaterThan(0);
    expect(a.description).not.toMatch(/^cpu/);
  });

  it('the whole-pass and training cross-checks against the float64 CPU twin pass (runCheck, 1 case per cell × loss)', async () => {
    const t0 = performance.now();
    const rows = await p.page.evaluate(async (seed: number) => {
      const { lstm, engine } = window;
      return lstm.runCheck(engine, new lstm.CpuEngine(), { seed, cases: 1 });
    }, SEED);
    const ms = performance.now() - t0;

    // The worst row of every tensor name, across cases.
    const worst = new Map<string, { error: number; tolerance: number; case: string }>();
    for (const r of rows) {
      const w = worst.get(r.tensor);
      if (w === undefined || !(r.error <= w.error)) worst.set(r.tensor, r);
    }
    const lines = [...worst].map(([tensor, w]) => `  ${tensor.padEnd(28)} ${w.error.toExponential(2)} ≤ ${w.tolerance.toExponential(0)}  ${w.error <= w.tolerance ? 'OK' : 'NOT OK'}  (${w.case})`);
    console.log(`runCheck in the page: ${rows.length} rows in ${(ms / 1000).toFixed(1)} s; worst error per tensor:\n${lines.join('\n')}`);

    expect(rows.length).toBeGreaterThan(100);
    const failures = rows.filter((r) => !(r.error <= r.tolerance)).map((r) => `${r.case} ${r.tensor}: ${r.error} > ${r.tolerance}`);
    expect(failures).toEqual([]);
  }, 180_000);

  it(`bitpair (seed ${SEED}, the recipe's 3000 steps) reaches its bar: accuracy ≥ ${BITPAIR_BAR.accuracy}, every class ≥ ${BITPAIR_BAR.perClass} on fresh streams, t ≥ 1`, async () => {
    const out = await p.page.evaluate(async (seed: number) => {
      const { lstm, engine } = window;
      const t0 = performance.now();
      const { model, result } = await lstm.bitpair.run(engine, { seed });
      const ms = performance.now() - t0;
      model.destroy();
      return { result, ms, recipeSteps: lstm.BITPAIR_RECIPE.steps };
    }, SEED);
    const r = out.result;
    console.log(`bitpair in the page: ${r.steps} steps in ${(out.ms / 1000).toFixed(1)} s (${(r.steps / (out.ms / 1000)).toFixed(1)} steps/s, with the final evaluation); `
      + `loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy.toFixed(4)}, per class ${r.perClass?.map((v) => v.toFixed(3)).join(' ')}`);
    expect(r.steps).toBe(out.recipeSteps);
    expect(r.accuracy).toBeGreaterThanOrEqual(BITPAIR_BAR.accuracy);
    expect(r.perClass).toHaveLength(4);
    for (const v of r.perClass!) expect(v).toBeGreaterThanOrEqual(BITPAIR_BAR.perClass);
  }, 300_000);

  describe('bad input gives the same InputError in the page (webgpu and cpu) as in Node, and changes nothing', () => {
    const B = 7, T = 50;
    const xOk = Array.from({ length: B * T }, (_, i) => (i * 7) % 2);
    const yOk = Array.from({ length: B * T }, (_, i) => (i * 3) % 4);
    const cases: Array<{ name: string; x: number[]; xShape: number[]; y: number[]; yShape: number[]; expected: string }> = [
      {
        name: 'x with the wrong feature size',
        x: Array.from({ length: B * T * 2 }, (_, i) => i % 2), xShape: [B, T, 2], y: yOk, yShape: [B, T],
        expected: `trainer.step: tensor "x" expected shape [B, T, 1] (feature size 1), received [${B}, ${T}, 2]`,
      },
      {
        name: 'a label out of range',
        x: xOk, xShape: [B, T, 1], y: yOk.map((v, i) => (i === 2 * T + 17 ? 4 : v)), yShape: [B, T],
        expected: 'trainer.step: tensor "y" expected integer class ids in [0, 4), received 4 at [2, 17]',
      },
    ];

    /** The same call on the cpu backend in Node: the message the page must give. */
    async function nodeMessage(c: (typeof cases)[number]): Promise<string> {
      const engine = await createNodeEngine({ backend: 'cpu' });
      const trainer = engine.createModel({ ...BITPAIR_MODEL, seed: 1 }).trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
      const err = await trainer.step({ data: Float32Array.from(c.x), shape: c.xShape }, { data: Int32Array.from(c.y), shape: c.yShape }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      return (err as InputError).message;
    }

    it.each(cases)('$name', async (c) => {
      const inNode = await nodeMessage(c);
      expect(inNode).toBe(c.expected);
      const inPage = await p.page.evaluate(async (c, config) => {
        const { lstm, engine } = window;
        const results = [];
        for (const e of [engine, new lstm.CpuEngine()]) {
          const model = e.createModel({ ...config, seed: 1 });
          const before = await model.getParameters();
          const trainer = model.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
          let error: unknown = null;
          try {
            await trainer.step({ data: Float32Array.from(c.x), shape: c.xShape }, { data: Int32Array.from(c.y), shape: c.yShape });
          } catch (err) {
            error = err;
          }
          const after = await model.getParameters();
          const unchanged = [...before].every(([k, v]) => after.get(k)!.every((a, i) => a === v[i]));
          results.push({
            backend: e.backend,
            isInputError: error instanceof lstm.InputError,
            name: (error as Error | null)?.name ?? null,
            message: (error as Error | null)?.message ?? null,
            steps: trainer.steps,
            unchanged,
          });
          model.destroy();
        }
        return results;
      }, c, BITPAIR_MODEL);
      for (const r of inPage) {
        console.log(`${c.name}, ${r.backend} in the page: ${r.name}: ${r.message}`);
        expect(r, r.backend).toMatchObject({ isInputError: true, message: inNode, steps: 0, unchanged: true });
      }
      expect(inPage.map((r) => r.backend)).toEqual(['webgpu', 'cpu']);
    }, 60_000);
  });

  it('the page logged no errors (uncaught exceptions, console.error, failed requests) and the engine no notes', () => {
    for (const w of p.warnings) console.log(`page warning: ${w}`);
    expect(p.errors).toEqual([]);
    expect(p.warnings.filter((w) => w.includes('webgpu-lstm'))).toEqual([]);
  });
});
