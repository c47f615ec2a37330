// TF.js / Keras Layers import and export (src/interop/tfjs.ts), checked against TF.js 4.22 itself
// (its pure-JS cpu backend, in Node) and, for the GRU that TF.js 4.22 cannot build (reset_after
// true), against Keras 3 outputs in test/fixtures/keras-rnn.json (tools/interop/keras_fixture.py).
//
// Tolerance: TOL = 1e-5 normwise (DESIGN.md section 5's measure, τ = 1e-30 for float32 results) on
// the predictions (probabilities or values). Both sides use the same float32 weights, so the gap is
// TF.js's (or Keras's) float32 arithmetic against our float64: per step dot products of K = I + H
// ≤ 10 terms (≈ √K·ε₃₂ ≈ 2e-7 relative), carried through T = 6 steps and up to 2 layers, then a
// softmax or sigmoid (which do not amplify): ≲ 1e-6 expected at worst. Measured: ≤ 8e-8 (the run
// prints its worst error per group). 1e-5 leaves room for other draws and is still 1000× below the
// smallest layout mistake tried here (the GRU's z/r blocks left unswapped: > 1e-2, tested).
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configToJSON, resolveConfig, type ModelConfig, type ResolvedConfig } from '../src/config.js';
import { normwiseError } from '../src/compare.js';
import { InputError } from '../src/errors.js';
import { EMBEDDING, initParams, paramLayout } from '../src/params.js';
import { forwardNetwork } from '../src/reference/network.js';
import { batchFirstLogits } from '../src/reference/gradient.js';
import { Rng } from '../src/rng.js';
import { exportTfjs, importTfjs, tfjsModelArtifacts } from '../src/interop/tfjs.js';

const TOL = 1e-5;
const B = 3, T = 6, I = 4, H = 5, C = 3, V = 7;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The worst normwise error per comparison group, printed at the end against TOL. */
const worst = new Map<string, number>();
function measured(group: string, got: ArrayLike<number>, want: ArrayLike<number>): number {
  const err = normwiseError(got, want, 1e-30);
  worst.set(group, Math.max(worst.get(group) ?? 0, err));
  return err;
}
afterAll(() => {
  console.log(`worst normwise error (TOL ${TOL}): ${[...worst].map(([g, e]) => `${g} ${e.toExponential(2)}`).join(', ')}`);
});

// ---------- our side ----------

/**
 * Predictions of our float64 cpu reference, built from config + params as src/cpu/model.ts does
 * (zero initial state, forwardNetwork, batch-first logits), then softmax over C, sigmoid, or the
 * values (mse). The reference is called directly because the Engine/Model API is being restructured.
 */
function ours(config: ResolvedConfig, params: Map<string, ArrayLike<number>>, x: ArrayLike<number>, shape: number[]): Float64Array {
  const layout = paramLayout(config);
  const flat = new Float64Array(layout.total);
  for (const s of layout.specs) {
    const v = params.get(s.name);
    if (!v || v.length !== s.size) throw new Error(`test: parameter ${s.name} missing or of the wrong size`);
    flat.set(v, s.offset);
  }
  const [Bx, Tx] = shape as [number, number];
  const L = config.numLayers, Hx = config.hiddenSize;
  const cache = forwardNetwork(config, layout, flat, x, Bx, Tx, new Float64Array(L * Bx * Hx), config.cell === 'lstm' ? new Float64Array(L * Bx * Hx) : null);
  return activate(config, batchFirstLogits(cache));
}

function activate(config: ResolvedConfig, logits: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(logits);
  if (config.loss === 'sigmoid_bce') return out.map((v) => 1 / (1 + Math.exp(-v)));
  if (config.loss === 'softmax_ce') {
    const Cn = config.outputSize;
    for (let r = 0; r < out.length; r += Cn) {
      let max = -Infinity, sum = 0;
      for (let c = 0; c < Cn; c++) max = Math.max(max, out[r + c]!);
      for (let c = 0; c < Cn; c++) sum += (out[r + c] = Math.exp(out[r + c]! - max));
      for (let c = 0; c < Cn; c++) out[r + c] = out[r + c]! / sum;
    }
  }
  return out;
}

/** Fresh parameters for a config, PyTorch's initialisation from a seed (src/params.ts). */
function fresh(raw: ModelConfig, seed: number): { config: ResolvedConfig; params: Map<string, Float64Array> } {
  const config = resolveConfig(raw);
  const layout = paramLayout(config);
  const flat = initParams(config, layout, { seed });
  return { config, params: new Map(layout.specs.map((s) => [s.name, flat.slice(s.offset, s.offset + s.size)])) };
}

// ---------- the TF.js side ----------

function values(rng: Rng, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.range(-scale, scale);
  return out;
}

interface TfCase {
  cell: 'lstm' | 'rnn_tanh' | 'rnn_relu';
  layers: number;
  outputs: 'all' | 'last';
  activation: 'softmax' | 'sigmoid' | 'linear';
  embedding?: boolean;
  timeDistributed?: boolean;
}

const label = (c: TfCase) =>
  `${c.embedding ? 'Embedding → ' : ''}${c.layers} × ${c.cell}, return_sequences ${c.outputs === 'all'}, ${c.timeDistributed ? 'TimeDistributed(Dense)' : 'Dense'} ${c.activation}`;

function buildTf(c: TfCase, seed: number): tf.Sequential {
  const m = tf.sequential();
  if (c.embedding) m.add(tf.layers.embedding({ inputDim: V, outputDim: I, inputLength: T }));
  for (let k = 0; k < c.layers; k++) {
    const common = { units: H, returnSequences: k < c.layers - 1 || c.outputs === 'all', ...(k === 0 && !c.embedding ? { inputShape: [T, I] } : {}) };
    m.add(c.cell === 'lstm' ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
      : tf.layers.simpleRNN({ ...common, activation: c.cell === 'rnn_relu' ? 'relu' : 'tanh' }));
  }
  const dense = tf.layers.dense({ units: C, activation: c.activation });
  m.add(c.timeDistributed ? tf.layers.timeDistributed({ layer: dense }) : dense);
  const rng = new Rng(seed);
  // Every weight random, biases included, so that a bias put in the wrong place shows.
  m.setWeights(m.getWeights().map((w) => tf.tensor(values(rng, w.size, 0.6), w.shape)));
  return m;
}

async function artifactsOf(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

/** The artifacts as the model.json file tf.io writes beside its weight file. */
function modelJsonOf(a: tf.io.ModelArtifacts) {
  return {
    modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ['model.weights.bin'], weights: a.weightSpecs! }],
  };
}

function bytesOf(a: tf.io.ModelArtifacts): ArrayBuffer {
  const d = a.weightData!;
  return Array.isArray(d) ? (tf.io.concatenateArrayBuffers(d) as ArrayBuffer) : (d as ArrayBuffer);
}

function inputs(c: { embedding?: boolean }, seed: number): { x: number[]; shape: number[] } {
  const rng = new Rng(seed);
  if (c.embedding) return { x: Array.from({ length: B * T }, () => Math.floor(rng.range(0, V)) % V), shape: [B, T] };
  return { x: Array.from(values(rng, B * T * I, 1)), shape: [B, T, I] };
}

function predictTf(m: tf.LayersModel, x: number[], shape: number[], tokens: boolean): Float64Array {
  const y = tf.tidy(() => (m.predict(tf.tensor(x, shape, tokens ? 'int32' : 'float32')) as tf.Tensor).dataSync());
  return Float64Array.from(y);
}

// ---------- (a) import: TF.js models → our config and parameters ----------

const importCases: TfCase[] = [
  { cell: 'lstm', layers: 1, outputs: 'all', activation: 'softmax' },
  { cell: 'lstm', layers: 2, outputs: 'last', activation: 'sigmoid' },
  { cell: 'lstm', layers: 2, outputs: 'all', activation: 'linear', timeDistributed: true },
  { cell: 'rnn_tanh', layers: 1, outputs: 'last', activation: 'softmax' },
  { cell: 'rnn_tanh', layers: 2, outputs: 'all', activation: 'sigmoid' },
  { cell: 'rnn_relu', layers: 1, outputs: 'all', activation: 'linear' },
  { cell: 'rnn_relu', layers: 2, outputs: 'last', activation: 'softmax' },
  { cell: 'lstm', layers: 1, outputs: 'last', activation: 'softmax', embedding: true },
  { cell: 'rnn_tanh', layers: 2, outputs: 'all', activation: 'sigmoid', embedding: true },
];

describe('importTfjs: TF.js 4.22 models predict what our cpu backend predicts', () => {
  importCases.forEach((c, n) => {
    it(label(c), async () => {
      const tfm = buildTf(c, 100 + n);
      const a = await artifactsOf(tfm);
      // Half the cases go through model.json text + one weight buffer, half through ModelArtifacts.
      const { config, params } = n % 2 === 0
        ? importTfjs(JSON.stringify(modelJsonOf(a)), new Uint8Array(bytesOf(a)))
        : importTfjs(a as object, bytesOf(a));
      expect(config).toMatchObject({
        cell: c.cell, inputSize: I, hiddenSize: H, numLayers: c.layers, outputSize: C, outputs: c.outputs,
        loss: { softmax: 'softmax_ce', sigmoid: 'sigmoid_bce', linear: 'mse' }[c.activation],
        inputKind: c.embedding ? 'tokens' : 'features', vocabSize: c.embedding ? V : 0,
      });
      const { x, shape } = inputs(c, 7 + n);
      const want = predictTf(tfm, x, shape, !!c.embedding);
      const err = measured('import vs TF.js', ours(config, params, x, shape), want);
      expect(err, `normwise error ${err}`).toBeLessThan(TOL);
      tfm.dispose();
    });
  });

  it('the embedding table and the biases land where PyTorch keeps them (LSTM: bias_hh = 0)', async () => {
    const c: TfCase = { cell: 'lstm', layers: 1, outputs: 'last', activation: 'softmax', embedding: true };
    const tfm = buildTf(c, 5);
    const { params } = importTfjs(await artifactsOf(tfm), bytesOf(await artifactsOf(tfm)));
    const [emb, , , bias] = tfm.getWeights().map((w) => Float64Array.from(w.dataSync()));
    expect(Array.from(params.get(EMBEDDING)!)).toEqual(Array.from(emb!));
    expect(Array.from(params.get('lstm.bias_ih_l0')!)).toEqual(Array.from(bias!)); // same gate order i, f, g(c), o
    expect(Array.from(params.get('lstm.bias_hh_l0')!)).toEqual(new Array(4 * H).fill(0));
    expect([...params.keys()]).toEqual(['embedding.weight', 'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'head.weight', 'head.bias']);
    tfm.dispose();
  });

  /** Import a TF.js model, then compare our predictions with its predict on seeded features. */
  async function importAndCompare(tfm: tf.LayersModel, seed: number): Promise<ResolvedConfig> {
    const a = await artifactsOf(tfm);
    const { config, params } = importTfjs(a, bytesOf(a));
    const { x, shape } = inputs({}, seed);
    const err = measured('import vs TF.js', ours(config, params, x, shape), predictTf(tfm, x, shape, false));
    expect(err, `normwise error ${err}`).toBeLessThan(TOL);
    tfm.dispose();
    return config;
  }
  const randomize = (m: tf.LayersModel, seed: number) => {
    const rng = new Rng(seed);
    m.setWeights(m.getWeights().map((w) => tf.tensor(values(rng, w.size, 0.6), w.shape)));
  };

  it('a functional model (tf.model) that is one linear chain', async () => {
    const inp = tf.input({ shape: [T, I] });
    const h1 = tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid', returnSequences: true }).apply(inp) as tf.SymbolicTensor;
    const h2 = tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid', returnSequences: true }).apply(h1) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: C, activation: 'sigmoid' }).apply(h2) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: out });
    randomize(m, 21);
    expect(await importAndCompare(m, 22)).toMatchObject({ cell: 'lstm', numLayers: 2, outputs: 'all', loss: 'sigmoid_bce' });
  });

  it('Flatten → Dense over all T steps imports as outputs last, headSteps T', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [T, I] }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: C, activation: 'softmax' }));
    randomize(m, 23);
    expect(await importAndCompare(m, 24)).toMatchObject({ cell: 'rnn_tanh', outputs: 'last', headSteps: T });
  });

  it('Reshape → Cropping2D → Flatten → Dense (the last k steps) imports as headSteps k', async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, I] }));
    m.add(tf.layers.reshape({ targetShape: [T, H, 1] }));
    m.add(tf.layers.cropping2D({ cropping: [[T - 2, 0], [0, 0]] }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: C }));
    randomize(m, 25);
    expect(await importAndCompare(m, 26)).toMatchObject({ outputs: 'last', headSteps: 2, loss: 'mse' });
  });

  it('a linear Dense followed by an Activation layer', async () => {
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: H, inputShape: [T, I] }));
    m.add(tf.layers.dense({ units: C }));
    m.add(tf.layers.activation({ activation: 'softmax' }));
    randomize(m, 27);
    expect(await importAndCompare(m, 28)).toMatchObject({ outputs: 'last', loss: 'softmax_ce' });
  });

  it('refuses a functional model that is not a chain, naming the layer that reads two tensors', async () => {
    const inp = tf.input({ shape: [T, I] });
    const a = tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid', name: 'left' }).apply(inp) as tf.SymbolicTensor;
    const b = tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid', name: 'right' }).apply(inp) as tf.SymbolicTensor;
    const both = tf.layers.concatenate({ name: 'both' }).apply([a, b]) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: tf.layers.dense({ units: C }).apply(both) as tf.SymbolicTensor });
    const art = await artifactsOf(m);
    expect(refusal(() => importTfjs(art, bytesOf(art)))).toMatch(/layer both \(Concatenate\) reads 2 tensors; only a linear chain of layers .*; the model holds: .*left \(LSTM\), right \(LSTM\), both \(Concatenate\)/);
    m.dispose();
  });

  it('a model saved with its optimizer state (includeOptimizer): the optimizer group is sized and skipped', async () => {
    const m = buildTf({ cell: 'rnn_tanh', layers: 1, outputs: 'last', activation: 'softmax' }, 31);
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    await m.fit(tf.randomNormal([2, T, I]), tf.oneHot(tf.tensor1d([0, 2], 'int32'), C), { epochs: 1, verbose: 0 });
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    expect(saved!.weightSpecs!.some((s) => s.group === 'optimizer')).toBe(true);
    const { config, params } = importTfjs(saved!, bytesOf(saved!));
    const { x, shape } = inputs({}, 32);
    expect(measured('import vs TF.js', ours(config, params, x, shape), predictTf(m, x, shape, false))).toBeLessThan(TOL);
    m.dispose();
  });

  it('weight bytes given as shards (ArrayBuffer[]) in manifest order', async () => {
    const tfm = buildTf({ cell: 'rnn_tanh', layers: 1, outputs: 'last', activation: 'linear' }, 9);
    const a = await artifactsOf(tfm);
    const bytes = new Uint8Array(bytesOf(a));
    const shards = [bytes.slice(0, 13).buffer, bytes.slice(13, 50).buffer, bytes.slice(50).buffer];
    const one = importTfjs(a, bytes), split = importTfjs(a, shards);
    for (const [k, v] of one.params) expect(Array.from(split.params.get(k)!), k).toEqual(Array.from(v));
    tfm.dispose();
  });
});

// ---------- GRU (and more) against Keras 3 ----------

interface KerasCase { name: string; modelJson: object; weightsBase64: string; x: number[]; xShape: number[]; y: number[]; yShape: number[] }
const keras = JSON.parse(readFileSync(new URL('./fixtures/keras-rnn.json', import.meta.url), 'utf8')) as { keras: string; cases: KerasCase[] };

describe(`importTfjs: Keras ${keras.keras} models (tensorflowjs_converter layout), GRU reset_after true`, () => {
  for (const k of keras.cases) {
    const tokens = k.xShape.length === 2;
    it(k.name, async () => {
      const { config, params } = importTfjs(k.modelJson, Buffer.from(k.weightsBase64, 'base64'));
      expect(config.inputKind).toBe(tokens ? 'tokens' : 'features');
      const err = measured('import vs Keras', ours(config, params, k.x, k.xShape), k.y);
      expect(err, `normwise error ${err}`).toBeLessThan(TOL);
    });
  }

  it('control: without the z/r block swap the GRU is far off (the tolerance can fail)', async () => {
    const k = keras.cases.find((c) => c.name === 'gru-1-all-softmax')!;
    const { config, params } = importTfjs(k.modelJson, Buffer.from(k.weightsBase64, 'base64'));
    const swap = (v: Float64Array, cols: number) => {
      const out = v.slice();
      out.set(v.subarray(H * cols, 2 * H * cols), 0);
      out.set(v.subarray(0, H * cols), H * cols);
      return out;
    };
    const wrong = new Map(params);
    wrong.set('gru.weight_ih_l0', swap(params.get('gru.weight_ih_l0')!, I));
    wrong.set('gru.weight_hh_l0', swap(params.get('gru.weight_hh_l0')!, H));
    wrong.set('gru.bias_ih_l0', swap(params.get('gru.bias_ih_l0')!, 1));
    wrong.set('gru.bias_hh_l0', swap(params.get('gru.bias_hh_l0')!, 1));
    expect(normwiseError(ours(config, wrong, k.x, k.xShape), k.y, 1e-30)).toBeGreaterThan(1e-2);
  });
});

// ---------- (b) export: our models → tf.loadLayersModel ----------

interface OurCase { config: ModelConfig; sequenceLength?: number }
const exportCases: OurCase[] = [
  { config: { cell: 'lstm', inputSize: I, hiddenSize: H, numLayers: 1, outputSize: C, loss: 'softmax_ce', outputs: 'all' } },
  { config: { cell: 'lstm', inputSize: I, hiddenSize: H, numLayers: 2, outputSize: C, loss: 'sigmoid_bce', outputs: 'last' } },
  { config: { cell: 'rnn_tanh', inputSize: I, hiddenSize: H, numLayers: 2, outputSize: C, loss: 'mse', outputs: 'all' } },
  { config: { cell: 'rnn_tanh', inputSize: I, hiddenSize: H, numLayers: 1, outputSize: C, loss: 'softmax_ce', outputs: 'last' }, sequenceLength: T },
  { config: { cell: 'lstm', inputSize: I, hiddenSize: H, numLayers: 2, outputSize: C, loss: 'softmax_ce', outputs: 'last', headSteps: 3 }, sequenceLength: T },
  { config: { cell: 'rnn_relu', inputSize: I, hiddenSize: H, numLayers: 2, outputSize: C, loss: 'mse', outputs: 'all' } },
  { config: { cell: 'rnn_relu', inputSize: I, hiddenSize: H, numLayers: 1, outputSize: C, loss: 'sigmoid_bce', outputs: 'last' } },
  { config: { cell: 'lstm', inputSize: I, hiddenSize: H, numLayers: 1, outputSize: C, loss: 'softmax_ce', outputs: 'last', inputKind: 'tokens', vocabSize: V } },
  { config: { cell: 'rnn_tanh', inputSize: I, hiddenSize: H, numLayers: 2, outputSize: C, loss: 'sigmoid_bce', outputs: 'all', inputKind: 'tokens', vocabSize: V } },
];

const ourLabel = (c: OurCase) => {
  const f = c.config;
  return `${f.inputKind === 'tokens' ? 'tokens → ' : ''}${f.numLayers} × ${f.cell}, outputs ${f.outputs}${f.headSteps ? ` headSteps ${f.headSteps}` : ''}, ${f.loss}` +
    `${c.sequenceLength ? `, sequenceLength ${c.sequenceLength}` : ''}`;
};

describe('exportTfjs: tf.loadLayersModel loads our models and predicts what we predict', () => {
  exportCases.forEach((c, n) => {
    it(ourLabel(c), async () => {
      const { config, params } = fresh(c.config, 40 + n);
      const art = exportTfjs(config, params, c.sequenceLength ? { sequenceLength: c.sequenceLength } : {});
      // The model.json must survive being a file.
      const json = JSON.parse(JSON.stringify(art.modelJson)) as typeof art.modelJson;
      const tfm = await tf.loadLayersModel(tf.io.fromMemory(tfjsModelArtifacts({ modelJson: json, weightData: art.weightData })));
      const tokens = config.inputKind === 'tokens';
      const { x, shape } = inputs({ embedding: tokens }, 70 + n);
      const want = ours(config, params, x, shape);
      const got = predictTf(tfm, x, shape, tokens);
      const err = measured('export in TF.js', got, want);
      expect(err, `normwise error ${err}`).toBeLessThan(TOL);

      // And back: importing the export gives the same config and the same predictions.
      const back = importTfjs(json, art.weightData);
      expect(configToJSON(back.config)).toEqual(configToJSON(config));
      const again = ours(back.config, back.params, x, shape);
      expect(measured('export → import', again, want)).toBeLessThan(TOL);
      tfm.dispose();
    });
  });

  it('writes the Sequential config as TF.js 4.22 does (a model re-saved by TF.js keeps every key we wrote)', async () => {
    const m = fresh({ cell: 'lstm', inputSize: I, hiddenSize: H, numLayers: 2, outputSize: C, loss: 'softmax_ce', outputs: 'all' }, 3);
    const art = exportTfjs(m.config, m.params);
    const tfm = await tf.loadLayersModel(tf.io.fromMemory(tfjsModelArtifacts(art)));
    const resaved = await artifactsOf(tfm);
    const topo = resaved.modelTopology as { class_name: string; config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } };
    const ourTopo = art.modelJson.modelTopology as typeof topo;
    expect(topo.class_name).toBe('Sequential');
    expect(topo.config.layers.map((l) => l.class_name)).toEqual(ourTopo.config.layers.map((l) => l.class_name));
    ourTopo.config.layers.forEach((l, i) => {
      for (const [key, v] of Object.entries(l.config)) expect(topo.config.layers[i]!.config[key], `${l.class_name}.${key}`).toEqual(v);
    });
    expect(resaved.weightSpecs!.map((s) => s.name)).toEqual(art.modelJson.weightsManifest[0]!.weights.map((s) => s.name));
    tfm.dispose();
  });
});

// ---------- refusals ----------

/** The message of the InputError that `f` throws. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError, none was thrown');
}

async function tfArtifacts(build: () => tf.Sequential) {
  const m = build();
  const a = await artifactsOf(m);
  m.dispose();
  return { json: modelJsonOf(a), bytes: bytesOf(a) };
}

/** A valid 2-layer LSTM model.json whose layers the test then edits. */
async function editable() {
  const a = await tfArtifacts(() => buildTf({ cell: 'lstm', layers: 2, outputs: 'last', activation: 'softmax' }, 1));
  const json = JSON.parse(JSON.stringify(a.json));
  const layers = json.modelTopology.config.layers as Array<{ class_name: string; config: Record<string, unknown> }>;
  return { json, bytes: a.bytes, layers };
}

describe('importTfjs refuses by name, with the reason and the layers the model holds', () => {
  it('hard_sigmoid, TF.js\'s default recurrentActivation', async () => {
    const { json, bytes } = await tfArtifacts(() => {
      const m = tf.sequential();
      m.add(tf.layers.lstm({ units: H, inputShape: [T, I] }));
      m.add(tf.layers.dense({ units: C, activation: 'softmax' }));
      return m;
    });
    const msg = refusal(() => importTfjs(json, bytes));
    expect(msg).toMatch(/recurrent_activation "hard_sigmoid" cannot be imported/);
    expect(msg).toMatch(/hardSigmoid is TF\.js's default recurrentActivation for LSTM and GRU/);
    expect(msg).toMatch(/the model holds: lstm_LSTM\d+ \(LSTM\), dense_Dense\d+ \(Dense\)$/);
  });

  it('GRU reset_after false (the only GRU TF.js 4.22 builds)', async () => {
    const { json, bytes } = await tfArtifacts(() => {
      const m = tf.sequential();
      m.add(tf.layers.gru({ units: H, inputShape: [T, I], recurrentActivation: 'sigmoid' }));
      m.add(tf.layers.dense({ units: C }));
      return m;
    });
    expect(refusal(() => importTfjs(json, bytes))).toMatch(/\(GRU\): reset_after false cannot be imported: only reset_after true is PyTorch's GRU/);
  });

  it('a truncated weight file, and extra bytes', async () => {
    const { json, bytes } = await editable();
    const n = bytes.byteLength;
    expect(refusal(() => importTfjs(json, bytes.slice(0, n - 3)))).toMatch(new RegExp(`weightData expected ${n} bytes for the \\d+ weights of the manifest, received ${n - 3} \\(truncated\\?\\)`));
    expect(refusal(() => importTfjs(json, new Uint8Array(n + 4)))).toMatch(/extra bytes after the last weight/);
  });

  it('hostile manifests: wrong shape, wrong dtype, bad entries, unclaimed weights, non-finite values', async () => {
    const { json, bytes } = await editable();
    const w = () => JSON.parse(JSON.stringify(json));
    let j = w();
    j.weightsManifest[0].weights[0].shape = [4, 99]; // also changes the byte count: shape is checked…
    expect(refusal(() => importTfjs(j, bytes))).toMatch(/weightData expected|has shape \[4, 99\]/);
    j = w();
    j.weightsManifest[0].weights[0].shape = [20, 4]; // same element count, wrong shape
    expect(refusal(() => importTfjs(j, bytes))).toMatch(/weight "lstm_LSTM\d+\/kernel" has shape \[20, 4\], expected \[4, 20\] for this config/);
    j = w();
    j.weightsManifest[0].weights[1].dtype = 'int32';
    expect(refusal(() => importTfjs(j, bytes))).toMatch(/has dtype "int32", expected float32/);
    j = w();
    j.weightsManifest[0].weights[1].shape = [-1, 3];
    expect(refusal(() => importTfjs(j, bytes))).toMatch(/weightsManifest entry 1 .*shape must be an array of non-negative integers/);
    j = w();
    j.weightsManifest[0].weights[2].dtype = 'string';
    expect(refusal(() => importTfjs(j, bytes))).toMatch(/dtype must be one of float32/);
    j = w();
    j.weightsManifest[0].weights.push({ name: 'stray/kernel', shape: [1], dtype: 'float32' });
    const more = new Uint8Array(bytes.byteLength + 4);
    more.set(new Uint8Array(bytes));
    expect(refusal(() => importTfjs(j, more))).toMatch(/weight "stray\/kernel" belongs to no layer this import maps/);
    const nan = new Uint8Array(bytes.slice(0));
    new DataView(nan.buffer).setFloat32(8, Number.NaN, true);
    expect(refusal(() => importTfjs(json, nan))).toMatch(/holds a non-finite value \(NaN\) at element 2/);
    expect(refusal(() => importTfjs('{"modelTopology": ' + 'x'.repeat(10_000), bytes)).length).toBeLessThan(300);
    expect(refusal(() => importTfjs({ modelTopology: {} }, bytes))).toMatch(/class_name must be "Sequential", "Model" or "Functional"/);
    expect(refusal(() => importTfjs(json, 'not bytes' as never))).toMatch(/weightData must be an ArrayBuffer/);
  });

  const edits: Array<[string, (l: Array<{ class_name: string; config: Record<string, unknown> }>) => void, RegExp]> = [
    ['go_backwards', (l) => { l[0]!.config.go_backwards = true; }, /go_backwards true cannot be imported: our layers run forward in time/],
    ['return_state', (l) => { l[1]!.config.return_state = true; }, /return_state true cannot be imported/],
    ['stateful', (l) => { l[0]!.config.stateful = true; }, /stateful true: .*pass allowStateful: true/],
    ['dropout', (l) => { l[0]!.config.dropout = 0.2; }, /dropout 0\.2 cannot be imported: dropout is out of scope in version 1/],
    ['recurrent_dropout', (l) => { l[1]!.config.recurrent_dropout = 0.1; }, /recurrent_dropout 0\.1 cannot be imported/],
    ['activation relu on an LSTM', (l) => { l[0]!.config.activation = 'relu'; }, /activation "relu" cannot be imported: our LSTM uses tanh/],
    ['units that differ', (l) => { l[1]!.config.units = 6; }, /units 6 differ from layer "lstm_LSTM\d+"'s 5: our layers share one hidden size H/],
    ['cells that differ', (l) => { l[1]!.class_name = 'SimpleRNN'; }, /cell rnn_tanh differs from layer .*'s lstm: our layers share one cell type/],
    ['Bidirectional', (l) => { l[1] = { class_name: 'Bidirectional', config: { name: 'bi', layer: l[1] } }; }, /layer bi \(Bidirectional\(LSTM\)\): bidirectional layers are out of scope/],
    ['a Dropout layer', (l) => { l.splice(1, 0, { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } }); }, /layer drop \(Dropout\): Dropout cannot be imported: dropout between layers/],
    ['Masking', (l) => { l.unshift({ class_name: 'Masking', config: { name: 'mask' } }); }, /layer mask \(Masking\): Masking cannot be imported/],
    ['a Dense between recurrent layers', (l) => { l.splice(1, 0, { ...l[2]!, config: { ...l[2]!.config, name: 'mid' } }); },
      /layer mid \(Dense\): a Dense layer is accepted only as the output layer, reading the last recurrent layer's output; recurrent layer .* follows it/],
    ['a relu output', (l) => { l[2]!.config.activation = 'relu'; }, /output activation "relu" cannot be imported: expected softmax/],
    ['another layer type', (l) => { l.splice(2, 0, { class_name: 'BatchNormalization', config: { name: 'bn' } }); }, /layer bn \(BatchNormalization\): layer type "BatchNormalization" cannot be imported/],
    ['a missing recurrent_activation', (l) => { delete l[0]!.config.recurrent_activation; }, /recurrent_activation is missing and the defaults differ \(TF\.js: hardSigmoid, Keras: sigmoid\)/],
  ];
  for (const [name, edit, want] of edits) {
    it(name, async () => {
      const { json, bytes, layers } = await editable();
      edit(layers);
      const msg = refusal(() => importTfjs(json, bytes));
      expect(msg).toMatch(want);
      expect(msg).toMatch(/; the model holds: .*\(LSTM\)/);
    });
  }

  it('stateful imports with allowStateful; opts.loss must agree with a softmax output', async () => {
    const { json, bytes, layers } = await editable();
    layers[0]!.config.stateful = true;
    expect(importTfjs(json, bytes, { allowStateful: true }).config.cell).toBe('lstm');
    expect(refusal(() => importTfjs(json, bytes, { allowStateful: true, loss: 'mse' }))).toMatch(/activation softmax means loss softmax_ce, but opts\.loss is "mse"/);
  });

  it('a linear output is mse unless opts.loss says otherwise; use_bias false imports as zero biases', async () => {
    const tfm = buildTf({ cell: 'lstm', layers: 1, outputs: 'last', activation: 'linear' }, 4);
    const a = await artifactsOf(tfm);
    expect(importTfjs(a, bytesOf(a)).config.loss).toBe('mse');
    expect(importTfjs(a, bytesOf(a), { loss: 'softmax_ce' }).config.loss).toBe('softmax_ce');
    tfm.dispose();
    const nb = tf.sequential();
    nb.add(tf.layers.simpleRNN({ units: H, inputShape: [T, I], useBias: false }));
    nb.add(tf.layers.dense({ units: C, useBias: false }));
    const rng = new Rng(2);
    nb.setWeights(nb.getWeights().map((w) => tf.tensor(values(rng, w.size, 0.6), w.shape)));
    const b = await artifactsOf(nb);
    const { config, params } = importTfjs(b, bytesOf(b));
    expect(Array.from(params.get('rnn.bias_ih_l0')!)).toEqual(new Array(H).fill(0));
    const { x, shape } = inputs({}, 3);
    expect(normwiseError(ours(config, params, x, shape), predictTf(nb, x, shape, false), 1e-30)).toBeLessThan(TOL);
    nb.dispose();
  });
});

describe('exportTfjs refuses what TF.js 4.22 cannot express, by name', () => {
  const base = { inputSize: I, hiddenSize: H, numLayers: 1, outputSize: C, loss: 'softmax_ce', outputs: 'last' } as const;
  const cases: Array<[string, ModelConfig, RegExp, object?]> = [
    ['cell gru', { ...base, cell: 'gru' }, /cell "gru" cannot be exported for TF\.js 4\.22: its GRUCell refuses reset_after true/],
    ['headFrom ch', { ...base, cell: 'lstm', headFrom: 'ch' }, /headFrom "ch" cannot be exported: Keras RNN layers do not output the cell state/],
    ['a learned initial state', { ...base, cell: 'lstm', learnedInitialState: true }, /learnedInitialState cannot be exported/],
    ['headSteps without sequenceLength', { ...base, cell: 'lstm', headSteps: 2 }, /headSteps 2 needs opts\.sequenceLength \(T\)/],
    ['sequenceLength below headSteps', { ...base, cell: 'lstm', headSteps: 4 }, /sequenceLength must be at least headSteps 4, received 3/, { sequenceLength: 3 }],
  ];
  for (const [name, cfg, want, opts] of cases) {
    it(name, async () => {
      const m = fresh(cfg, 1);
      expect(refusal(() => exportTfjs(m.config, m.params, opts))).toMatch(want);
    });
  }

  it('missing or mis-sized parameters', async () => {
    const m = fresh({ ...base, cell: 'lstm' }, 1);
    const params = m.params;
    const less = new Map(params);
    less.delete('head.bias');
    expect(refusal(() => exportTfjs(m.config, less))).toMatch(/params lacks head\.bias/);
    const short = new Map<string, ArrayLike<number>>(params);
    short.set('head.bias', [1]);
    expect(refusal(() => exportTfjs(m.config, short))).toMatch(/head\.bias expected 3 values/);
  });
});
