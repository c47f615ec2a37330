#!/usr/bin/env node
// fit against a bare trainer.step loop on mnist-rows (issue 10): the same batch size (64) and loss
// readback cadence (every 10 steps), one epoch each after a warm-up epoch (plans made, kernels tuned
// and compiled). fit gathers its batches from the dataset uploaded once; the loop uploads each batch.
//   npm run build && node bench/fitVsStep.mjs [webgpu|cpu] [epochs]
const { createEngine } = await import('../dist/index.js');
const { loadMnistRows, shuffledBatches, gatherRows, gatherLabels } = await import('../dist/tasks/data/mnistRows.js');
const { MNIST_MODEL } = await import('../dist/tasks/mnistRecipe.js');
const { Rng } = await import('../dist/rng.js');
const backend = process.argv[2] ?? 'webgpu';
const engine = await createEngine({ backend, log: () => {}, tuning: 'measure' });
const { train } = loadMnistRows();
const N = train.y.length, B = 64;
const x = { data: Float32Array.from(train.x), shape: [N, 28, 28] }, y = { data: train.y, shape: [N] };
const opt = { optimizer: { name: 'adam', lr: 0.01 } };
const m = engine.createModel({ ...MNIST_MODEL, seed: 1 });
// warm-up: both shapes (64 and the last batch's 8) planned, tuned, compiled
await m.fit({ x, y }, { ...opt, epochs: 1, batchSize: B, lossEvery: 10 });
const epochs = Number(process.argv[3] ?? 1);
let t0 = performance.now();
const h = await m.fit({ x, y }, { ...opt, epochs, batchSize: B, lossEvery: 10 });
const fitRate = h.steps / ((performance.now() - t0) / 1000);
const tr = m.trainer(opt);
const rng = new Rng(1);
let steps = 0;
t0 = performance.now();
for (let e = 0; e < epochs; e++) {
  for (const idx of shuffledBatches(rng, N, B)) {
    const xb = { data: Float32Array.from(gatherRows(train.x, 28 * 28, idx)), shape: [idx.length, 28, 28] };
    const yb = { data: gatherLabels(train.y, idx), shape: [idx.length] };
    steps++;
    await tr.step(xb, yb, { readLoss: steps % 10 === 0 });
  }
}
await m.getParameters();
const stepRate = steps / ((performance.now() - t0) / 1000);
console.log(`${backend} mnist-rows: fit ${fitRate.toFixed(2)} steps/s (${h.steps} steps), bare step loop ${stepRate.toFixed(2)} steps/s (${steps} steps); ratio ${(fitRate / stepRate).toFixed(2)}`);
engine.destroy();
