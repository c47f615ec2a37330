/**
 * The WebGPU device layer in Node (Dawn): finding an adapter (SwiftShader when there is no GPU),
 * requesting the adapter's own limits, running a kernel, and turning uncaptured errors and loss
 * into messages. No adapter is a failure, never a skip: CI always has SwiftShader
 * (scripts/setup-system.sh), so a silent skip would hide a broken setup.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestBackend, describeBackends } from '../src/backends.js';
import { RuntimeFailure } from '../src/errors.js';
import { describeAdapter, formatAdapterInfo } from '../src/webgpu/device/adapterInfo.js';
import { createNodeDevice, SWIFTSHADER_ICD, type NodeDevice } from '../src/webgpu/device/dawn.js';
import { ENGINE_LIMITS } from '../src/webgpu/device/request.js';
import { runAffineSmoke } from './fixtures/affineSmoke.js';

const affineWgsl = readFileSync(new URL('./fixtures/affine.wgsl', import.meta.url), 'utf8');
const userIcd = process.env['VK_ICD_FILENAMES'];

describe('createNodeDevice', () => {
  const notes: string[] = [];
  let gpu: NodeDevice;

  beforeAll(async () => {
    const t0 = performance.now();
    try {
      gpu = await createNodeDevice({ log: (m) => notes.push(m) });
    } catch (err) {
      throw new Error(
        `NO WEBGPU ADAPTER: the WebGPU tests cannot run (${(err as Error).message}). ` +
          'CI must have SwiftShader: run scripts/setup-system.sh as root.',
      );
    }
    console.log(`[webgpu] ${formatAdapterInfo(gpu.info)}; device in ${(performance.now() - t0).toFixed(1)} ms`);
  });
  afterAll(() => gpu?.device.destroy());

  it('describes the adapter and says which fallback it took', () => {
    expect(gpu.info.description).not.toBe('');
    expect(typeof gpu.info.isFallbackAdapter).toBe('boolean');
    if (gpu.info.fallback !== null) {
      // The fallback is only taken when the caller had not chosen a driver, and it is said.
      expect(userIcd).toBeUndefined();
      expect(gpu.info.fallback).toBe(`SwiftShader Vulkan (VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`);
      expect(process.env['VK_ICD_FILENAMES']).toBe(SWIFTSHADER_ICD);
      expect(notes.some((n) => n.includes('SwiftShader'))).toBe(true);
    } else {
      expect(notes).toEqual([]);
    }
  });

  it('gets the adapter\'s own limits, not the defaults', () => {
    for (const name of ENGINE_LIMITS) {
      const adapterValue = (gpu.adapter.limits as unknown as Record<string, number>)[name];
      if (adapterValue !== undefined) expect([name, gpu.limits[name]]).toEqual([name, adapterValue]);
    }
    // At least WebGPU's defaults (maxStorageBufferBindingSize 128 MiB, 16 KiB workgroup memory, 256 invocations).
    expect(gpu.limits['maxStorageBufferBindingSize']).toBeGreaterThanOrEqual(134217728);
    expect(gpu.limits['maxComputeWorkgroupStorageSize']).toBeGreaterThanOrEqual(16384);
    expect(gpu.limits['maxComputeInvocationsPerWorkgroup']).toBeGreaterThanOrEqual(256);
    for (const feature of ['timestamp-query', 'shader-f16', 'subgroups']) {
      expect([feature, gpu.features.includes(feature)]).toEqual([feature, gpu.adapter.features.has(feature)]);
    }
  });

  it('runs a kernel over a ragged length, guarded, with a NaN-poisoned output', async () => {
    for (const [n, workgroupSize] of [[1000, 64], [1, 64], [257, 256]] as const) {
      const r = await runAffineSmoke(gpu.device, affineWgsl, n, workgroupSize);
      expect(r.mismatches, `n=${n} workgroupSize=${workgroupSize}: ${r.mismatchCount} wrong`).toEqual([]);
      expect(r.tailIntact, `n=${n}: wrote past n`).toBe(true);
    }
    gpu.watch.throwIfLost();
    expect(gpu.watch.uncapturedErrors).toEqual([]);
  });

  it('routes uncaptured errors to the log, and the device stays usable', async () => {
    const before = notes.length;
    gpu.device.createBuffer({ size: 4, usage: 0 }); // usage 0 is invalid
    await gpu.device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gpu.watch.uncapturedErrors.length).toBe(1);
    expect(notes.slice(before).join('\n')).toMatch(/GPUValidationError outside an error scope: .*usage/i);
    const r = await runAffineSmoke(gpu.device, affineWgsl, 33, 16);
    expect(r.mismatches).toEqual([]);
  });

  it('gives a fresh device per call, and a destroyed device a clear error', async () => {
    const other = await createNodeDevice({ log: (m) => notes.push(m) });
    expect(other.device).not.toBe(gpu.device);
    expect(other.info.fallback).toBe(gpu.info.fallback);
    other.device.destroy();
    const failure = await other.watch.lost;
    expect(failure).toBeInstanceOf(RuntimeFailure);
    expect(() => other.watch.throwIfLost()).toThrow(/WebGPU device was destroyed/);
    gpu.watch.throwIfLost(); // the first device is unaffected
  });

  it('reads GPU timestamps at full resolution (Dawn\'s quantization is off)', async () => {
    if (!gpu.features.includes('timestamp-query')) return; // nothing to check on this adapter
    const { device } = gpu;
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
    const resolved = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } }).end();
    encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, readback, 0, 16);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(readback.getMappedRange().slice(0));
    readback.unmap();
    for (const b of [resolved, readback]) b.destroy();
    querySet.destroy();
    // Quantized timestamps are multiples of 65,536 ns; two of them by chance: about 1 in 4·10⁹.
    expect(t0! % 65536n !== 0n || t1! % 65536n !== 0n, `t0=${t0} t1=${t1}`).toBe(true);
  });

  it('describeAdapter copes with an adapter that has no info (older browsers)', () => {
    const info = describeAdapter({ isFallbackAdapter: true } as unknown as GPUAdapter);
    expect(info).toEqual({ description: 'unknown adapter', vendor: '', architecture: '', device: '', isFallbackAdapter: true, fallback: null });
  });
});

describe('describeBackends', () => {
  it('reports webgpu with its adapter, limits and features, and picks it as the best backend', async () => {
    const d = await describeBackends({ log: () => {} });
    expect(d.cpu).toEqual({ available: true, description: 'cpu (float64 reference)', precision: 'float64' });
    expect(d.webgpu.error).toBeUndefined();
    expect(d.webgpu.available).toBe(true);
    expect(d.webgpu.implementation).toBe('dawn (npm webgpu)');
    expect(d.webgpu.adapter?.description).toBeTruthy();
    expect(d.webgpu.limits?.['maxComputeInvocationsPerWorkgroup']).toBeGreaterThanOrEqual(256);
    expect(Array.isArray(d.webgpu.features)).toBe(true);
    expect(d.webgpu.fallback).toBe(d.webgpu.adapter?.fallback);
    expect(await bestBackend({ log: () => {} })).toBe('webgpu');
  });
});
