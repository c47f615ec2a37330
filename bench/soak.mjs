// Soak: N bitpair training steps on webgpu (default 10,000), the engine's GPU object counters and the
// process RSS printed at steps 1, 100 and every 2,000: after tuning settles they must stay flat.
//   npm run build && node bench/soak.mjs [N]
import { createEngine } from '../dist/index.js';
import { randomBatch } from '../dist/check.js';
import { Rng } from '../dist/rng.js';
const N = Number(process.argv[2] ?? 10000);
const engine = await createEngine({ backend: 'webgpu', log: () => {} });
const cfg = { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' };
const model = engine.createModel({ ...cfg, seed: 1 });
const trainer = model.trainer({ optimizer: { name: 'adam', lr: 1e-2 } });
const rng = new Rng(7);
const batches = Array.from({ length: 16 }, () => randomBatch(cfg, 50, 50, rng));
const t0 = performance.now();
let first, last;
for (let i = 1; i <= N; i++) {
  const { x, y } = batches[i % 16];
  const r = await trainer.step(x, y, { readLoss: i % 100 === 0 || i === 1 });
  if (i === 1) first = r.loss;
  if (i === 1 || i === 100 || i % 2000 === 0) {
    if (engine.tuner?.idle) await engine.tuner.idle();
    const c = { ...engine.counters };
    console.log(JSON.stringify({ step: i, loss: r.loss, rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1), counters: c, s: +((performance.now() - t0) / 1000).toFixed(1) }));
  }
  last = r.loss;
}
const bytes = await model.save();
console.log(JSON.stringify({ done: N, firstLoss: first, lastLoss: last, savedBytes: bytes.byteLength, msPerStep: +((performance.now() - t0) / N).toFixed(2) }));
model.destroy(); engine.destroy();
