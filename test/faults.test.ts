/**
 * Issue 8's defects, each as the reproduction that showed it, on both backends where the path
 * exists there: bad sizes refused before allocating, float32's range on the GPU path, a lost
 * device, concurrent and un-awaited calls, two trainers on one model, plans over the device's
 * limits, a destroyed engine, the caller's arrays changed after a call, raw JavaScript errors where
 * named ones belong. Every error is checked for its words, and the two backends for saying the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Model } from '../src/api.js';
import { randomBatch } from '../src/check.js';
import type { ModelConfig } from '../src/config.js';
import { CpuEngine } from '../src/cpu/engine.js';
import { InputError, RuntimeFailure } from '../src/errors.js';
import { decodeModelFile } from '../src/files/modelFile.js';
import { createEngine } from '../src/index.js';
import { Rng } from '../src/rng.js';
import type { WebGPUEngine } from '../src/webgpu/engine/engine.js';
import { DEFAULT_IN_FLIGHT, InFlight } from '../src/webgpu/engine/inflight.js';

let gpu: WebGPUEngine;
beforeAll(async () => {
  gpu = (await createEngine({ backend: 'webgpu', log: () => {} })) as WebGPUEngine;
});
afterAll(() => gpu?.destroy());

const backends = (): Array<[string, () => Engine]> => [['cpu', () => new CpuEngine()], ['webgpu', () => gpu]];

const SMALL: ModelConfig = { cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' };

async function params(m: Model): Promise<Float64Array[]> {
  return [...(await m.getParameters()).values()];
}

function sameParams(a: Float64Array[], b: Float64Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((v, j) => Object.is(v, b[i]![j])));
}

describe('1. sizes are bounded before anything is allocated', () => {
  it.each(backends())('%s: numLayers 1e7 and hiddenSize 1e9 are refused naming the field and the limit; a huge model names the budget', (_n, engine) => {
    const e = engine();
    expect(() => e.createModel({ ...SMALL, numLayers: 1e7 })).toThrow(/createModel: numLayers must be an integer in \[1, 1024\], received 10000000/);
    expect(() => e.createModel({ ...SMALL, hiddenSize: 1e9 })).toThrow(/createModel: hiddenSize must be an integer in \[1, 65536\], received 1000000000/);
    expect(() => e.createModel({ ...SMALL, hiddenSize: 60000, numLayers: 100 })).toThrow(/createModel: the model needs \d+ parameters \(.*hiddenSize 60000, numLayers 100.*\), over the limit of \d+/);
  });
});

describe('2. float32 range on the GPU path; the writer refuses what the reader refuses', () => {
  it('webgpu refuses x beyond float32 naming the tensor and position; the model is untouched', async () => {
    const m = gpu.createModel({ ...SMALL, seed: 1 });
    const before = await params(m);
    const x = { data: new Float64Array(2 * 3 * 2).fill(0.5), shape: [2, 3, 2] };
    x.data[5] = 1e39;
    const y = { data: new Int32Array(6), shape: [2, 3] };
    const t = m.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
    await expect(t.step(x, y)).rejects.toThrow(/trainer.step: tensor "x" expected values within float32's range .*received 1e\+39 at \[0, 2, 1\]/);
    await expect(m.setParameters(new Map([['head.bias', [0, 1e39, 0, 0]]]))).rejects.toThrow(/setParameters: tensor "head.bias" expected values within float32's range/);
    expect(sameParams(await params(m), before)).toBe(true);
    expect(t.steps).toBe(0);
    m.destroy();
  });

  it('cpu takes float64 values, and save() as F32 refuses one that float32 cannot hold (F64 keeps it)', async () => {
    const m = new CpuEngine().createModel({ ...SMALL, seed: 1 });
    await m.setParameters(new Map([['head.bias', [0, 1e39, 0, 0]]]));
    await expect(m.save()).rejects.toThrow(/head\.bias.*1e\+39|1e\+39.*head\.bias/);
    const f64 = await m.save({ dtype: 'F64' });
    expect(decodeModelFile(f64, 'm').params.includes(1e39)).toBe(true);
  });
});

describe('3. a lost device: one clear error on every later call, and the last good weights stay savable', () => {
  it('after device.destroy(), step (read or not), forward and getParameters fail naming the loss; save() gives the weights last read, and says from when', async () => {
    const own = (await createEngine({ backend: 'webgpu', log: () => {} })) as WebGPUEngine;
    const m = own.createModel({ ...SMALL, seed: 4 });
    const t = m.trainer({ optimizer: { name: 'adam', lr: 0.01 } });
    const rng = new Rng(1);
    const { x, y } = randomBatch(SMALL, 2, 3, rng);
    await t.step(x, y);
    const good = await m.getParameters();
    own.device.destroy();
    const lost = /WebGPU device was destroyed.*last good weights \(as last read back\) are still savable: model\.save\(\)/;
    await expect(t.step(x, y)).rejects.toThrow(lost);
    await expect(t.step(x, y, { readLoss: false })).rejects.toThrow(lost);
    await expect(m.forward(x)).rejects.toThrow(lost);
    await expect(m.getParameters()).rejects.toThrow(lost);
    const err = await m.forward(x).catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeFailure);
    const saved = decodeModelFile(await m.save(), 'saved');
    const flat = [...good.values()].flatMap((v) => [...v]);
    expect([...saved.params]).toEqual(flat.map((v) => Math.fround(v)));
    own.destroy();
  });
});

describe('4, 5, 6. calls queue in order, each applied once; trainers own their optimizer state', () => {
  it.each(backends())('%s: 9 concurrent steps (loss read) give the same weights as 9 awaited ones, and count 9', async (_n, engine) => {
    const e = engine();
    const cfg = SMALL, rng = new Rng(3);
    const batches = Array.from({ length: 9 }, () => randomBatch(cfg, 2, 4, rng));
    const a = e.createModel({ ...cfg, seed: 2 }), b = e.createModel({ ...cfg, seed: 2 });
    const ta = a.trainer({ optimizer: { name: 'adam', lr: 0.05 } }), tb = b.trainer({ optimizer: { name: 'adam', lr: 0.05 } });
    const results = await Promise.all(batches.map(({ x, y }) => ta.step(x, y)));
    for (const { x, y } of batches) await tb.step(x, y);
    expect(results.every((r) => Number.isFinite(r.loss))).toBe(true);
    expect(ta.steps).toBe(9);
    expect(sameParams(await params(a), await params(b))).toBe(true);
    a.destroy();
    b.destroy();
  });

  it.each(backends())('%s: un-awaited steps of a stateful trainer carry the state as awaited ones do', async (_n, engine) => {
    const e = engine();
    const rng = new Rng(5);
    const batches = Array.from({ length: 6 }, () => randomBatch(SMALL, 3, 4, rng));
    const a = e.createModel({ ...SMALL, seed: 6 }), b = e.createModel({ ...SMALL, seed: 6 });
    const ta = a.trainer({ optimizer: { name: 'sgd', lr: 0.5 }, stateful: true }), tb = b.trainer({ optimizer: { name: 'sgd', lr: 0.5 }, stateful: true });
    for (const { x, y } of batches) void ta.step(x, y, { readLoss: false });
    for (const { x, y } of batches) await tb.step(x, y);
    expect(sameParams(await params(a), await params(b))).toBe(true);
    a.destroy();
    b.destroy();
  });

  it.each(backends())('%s: a second trainer does not touch the first one\'s Adam state', async (_n, engine) => {
    const e = engine();
    const rng = new Rng(7);
    const batches = Array.from({ length: 10 }, () => randomBatch(SMALL, 2, 3, rng));
    const a = e.createModel({ ...SMALL, seed: 8 }), b = e.createModel({ ...SMALL, seed: 8 });
    const ta = a.trainer({ optimizer: { name: 'adam', lr: 0.05 } }), tb = b.trainer({ optimizer: { name: 'adam', lr: 0.05 } });
    for (const { x, y } of batches.slice(0, 5)) { await ta.step(x, y); await tb.step(x, y); }
    a.trainer({ optimizer: { name: 'adam', lr: 0.05 } });
    for (const { x, y } of batches.slice(5)) { await ta.step(x, y); await tb.step(x, y); }
    expect(sameParams(await params(a), await params(b))).toBe(true);
    a.destroy();
    b.destroy();
  });
});

describe('7. a plan over the device\'s limits is refused before it allocates', () => {
  it('webgpu: C = 1000, B = 300000 names the tensor, its size and the limit, and creates no buffer', async () => {
    const m = gpu.createModel({ cell: 'rnn_tanh', inputSize: 1, hiddenSize: 1, numLayers: 1, outputSize: 1000, outputs: 'last', loss: 'softmax_ce', seed: 1 });
    const B = 300000;
    const x = { data: new Float32Array(B), shape: [B, 1, 1] };
    const y = { data: new Int32Array(B), shape: [B] };
    const before = gpu.counters.buffersCreated;
    for (let i = 0; i < 3; i++) {
      await expect(m.grad(x, y)).rejects.toThrow(/grad: batch B=300000, T=1 needs tensor (logits|dlogits) \[rows, C\] = \[300000, 1000\] of 1200000000 bytes, over this device's maxStorageBufferBindingSize of \d+ bytes/);
    }
    expect(gpu.counters.buffersCreated).toBe(before);
    m.destroy();
  });

  it('cpu: a pass with a tensor over 2^28 float64 values is refused naming it', async () => {
    const m = new CpuEngine().createModel({ cell: 'rnn_tanh', inputSize: 1, hiddenSize: 1, numLayers: 1, outputSize: 1000, outputs: 'last', loss: 'softmax_ce', seed: 1 });
    const B = 300000;
    await expect(m.grad({ data: new Float32Array(B), shape: [B, 1, 1] }, { data: new Int32Array(B), shape: [B] })).rejects.toThrow(/grad: batch B=300000, T=1 needs tensor logits \[rows, C\] = \[300000, 1000\] of 300000000 float64 values/);
  });
});

describe('8. a destroyed engine says so at once, on both backends', () => {
  it.each([['cpu', async () => new CpuEngine()], ['webgpu', async () => createEngine({ backend: 'webgpu', log: () => {} })]] as const)('%s', async (_n, make) => {
    const e = await make();
    const m = e.createModel({ ...SMALL, seed: 1 });
    const bytes = await m.save();
    e.destroy();
    const msg = /this engine was destroyed \(engine\.destroy\(\)\); create a new engine/;
    expect(() => e.createModel({ ...SMALL, seed: 1 })).toThrow(msg);
    expect(() => e.loadModel(bytes)).toThrow(msg);
    await expect(m.forward({ data: new Float32Array(2 * 3 * 2), shape: [2, 3, 2] })).rejects.toThrow(msg);
    expect(() => m.trainer({ optimizer: { name: 'sgd', lr: 1 } })).toThrow(msg);
  });

  it.each(backends())('%s: a destroyed model says so, and does not train', async (_n, engine) => {
    const m = engine().createModel({ ...SMALL, seed: 1 });
    const t = m.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
    m.destroy();
    const { x, y } = randomBatch(SMALL, 2, 3, new Rng(1));
    await expect(t.step(x, y)).rejects.toThrow(/trainer\.step: this model was destroyed \(model\.destroy\(\)\)/);
    await expect(m.forward(x)).rejects.toThrow(/forward: this model was destroyed/);
  });
});

describe('9. the caller\'s arrays are read and copied before the call returns', () => {
  it.each(backends())('%s: x.data[0] = NaN right after step() changes nothing', async (_n, engine) => {
    const e = engine();
    const rng = new Rng(11);
    const { x, y } = randomBatch(SMALL, 2, 3, rng);
    const a = e.createModel({ ...SMALL, seed: 3 }), b = e.createModel({ ...SMALL, seed: 3 });
    const ta = a.trainer({ optimizer: { name: 'sgd', lr: 0.1 } }), tb = b.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
    const xa = { data: (x.data as Float32Array).slice(), shape: x.shape };
    const pending = ta.step(xa, y);
    xa.data[0] = Number.NaN;
    await pending;
    await tb.step(x, y);
    const pa = await params(a);
    expect(pa.every((v) => v.every(Number.isFinite))).toBe(true);
    expect(sameParams(pa, await params(b))).toBe(true);
  });
});

describe('12. named errors where raw JavaScript ones were', () => {
  it.each(backends())('%s: loadModel of the wrong types, setParameters({}), forward states "everything"; an ArrayBuffer loads', async (_n, engine) => {
    const e = engine();
    const m = e.createModel({ ...SMALL, seed: 1 });
    const bytes = await m.save();
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(e.loadModel(ab).config.hiddenSize).toBe(3);
    for (const bad of [null, [], 'm.safetensors', 42]) {
      expect(() => e.loadModel(bad as never)).toThrow(InputError);
      expect(() => e.loadModel(bad as never)).toThrow(/loadModel: expected the bytes of a model file \(Uint8Array or ArrayBuffer\) or TF\.js artifacts/);
    }
    await expect(m.setParameters({} as never)).rejects.toThrow(/setParameters: expected a Map of parameter name → values.*received Object/);
    await expect(m.forward({ data: new Float32Array(12), shape: [2, 3, 2] }, { states: 'everything' as never })).rejects.toThrow(/forward: states must be "final" or "all", received "everything"/);
  });

  it('both backends word a bad input the same way, with the same prefix', async () => {
    const msgs: string[] = [];
    for (const [, engine] of backends()) {
      const m = engine().createModel({ ...SMALL, seed: 1 });
      const t = m.trainer({ optimizer: { name: 'sgd', lr: 0.1 }, stateful: true });
      const { x, y } = randomBatch(SMALL, 2, 3, new Rng(1));
      await t.step(x, y);
      const r3 = randomBatch(SMALL, 3, 3, new Rng(2));
      msgs.push(String((await t.step(r3.x, r3.y).catch((err) => err)).message));
      msgs.push(String((await m.forward({ data: new Float32Array(3 * 2 * 2), shape: [3, 2, 2] }, { lengths: { data: Int32Array.from([1, 9, 1]), shape: [3] } }).catch((err) => err)).message));
    }
    expect(msgs[0]).toBe('trainer.step: a stateful trainer carries a state of batch 2, received batch 3; call resetState() before changing the batch size');
    expect(msgs[1]).toBe('forward: tensor "lengths" expected values in [1, 2], received 9 at [1]');
    expect(msgs[2]).toBe(msgs[0]);
    expect(msgs[3]).toBe(msgs[1]);
  });

  it('a time-major x is blamed on x, with the hint', async () => {
    const m = new CpuEngine().createModel({ ...SMALL, inputSize: 1, seed: 1 });
    const t = m.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
    const B = 7, T = 50;
    await expect(t.step({ data: new Float32Array(B * T), shape: [T, B, 1] }, { data: new Int32Array(B * T), shape: [B, T] }))
      .rejects.toThrow(/trainer\.step: tensor "x" of shape \[50, 7, 1\] does not match tensor "y" of shape \[7, 50\] \(did you pass \[T, B, I\] instead of \[B, T, I\]\?/);
  });
});

describe('14. back-pressure: at most a few steps in flight', () => {
  it('InFlight waits for the oldest submit once `limit` are pending', async () => {
    const resolvers: Array<() => void> = [];
    const queue = { onSubmittedWorkDone: () => new Promise<undefined>((r) => resolvers.push(() => r(undefined))) } as unknown as GPUQueue;
    const f = new InFlight(queue, 3);
    for (let i = 0; i < 3; i++) { await f.room(); f.submitted(); }
    let entered = false;
    const fourth = f.room().then(() => { entered = true; });
    await new Promise((r) => setTimeout(r, 10));
    expect(entered).toBe(false);
    resolvers[0]!();
    await fourth;
    expect(entered).toBe(true);
  });

  it('300 unread webgpu steps keep the host at most DEFAULT_IN_FLIGHT steps ahead of the device', async () => {
    const m = gpu.createModel({ cell: 'lstm', inputSize: 1, hiddenSize: 8, numLayers: 2, outputSize: 2, outputs: 'all', loss: 'softmax_ce', seed: 1 });
    const t = m.trainer({ optimizer: { name: 'sgd', lr: 0.01 } });
    const B = 8, T = 20;
    const x = { data: new Float32Array(B * T), shape: [B, T, 1] }, y = { data: new Int32Array(B * T), shape: [B, T] };
    await t.step(x, y);
    // Count the submits the device has not finished yet (each one's completion promise).
    const q = gpu.device.queue;
    const submit = q.submit.bind(q);
    let pending = 0, maxPending = 0;
    (q as { submit: GPUQueue['submit'] }).submit = (buffers) => {
      submit(buffers);
      pending++;
      maxPending = Math.max(maxPending, pending);
      void q.onSubmittedWorkDone().then(() => { pending--; });
    };
    try {
      for (let i = 0; i < 300; i++) await t.step(x, y, { readLoss: false });
    } finally {
      delete (q as { submit?: unknown }).submit;
    }
    expect(maxPending).toBeGreaterThan(1);
    expect(maxPending).toBeLessThanOrEqual(DEFAULT_IN_FLIGHT + 1);
    const r = await t.step(x, y);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(t.steps).toBe(302);
    m.destroy();
  });
});
