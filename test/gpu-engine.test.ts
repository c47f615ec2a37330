/**
 * The WebGPU engine against the float64 engine, whole passes: grad (loss, logits, final states,
 * every parameter gradient, initial-state gradients) for every cell × head × loss on ragged
 * shapes — with per-row lengths, token inputs and initial states — then parameters after 20
 * training steps for each cell and each optimizer, with clipping, and stateful truncated BPTT over
 * several windows. Normwise errors per tensor (DESIGN.md's measure). Tolerances (src/check.ts's
 * TOLERANCE): a whole pass is f32 against f64 over T steps and reductions over T·B rows, and 2e-4 is
 * the `grad` contract's bound; 20 training steps compound the per-step error, so 1e-3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../src/api.js';
import { CHECK_OPTIMIZERS, compareGrads, compareParameters, randomBatch, randomLengths, randomState, TOLERANCE } from '../src/check.js';
import type { ModelConfig } from '../src/config.js';
import { CpuEngine } from '../src/cpu/engine.js';
import { createEngine } from '../src/index.js';
import { Rng } from '../src/rng.js';
import type { WebGPUEngine } from '../src/webgpu/engine/engine.js';
import type { GpuModel } from '../src/webgpu/engine/model.js';
import { DROP_FACTOR, timePlan } from '../src/webgpu/engine/tuner.js';

let gpu: WebGPUEngine;
const cpu = new CpuEngine();
beforeAll(async () => {
  try {
    gpu = (await createEngine({ backend: 'webgpu', log: () => {} })) as WebGPUEngine;
  } catch (e) {
    throw new Error(`NO WEBGPU ADAPTER: the GPU engine tests cannot run (${(e as Error).message}); run scripts/setup-system.sh as root`);
  }
});
afterAll(() => gpu?.destroy());

function pair(cfg: ModelConfig, seed: number): [Model, Model] {
  return [cpu.createModel({ ...cfg, seed }), gpu.createModel({ ...cfg, seed })];
}

const configs: Array<[string, ModelConfig, number, number]> = [
  ['lstm all softmax', { cell: 'lstm', inputSize: 3, hiddenSize: 7, numLayers: 2, outputSize: 5, outputs: 'all', loss: 'softmax_ce' }, 3, 13],
  ['lstm last-3 ch softmax', { cell: 'lstm', inputSize: 5, hiddenSize: 13, numLayers: 1, outputSize: 4, outputs: 'last', headSteps: 3, headFrom: 'ch', loss: 'softmax_ce' }, 7, 9],
  ['lstm all ch bce', { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', headFrom: 'ch', loss: 'sigmoid_bce' }, 5, 15],
  ['gru all bce', { cell: 'gru', inputSize: 2, hiddenSize: 9, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'sigmoid_bce' }, 4, 11],
  ['gru last mse', { cell: 'gru', inputSize: 4, hiddenSize: 33, numLayers: 1, outputSize: 7, outputs: 'last', loss: 'mse' }, 3, 30],
  ['rnn all bce learned', { cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 1, outputs: 'all', loss: 'sigmoid_bce', learnedInitialState: true }, 6, 7],
  ['rnn last-2 softmax', { cell: 'rnn_tanh', inputSize: 6, hiddenSize: 17, numLayers: 2, outputSize: 3, outputs: 'last', headSteps: 2, loss: 'softmax_ce' }, 3, 65],
  ['rnn_relu all mse', { cell: 'rnn_relu', inputSize: 3, hiddenSize: 8, numLayers: 2, outputSize: 2, outputs: 'all', loss: 'mse' }, 5, 12],
  ['lstm learned all softmax', { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 3, outputs: 'all', loss: 'softmax_ce', learnedInitialState: true }, 4, 6],
  ['lstm tokens all softmax', { cell: 'lstm', inputKind: 'tokens', vocabSize: 13, inputSize: 4, hiddenSize: 6, numLayers: 2, outputSize: 13, outputs: 'all', loss: 'softmax_ce' }, 4, 10],
  ['gru tokens last-2 mse', { cell: 'gru', inputKind: 'tokens', vocabSize: 5, inputSize: 3, hiddenSize: 7, numLayers: 1, outputSize: 2, outputs: 'last', headSteps: 2, loss: 'mse' }, 5, 8],
];

describe('webgpu grad matches the float64 reference', () => {
  for (const [name, cfg, B, T] of configs) {
    for (const variant of ['plain', 'h0', 'lengths', 'h0+lengths'] as const) {
      it(`${name} B${B} T${T} ${variant}`, async () => {
        const rng = new Rng(B * 1000 + T + variant.length);
        const [c, g] = pair(cfg, 7);
        const lengths = variant.includes('lengths') ? randomLengths(cfg, B, T, rng) : null;
        const { x, y } = randomBatch(cfg, B, T, rng, lengths);
        const st = {
          ...(variant.includes('h0') ? randomState(cfg, B, rng) : {}),
          ...(lengths ? { lengths: { data: lengths, shape: [B] } } : {}),
        };
        const errors = compareGrads(await g.grad(x, y, st), await c.grad(x, y, st));
        const worst = Object.entries(errors).sort((a, b) => b[1] - a[1])[0]!;
        for (const [k, e] of Object.entries(errors)) expect(e, `${name}: ${k} (worst ${worst[0]} ${worst[1]})`).toBeLessThan(TOLERANCE.pass);
      });
    }
  }

  it('forward with lengths: states are zero past each row\'s end, logits there are the head bias, h_n at len − 1', async () => {
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 2, outputs: 'all', loss: 'softmax_ce' };
    const B = 3, T = 5;
    const rng = new Rng(3);
    const [c, g] = pair(cfg, 2);
    const { x } = randomBatch(cfg, B, T, rng);
    const lengths = { data: Int32Array.from([5, 2, 1]), shape: [B] };
    const [a, r] = [await g.forward(x, { lengths, states: 'all' }), await c.forward(x, { lengths, states: 'all' })];
    const params = await c.getParameters();
    const bias = params.get('head.bias')!;
    for (let b = 0; b < B; b++) {
      for (let t = lengths.data[b]!; t < T; t++) {
        for (let j = 0; j < 3; j++) expect(a.hAll![((1 * B + b) * T + t) * 3 + j]).toBe(0);
        for (let k = 0; k < 2; k++) expect(a.logits[(b * T + t) * 2 + k]).toBeCloseTo(bias[k]!, 6);
      }
    }
    // Row b's h_n is its state after step len_b − 1, on both backends.
    for (let b = 0; b < B; b++) for (let j = 0; j < 3; j++) {
      expect(r.hN[(1 * B + b) * 3 + j]).toBe(r.hAll![((1 * B + b) * T + lengths.data[b]! - 1) * 3 + j]);
    }
    for (const [k, e] of Object.entries({ logits: [a.logits, r.logits], hN: [a.hN, r.hN], cN: [a.cN!, r.cN!], hAll: [a.hAll!, r.hAll!] })) {
      const [got, ref] = e as unknown as [ArrayLike<number>, ArrayLike<number>];
      let num = 0, den = 0;
      for (let i = 0; i < ref.length; i++) { num += (got[i]! - ref[i]!) ** 2; den += ref[i]! ** 2; }
      expect(Math.sqrt(num / den), k).toBeLessThan(TOLERANCE.pass);
    }
  });
});

describe('every recurrence variant matches the float64 reference (the tuner may pick any of them)', () => {
  type V = { recurrence: import('../src/webgpu/engine/planSpec.js').Recurrence; matmul: import('../src/webgpu/engine/planSpec.js').MatmulChoice };
  const small = { kernel: 'matmul_small' } as const, tile8 = { kernel: 'matmul', tile: { WG_X: 16, WG_Y: 4, TM: 8, TN: 8 } } as const;
  const variants: Array<[string, V]> = [
    ['steps, matmul 8×8', { recurrence: { kind: 'steps' }, matmul: tile8 }],
    ['steps, matmul_small', { recurrence: { kind: 'steps' }, matmul: small }],
    ['looped R=4, matmul_small', { recurrence: { kind: 'looped', R: 4, WG: 32 }, matmul: small }],
    ['looped R=8 WG=8, matmul 8×8', { recurrence: { kind: 'looped', R: 8, WG: 8 }, matmul: tile8 }],
    ['looped R=64, matmul_small', { recurrence: { kind: 'looped', R: 64, WG: 32 }, matmul: small }],
  ];
  const picks = configs.filter(([name]) => /lstm all softmax|lstm last-3 ch|gru last mse|rnn_relu|tokens all|learned all/.test(name));
  for (const [vname, variant] of variants) {
    for (const [name, cfg, B, T] of picks) {
      it(`${vname}: ${name} B${B} T${T} with lengths and h0`, async () => {
        gpu.tuner.force(variant);
        try {
          const rng = new Rng(B * 31 + T);
          const [c, g] = pair(cfg, 11);
          const lengths = randomLengths(cfg, B, T, rng);
          const { x, y } = randomBatch(cfg, B, T, rng, lengths);
          const st = { ...randomState(cfg, B, rng), lengths: { data: lengths, shape: [B] } };
          const errors = compareGrads(await g.grad(x, y, st), await c.grad(x, y, st));
          for (const [k, e] of Object.entries(errors)) expect(e, `${vname} ${name}: ${k}`).toBeLessThan(TOLERANCE.pass);
          const plan = await (g as GpuModel).plan('test', 'grad', B, T, { h: false, c: false });
          expect(plan.spec.recurrence).toEqual(variant.recurrence);
          expect(plan.spec.matmul).toEqual(variant.matmul);
        } finally {
          gpu.tuner.force(null);
        }
      });
    }
  }

  it('the tuner picks the variant its timings say is fastest, and describePlan says which and why', async () => {
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' };
    const m = gpu.createModel({ ...cfg, seed: 1 }) as GpuModel;
    const first = await m.plan('test', 'train', 12, 9, { h: false, c: false });
    // The default policy: the cost model's pick first, timed in the background.
    expect(first.settled).toBe(false);
    expect(first.why).toMatch(/provisional: \d+ candidates are being timed in the background/);
    await gpu.tuner.idle();
    const plan = await m.plan('test', 'train', 12, 9, { h: false, c: false });
    expect(plan.settled).toBe(true);
    // Kept when it already ran the winner, else replaced by a plan of the winner.
    expect(plan === first).toBe(plan.spec.recurrence.kind === first.spec.recurrence.kind && JSON.stringify(plan.spec.recurrence) === JSON.stringify(first.spec.recurrence) && plan.spec.matmul.kernel === first.spec.matmul.kernel);
    const timings = [...gpu.tuner.timings.entries()].find(([k]) => k.startsWith(JSON.stringify(m.config)) && k.endsWith(':12:9:train'))?.[1];
    expect(timings && timings.length).toBeGreaterThan(1);
    const fastest = [...timings!].sort((a, b) => a.ms - b.ms)[0]!;
    expect(plan.spec.recurrence).toEqual(fastest.recurrence);
    expect(plan.describe().split('\n')[0]).toMatch(/the fastest of .* ms.*measured by (timestamp queries|wall clock)/);
    // A candidate left after one run was over DROP_FACTOR times the best timed one.
    const best = Math.min(...timings!.filter((t) => !t.dropped).map((t) => t.ms));
    for (const t of timings!.filter((t) => t.dropped)) expect(t.ms).toBeGreaterThan(DROP_FACTOR * best);
    m.destroy();
  });

  it('timing a plan stops after its first run when that run is over the bound', async () => {
    const m = gpu.createModel({ cell: 'lstm', inputSize: 1, hiddenSize: 3, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'softmax_ce', seed: 1 }) as GpuModel;
    const plan = await m.plan('test', 'train', 4, 3, { h: false, c: false });
    const full = await timePlan(gpu.device, plan, 3);
    expect(full.dropped).toBe(false);
    const cut = await timePlan(gpu.device, plan, 3, 0);
    expect(cut.dropped).toBe(true);
    expect(cut.ms).toBeGreaterThan(0);
    m.destroy();
  });
});

describe('webgpu training matches the float64 reference', () => {
  const cells: ModelConfig[] = [
    { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' },
    { cell: 'gru', inputSize: 3, hiddenSize: 6, numLayers: 1, outputSize: 2, outputs: 'last', loss: 'sigmoid_bce' },
    { cell: 'rnn_tanh', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 1, outputs: 'all', loss: 'sigmoid_bce', learnedInitialState: true },
    { cell: 'rnn_relu', inputSize: 2, hiddenSize: 4, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'mse' },
  ];
  for (const cfg of cells) {
    for (const [oname, opt] of CHECK_OPTIMIZERS) {
      it(`${cfg.cell} ${oname}: parameters after 20 steps with clipping`, async () => {
        const rng = new Rng(42);
        const [c, g] = pair(cfg, 3);
        const tc = c.trainer({ optimizer: opt, clipNorm: 0.5 }), tg = g.trainer({ optimizer: opt, clipNorm: 0.5 });
        for (let s = 0; s < 20; s++) {
          const { x, y } = randomBatch(cfg, 4, 6, rng);
          const a = await tc.step(x, y), b = await tg.step(x, y);
          expect(Math.abs(a.loss - b.loss) / Math.max(Math.abs(a.loss), 1e-6)).toBeLessThan(1e-3);
        }
        for (const [k, e] of Object.entries(await compareParameters(g, c))) expect(e, `${cfg.cell} ${oname} ${k}`).toBeLessThan(TOLERANCE.training);
      });
    }
  }

  it('stateful truncated BPTT over several windows (echo-like, head from c and h), with lengths in some windows', async () => {
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', headFrom: 'ch', loss: 'softmax_ce' };
    const rng = new Rng(9);
    const [c, g] = pair(cfg, 5);
    const opt = { name: 'adagrad', lr: 0.3, initialAccumulatorValue: 0.1 } as const;
    const tc = c.trainer({ optimizer: opt, stateful: true }), tg = g.trainer({ optimizer: opt, stateful: true });
    for (let w = 0; w < 8; w++) {
      if (w === 5) { tc.resetState(); tg.resetState(); }
      const lengths = w % 3 === 2 ? randomLengths(cfg, 5, 15, rng) : null;
      const { x, y } = randomBatch(cfg, 5, 15, rng, lengths);
      const o = lengths ? { lengths: { data: lengths, shape: [5] } } : {};
      const a = await tc.step(x, y, o), b = await tg.step(x, y, o);
      expect(Math.abs(a.loss - b.loss) / a.loss, `window ${w}`).toBeLessThan(1e-3);
    }
    for (const [k, e] of Object.entries(await compareParameters(g, c))) expect(e, k).toBeLessThan(TOLERANCE.training);
  });
});

describe('counted, not timed', () => {
  it('one submit per training step, the dispatches of the plan plus the update, nothing created after the first step over 1,000 steps', async () => {
    const cfg: ModelConfig = { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' };
    const model = gpu.createModel({ ...cfg, seed: 1 }) as GpuModel;
    const trainer = model.trainer({ optimizer: { name: 'adam', lr: 0.01 }, clipNorm: 10, stateful: true });
    const rng = new Rng(1);
    const B = 7, T = 50, L = 2;
    const { x, y } = randomBatch(cfg, B, T, rng);
    await trainer.step(x, y);
    // Once the background timing of this shape is over (and its plan swapped in, if it lost),
    // nothing more is created.
    await gpu.tuner.idle();
    await trainer.step(x, y);
    const c0 = { ...gpu.counters };
    await trainer.step(x, y, { readLoss: false });
    const perStep = { submits: gpu.counters.submits - c0.submits, dispatches: gpu.counters.dispatches - c0.dispatches };
    expect(perStep.submits).toBe(1);
    const plan = await model.plan('test', 'train', B, T, { h: false, c: false });
    expect(perStep.dispatches).toBe(plan.dispatches.length + 3);
    // The tuner's plan for this shape (B·H = 35 on SwiftShader: a time loop) or the per-step one.
    expect(perStep.dispatches).toBe(plan.spec.recurrence.kind === 'looped' ? 6 * L + 3 * 1 + 4 : 2 * L * T + 4 * L + 3 * 1 + 4);
    for (let s = 0; s < 998; s++) await trainer.step(x, y, { readLoss: s % 100 === 99 });
    expect(gpu.counters.buffersCreated).toBe(c0.buffersCreated);
    expect(gpu.counters.bindGroupsCreated).toBe(c0.bindGroupsCreated);
    expect(gpu.counters.pipelinesCreated).toBe(c0.pipelinesCreated);
    expect(gpu.counters.submits - c0.submits).toBe(999); // 1 + 998
    model.destroy();
  });

  // Dispatches of a training step, for L layers, T steps and a head of m blocks (m = 2 when the head
  // reads c and h, times headSteps for outputs last), without a learned initial state:
  //   a dispatch per step:  2·L·T + 4·L + 3·m + 4      a time loop per layer:  6·L + 3·m + 4
  // = per layer an input projection, T forward and T backward steps (or one loop each), two
  //   weight-gradient matmuls with the bias gradients folded in, and below the top an input-gradient
  //   matmul; the head's m forward, m weight-gradient and m input-gradient matmuls; the loss and its
  //   sum; the grad norm (2) and the optimizer (1).
  it.each([
    ['bitpair', { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' }, 50, 50, 1, 40],
    ['echo', { cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 3, outputSize: 2, outputs: 'all', headFrom: 'ch', loss: 'softmax_ce' }, 5, 15, 2, 30],
    ['mnist-rows', { cell: 'lstm', inputSize: 28, hiddenSize: 8, numLayers: 1, outputSize: 10, outputs: 'last', headSteps: 3, loss: 'softmax_ce' }, 6, 28, 3, 40],
  ] as Array<[string, ModelConfig, number, number, number, number]>)('%s: counted dispatches per step of both variants, the time loop within the issue\'s bound', async (_n, cfg, B, T, m, bound) => {
    const L = cfg.numLayers;
    for (const [recurrence, expected] of [[{ kind: 'steps' }, 2 * L * T + 4 * L + 3 * m + 4], [{ kind: 'looped', R: 8, WG: 32 }, 6 * L + 3 * m + 4]] as const) {
      gpu.tuner.force({ recurrence, matmul: { kernel: 'matmul', tile: { WG_X: 16, WG_Y: 4, TM: 8, TN: 8 } } });
      try {
        const model = gpu.createModel({ ...cfg, seed: 1 });
        const t = model.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
        const { x, y } = randomBatch(cfg, B, T, new Rng(1));
        await t.step(x, y);
        const d0 = gpu.counters.dispatches, s0 = gpu.counters.submits;
        await t.step(x, y);
        expect(gpu.counters.dispatches - d0, recurrence.kind).toBe(expected);
        expect(gpu.counters.submits - s0).toBe(1);
        if (recurrence.kind === 'looped') expect(expected).toBeLessThanOrEqual(bound);
        model.destroy();
      } finally {
        gpu.tuner.force(null);
      }
    }
  });

  it('the plan cache is bounded: 40 distinct sequence lengths keep at most 8 plans', async () => {
    const cfg: ModelConfig = { cell: 'gru', inputSize: 2, hiddenSize: 4, numLayers: 1, outputSize: 2, outputs: 'last', loss: 'softmax_ce' };
    const model = gpu.createModel({ ...cfg, seed: 1 }) as GpuModel;
    const rng = new Rng(2);
    for (let T = 1; T <= 40; T++) {
      const { x } = randomBatch(cfg, 2, T, rng);
      await model.forward(x);
    }
    expect(model.planKeys.length).toBeLessThanOrEqual(8);
    expect(model.planKeys).toContain('forward:2:40:11');
    model.destroy();
  });
});
