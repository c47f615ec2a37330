/**
 * The engine in headless Chromium: the library bundle dist/browser/webgpu-lstm.js (and, for the
 * example tasks, dist/browser/webgpu-lstm-tasks.js) in a page on http://127.0.0.1, its device from
 * navigator.gpu (SwiftShader in CI).
 *   - the default engine is webgpu, not a silent cpu fallback, and reports its adapter
 *     (isFallbackAdapter a boolean; fallback a string exactly when it is true);
 *   - the whole-pass and training cross-checks against the float64 CPU twin pass (src/check.ts);
 *   - task `bitpair` trains to its bar with the full recipe (3000 steps);
 *   - fit (callbacks, validation, metrics, AbortSignal), predict, stream (= forward over the whole
 *     sequence), lengths and token inputs in a grad (against the page's own float64 CpuEngine),
 *     and a checkpoint's exact resume;
 *   - faults with a browser path: a destroyed engine, a lost device (the page's device.destroy());
 *   - bad input gives the same InputError message as the same call in Node.
 * Shapes are small: SwiftShader runs WebGPU on the CPU, and the suite should take a few minutes.
 * Chromium or navigator.gpu missing fails the suite (see test/browser/page.ts), never skips it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Bundle from '../../src/browser/index.js';
import type * as TasksBundle from '../../src/browser/tasks.js';
import { TOLERANCE } from '../../src/check.js';
import { createEngine as createNodeEngine, InputError, type ModelConfig } from '../../src/index.js';
import { openPage, type BrowserPage } from './page.js';

declare global {
  interface Window {
    /** The library bundle, set by test/browser/pages/engine.html. */
    lstm: typeof Bundle;
    /** The tasks bundle (library + example tasks). */
    tasks: typeof TasksBundle;
    /** test/browser/pages/helpers.js */
    helpers: {
      signData(N: number, T: number, seed: number): { x: Bundle.FloatTensor; y: Bundle.IntTensor };
      floats(shape: number[], seed: number): { data: Float32Array; shape: number[] };
      tokens(shape: number[], V: number, seed: number): { data: Int32Array; shape: number[] };
      timestep(x: Bundle.Inputs, t: number): Bundle.Inputs;
      rowsAt(values: ArrayLike<number>, B: number, T: number, C: number, t: number): Float64Array;
      worstParameterError(got: Map<string, ArrayLike<number>>, ref: Map<string, ArrayLike<number>>, normwiseError: typeof Bundle.normwiseError): { tensor: string; error: number };
    };
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

/** The toy task of the fit cases (helpers.signData): LSTM 8, two classes at every step. */
const SIGN_MODEL: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 8, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'softmax_ce' };

let p: BrowserPage;

beforeAll(async () => {
  p = await openPage();
  const notes = await p.page.evaluate(async () => {
    window.engineNotes = [];
    window.engine = await window.lstm.createEngine({ log: (m) => window.engineNotes.push(m) });
    return window.engineNotes;
  });
  console.log(`browser: ${p.version}; Chromium launch ${p.timings.launchMs.toFixed(0)} ms, page + bundles ${p.timings.loadMs.toFixed(0)} ms`);
  for (const n of notes) console.log(`engine note: ${n}`);
}, 180_000);

afterAll(async () => {
  await p?.close();
}, 60_000);

/** Runs `fn` in the page and logs how long it took. */
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

describe('webgpu-lstm in headless Chromium (navigator.gpu)', () => {
  it('the default engine is webgpu on navigator.gpu (no silent cpu fallback) and reports its adapter, fallback said exactly when it is one', async () => {
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
    console.log(`adapter: "${a.description}" (vendor "${a.vendor}", architecture "${a.architecture}", isFallbackAdapter ${a.isFallbackAdapter}, fallback ${JSON.stringify(a.fallback)}), via ${got.implementation}`);
    const shown = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage'];
    console.log(`limits: ${shown.map((k) => `${k} ${got.limits?.[k]}`).join(', ')}`);
    expect(got.backend).toBe('webgpu');
    expect(got.isWebGPUEngine).toBe(true);
    expect(got.implementation).toBe('navigator.gpu');
    expect(typeof a.description).toBe('string');
    expect(a.description.length).toBeGreaterThan(0);
    expect(a.description).not.toMatch(/^cpu/);
    // Issue 10, finding 8: the same fields as in Node.
    expect(typeof a.isFallbackAdapter).toBe('boolean');
    if (a.isFallbackAdapter) {
      expect(typeof a.fallback).toBe('string');
      expect(a.fallback!.length).toBeGreaterThan(0);
    } else {
      expect(a.fallback).toBeNull();
    }
  });

  it('the whole-pass and training cross-checks against the float64 CPU twin pass (runCheck, 1 case per cell × loss)', async () => {
    const rows = await timed('runCheck in the page', () => p.page.evaluate(async (seed: number) => {
      const { lstm, engine } = window;
      return lstm.runCheck(engine, new lstm.CpuEngine(), { seed, cases: 1 });
    }, SEED));

    // The worst row of every tensor name, across cases.
    const worst = new Map<string, { error: number; tolerance: number; case: string }>();
    for (const r of rows) {
      const w = worst.get(r.tensor);
      if (w === undefined || !(r.error <= w.error)) worst.set(r.tensor, r);
    }
    const lines = [...worst].map(([tensor, w]) => `  ${tensor.padEnd(28)} ${w.error.toExponential(2)} ≤ ${w.tolerance.toExponential(0)}  ${w.error <= w.tolerance ? 'OK' : 'NOT OK'}  (${w.case})`);
    console.log(`runCheck: ${rows.length} rows; worst error per tensor:\n${lines.join('\n')}`);

    expect(rows.length).toBeGreaterThan(100);
    const failures = rows.filter((r) => !(r.error <= r.tolerance)).map((r) => `${r.case} ${r.tensor}: ${r.error} > ${r.tolerance}`);
    expect(failures).toEqual([]);
  }, 180_000);

  it(`bitpair from the tasks bundle (seed ${SEED}, the recipe's 3000 steps) reaches its bar: accuracy ≥ ${BITPAIR_BAR.accuracy}, every class ≥ ${BITPAIR_BAR.perClass} on fresh streams, t ≥ 1`, async () => {
    const out = await p.page.evaluate(async (seed: number) => {
      const { tasks, engine } = window;
      const t0 = performance.now();
      const { model, result } = await tasks.bitpair.run(engine, { seed });
      const ms = performance.now() - t0;
      model.destroy();
      return { result, ms, recipeSteps: tasks.BITPAIR_RECIPE.steps };
    }, SEED);
    const r = out.result;
    console.log(`bitpair in the page: ${r.steps} steps in ${(out.ms / 1000).toFixed(1)} s (${(r.steps / (out.ms / 1000)).toFixed(1)} steps/s, with the final evaluation); `
      + `loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy.toFixed(4)}, per class ${r.perClass?.map((v) => v.toFixed(3)).join(' ')}`);
    expect(r.steps).toBe(out.recipeSteps);
    expect(r.accuracy).toBeGreaterThanOrEqual(BITPAIR_BAR.accuracy);
    expect(r.perClass).toHaveLength(4);
    for (const v of r.perClass!) expect(v).toBeGreaterThanOrEqual(BITPAIR_BAR.perClass);
  }, 300_000);

  it('fit learns a toy dataset with validation, metrics and callbacks, to the weights the page\'s CpuEngine fits; an AbortSignal stops it after the step in flight', async () => {
    const out = await timed('fit in the page', () => p.page.evaluate(async (cfg) => {
      const { lstm, engine, helpers } = window;
      const data = helpers.signData(128, 8, 1);
      const runs = [];
      const params = [];
      for (const e of [engine, new lstm.CpuEngine()]) {
        const m = e.createModel({ ...cfg, seed: 1 });
        const steps: Array<[number, number]> = [];
        const readAt: number[] = [];
        const epochs: Bundle.FitEpochInfo[] = [];
        const h = await m.fit(data, {
          optimizer: { name: 'adam', lr: 0.03 }, epochs: 5, batchSize: 16, validationSplit: 0.25, metrics: ['accuracy'], seed: 3,
          onStep: ({ step, epoch, loss }) => {
            steps.push([step, epoch]);
            if (!Number.isNaN(loss)) readAt.push(step);
          },
          onEpoch: (info) => { epochs.push(info); },
        });
        params.push(await m.getParameters());
        // Abort after the 3rd step of a long fit: stopped there, and the model is still savable.
        const c = new AbortController();
        const a = await m.fit(data, {
          optimizer: { name: 'sgd', lr: 0.1 }, epochs: 50, batchSize: 16, signal: c.signal,
          onStep: ({ step }) => { if (step === 3) c.abort(); },
        });
        const bytes = await m.save();
        const again = e.loadModel(bytes);
        runs.push({
          backend: e.backend, stopped: h.stopped, steps: h.steps, trainerSteps: h.trainer.steps, steps1: steps, readAt, epochs,
          aborted: { stopped: a.stopped, steps: a.steps, trainerSteps: a.trainer.steps, saved: bytes.length, reloaded: again.config.hiddenSize },
        });
        again.destroy();
        m.destroy();
      }
      return { runs, weights: helpers.worstParameterError(params[0]!, params[1]!, lstm.normwiseError) };
    }, SIGN_MODEL));
    for (const r of out.runs) {
      console.log(`fit ${r.backend}: ${r.steps} steps, ${r.stopped}; per epoch loss / accuracy / val loss / val accuracy: `
        + r.epochs.map((e) => `${e.loss.toFixed(3)}/${e.accuracy?.toFixed(3)}/${e.valLoss?.toFixed(3)}/${e.valAccuracy?.toFixed(3)}`).join(', '));
      // 96 training sequences (validationSplit 0.25 of 128) in batches of 16: 6 steps per epoch.
      expect(r).toMatchObject({ stopped: 'completed', steps: 30, trainerSteps: 30 });
      expect(r.steps1).toEqual(Array.from({ length: 30 }, (_, i) => [i + 1, Math.floor(i / 6) + 1]));
      expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
      expect(r.epochs.map((e) => e.steps)).toEqual([6, 6, 6, 6, 6]);
      const last = r.epochs[4]!;
      expect(last.valAccuracy).toBeGreaterThan(0.9);
      expect(last.accuracy).toBeGreaterThan(0.9);
      expect(last.valLoss).toBeLessThan(r.epochs[0]!.valLoss!);
      expect(r.aborted).toEqual({ stopped: 'aborted', steps: 3, trainerSteps: 3, saved: expect.any(Number), reloaded: 8 });
      expect(r.aborted.saved).toBeGreaterThan(0);
    }
    expect(out.runs.map((r) => r.backend)).toEqual(['webgpu', 'cpu']);
    // Both backends read the loss back at the same steps (every lossEvery = 10th of an epoch, and
    // its last), so the epochs' figures are the same within float32 rounding.
    expect(out.runs[0]!.readAt).toEqual([6, 12, 18, 24, 30]);
    expect(out.runs[1]!.readAt).toEqual(out.runs[0]!.readAt);
    for (let e = 0; e < 5; e++) {
      for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const) {
        expect(out.runs[0]!.epochs[e]![k], `epoch ${e + 1} ${k}`).toBeCloseTo(out.runs[1]!.epochs[e]![k]!, 3);
      }
    }
    console.log(`fit: webgpu vs cpu weights after 30 Adam steps, worst ${out.weights.error.toExponential(2)} (${out.weights.tensor})`);
    expect(out.weights.error).toBeLessThan(TOLERANCE.training);
  }, 120_000);

  it('predict gives probabilities of the logits; a stream, one timestep per call, gives forward\'s outputs over the whole sequence (features and token ids)', async () => {
    const cases: ModelConfig[] = [
      { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce' },
      { cell: 'gru', inputKind: 'tokens', vocabSize: 7, inputSize: 3, hiddenSize: 4, numLayers: 1, outputSize: 7, outputs: 'all', loss: 'softmax_ce' },
    ];
    const rows = await timed('predict and stream in the page', () => p.page.evaluate(async (cases) => {
      const { lstm, engine, helpers } = window;
      const out = [];
      for (const cfg of cases) {
        const m = engine.createModel({ ...cfg, seed: 3 });
        const B = 2, T = 6, C = cfg.outputSize;
        const x = cfg.inputKind === 'tokens' ? helpers.tokens([B, T], cfg.vocabSize!, 4) : helpers.floats([B, T, cfg.inputSize], 4);
        const whole = await m.forward(x);
        const pr = await m.predict(x);
        // softmax of forward's logits, row by row
        let sumError = 0, softmaxError = 0;
        for (let r = 0; r < B * T; r++) {
          const z = Array.from(whole.logits.subarray(r * C, (r + 1) * C));
          const mx = Math.max(...z), e = z.map((v) => Math.exp(v - mx)), s = e.reduce((a, b) => a + b, 0);
          let sum = 0;
          for (let c = 0; c < C; c++) {
            sum += pr.data[r * C + c]!;
            softmaxError = Math.max(softmaxError, Math.abs(pr.data[r * C + c]! - e[c]! / s));
          }
          sumError = Math.max(sumError, Math.abs(sum - 1));
        }
        const s = m.stream({ batchSize: B });
        let logitsError = 0, outputError = 0;
        for (let t = 0; t < T; t++) {
          const o = await s.step(helpers.timestep(x, t));
          logitsError = Math.max(logitsError, lstm.normwiseError(o.logits.data, helpers.rowsAt(whole.logits, B, T, C, t), 1e-30));
          outputError = Math.max(outputError, lstm.normwiseError(o.output.data, helpers.rowsAt(pr.data, B, T, C, t), 1e-30));
        }
        const state = await s.getState();
        out.push({
          cell: `${cfg.cell}${cfg.inputKind === 'tokens' ? ' tokens' : ''}`, shape: pr.shape, sumError, softmaxError, logitsError, outputError,
          stateError: lstm.normwiseError(state.h, whole.hN, 1e-30), streamSteps: s.steps,
        });
        s.destroy();
        m.destroy();
      }
      return out;
    }, cases));
    for (const r of rows) {
      console.log(`${r.cell}: predict Σp−1 ≤ ${r.sumError.toExponential(1)}, vs softmax(forward) ${r.softmaxError.toExponential(1)}; stream vs forward: logits ${r.logitsError.toExponential(1)}, outputs ${r.outputError.toExponential(1)}, h ${r.stateError.toExponential(1)}`);
      expect(r.sumError).toBeLessThan(1e-5);
      expect(r.softmaxError).toBeLessThan(1e-5);
      expect(r.logitsError).toBeLessThan(1e-5);
      expect(r.outputError).toBeLessThan(1e-5);
      expect(r.stateError).toBeLessThan(1e-5);
      expect(r.streamSteps).toBe(6);
    }
    expect(rows.map((r) => r.shape)).toEqual([[2, 6, 3], [2, 6, 7]]);
  }, 120_000);

  it(`lengths and token inputs: grad on webgpu against the page's float64 CpuEngine, every tensor within ${TOLERANCE.pass} normwise`, async () => {
    const cases: Array<{ cfg: ModelConfig; B: number; T: number; lengths: number[]; h0: boolean }> = [
      { cfg: { cell: 'lstm', inputKind: 'tokens', vocabSize: 7, inputSize: 3, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' }, B: 3, T: 6, lengths: [6, 2, 4], h0: false },
      { cfg: { cell: 'gru', inputSize: 2, hiddenSize: 4, numLayers: 1, outputSize: 2, outputs: 'last', loss: 'mse' }, B: 3, T: 5, lengths: [5, 1, 3], h0: true },
      { cfg: { cell: 'rnn_relu', inputKind: 'tokens', vocabSize: 5, inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'sigmoid_bce' }, B: 2, T: 4, lengths: [1, 4], h0: true },
    ];
    const rows = await timed('grads in the page', () => p.page.evaluate(async (cases) => {
      const { lstm, engine, helpers } = window;
      const cpu = new lstm.CpuEngine();
      const out = [];
      for (const { cfg, B, T, lengths, h0 } of cases) {
        const x = cfg.inputKind === 'tokens' ? helpers.tokens([B, T], cfg.vocabSize!, 5) : helpers.floats([B, T, cfg.inputSize], 5);
        const rows = cfg.outputs === 'all' ? B * T : B;
        let y: Bundle.Targets;
        // Padded targets are garbage on purpose (−100, 1e30): they must never be read.
        if (cfg.loss === 'softmax_ce') {
          const ids = helpers.tokens(cfg.outputs === 'all' ? [B, T] : [B], cfg.outputSize, 6);
          if (cfg.outputs === 'all') for (let b = 0; b < B; b++) for (let t = lengths[b]!; t < T; t++) ids.data[b * T + t] = -100;
          y = ids;
        } else {
          const v = helpers.floats(cfg.outputs === 'all' ? [B, T, cfg.outputSize] : [B, cfg.outputSize], 6);
          if (cfg.loss === 'sigmoid_bce') v.data.forEach((u, i) => { v.data[i] = (u + 1) / 2; });
          if (cfg.outputs === 'all') for (let b = 0; b < B; b++) for (let t = lengths[b]!; t < T; t++) v.data.fill(1e30, (b * T + t) * cfg.outputSize, (b * T + t + 1) * cfg.outputSize);
          y = v;
        }
        const opts = { lengths: { data: Int32Array.from(lengths), shape: [B] }, ...(h0 ? { h0: helpers.floats([cfg.numLayers, B, cfg.hiddenSize], 7) } : {}) };
        const gm = engine.createModel({ ...cfg, seed: 8 }), cm = cpu.createModel({ ...cfg, seed: 8 });
        const g = await gm.grad(x, y, opts), c = await cm.grad(x, y, opts);
        const errors: Record<string, number> = {
          loss: lstm.normwiseError([g.loss], [c.loss], 1e-30), logits: lstm.normwiseError(g.logits, c.logits, 1e-30),
          h_n: lstm.normwiseError(g.hN, c.hN, 1e-30), 'grad.h0': lstm.normwiseError(g.dh0, c.dh0, 1e-30),
        };
        if (c.cN) errors.c_n = lstm.normwiseError(g.cN!, c.cN, 1e-30);
        for (const [k, v] of c.grads) errors[`grad.${k}`] = lstm.normwiseError(g.grads.get(k)!, v, 1e-30);
        out.push({ label: `${cfg.cell} ${cfg.inputKind ?? 'features'} ${cfg.outputs} ${cfg.loss} lengths [${lengths.join(', ')}]${h0 ? ' h0' : ''}`, rows, errors, loss: c.loss });
        gm.destroy();
        cm.destroy();
      }
      return out;
    }, cases));
    for (const r of rows) {
      const worst = Object.entries(r.errors).reduce((a, b) => (b[1] > a[1] ? b : a));
      console.log(`grad ${r.label}: loss ${r.loss.toFixed(5)}, ${Object.keys(r.errors).length} tensors, worst ${worst[1].toExponential(2)} (${worst[0]})`);
      expect(Object.keys(r.errors)).toContain(r.label.includes('tokens') ? 'grad.embedding.weight' : 'grad.head.weight');
      for (const [k, e] of Object.entries(r.errors)) expect(e, `${r.label} ${k}`).toBeLessThan(TOLERANCE.pass);
    }
  }, 120_000);

  it('a checkpoint (trainer.save) resumes exactly: 4 steps, save, load, 3 more give the weights of 7 in one go; another optimizer\'s resume is refused', async () => {
    const out = await timed('checkpoint round trip in the page', () => p.page.evaluate(async () => {
      const { lstm, engine, helpers } = window;
      const cfg = { cell: 'lstm', inputSize: 2, hiddenSize: 4, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce' } as const;
      const opts = { optimizer: { name: 'adam', lr: 0.02 }, clipNorm: 1, stateful: true, schedule: { name: 'cosine', totalSteps: 10 } } as const;
      const batches = Array.from({ length: 7 }, (_, i) => ({ x: helpers.floats([3, 5, 2], 10 + i), y: helpers.tokens([3, 5], 3, 20 + i) }));
      const a = engine.createModel({ ...cfg, seed: 2 }), ta = a.trainer(opts);
      for (const { x, y } of batches) await ta.step(x, y);
      const b = engine.createModel({ ...cfg, seed: 2 }), tb = b.trainer(opts);
      for (const { x, y } of batches.slice(0, 4)) await tb.step(x, y);
      const ck = await tb.save();
      const c = engine.loadModel(ck), tc = c.trainer({ ...opts, resume: ck });
      const resumedAt = tc.steps;
      for (const { x, y } of batches.slice(4)) await tc.step(x, y);
      let refused = '';
      try {
        c.trainer({ ...opts, optimizer: { name: 'adam', lr: 0.05 }, resume: ck });
      } catch (e) {
        refused = (e as Error).message;
      }
      const worst = helpers.worstParameterError(await c.getParameters(), await a.getParameters(), lstm.normwiseError);
      for (const m of [a, b, c]) m.destroy();
      return { bytes: ck.length, resumedAt, steps: tc.steps, worst, refused };
    }));
    console.log(`checkpoint ${out.bytes} bytes; resumed at step ${out.resumedAt}, ${out.steps} after; vs 7 steps in one go: worst ${out.worst.error.toExponential(2)}`);
    expect(out.resumedAt, 'trainer.steps counts the checkpoint\'s steps at once').toBe(4);
    expect(out.steps).toBe(7);
    expect(out.worst.error).toBeLessThan(1e-6);
    expect(out.refused).toMatch(/^trainer resume: the checkpoint was trained with optimizer adam lr 0\.02, these options give adam lr 0\.05/);
  }, 60_000);

  it('a destroyed engine says so at once: createModel, loadModel, and its models\' calls', async () => {
    const out = await p.page.evaluate(async (cfg) => {
      const { lstm } = window;
      const e = await lstm.createEngine({ backend: 'webgpu', log: () => {} });
      const m = e.createModel({ ...cfg, seed: 1 });
      const bytes = await m.save();
      e.destroy();
      const message = async (f: () => unknown) => {
        try {
          await f();
          return 'no error';
        } catch (err) {
          return `${(err as Error).name}: ${(err as Error).message}`;
        }
      };
      return {
        createModel: await message(() => e.createModel({ ...cfg, seed: 1 })),
        loadModel: await message(() => e.loadModel(bytes)),
        forward: await message(() => m.forward({ data: new Float32Array(2 * 3), shape: [2, 3, 1] })),
        trainer: await message(() => m.trainer({ optimizer: { name: 'sgd', lr: 1 } })),
      };
    }, BITPAIR_MODEL);
    console.log(`destroyed engine: ${JSON.stringify(out)}`);
    for (const [call, msg] of Object.entries(out)) expect(msg, call).toBe(`InputError: ${call}: this engine was destroyed (engine.destroy()); create a new engine`);
  });

  it('a lost device (the page\'s own device, destroyed) gives one clear error on every later call, and model.save() still returns the last good weights', async () => {
    const out = await p.page.evaluate(async (cfg) => {
      const { lstm, helpers } = window;
      const adapter = await navigator.gpu.requestAdapter();
      const device = await adapter!.requestDevice();
      const notes: string[] = [];
      const e = await lstm.createEngine({ device, log: (n) => notes.push(n) });
      const info = e.adapterInfo;
      const m = e.createModel({ ...cfg, seed: 4 });
      const t = m.trainer({ optimizer: { name: 'adam', lr: 0.01 } });
      const x = helpers.floats([2, 3, 1], 1), y = helpers.tokens([2, 3], 4, 2);
      await t.step(x, y);
      const good = await m.getParameters();
      device.destroy();
      const message = async (f: () => Promise<unknown>) => {
        try {
          await f();
          return 'no error';
        } catch (err) {
          return `${err instanceof lstm.RuntimeFailure ? 'RuntimeFailure' : `not a RuntimeFailure (${(err as Error).name})`}: ${(err as Error).message}`;
        }
      };
      const errors = {
        step: await message(() => t.step(x, y)),
        stepUnread: await message(() => t.step(x, y, { readLoss: false })),
        forward: await message(() => m.forward(x)),
        getParameters: await message(() => m.getParameters()),
      };
      const saved = await m.save();
      const params = lstm.decodeModelFile(saved, 'saved').params;
      const flat = [...good.values()].flatMap((v) => [...v]).map((v) => Math.fround(v));
      const same = params.length === flat.length && flat.every((v, i) => params[i] === v);
      e.destroy();
      return { info: { isFallbackAdapter: info.isFallbackAdapter, fallback: info.fallback, description: info.description }, errors, savedBytes: saved.length, same, notes };
    }, BITPAIR_MODEL);
    console.log(`engine on the page's device: ${JSON.stringify(out.info)}`);
    for (const [call, msg] of Object.entries(out.errors)) console.log(`after device.destroy(), ${call}: ${msg}`);
    const lost = /^RuntimeFailure: .*WebGPU device was destroyed \(device\.destroy\(\)\).*This model's last good weights \(.+\) are still savable: model\.save\(\)$/;
    for (const [call, msg] of Object.entries(out.errors)) expect(msg, call).toMatch(lost);
    // One error: the same words after the call's own name.
    const tails = new Set(Object.values(out.errors).map((m) => m.slice(m.indexOf('WebGPU device'))));
    expect(tails.size).toBe(1);
    expect(out.savedBytes).toBeGreaterThan(0);
    expect(out.same).toBe(true);
    expect(typeof out.info.isFallbackAdapter).toBe('boolean');
    expect(out.info.fallback === null).toBe(!out.info.isFallbackAdapter);
  });

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
