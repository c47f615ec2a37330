/**
 * The WebGPU engine against the float64 engine, whole passes: grad (loss, logits, final states,
 * every parameter gradient, initial-state gradients) for every cell × head × loss on ragged
 * shapes, then parameters after 20 training steps for each cell and each optimizer, with clipping,
 * and stateful truncated BPTT over several windows. Normwise errors per tensor (DESIGN.md's
 * measure). Tolerances: a whole pass is f32 against f64 over T steps and reductions over T·B rows;
 * 2e-4 is the `grad` contract's bound; 20 training steps compound the per-step error, so 1e-3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../src/api.js';
import { CHECK_OPTIMIZERS, compareGrads, compareParameters, randomBatch, randomState, TOLERANCE } from '../src/check.js';
import type { ModelConfig } from '../src/config.js';
import { CpuEngine } from '../src/cpu/engine.js';
import { createNodeWebGPUEngine } from '../src/index.js';
import { Rng } from '../src/rng.js';
import type { WebGPUEngine } from '../src/webgpu/gpuEngine.js';
import { describePlan } from '../src/webgpu/plan.js';
import { optimizerUniforms } from '../src/webgpu/optimizerUniforms.js';
import { resolveOptimizer } from '../src/reference/optimizerUpdate.js';

let gpu: WebGPUEngine;
const cpu = new CpuEngine();
beforeAll(async () => {
  try {
    gpu = (await createNodeWebGPUEngine()) as WebGPUEngine;
  } catch (e) {
    throw new Error(`NO WEBGPU ADAPTER: the GPU engine tests cannot run (${(e as Error).message}); run scripts/setup-system.sh as root`);
  }
});
afterAll(() => gpu?.destroy());

const batch = randomBatch;

async function pair(cfg: ModelConfig, seed: number): Promise<[Model, Model]> {
  return [cpu.createModel({ ...cfg, seed }), gpu.createModel({ ...cfg, seed })];
}

const configs: Array<[string, ModelConfig, number, number]> = [
  ['lstm all softmax', { cell: 'lstm', inputSize: 3, hiddenSize: 7, numLayers: 2, outputSize: 5, outputs: 'all', loss: 'softmax_ce' }, 3, 13],
  ['lstm last-3 ch softmax', { cell: 'lstm', inputSize: 5, hiddenSize: 13, numLayers: 1, outputSize: 4, outputs: 'last', headSteps: 3, headFrom: 'ch', loss: 'softmax_ce' }, 7, 9],
  ['lstm all ch bce', { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', headFrom: 'ch', loss: 'sigmoid_bce' }, 5, 15],
  ['gru all bce', { cell: 'gru', inputSize: 2, hiddenSize: 9, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'sigmoid_bce' }, 4, 11],
  ['gru last softmax', { cell: 'gru', inputSize: 4, hiddenSize: 33, numLayers: 1, outputSize: 7, outputs: 'last', loss: 'softmax_ce' }, 1, 30],
  ['rnn all bce learned', { cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 1, outputs: 'all', loss: 'sigmoid_bce', learnedInitialState: true }, 6, 7],
  ['rnn last-2 softmax', { cell: 'rnn_tanh', inputSize: 6, hiddenSize: 17, numLayers: 2, outputSize: 3, outputs: 'last', headSteps: 2, loss: 'softmax_ce' }, 3, 65],
  ['lstm learned all softmax', { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce', learnedInitialState: true }, 4, 6],
];

describe('webgpu grad matches the float64 reference', () => {
  for (const [name, cfg, B, T] of configs) {
    for (const withH0 of [false, true]) {
      it(`${name} B${B} T${T}${withH0 ? ' with h0/c0' : ''}`, async () => {
        const rng = new Rng(B * 1000 + T);
        const [c, g] = await pair(cfg, 7);
        const { x, y } = batch(cfg, B, T, rng);
        const st = withH0 ? randomState(cfg, B, rng) : {};
        const errors = compareGrads(await g.grad(x, y, st), await c.grad(x, y, st));
        const worst = Object.entries(errors).sort((a, b) => b[1] - a[1])[0]!;
        for (const [k, e] of Object.entries(errors)) expect(e, `${name}: ${k} (worst ${worst[0]} ${worst[1]})`).toBeLessThan(TOLERANCE.pass);
      });
    }
  }
});

describe('webgpu training matches the float64 reference', () => {
  const opts = CHECK_OPTIMIZERS;
  const cells: ModelConfig[] = [
    { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' },
    { cell: 'gru', inputSize: 3, hiddenSize: 6, numLayers: 1, outputSize: 2, outputs: 'last', loss: 'sigmoid_bce' },
    { cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 1, outputs: 'all', loss: 'sigmoid_bce', learnedInitialState: true },
  ];
  for (const cfg of cells) {
    for (const [oname, opt] of opts) {
      it(`${cfg.cell} ${oname}: parameters after 20 steps with clipping`, async () => {
        const rng = new Rng(42);
        const [c, g] = await pair(cfg, 3);
        const tc = c.trainer({ optimizer: opt, clipNorm: 0.5 }), tg = g.trainer({ optimizer: opt, clipNorm: 0.5 });
        for (let s = 0; s < 20; s++) {
          const { x, y } = batch(cfg, 4, 6, rng);
          const a = await tc.step(x, y), b = await tg.step(x, y);
          expect(Math.abs(a.loss - b.loss) / Math.max(Math.abs(a.loss), 1e-6)).toBeLessThan(1e-3);
        }
        for (const [k, e] of Object.entries(await compareParameters(g, c))) expect(e, `${cfg.cell} ${oname} ${k}`).toBeLessThan(TOLERANCE.training);
      });
    }
  }

  it('stateful truncated BPTT over several windows (echo-like, head from c and h)', async () => {
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', headFrom: 'ch', loss: 'softmax_ce' };
    const rng = new Rng(9);
    const [c, g] = await pair(cfg, 5);
    const opt = { name: 'adagrad', lr: 0.3, initialAccumulatorValue: 0.1 } as const;
    const tc = c.trainer({ optimizer: opt, stateful: true }), tg = g.trainer({ optimizer: opt, stateful: true });
    for (let w = 0; w < 8; w++) {
      if (w === 5) { tc.resetState(); tg.resetState(); }
      const { x, y } = batch(cfg, 5, 15, rng);
      const a = await tc.step(x, y), b = await tg.step(x, y);
      expect(Math.abs(a.loss - b.loss) / a.loss, `window ${w}`).toBeLessThan(1e-3);
    }
    for (const [k, e] of Object.entries(await compareParameters(g, c))) expect(e, k).toBeLessThan(TOLERANCE.training);
  });
});

describe('counted, not timed', () => {
  // Dispatches of one training step without a learned initial state (README): per layer
  // 1 input projection + T forward steps + T backward steps + 2 weight-gradient matmuls + 2 bias
  // reductions + 1 input-gradient matmul below the top layer; the head has m = (2 if headFrom ch)
  // × (headSteps if outputs last) blocks, each a forward, a weight-gradient and an input-gradient
  // matmul, plus the bias reduction, the loss and its sum; then grad norm (2) and the update (1).
  // Total 2·L·T + 6·L + 3·m + 5.
  const formula = (L: number, T: number, m: number) => 2 * L * T + 6 * L + 3 * m + 5;
  it.each([
    ['bitpair', { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' }, 50, 1],
    ['echo', { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', headFrom: 'ch', loss: 'softmax_ce' }, 15, 2],
    ['mnist-rows', { cell: 'lstm', inputSize: 28, hiddenSize: 8, numLayers: 1, outputSize: 10, outputs: 'last', headSteps: 3, loss: 'softmax_ce' }, 28, 3],
    ['gru', { cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 2, outputs: 'all', loss: 'sigmoid_bce' }, 9, 1],
  ] as Array<[string, ModelConfig, number, number]>)('%s: the plan has exactly 2·L·T + 6·L + 3·m + 5 dispatches, printable', async (_n, cfg, T, m) => {
    const model = gpu.createModel({ ...cfg, seed: 1 }) as import('../src/webgpu/gpuModel.js').GpuModel;
    const plan = await model.plan('train', 3, T, { optimizerUniforms: optimizerUniforms(resolveOptimizer({ name: 'sgd', lr: 0.1 }), 1, 0.1, model.layout.total) });
    expect(plan.dispatches.length).toBe(formula(cfg.numLayers, T, m));
    expect(plan.dispatches.length).toBeLessThanOrEqual(2 * cfg.numLayers * T + 12 * cfg.numLayers + 12);
    const text = describePlan(plan);
    expect(text.split('\n')).toHaveLength(plan.dispatches.length);
    expect(text).toContain(`${cfg.cell === 'rnn_tanh' ? 'rnn' : cfg.cell}_step_backward[l=0,t=0]`);
    model.destroy();
  });

  it('one submit per training step, at most 2·L·T + 12·L + 12 dispatches, nothing created after the first step over 1,000 steps', async () => {
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' };
    const model = gpu.createModel({ ...cfg, seed: 1 });
    const trainer = model.trainer({ optimizer: { name: 'adam', lr: 0.01 }, clipNorm: 10, stateful: true });
    const rng = new Rng(1);
    const B = 7, T = 50, L = 2;
    const { x, y } = batch(cfg, B, T, rng);
    await trainer.step(x, y);
    const c0 = { ...gpu.counters };
    await trainer.step(x, y, { readLoss: false });
    const perStep = { submits: gpu.counters.submits - c0.submits, dispatches: gpu.counters.dispatches - c0.dispatches };
    expect(perStep.submits).toBe(1);
    expect(perStep.dispatches).toBeLessThanOrEqual(2 * L * T + 12 * L + 12);
    for (let s = 0; s < 998; s++) await trainer.step(x, y, { readLoss: s % 100 === 99 });
    expect(gpu.counters.buffersCreated).toBe(c0.buffersCreated);
    expect(gpu.counters.bindGroupsCreated).toBe(c0.bindGroupsCreated);
    expect(gpu.counters.pipelinesCreated).toBe(c0.pipelinesCreated);
    expect(gpu.counters.submits - c0.submits).toBe(999);
  });
});
