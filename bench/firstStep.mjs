#!/usr/bin/env node
// Time to first step in Node: run as a fresh process (bench/node.mjs spawns it), it imports the
// package from dist/, creates the webgpu engine (Dawn; SwiftShader where there is no GPU) with its
// default options, creates bitpair's model (B50 T50 I1 H5 L2 C4, outputs all), and takes one
// awaited training step (forward, backward, Adam, loss read back; its pipeline compiles
// included). Times are from process start: performance.now() counts from performance.timeOrigin,
// which Node sets as the process starts, before any module loads. One JSON line on stdout:
//
//   { importMs, createEngineMs, firstStepMs, totalMs, secondStepMs, loss, pipelinesCreated, ... }
//     importMs        process start → `import('../dist/index.js')` resolved (Node's own start included)
//     createEngineMs  createEngine({ backend: 'webgpu' }): adapter and device
//     firstStepMs     createModel + trainer + the first awaited step
//     totalMs         process start → the first step finished (the issue's "time to first step")
//     secondStepMs    one more step, for comparison (warm)
//
//   node bench/firstStep.mjs [--seed N]
const t0 = performance.now();
const seedArg = process.argv.indexOf('--seed');
const seed = seedArg >= 0 ? Number(process.argv[seedArg + 1]) : 1;
const { createEngine } = await import('../dist/index.js');
const { randomBatch } = await import('../dist/check.js');
const { Rng } = await import('../dist/rng.js');
const tImport = performance.now();
const notes = [];
const engine = await createEngine({ backend: 'webgpu', log: (m) => notes.push(String(m)) });
const tEngine = performance.now();
const cfg = { cell: 'lstm', inputSize: 1, hiddenSize: 5, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce' };
const B = 50, T = 50;
const { x, y } = randomBatch(cfg, B, T, new Rng(seed));
const tData = performance.now();
const model = engine.createModel({ ...cfg, seed });
const trainer = model.trainer({ optimizer: { name: 'adam', lr: 1e-3 } });
const { loss } = await trainer.step(x, y);
const tFirst = performance.now();
const pipelinesCreated = engine.counters?.pipelinesCreated ?? null;
await trainer.step(x, y);
const tSecond = performance.now();
process.stdout.write(`${JSON.stringify({
  config: 'bitpair', B, T, seed,
  scriptStartMs: t0, importMs: tImport, createEngineMs: tEngine - tImport, dataMs: tData - tEngine, firstStepMs: tFirst - tData,
  totalMs: tFirst, secondStepMs: tSecond - tFirst, loss, pipelinesCreated,
  adapter: engine.adapterInfo?.description || `${engine.adapterInfo?.vendor ?? ''} ${engine.adapterInfo?.architecture ?? ''}`.trim(),
  tuning: engine.tuner?.policy ?? null, node: process.version, notes: notes.slice(0, 10),
})}\n`);
engine.destroy();
process.exit(0);
