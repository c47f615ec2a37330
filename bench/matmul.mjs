#!/usr/bin/env node
// GFLOP/s of shaders/matmul.wgsl for several register tiles, at 1024³ and at the engine's shapes
// for B64 T100 I64 H256 (LSTM), each result first checked against the float64 twin.
//
//   npm run build && node bench/matmul.mjs [--quick] [--reps N] [--json PATH]
//
// Shapes: 1024×1024×1024 (no transposes); Gx = x·W_ihᵀ + b_ih + b_hh (M = T·B = 6400, N = 4H = 1024,
// K = I = 64, transB, x read batch-first through permA); dW_hh = dGᵀ·h (transA, M = 4H = 1024,
// N = H = 256, K = T·B = 6400). --quick divides M (and K of dW_hh) by 8.
// Each tile is run once and checked (normwise error against the twin ≤ 2·√K·2⁻²⁴, as in
// test/kernels/matmul.test.ts), then timed REPS times (one dispatch, one submit, wait); the
// best wall-clock time gives GFLOP/s = 2·M·N·K / t. Ratios are against the default tile and
// against the float64 twin (the cpu backend's matmul) timed in the same run. Process CPU time
// (all of SwiftShader's threads) is reported too: on a shared machine it moves less than
// wall-clock time. Results go to bench/results/matmul.json (or --json PATH).
//
// Measured here (SwiftShader 5.0.0 with its Subzero JIT, Dawn in Node, 2 AMD EPYC cores shared
// with other jobs at load 7–11, so wall-clock halved at best): GFLOP per CPU-second
//                    1024³   Gx      dW_hh        best wall-clock GFLOP/s (same run)
//   TM 8  TN 8       1.65    1.29    1.66         1.02 / 1.19 / 1.61
//   TM 4  TN 4       0.82    0.65    0.78         0.51 / 0.63 / 0.78
//   TM 8  TN 4       1.27    0.88    1.21         0.64 / 0.87 / 0.74
//   TM 16 TN 8       2.13    1.13    1.47         1.50 / 1.11 / 1.13
// and the float64 twin on one core: 0.71 / 1.21 / 1.04 GFLOP/s. The default (8×8) is best or level
// at the engine's shapes; at 1024³ 8×8, 12×8 and 16×8 were within noise of each other in a
// second, interleaved run (1.62 / 1.78 / 1.43 GFLOP per CPU-second).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createNodeDevice } from '../dist/webgpu/device/dawn.js';
import { newCounters } from '../dist/webgpu/engine/counters.js';
import { KernelRegistry } from '../dist/webgpu/kernels/registry.js';
import { bindKernel, recordDispatches } from '../dist/webgpu/kernels/bind.js';
import { packUniforms } from '../dist/webgpu/kernels/info.js';
import { MATMUL_DEFAULTS, matmulOverrides, matmulWorkgroups } from '../dist/webgpu/kernels/grids.js';
import { matmul } from '../dist/reference/matmul.js';
import { normwiseError } from '../dist/compare.js';
import { Rng } from '../dist/rng.js';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const quick = flag('--quick');
const reps = Number(value('--reps', quick ? 3 : 5));
const jsonPath = value('--json', new URL('./results/matmul.json', import.meta.url).pathname);

const TILES = [
  { ...MATMUL_DEFAULTS },
  { ...MATMUL_DEFAULTS, TM: 4, TN: 4 },
  { ...MATMUL_DEFAULTS, TM: 8, TN: 4 },
  { ...MATMUL_DEFAULTS, TM: 16, TN: 8 },
];

const B = 64, T = 100, I = 64, H = 256;
const q = quick ? 8 : 1;
const SHAPES = [
  { name: 'square 1024³', M: 1024 / q, N: 1024, K: 1024, transA: 0, transB: 0 },
  { name: 'Gx = x·W_ihᵀ + b (B64 T100 I64 H256)', M: (T * B) / q, N: 4 * H, K: I, transA: 0, transB: 1, permA: 1, permBatch: B / q, permTime: T, bias: true },
  { name: 'dW_hh = dGᵀ·h (B64 T100 I64 H256)', M: 4 * H, N: H, K: (T * B) / q, transA: 1, transB: 0 },
];

const { device, info } = await createNodeDevice({ log: () => {} });
const registry = new KernelRegistry(device, newCounters());
const counters = newCounters();
const rng = new Rng(7);
const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

function upload(data) {
  const buffer = device.createBuffer({ size: Math.max(16, data.byteLength), usage: STORAGE });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

async function readBack(buffer, n) {
  const r = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(buffer, 0, r, 0, n * 4);
  device.queue.submit([e.finish()]);
  await r.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(r.getMappedRange().slice(0));
  r.destroy();
  return out;
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const results = [];
for (const s of SHAPES) {
  const { M, N, K } = s;
  const flops = 2 * M * N * K;
  const a = Float32Array.from({ length: M * K }, () => rng.range(-1, 1));
  const b = Float32Array.from({ length: K * N }, () => rng.range(-1, 1));
  const bias = Float32Array.from({ length: 2 * N }, () => rng.range(-1, 1));
  const args = {
    M, N, K, lda: s.transA ? M : K, ldb: s.transB ? K : N, ldc: N, aOffset: 0, bOffset: 0, cOffset: 0,
    transA: s.transA, transB: s.transB, accumulate: 0,
    biasOffset: 0, biasLen: s.bias ? N : 0, bias2Offset: N, bias2Len: s.bias ? N : 0,
    permBatch: s.permBatch ?? 0, permTime: s.permTime ?? 0, permA: s.permA ?? 0, permB: 0,
    rowSum: 0, rowSumOffset: 0, rowSumOffset2: 0,
  };
  const ref = new Float64Array(M * N);
  let t0 = performance.now();
  // The twin takes the row sums by offset (present means written), the kernel by the rowSum flag: none here.
  const { rowSum: _rs, rowSumOffset: _o1, rowSumOffset2: _o2, ...twinArgs } = args;
  matmul(a, b, ref, { ...twinArgs, transA: !!args.transA, transB: !!args.transB, permA: !!args.permA, permB: false, accumulate: false, bias });
  const twinMs = performance.now() - t0;

  const bufA = upload(a), bufB = upload(b), bufBias = upload(bias);
  const bufC = device.createBuffer({ size: M * N * 4, usage: STORAGE });
  const row = { shape: s.name, M, N, K, transA: !!s.transA, transB: !!s.transB, permA: !!s.permA, twinMs: +twinMs.toFixed(1), twinGflops: +(flops / twinMs / 1e6).toFixed(3), tiles: [] };
  for (const tile of TILES) {
    const kernel = await registry.get('matmul', matmulOverrides(tile));
    const u = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(u, 0, packUniforms(kernel.info, args));
    const bindGroup = bindKernel(device, kernel, { params: { buffer: u }, a: { buffer: bufA }, b: { buffer: bufB }, bias: { buffer: bufBias }, c: { buffer: bufC } }, 'bench.matmul', counters);
    const dispatch = { label: 'matmul', kernel, bindGroup, workgroups: matmulWorkgroups(M, N, tile) };
    const run = async () => {
      const e = device.createCommandEncoder();
      recordDispatches(e, [dispatch], 'bench.matmul', counters);
      device.queue.submit([e.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run();
    const err = normwiseError(await readBack(bufC, M * N), ref);
    const bound = 2 * Math.sqrt(K + 3) * 2 ** -24;
    if (!(err <= bound)) throw new Error(`${s.name}, tile ${JSON.stringify(tile)}: normwise error ${err} > ${bound}; not timing a wrong result`);
    const wall = [], cpu = [];
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage();
      t0 = performance.now();
      await run();
      wall.push(performance.now() - t0);
      const cu = process.cpuUsage(c0);
      cpu.push((cu.user + cu.system) / 1000);
    }
    const best = Math.min(...wall);
    row.tiles.push({
      overrides: tile, workgroups: dispatch.workgroups, error: err,
      bestMs: +best.toFixed(1), medianMs: +median(wall).toFixed(1), gflops: +(flops / best / 1e6).toFixed(2),
      cpuMs: +Math.min(...cpu).toFixed(1), gflopsPerCpuSecond: +(flops / Math.min(...cpu) / 1e6).toFixed(2),
    });
    u.destroy();
  }
  for (const x of [bufA, bufB, bufBias, bufC]) x.destroy();
  const base = row.tiles[0].bestMs;
  console.log(`${s.name}: M ${M} N ${N} K ${K}${s.transA ? ' transA' : ''}${s.transB ? ' transB' : ''}${s.permA ? ' permA' : ''}; float64 twin ${twinMs.toFixed(0)} ms (${row.twinGflops} GFLOP/s)`);
  for (const t of row.tiles) {
    const o = t.overrides;
    console.log(`  TM ${String(o.TM).padStart(2)} TN ${o.TN} WG ${o.WG_X}×${o.WG_Y}: ${t.bestMs.toFixed(1).padStart(8)} ms (median ${t.medianMs.toFixed(1)})  ${t.gflops.toFixed(2).padStart(5)} GFLOP/s  ` +
      `×${(base / t.bestMs).toFixed(2)} vs default  ×${(twinMs / t.bestMs).toFixed(1)} vs twin  cpu ${t.cpuMs.toFixed(0)} ms (${t.gflopsPerCpuSecond} GFLOP per cpu-s)  err ${t.error.toExponential(1)}`);
  }
  results.push(row);
}

mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ bench: 'matmul', date: new Date().toISOString(), adapter: info, quick, reps, results }, null, 2) + '\n');
console.log(`wrote ${jsonPath}`);
process.exit(0);
