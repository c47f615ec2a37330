/**
 * ONNX export (src/interop/onnx.ts) run in onnxruntime-node 1.17 (CPU, float32) against the cpu
 * backend's float64 `forward` and `predict`, with the project's normwise measure
 * ‖ort − ref‖₂ / max(‖ref‖₂, 1e-30).
 *
 * The parameters (and inputs, states) are rounded to float32 before the reference runs, so both
 * sides use the same numbers and the difference is float32 arithmetic only: each value is a dot
 * product of length K ≤ I + H (then F in the head) repeated over T steps, which bounds the error by
 * about c·√(T·K)·ε₃₂ (ε₃₂ = 6e-8; here T·K ≤ 6·8 ≈ 50, so ≈ 4e-7 for c = 1). TOL = 1e-5 leaves
 * a factor of ~25 over that; the worst error measured is printed by the last test (3e-7 when written).
 *
 * Cases, for each cell (lstm, gru, rnn_tanh, rnn_relu): 1 and 2 layers × outputs all and last;
 * headSteps 2; a learned initial state; explicit state inputs; lengths with outputs all, last and
 * last k = 3; token inputs (plain, with lengths, with a learned state); then headFrom "ch" (LSTM:
 * outputs last k = 1 on the operator; outputs all and k = 2 through the Scan top layer, with and
 * without lengths and states), each loss's `output`, opsets 17 and 20, lengths against one forward
 * per row (PyTorch's packed semantics, independent of the backend's lengths code), the graph's
 * operators, and refusals.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { CpuEngine } from '../src/cpu/engine.js';
import type { Model } from '../src/api.js';
import { normwiseError } from '../src/compare.js';
import type { ModelConfig, ResolvedConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { exportOnnx, type OnnxExportOptions } from '../src/interop/onnx.js';
import { decodeModelProto } from '../src/interop/onnxSchema.js';
import { Rng } from '../src/rng.js';

const TOL = 1e-5;
const TAU32 = 1e-30;
const engine = new CpuEngine();
let worst = 0;

const B = 3, T = 6, I = 3, H = 4, C = 5;

interface Case {
  name: string;
  cfg: ModelConfig;
  opts?: OnnxExportOptions;
  /** lengths per row (with opts.lengths). */
  lengths?: number[];
  seed?: number;
}

function base(cell: ModelConfig['cell'], over: Partial<ModelConfig> = {}): ModelConfig {
  return { cell, inputSize: I, hiddenSize: H, numLayers: 1, outputSize: C, loss: 'softmax_ce', outputs: 'all', ...over };
}

function randomArray(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.range(-1, 1);
  return a;
}

/** A cpu model whose parameters are float32-representable (and a nonzero learned state). */
async function makeModel(cfg: ModelConfig, seed: number): Promise<Model> {
  const model = engine.createModel({ ...cfg, seed });
  const params = await model.getParameters();
  const rng = new Rng(seed + 1000);
  for (const [name, v] of params) {
    if (name.startsWith('init.')) v.set(randomArray(rng, v.length, 0.8));
    params.set(name, Float64Array.from(Float32Array.from(v)));
  }
  await model.setParameters(params);
  return model;
}

const f32 = (a: ArrayLike<number>): Float32Array => Float32Array.from(a);

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
}

function softmaxRows(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / n; r++) {
    let m = -Infinity, s = 0;
    for (let j = 0; j < n; j++) m = Math.max(m, x[r * n + j]!);
    for (let j = 0; j < n; j++) s += (out[r * n + j] = Math.exp(x[r * n + j]! - m));
    for (let j = 0; j < n; j++) out[r * n + j] /= s;
  }
  return out;
}

function activation(cfg: ResolvedConfig, logits: Float64Array): Float64Array {
  if (cfg.loss === 'softmax_ce') return softmaxRows(logits, cfg.outputSize);
  if (cfg.loss === 'sigmoid_bce') return logits.map((v) => 1 / (1 + Math.exp(-v)));
  return logits;
}

interface Expected { logits: Float64Array; output: Float64Array; hN: Float64Array; cN: Float64Array | null }

type Input = { data: Float64Array; shape: number[] } | { data: Int32Array; shape: number[] };

/** The cpu backend's forward and predict on the same (float32-representable) inputs. */
async function reference(model: Model, x: Input, h0?: Float64Array, c0?: Float64Array, lengths?: number[]): Promise<Expected> {
  const L = model.config.numLayers;
  const state = (s: Float64Array | undefined) => (s ? { data: s, shape: [L, B, H] } : undefined);
  const len = lengths ? { data: Int32Array.from(lengths), shape: [B] } : undefined;
  const r = await model.forward(x, { h0: state(h0), c0: state(c0), lengths: len });
  const p = await model.predict(x, { lengths: len });
  return {
    logits: Float64Array.from(r.logits), output: Float64Array.from(p.data),
    hN: Float64Array.from(r.hN), cN: r.cN ? Float64Array.from(r.cN) : null,
  };
}

function compare(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  const e = normwiseError(got, want, TAU32);
  worst = Math.max(worst, e);
  if (!(e <= TOL)) {
    const firsts: string[] = [];
    for (let i = 0; i < want.length && firsts.length < 5; i++) {
      if (Math.abs(got[i]! - want[i]!) > TOL * Math.max(1, Math.abs(want[i]!))) firsts.push(`[${i}] ${got[i]} vs ${want[i]}`);
    }
    expect.fail(`${label}: normwise error ${e.toExponential(2)} > ${TOL}; first mismatches: ${firsts.join('; ')}`);
  }
}

const V = 11;

async function runCase(c: Case): Promise<void> {
  const seed = c.seed ?? 7;
  const model = await makeModel(c.cfg, seed);
  const cfg = model.config;
  const rng = new Rng(seed + 2000);
  const tokens = cfg.inputKind === 'tokens';
  const ids = Array.from({ length: B * T }, () => rng.int(V));
  const x = Float64Array.from(f32(randomArray(rng, B * T * I)));
  const L = cfg.numLayers;
  const h0 = c.opts?.stateInputs ? Float64Array.from(f32(randomArray(rng, L * B * H, 0.7))) : undefined;
  const c0 = c.opts?.stateInputs && cfg.cell === 'lstm' ? Float64Array.from(f32(randomArray(rng, L * B * H, 0.7))) : undefined;
  const input: Input = tokens ? { data: Int32Array.from(ids), shape: [B, T] } : { data: x, shape: [B, T, I] };
  const want = await reference(model, input, h0, c0, c.lengths);

  const s = await session(exportOnnx(cfg, await model.getParameters(), c.opts));
  const feeds: Record<string, ort.Tensor> = {
    x: tokens ? new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [B, T]) : new ort.Tensor('float32', f32(x), [B, T, I]),
  };
  if (c.lengths) feeds.lengths = new ort.Tensor('int32', Int32Array.from(c.lengths), [B]);
  if (h0) feeds.h0 = new ort.Tensor('float32', f32(h0), [L, B, H]);
  if (c0) feeds.c0 = new ort.Tensor('float32', f32(c0), [L, B, H]);
  expect([...s.inputNames].sort()).toEqual(Object.keys(feeds).sort());
  const out = await s.run(feeds);
  expect(out.logits!.dims).toEqual(cfg.outputs === 'all' ? [B, T, C] : [B, C]);
  expect(out.h_n!.dims).toEqual([L, B, H]);
  compare(`${c.name} logits`, out.logits!.data as Float32Array, want.logits);
  // predict takes no initial state: with state inputs, `output` is checked against the activation below.
  if (!h0) compare(`${c.name} output vs predict`, out.output!.data as Float32Array, want.output);
  compare(`${c.name} output`, out.output!.data as Float32Array, activation(cfg, want.logits));
  compare(`${c.name} h_n`, out.h_n!.data as Float32Array, want.hN);
  if (cfg.cell === 'lstm') {
    expect(out.c_n!.dims).toEqual([L, B, H]);
    compare(`${c.name} c_n`, out.c_n!.data as Float32Array, want.cN!);
  } else {
    expect(s.outputNames).not.toContain('c_n');
  }
}

const CELLS = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const;
const cases: Case[] = [];
for (const cell of CELLS) {
  for (const numLayers of [1, 2]) {
    for (const outputs of ['all', 'last'] as const) {
      cases.push({ name: `${cell} L${numLayers} ${outputs}`, cfg: base(cell, { numLayers, outputs }) });
    }
  }
  cases.push({ name: `${cell} L2 last headSteps 2`, cfg: base(cell, { numLayers: 2, outputs: 'last', headSteps: 2 }) });
  cases.push({ name: `${cell} L2 learned state`, cfg: base(cell, { numLayers: 2, learnedInitialState: true }) });
  cases.push({ name: `${cell} L2 state inputs`, cfg: base(cell, { numLayers: 2, outputs: 'last' }), opts: { stateInputs: true } });
  cases.push({ name: `${cell} L2 all lengths`, cfg: base(cell, { numLayers: 2 }), opts: { lengths: true }, lengths: [6, 2, 4] });
  cases.push({ name: `${cell} L2 last lengths`, cfg: base(cell, { numLayers: 2, outputs: 'last' }), opts: { lengths: true }, lengths: [3, 6, 1] });
  cases.push({ name: `${cell} L2 last headSteps 3 lengths`, cfg: base(cell, { numLayers: 2, outputs: 'last', headSteps: 3 }), opts: { lengths: true }, lengths: [3, 6, 4] });
  cases.push({ name: `${cell} L2 learned state lengths`, cfg: base(cell, { numLayers: 2, learnedInitialState: true, loss: 'sigmoid_bce' }), opts: { lengths: true }, lengths: [5, 1, 6] });
  const tokens = { inputKind: 'tokens' as const, vocabSize: V };
  cases.push({ name: `${cell} L2 tokens`, cfg: base(cell, { numLayers: 2, ...tokens }) });
  cases.push({ name: `${cell} L2 last headSteps 2 tokens lengths`, cfg: base(cell, { numLayers: 2, outputs: 'last', headSteps: 2, ...tokens }), opts: { lengths: true }, lengths: [2, 6, 3] });
  cases.push({ name: `${cell} L1 tokens learned state, state inputs`, cfg: base(cell, { learnedInitialState: true, loss: 'mse', ...tokens }), opts: { stateInputs: true } });
}
// headFrom "ch": the operator's Y_c for outputs last k = 1; the Scan top layer otherwise.
cases.push(
  { name: 'lstm L1 last ch', cfg: base('lstm', { outputs: 'last', headFrom: 'ch' }) },
  { name: 'lstm L2 last ch lengths', cfg: base('lstm', { numLayers: 2, outputs: 'last', headFrom: 'ch' }), opts: { lengths: true }, lengths: [2, 6, 5] },
  { name: 'lstm L1 all ch (scan)', cfg: base('lstm', { headFrom: 'ch' }) },
  { name: 'lstm L2 all ch (scan)', cfg: base('lstm', { numLayers: 2, headFrom: 'ch', loss: 'mse' }) },
  { name: 'lstm L2 last ch headSteps 2 (scan)', cfg: base('lstm', { numLayers: 2, outputs: 'last', headFrom: 'ch', headSteps: 2 }) },
  { name: 'lstm L2 all ch lengths (scan)', cfg: base('lstm', { numLayers: 2, headFrom: 'ch' }), opts: { lengths: true }, lengths: [4, 6, 1] },
  { name: 'lstm L2 last ch headSteps 2 lengths, learned (scan)', cfg: base('lstm', { numLayers: 2, outputs: 'last', headFrom: 'ch', headSteps: 2, learnedInitialState: true }), opts: { lengths: true }, lengths: [2, 6, 3] },
  { name: 'lstm L2 all ch state inputs (scan)', cfg: base('lstm', { numLayers: 2, headFrom: 'ch' }), opts: { stateInputs: true } },
  { name: 'lstm L2 sigmoid_bce', cfg: base('lstm', { numLayers: 2, loss: 'sigmoid_bce' }) },
  { name: 'gru L1 last mse', cfg: base('gru', { outputs: 'last', loss: 'mse' }) },
  { name: 'lstm L2 all ch lengths opset 17 (scan)', cfg: base('lstm', { numLayers: 2, headFrom: 'ch' }), opts: { lengths: true, opset: 17 }, lengths: [4, 6, 2] },
  { name: 'gru L2 last headSteps 2 lengths opset 20', cfg: base('gru', { numLayers: 2, outputs: 'last', headSteps: 2 }), opts: { lengths: true, opset: 20 }, lengths: [2, 6, 3] },
  { name: 'lstm L2 all ch opset 20 (scan)', cfg: base('lstm', { numLayers: 2, headFrom: 'ch' }), opts: { opset: 20 } },
  { name: 'lstm L2 all ch tokens lengths (scan)', cfg: base('lstm', { numLayers: 2, headFrom: 'ch', inputKind: 'tokens', vocabSize: V }), opts: { lengths: true }, lengths: [6, 3, 1] },
);

describe('exportOnnx in onnxruntime-node against the cpu backend', () => {
  for (const c of cases) it(c.name, () => runCase(c));

  it('lengths: the same as one forward per row on its first len_b steps (PyTorch packed semantics)', async () => {
    // Independent of the backend's lengths code: row b alone, cut to len_b steps; logits at
    // t ≥ len_b are the head applied to zero features, i.e. head.bias.
    for (const [cell, outputs, headSteps] of [['lstm', 'all', 1], ['gru', 'last', 2], ['rnn_relu', 'all', 1]] as const) {
      const model = await makeModel(base(cell, { numLayers: 2, outputs, headSteps }), 4);
      const lengths = [3, 6, 2];
      const x = Float64Array.from(f32(randomArray(new Rng(8), B * T * I)));
      const all = outputs === 'all';
      const logits = new Float64Array(all ? B * T * C : B * C), hN = new Float64Array(2 * B * H);
      const bias = (await model.getParameters()).get('head.bias')!;
      for (let b = 0; b < B; b++) {
        const n = lengths[b]!;
        const r = await model.forward({ data: x.slice(b * T * I, b * T * I + n * I), shape: [1, n, I] });
        logits.set(r.logits, all ? b * T * C : b * C);
        if (all) for (let t = n; t < T; t++) logits.set(bias, (b * T + t) * C);
        for (let k = 0; k < 2; k++) hN.set(r.hN.subarray(k * H, (k + 1) * H), (k * B + b) * H);
      }
      const s = await session(exportOnnx(model.config, await model.getParameters(), { lengths: true }));
      const out = await s.run({ x: new ort.Tensor('float32', f32(x), [B, T, I]), lengths: new ort.Tensor('int32', Int32Array.from(lengths), [B]) });
      compare(`${cell} per-row logits`, out.logits!.data as Float32Array, logits);
      compare(`${cell} per-row h_n`, out.h_n!.data as Float32Array, hN);
    }
  });

  it('a row shorter than headSteps gets NaN logits (the graph cannot raise our error)', async () => {
    const model = await makeModel(base('gru', { outputs: 'last', headSteps: 3 }), 9);
    const s = await session(exportOnnx(model.config, await model.getParameters(), { lengths: true }));
    const x = f32(randomArray(new Rng(1), B * T * I));
    const out = await s.run({ x: new ort.Tensor('float32', x, [B, T, I]), lengths: new ort.Tensor('int32', Int32Array.from([2, 6, 3]), [B]) });
    const lg = out.logits!.data as Float32Array;
    expect(Array.from(lg.subarray(0, C)).every(Number.isNaN)).toBe(true);
    expect(Array.from(lg.subarray(C)).every(Number.isFinite)).toBe(true);
  });

  it('the graph: one recurrent operator per layer, a Scan only for a "ch" head over many steps', async () => {
    const ops = async (cfg: ModelConfig, opts?: OnnxExportOptions): Promise<string[]> => {
      const m = await makeModel(cfg, 1);
      const model = decodeModelProto(exportOnnx(m.config, await m.getParameters(), opts));
      expect(model.opsetImport).toEqual([{ domain: '', version: opts?.opset ?? 14 }]);
      expect(model.graph.input.map((v) => v.name)).toContain('x');
      expect(model.graph.output.map((v) => v.name)).toEqual(cfg.cell === 'lstm' ? ['logits', 'output', 'h_n', 'c_n'] : ['logits', 'output', 'h_n']);
      return model.graph.node.map((n) => n.opType);
    };
    const count = (list: string[], op: string) => list.filter((o) => o === op).length;
    const lstm3 = await ops(base('lstm', { numLayers: 3 }));
    expect([count(lstm3, 'LSTM'), count(lstm3, 'Scan')]).toEqual([3, 0]);
    const gru2 = await ops(base('gru', { numLayers: 2, outputs: 'last' }), { opset: 17 });
    expect([count(gru2, 'GRU'), count(gru2, 'Gemm')]).toEqual([2, 1]);
    const ch = await ops(base('lstm', { numLayers: 3, headFrom: 'ch' }));
    expect([count(ch, 'LSTM'), count(ch, 'Scan')]).toEqual([2, 1]);
    const chLast = await ops(base('lstm', { numLayers: 2, headFrom: 'ch', outputs: 'last' }));
    expect([count(chLast, 'LSTM'), count(chLast, 'Scan')]).toEqual([2, 0]);
  });

  it('refuses what it cannot write, naming the argument, the expected and the received', async () => {
    const m = await makeModel(base('lstm'), 1);
    const params = await m.getParameters();
    expect(() => exportOnnx(m.config, params, { opset: 13 })).toThrow(
      new InputError('exportOnnx: option opset must be an integer in [14, 20] (the opsets this export is tested with), received 13'));
    expect(() => exportOnnx(m.config, params, { lengths: 'yes' as never })).toThrow(/option lengths must be a boolean, received "yes"/);
    const partial = new Map(params);
    partial.delete('lstm.weight_hh_l0');
    expect(() => exportOnnx(m.config, partial)).toThrow(/exportOnnx: params is missing lstm\.weight_hh_l0 \(expected every parameter/);
    const short = new Map(params).set('head.bias', new Float64Array(2));
    expect(() => exportOnnx(m.config, short)).toThrow(/exportOnnx: head\.bias expected 5 values \(shape \[5\]\), received 2/);
    // Over protobuf's 2 GiB: refused from the config alone, before any parameter is read.
    const big = { ...m.config, inputSize: 16384, hiddenSize: 16384 };
    expect(() => exportOnnx(big, new Map())).toThrow(/2 GiB limit of one protobuf message/);
    expect(() => exportOnnx({ ...m.config, cell: 'gru', headFrom: 'ch' }, params)).toThrow(InputError);
  });

  it(`worst normwise error over all cases stays under ${TOL}`, () => {
    console.log(`interop-onnx: worst normwise error ${worst.toExponential(2)} (tolerance ${TOL})`);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(TOL);
  });
});
