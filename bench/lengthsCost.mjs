// Cost of `lengths` on webgpu (Node, Dawn): the same model and T, a batch without lengths, with every
// length T, and with lengths uniform in [1, T]; median of 15 alternating steps after 5 warm-up each.
//   npm run build && node bench/lengthsCost.mjs
import { createEngine } from '../dist/index.js';
import { randomBatch } from '../dist/check.js';
import { Rng } from '../dist/rng.js';
const engine = await createEngine({ backend: 'webgpu', tuning: 'measure', log: () => {} });
for (const [name, cfg, B, T] of [
  ['mnist-like B64 T28 H128 last', { cell: 'lstm', inputSize: 28, hiddenSize: 128, numLayers: 1, outputSize: 10, outputs: 'last', loss: 'softmax_ce' }, 64, 28],
  ['bitpair B50 T50 H5 L2 all', { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' }, 50, 50],
]) {
  const rng = new Rng(3);
  const { x, y } = randomBatch(cfg, B, T, rng);
  const ragged = Int32Array.from({ length: B }, () => 1 + Math.floor(rng.uniform() * T));
  const full = new Int32Array(B).fill(T);
  const model = engine.createModel({ ...cfg, seed: 1 });
  const tr = model.trainer({ optimizer: { name: 'adam', lr: 1e-3 } });
  const arms = { none: undefined, full, ragged };
  const t = { none: [], full: [], ragged: [] };
  for (let i = 0; i < 20; i++) for (const k of Object.keys(arms)) {
    const t0 = performance.now();
    await tr.step(x, y, arms[k] ? { lengths: { data: arms[k], shape: [B] } } : {});
    if (i >= 5) t[k].push(performance.now() - t0);
  }
  const med = (a) => a.sort((p, q) => p - q)[a.length >> 1].toFixed(1);
  console.log(`${name}: no lengths ${med(t.none)} ms, lengths all T ${med(t.full)} ms, lengths uniform in [1, T] (mean ${(ragged.reduce((a, b) => a + b, 0) / B).toFixed(1)}) ${med(t.ragged)} ms`);
  model.destroy();
}
engine.destroy();
