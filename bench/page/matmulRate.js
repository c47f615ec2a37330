// Our matmul's arithmetic rate on the page's adapter, for the floor model of a step (the step's
// FLOPs ÷ this rate is what its arithmetic would cost if every multiply-add ran as fast as a large
// plain matmul does here). The kernel is this engine's own matmul.wgsl, as the package ships it
// (the runner passes its source, reflected uniform layout and default register tile from
// dist/webgpu/kernels/), at M × N × K (default 1024 × 1024 × 512, no transposes, no bias):
// compiled on a device of its own, run once and spot-checked against float64 dot products (a wrong
// result gives no rate), then timed `reps` times, one dispatch per submit waited for; the best
// time gives GFLOP/s = 2·M·N·K / t. (bench/matmul.mjs measures the same kernel in Node, Dawn.)
import { uniformSource } from './data.js';

/** Writes the uniform values at the reflected offsets (every member a u32 here). */
function packParams(info, values) {
  const u = info.bindings.find((b) => b.kind === 'uniform');
  const buf = new ArrayBuffer(Math.max(16, Math.ceil(u.stride / 16) * 16));
  const view = new DataView(buf);
  for (const m of u.members) {
    const v = values[m.name];
    if (!Number.isInteger(v) || v < 0) throw new Error(`matmulRate: uniform ${m.name} expected a u32, received ${v}`);
    view.setUint32(m.offset, v, true);
  }
  return buf;
}

/**
 * @param {{ source: string, info: object, overrides: Record<string, number>, workgroups?: number[], M?: number, N?: number, K?: number, reps?: number }} opts
 * @returns {Promise<{ gflops: number, bestMs: number, medianMs: number, M: number, N: number, K: number, maxRelErr: number, overrides: object }>}
 */
export async function measureMatmulRate({ source, info, overrides, workgroups, M = 1024, N = 1024, K = 512, reps = 3 }) {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter.requestDevice();
  try {
    const next = uniformSource(12345);
    const a = Float32Array.from({ length: M * K }, () => 2 * next() - 1);
    const b = Float32Array.from({ length: K * N }, () => 2 * next() - 1);
    const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const upload = (data) => {
      const buf = device.createBuffer({ size: Math.max(16, data.byteLength), usage: STORAGE });
      device.queue.writeBuffer(buf, 0, data);
      return buf;
    };
    const bufA = upload(a), bufB = upload(b), bufBias = upload(new Float32Array(4));
    const bufC = device.createBuffer({ size: M * N * 4, usage: STORAGE });
    const values = {
      M, N, K, lda: K, ldb: N, ldc: N, aOffset: 0, bOffset: 0, cOffset: 0, transA: 0, transB: 0, accumulate: 0,
      biasOffset: 0, biasLen: 0, bias2Offset: 0, bias2Len: 0, permBatch: 0, permTime: 0, permA: 0, permB: 0,
      rowSum: 0, rowSumOffset: 0, rowSumOffset2: 0,
    };
    const params = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(params, 0, packParams(info, values));
    const layout = device.createBindGroupLayout({
      entries: info.bindings.map((x) => ({ binding: x.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: x.kind } })),
    });
    const pipeline = await device.createComputePipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: device.createShaderModule({ code: source }), entryPoint: 'main', constants: overrides },
    });
    const byName = { params, a: bufA, b: bufB, bias: bufBias, c: bufC };
    const bindGroup = device.createBindGroup({ layout, entries: info.bindings.map((x) => ({ binding: x.binding, resource: { buffer: byName[x.name] } })) });
    // matmulWorkgroups (src/webgpu/kernels/grids.ts), passed by the runner.
    const wg = workgroups ?? [Math.ceil(N / (overrides.WG_X * overrides.TN)), Math.ceil(M / (overrides.WG_Y * overrides.TM)), 1];
    const run = async () => {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...wg);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
    await run();
    // Spot check: 64 entries against float64 dot products, within the rounding bound γ_K·Σ|a·b|.
    const read = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(bufC, 0, read, 0, M * N * 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const c = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    let maxRelErr = 0;
    for (let s = 0; s < 64; s++) {
      const i = Math.floor(next() * M), j = Math.floor(next() * N);
      let ref = 0, mag = 0;
      for (let k = 0; k < K; k++) { ref += a[i * K + k] * b[k * N + j]; mag += Math.abs(a[i * K + k] * b[k * N + j]); }
      const err = Math.abs(c[i * N + j] - ref), bound = 2 * K * 2 ** -24 * mag;
      if (!(err <= bound)) throw new Error(`matmulRate: C[${i}, ${j}] = ${c[i * N + j]}, float64 ${ref} (error ${err} over the bound ${bound}): no rate from a wrong result`);
      maxRelErr = Math.max(maxRelErr, err / mag);
    }
    const times = [];
    for (let r = 0; r < reps; r++) times.push(await run());
    const sorted = [...times].sort((x, y) => x - y);
    const bestMs = sorted[0];
    return { gflops: (2 * M * N * K) / (bestMs * 1e6), bestMs, medianMs: sorted[sorted.length >> 1], timesMs: times, M, N, K, maxRelErr, overrides, workgroups: wg };
  } finally {
    device.destroy();
  }
}
