/**
 * The API a web app drives (issues 9 and 10), on both backends with the same results within the
 * kernel tolerances: fit (in-memory data and iterables, validation, metrics, callbacks, early
 * stopping, windows, abort), predict, streaming inference (equal to forward over the whole
 * sequence for every cell; no buffer made after the first call), and exact resume from a
 * checkpoint (bit-identical on cpu, within the optimizer tolerance on webgpu; another model's or
 * optimizer's checkpoint refused naming what differs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Model } from '../src/api.js';
import { randomBatch, TOLERANCE } from '../src/check.js';
import type { ModelConfig } from '../src/config.js';
import { normwiseError } from '../src/compare.js';
import { CpuEngine } from '../src/cpu/engine.js';
import { createEngine } from '../src/index.js';
import { Rng } from '../src/rng.js';
import type { WebGPUEngine } from '../src/webgpu/engine/engine.js';

let gpu: WebGPUEngine;
beforeAll(async () => {
  gpu = (await createEngine({ backend: 'webgpu', log: () => {} })) as WebGPUEngine;
});
afterAll(() => gpu?.destroy());
const backends = (): Array<[string, () => Engine]> => [['cpu', () => new CpuEngine()], ['webgpu', () => gpu]];

/** A toy sequence task a model learns in a few epochs: the class of each step is the sign of x[t] + x[t−1]. */
function signData(N: number, T: number, seed: number) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: N * T }, () => rng.range(-1, 1));
  const y = new Int32Array(N * T);
  for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) y[n * T + t] = x[n * T + t]! + (t > 0 ? x[n * T + t - 1]! : 0) > 0 ? 1 : 0;
  return { x: { data: x, shape: [N, T, 1] }, y: { data: y, shape: [N, T] } };
}

const SIGN: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 8, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'softmax_ce' };

describe('fit', () => {
  it.each(backends())('%s: learns a toy task, with validation, metrics, callbacks and a history', async (_n, engine) => {
    const m = engine().createModel({ ...SIGN, seed: 1 });
    const data = signData(256, 12, 1);
    const steps: number[] = [];
    const epochs: number[] = [];
    const h = await m.fit(data, {
      optimizer: { name: 'adam', lr: 0.03 }, epochs: 6, batchSize: 32, validationSplit: 0.25, metrics: ['accuracy'], seed: 3,
      onStep: ({ step }) => { steps.push(step); }, onEpoch: ({ epoch }) => { epochs.push(epoch); },
    });
    expect(h.stopped).toBe('completed');
    expect(h.steps).toBe(6 * 6);
    expect(steps).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    const last = h.epochs[5]!;
    expect(last.valAccuracy).toBeGreaterThan(0.9);
    expect(last.accuracy).toBeGreaterThan(0.9);
    expect(last.loss).toBeLessThan(h.epochs[0]!.loss);
    expect(h.trainer.steps).toBe(36);
    m.destroy();
  });

  it('the two backends fit the same weights (within the training tolerance)', async () => {
    const data = signData(64, 6, 2);
    const run = async (e: Engine) => {
      const m = e.createModel({ ...SIGN, seed: 5 });
      await m.fit(data, { optimizer: { name: 'sgd', lr: 0.2 }, epochs: 2, batchSize: 16, seed: 1 });
      const p = await m.getParameters();
      m.destroy();
      return p;
    };
    const [a, b] = [await run(new CpuEngine()), await run(gpu)];
    for (const [k, v] of a) expect(normwiseError(b.get(k)!, v, 1e-30), k).toBeLessThan(TOLERANCE.training);
  });

  it('webgpu: a dataset that fits is uploaded once; each step writes only its row indices (and small uniforms)', async () => {
    const m = gpu.createModel({ ...SIGN, inputSize: 4, seed: 1 });
    const N = 96, T = 16, B = 32;
    const rng = new Rng(4);
    const data = { x: { data: Float32Array.from({ length: N * T * 4 }, () => rng.range(-1, 1)), shape: [N, T, 4] }, y: { data: Int32Array.from({ length: N * T }, () => rng.int(2)), shape: [N, T] } };
    const q = gpu.device.queue;
    const write = q.writeBuffer.bind(q);
    const perStep: number[] = [];
    let bytes = 0;
    // Counted: what reaches the plan's inputs and the dataset; not the uniform slots (a plan swapped
    // in by the background tuner writes its own once) nor the tuner's candidates.
    (q as { writeBuffer: unknown }).writeBuffer = (buffer: GPUBuffer, offset: number, data: ArrayBufferView, ...rest: unknown[]) => {
      if (!buffer.label.endsWith('.uniforms') && !buffer.label.startsWith('tuning')) bytes += data.byteLength;
      return (write as (...a: unknown[]) => void)(buffer, offset, data, ...rest);
    };
    try {
      await m.fit(data, { optimizer: { name: 'sgd', lr: 0.1 }, epochs: 2, batchSize: B, shuffle: true, onStep: () => { perStep.push(bytes); bytes = 0; } });
    } finally {
      delete (q as { writeBuffer?: unknown }).writeBuffer;
    }
    const xBatch = B * T * 4 * 4;
    // The first step uploads the dataset (and makes its plan); every later step writes far less than one batch of x.
    expect(perStep[0]).toBeGreaterThan(N * T * 4 * 4);
    for (const b of perStep.slice(1)) expect(b).toBeLessThan(xBatch / 4);
    m.destroy();
  });

  it.each(backends())('%s: an AbortSignal stops after the step in flight; the model stays usable and savable', async (_n, engine) => {
    const m = engine().createModel({ ...SIGN, seed: 1 });
    const c = new AbortController();
    const h = await m.fit(signData(128, 8, 3), {
      optimizer: { name: 'adam', lr: 0.01 }, epochs: 50, batchSize: 16, signal: c.signal,
      onStep: ({ step }) => { if (step === 5) c.abort(); },
    });
    expect(h.stopped).toBe('aborted');
    expect(h.steps).toBe(5);
    expect(h.trainer.steps).toBe(5);
    expect((await m.save()).length).toBeGreaterThan(0);
    m.destroy();
  });

  it.each(backends())('%s: early stopping on the validation loss (patience)', async (_n, engine) => {
    const m = engine().createModel({ ...SIGN, seed: 1 });
    // Validated on the opposite labels, every epoch that learns the task makes the validation
    // loss worse: patience 2 stops after epoch 3 (epoch 1 is the best).
    const data = signData(64, 6, 4);
    const flipped = { x: data.x, y: { data: data.y.data.map((v) => 1 - v), shape: data.y.shape } };
    const h = await m.fit(data, { optimizer: { name: 'adam', lr: 0.05 }, epochs: 20, batchSize: 16, validation: flipped, patience: 2 });
    expect(h.stopped).toBe('early-stopping');
    expect(h.epochs.length).toBe(3);
    expect(h.epochs[2]!.valLoss).toBeGreaterThan(h.epochs[0]!.valLoss!);
    m.destroy();
  });

  it.each(backends())('%s: an iterable of batches, and a regression metric', async (_n, engine) => {
    const cfg: ModelConfig = { cell: 'gru', inputSize: 2, hiddenSize: 6, numLayers: 1, outputSize: 1, outputs: 'last', loss: 'mse' };
    const m = engine().createModel({ ...cfg, seed: 2 });
    const rng = new Rng(9);
    const batches = Array.from({ length: 8 }, () => {
      const x = Float32Array.from({ length: 16 * 5 * 2 }, () => rng.range(-1, 1));
      const y = Float32Array.from({ length: 16 }, (_, n) => x[n * 10 + 8]! - x[n * 10 + 9]!);
      return { x: { data: x, shape: [16, 5, 2] }, y: { data: y, shape: [16, 1] } };
    });
    const h = await m.fit(batches, { optimizer: { name: 'adam', lr: 0.02 }, epochs: 4, validation: batches[0]!, metrics: ['mse', 'mae'] });
    expect(h.steps).toBe(32);
    expect(h.epochs[3]!.valMse).toBeLessThan(h.epochs[0]!.valMse!);
    expect(h.epochs[3]!.valMae).toBeGreaterThan(0);
    m.destroy();
  });

  it.each(backends())('%s: windows (truncated BPTT) carry the state across the windows of a batch', async (_n, engine) => {
    const cfg: ModelConfig = { cell: 'lstm', inputKind: 'tokens', vocabSize: 3, inputSize: 2, hiddenSize: 4, numLayers: 1, outputSize: 3, outputs: 'all', loss: 'softmax_ce' };
    const rng = new Rng(1);
    const B = 4, L = 30;
    const ids = Int32Array.from({ length: B * (L + 1) }, () => rng.int(3));
    const x = new Int32Array(B * L), y = new Int32Array(B * L);
    for (let b = 0; b < B; b++) { x.set(ids.subarray(b * (L + 1), b * (L + 1) + L), b * L); y.set(ids.subarray(b * (L + 1) + 1, (b + 1) * (L + 1)), b * L); }
    // The same as a stateful trainer stepping through the windows by hand.
    const a = engine().createModel({ ...cfg, seed: 4 }), b = engine().createModel({ ...cfg, seed: 4 });
    await a.fit({ x: { data: x, shape: [B, L] }, y: { data: y, shape: [B, L] } }, { optimizer: { name: 'sgd', lr: 0.5 }, batchSize: B, shuffle: false, window: 8 });
    const t = b.trainer({ optimizer: { name: 'sgd', lr: 0.5 }, stateful: true });
    for (let t0 = 0; t0 < L; t0 += 8) {
      const W = Math.min(8, L - t0);
      const xs = new Int32Array(B * W), ys = new Int32Array(B * W);
      for (let r = 0; r < B; r++) { xs.set(x.subarray(r * L + t0, r * L + t0 + W), r * W); ys.set(y.subarray(r * L + t0, r * L + t0 + W), r * W); }
      await t.step({ data: xs, shape: [B, W] }, { data: ys, shape: [B, W] });
    }
    const pa = await a.getParameters(), pb = await b.getParameters();
    for (const [k, v] of pb) expect(normwiseError(pa.get(k)!, v, 1e-30), k).toBeLessThan(1e-6);
  });

  it.each(backends())('%s: a step with readLoss false reports no loss, and fit averages the same read-back steps', async (_n, engine) => {
    const data = signData(64, 6, 4);
    const m = engine().createModel({ ...SIGN, seed: 2 });
    const t = m.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
    const r = await t.step(data.x, data.y, { readLoss: false });
    expect(r.loss).toBeNaN();
    expect(r.gradNorm).toBeUndefined();
    t.destroy();
    // lossEvery 2: the epoch mean is over steps 2, 4, ..., the same on both backends.
    const a = engine().createModel({ ...SIGN, seed: 2 });
    const seen: number[] = [];
    const h = await a.fit(data, { optimizer: { name: 'sgd', lr: 0.1 }, epochs: 1, batchSize: 8, lossEvery: 2, shuffle: false, onStep: ({ loss }) => { seen.push(loss); } });
    const read = seen.filter((l) => !Number.isNaN(l));
    expect(read.length).toBe(4);
    expect(h.epochs[0]!.loss).toBeCloseTo(read.reduce((s, l) => s + l, 0) / read.length, 6);
    m.destroy();
    a.destroy();
  });

  it('bad options are refused before any work, naming the option', async () => {
    const m = new CpuEngine().createModel({ ...SIGN, seed: 1 });
    const data = signData(8, 4, 1);
    await expect(m.fit(data, { optimizer: { name: 'sgd', lr: 0.1 }, epochs: 0 })).rejects.toThrow(/fit: epochs must be an integer ≥ 1, received 0/);
    await expect(m.fit(data, { optimizer: { name: 'sgd', lr: 0.1 }, batchsize: 4 } as never)).rejects.toThrow(/fit: unknown option "batchsize"/);
    await expect(m.fit(data, { optimizer: { name: 'sgd', lr: 0.1 }, metrics: ['f1'] } as never)).rejects.toThrow(/fit: metrics must be an array of/);
    await expect(m.fit({ x: data.x, y: { data: new Int32Array(7), shape: [7] } }, { optimizer: { name: 'sgd', lr: 0.1 } })).rejects.toThrow(/fit: tensor "y"/);
  });
});

describe('describePlan and the background tuner', () => {
  it('webgpu: a new shape runs the provisional pick while timed; the timed variant takes over, and training goes on exactly', async () => {
    const data = signData(20, 11, 5);
    const opts = { optimizer: { name: 'sgd' as const, lr: 0.1 } };
    const m = gpu.createModel({ ...SIGN, seed: 5 });
    const t = m.trainer(opts);
    await t.step(data.x, data.y);
    expect((await m.describePlan({ batchSize: 20, sequenceLength: 11 })).split('\n')[0]).toMatch(/^train B=20 T=11: .*provisional: \d+ candidates are being timed in the background/);
    await gpu.tuner.idle();
    await t.step(data.x, data.y);
    const after = await m.describePlan({ batchSize: 20, sequenceLength: 11 });
    expect(after.split('\n')[0]).toMatch(/^train B=20 T=11: .*the fastest of .* ms \(measured by/);
    expect(after.split('\n').length).toBeGreaterThan(5); // then a row per dispatch
    // Two steps across the swap are the two steps of the float64 engine.
    const c = new CpuEngine().createModel({ ...SIGN, seed: 5 });
    const tc = c.trainer(opts);
    for (let i = 0; i < 2; i++) await tc.step(data.x, data.y);
    const pa = await m.getParameters(), pc = await c.getParameters();
    for (const [k, v] of pc) expect(normwiseError(pa.get(k)!, v, 1e-30), k).toBeLessThan(1e-5);
    m.destroy();
  });

  it('cpu: says a pass runs on the host; bad options are named', async () => {
    const m = new CpuEngine().createModel({ ...SIGN, seed: 1 });
    expect(await m.describePlan({ batchSize: 3, sequenceLength: 4, mode: 'forward' })).toMatch(/^forward B=3 T=4: the cpu backend runs each pass on the host in float64/);
    await expect(m.describePlan({ batchSize: 0, sequenceLength: 4 })).rejects.toThrow(/describePlan: batchSize must be an integer ≥ 1, received 0/);
    await expect(m.describePlan({ batchSize: 1, sequenceLength: 4, mode: 'grad' } as never)).rejects.toThrow(/describePlan: mode must be "train" or "forward", received "grad"/);
  });
});

describe('predict', () => {
  it.each(backends())('%s: probabilities of the logits, the shape of the logits; raw values for mse; lengths', async (_n, engine) => {
    const e = engine();
    const m = e.createModel({ ...SIGN, seed: 1 });
    const { x } = signData(3, 5, 1);
    const p = await m.predict(x);
    expect(p.shape).toEqual([3, 5, 2]);
    for (let r = 0; r < 15; r++) expect(p.data[2 * r]! + p.data[2 * r + 1]!).toBeCloseTo(1, 6);
    const f = await m.forward(x);
    const z0 = f.logits[0]!, z1 = f.logits[1]!;
    expect(p.data[1]).toBeCloseTo(Math.exp(z1) / (Math.exp(z0) + Math.exp(z1)), 6);
    const reg = e.createModel({ cell: 'rnn_relu', inputSize: 1, hiddenSize: 3, numLayers: 1, outputSize: 2, outputs: 'last', loss: 'mse', seed: 2 });
    const lengths = { data: Int32Array.from([5, 2, 3]), shape: [3] };
    const pr = await reg.predict(x, { lengths, batchSize: 2 });
    const fr = await reg.forward(x, { lengths });
    expect(pr.shape).toEqual([3, 2]);
    for (let i = 0; i < 6; i++) expect(pr.data[i]).toBeCloseTo(fr.logits[i]!, 6);
  });
});

describe('stream: one timestep at a time equals forward over the whole sequence', () => {
  const cells: ModelConfig[] = [
    { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce' },
    { cell: 'gru', inputSize: 2, hiddenSize: 4, numLayers: 2, outputSize: 2, outputs: 'all', loss: 'sigmoid_bce' },
    { cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'mse', learnedInitialState: true },
    { cell: 'rnn_relu', inputSize: 2, hiddenSize: 6, numLayers: 2, outputSize: 2, outputs: 'all', loss: 'mse' },
    { cell: 'lstm', inputSize: 2, hiddenSize: 4, numLayers: 1, outputSize: 3, outputs: 'last', headSteps: 3, headFrom: 'ch', loss: 'softmax_ce' },
    { cell: 'lstm', inputKind: 'tokens', vocabSize: 7, inputSize: 3, hiddenSize: 4, numLayers: 1, outputSize: 7, outputs: 'all', loss: 'softmax_ce', learnedInitialState: true },
  ];
  for (const cfg of cells) {
    it.each(backends())(`%s: ${cfg.cell}${cfg.inputKind === 'tokens' ? ' tokens' : ''} outputs ${cfg.outputs}${cfg.headSteps ? ` headSteps ${cfg.headSteps}` : ''}`, async (name, engine) => {
      const m = engine().createModel({ ...cfg, seed: 3 });
      const B = 2, T = 7, C = cfg.outputSize;
      const { x } = randomBatch(cfg, B, T, new Rng(4));
      const whole = await m.forward(x);
      const s = m.stream({ batchSize: B });
      const per = cfg.inputKind === 'tokens' ? 1 : cfg.inputSize;
      const counters = name === 'webgpu' ? (gpu as WebGPUEngine).counters : null;
      let created = 0;
      const k = cfg.outputs === 'last' ? cfg.headSteps ?? 1 : 1;
      for (let t = 0; t < T; t++) {
        const xt = x.data instanceof Int32Array ? new Int32Array(B) : new Float32Array(B * per);
        for (let b = 0; b < B; b++) for (let i = 0; i < per; i++) xt[b * per + i] = x.data[(b * T + t) * per + i]!;
        if (t === 1 && counters) {
          await (gpu as WebGPUEngine).tuner.idle(); // the stream keeps the plan of its first step; the timing's scratch is freed
          created = counters.buffersCreated;
        }
        const out = await s.step({ data: xt, shape: cfg.inputKind === 'tokens' ? [B] : [B, per] } as never);
        if (cfg.outputs === 'all') {
          const ref = new Float64Array(B * C);
          for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) ref[b * C + c] = whole.logits[(b * T + t) * C + c]!;
          expect(normwiseError(out.logits.data, ref, 1e-30), `t=${t}`).toBeLessThan(1e-5);
        } else if (t + 1 < k) {
          expect(Number.isNaN(out.logits.data[0]!)).toBe(true);
        }
      }
      if (counters) expect(counters.buffersCreated).toBe(created);
      const state = await s.getState();
      expect(normwiseError(state.h, whole.hN, 1e-30)).toBeLessThan(1e-5);
      if (cfg.outputs === 'last') {
        // The last step's output is the head on the last k steps: forward's logits of the whole sequence.
        const again = m.stream({ batchSize: B });
        let last: ArrayLike<number> = [];
        for (let t = 0; t < T; t++) {
          const xt = new Float32Array(B * per);
          for (let b = 0; b < B; b++) for (let i = 0; i < per; i++) xt[b * per + i] = x.data[(b * T + t) * per + i]!;
          last = (await again.step({ data: xt, shape: [B, per] })).logits.data;
        }
        expect(normwiseError(last, whole.logits, 1e-30)).toBeLessThan(1e-5);
      }
      // reset() goes back to the initial state; setState() sets it.
      s.reset();
      const xt0 = x.data instanceof Int32Array ? new Int32Array(B) : new Float32Array(B * per);
      for (let b = 0; b < B; b++) for (let i = 0; i < per; i++) xt0[b * per + i] = x.data[(b * T) * per + i]!;
      const first = await s.step({ data: xt0, shape: cfg.inputKind === 'tokens' ? [B] : [B, per] } as never);
      if (cfg.outputs === 'all') {
        const ref = new Float64Array(B * C);
        for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) ref[b * C + c] = whole.logits[(b * T) * C + c]!;
        expect(normwiseError(first.logits.data, ref, 1e-30)).toBeLessThan(1e-5);
      }
      await s.setState({ h0: { data: state.h as Float32Array, shape: [cfg.numLayers, B, cfg.hiddenSize] }, ...(state.c ? { c0: { data: state.c as Float32Array, shape: [cfg.numLayers, B, cfg.hiddenSize] } } : {}) });
      expect(normwiseError((await s.getState()).h, state.h, 1e-30)).toBe(0);
      await expect(s.step({ data: new Float32Array(3), shape: [3] } as never)).rejects.toThrow(/stream\.step: tensor "xt" expected/);
      s.destroy();
      m.destroy();
    });
  }
});

describe('exact resume from a checkpoint', () => {
  const cfg: ModelConfig = { cell: 'lstm', inputSize: 2, hiddenSize: 4, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce' };
  const opts = { optimizer: { name: 'adam' as const, lr: 0.02 }, clipNorm: 1, stateful: true, schedule: { name: 'cosine' as const, totalSteps: 20 } };

  async function run(e: Engine, n: number, m2: number): Promise<{ one: Map<string, Float64Array>; resumed: Map<string, Float64Array> }> {
    const rng = new Rng(3);
    const batches = Array.from({ length: n + m2 }, () => randomBatch(cfg, 3, 5, rng));
    const a = e.createModel({ ...cfg, seed: 2 });
    const ta = a.trainer(opts);
    for (const { x, y } of batches) await ta.step(x, y);
    const b = e.createModel({ ...cfg, seed: 2 });
    const tb = b.trainer(opts);
    for (const { x, y } of batches.slice(0, n)) await tb.step(x, y);
    const ck = await tb.save();
    const c = e.loadModel(ck);
    const tc = c.trainer({ ...opts, resume: ck });
    expect(tc.steps, 'the checkpoint\'s step count, at once').toBe(n);
    for (const { x, y } of batches.slice(n)) await tc.step(x, y);
    expect(tc.steps).toBe(n + m2);
    return { one: await a.getParameters(), resumed: await c.getParameters() };
  }

  it('cpu: N steps, save, load, M more steps is bit-identical to N + M steps', async () => {
    const { one, resumed } = await run(new CpuEngine(), 6, 5);
    for (const [k, v] of one) expect([...resumed.get(k)!], k).toEqual([...v]);
  });

  it('webgpu: the same within float32 rounding of one pass (the state is float32 on both sides)', async () => {
    const { one, resumed } = await run(gpu, 6, 5);
    for (const [k, v] of one) expect(normwiseError(resumed.get(k)!, v, 1e-30), k).toBeLessThan(1e-6);
  });

  it.each(backends())('%s: a checkpoint of another model or optimizer is refused, naming what differs', async (_n, engine) => {
    const e = engine();
    const m = e.createModel({ ...cfg, seed: 1 });
    const t = m.trainer(opts);
    const { x, y } = randomBatch(cfg, 3, 5, new Rng(1));
    await t.step(x, y);
    const ck = await t.save();
    expect(() => m.trainer({ ...opts, optimizer: { name: 'adam', lr: 0.05 }, resume: ck })).toThrow(/trainer resume: the checkpoint was trained with optimizer adam lr 0\.02, these options give adam lr 0\.05/);
    expect(() => m.trainer({ ...opts, clipNorm: 2, resume: ck })).toThrow(/clipNorm 1, these options give 2/);
    const other = e.createModel({ ...cfg, hiddenSize: 5, seed: 1 });
    expect(() => other.trainer({ ...opts, resume: ck })).toThrow(/trainer resume: the checkpoint is of another model \(hiddenSize 4 in the checkpoint, 5 in this model\)/);
    expect(() => m.trainer({ ...opts, resume: new Uint8Array(4) })).toThrow(/trainer resume checkpoint: not a safetensors file/);
  });
});

describe('interop from the model: toOnnx, toTfjs and loadModel of TF.js artifacts', () => {
  it.each(backends())('%s: toOnnx runs in onnxruntime with the logits of forward; toTfjs loads back with the same predictions', async (_n, engine) => {
    const e = engine();
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce' };
    const m = e.createModel({ ...cfg, seed: 9 });
    const { x } = randomBatch(cfg, 2, 5, new Rng(2));
    const f = await m.forward(x);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(await m.toOnnx());
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.data as Float32Array), [2, 5, 3]) });
    expect(normwiseError(out.logits!.data as Float32Array, f.logits, 1e-30)).toBeLessThan(1e-5);
    const again = e.loadModel(await m.toTfjs(), { config: { loss: 'softmax_ce' } });
    expect(again.config).toMatchObject({ cell: 'lstm', hiddenSize: 4, numLayers: 2, outputs: 'all' });
    expect(normwiseError((await again.predict(x)).data, (await m.predict(x)).data, 1e-30)).toBeLessThan(1e-5);
    await expect(e.createModel({ ...cfg, cell: 'gru', seed: 1 }).toTfjs()).rejects.toThrow(/GRU/);
    m.destroy();
  });
});
