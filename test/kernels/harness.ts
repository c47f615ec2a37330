/**
 * Running one kernel by itself against its float64 twin: upload inputs, create outputs poisoned
 * with NaN, dispatch once, read every storage binding back. Used by every kernel test; the same
 * bodies can run in the browser suite later.
 */
import { createNodeDevice } from '../../src/webgpu/device.js';
import { newCounters } from '../../src/webgpu/counters.js';
import { bindKernel, KernelRegistry, recordDispatches } from '../../src/webgpu/kernels.js';
import { packUniforms } from '../../src/webgpu/reflect.js';
import { nodeShaderSource } from '../../src/webgpu/shaderSource.js';

export interface Gpu {
  device: GPUDevice;
  registry: KernelRegistry;
}

let gpuPromise: Promise<Gpu> | null = null;

/** One device per test file (vitest runs each file in its own process). */
export function gpu(): Promise<Gpu> {
  gpuPromise ??= (async () => {
    let d;
    try {
      d = await createNodeDevice();
    } catch (e) {
      throw new Error(`NO WEBGPU ADAPTER: kernel tests cannot run (${(e as Error).message}); run scripts/setup-system.sh as root`);
    }
    return { device: d.device, registry: new KernelRegistry(d.device, nodeShaderSource, newCounters()) };
  })();
  return gpuPromise;
}

export type HostArray = Float32Array | Int32Array | Uint32Array;

/** An input array, or `{ output: n }` for an output buffer of n elements poisoned with NaN. */
export type KernelBuffer = HostArray | { output: number; init?: HostArray };

export interface KernelRun {
  overrides?: Record<string, number>;
  uniforms?: Record<string, number>;
  buffers: Record<string, KernelBuffer>;
  workgroups: [number, number?, number?];
}

export async function runKernel(name: string, run: KernelRun): Promise<Record<string, Float32Array>> {
  const { device, registry } = await gpu();
  const counters = newCounters();
  const kernel = await registry.get(name, run.overrides ?? {});
  const made: GPUBuffer[] = [];
  const make = (bytes: number, usage: number): GPUBuffer => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });
    made.push(b);
    return b;
  };
  const storage = new Map<string, { buffer: GPUBuffer; bytes: number }>();
  const bound: Record<string, { buffer: GPUBuffer }> = {};
  for (const [k, v] of Object.entries(run.buffers)) {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    let data: HostArray;
    if ('output' in v) {
      data = v.init ?? new Float32Array(v.output).fill(Number.NaN);
    } else {
      data = v;
    }
    const buffer = make(data.byteLength, usage);
    if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
    storage.set(k, { buffer, bytes: data.byteLength });
    bound[k] = { buffer };
  }
  if (kernel.info.uniform) {
    const u = make(kernel.info.uniform.stride, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    device.queue.writeBuffer(u, 0, packUniforms(kernel.info, run.uniforms ?? {}));
    bound[kernel.info.uniform.name] = { buffer: u };
  }
  device.pushErrorScope('validation');
  const bindGroup = bindKernel(device, kernel, bound, `${name}.test`, counters);
  const encoder = device.createCommandEncoder();
  const wg = run.workgroups;
  recordDispatches(encoder, [{ label: name, kernel, bindGroup, workgroups: [wg[0], wg[1] ?? 1, wg[2] ?? 1] }], name, counters);
  const reads: Array<[string, GPUBuffer, number]> = [];
  for (const [k, { buffer, bytes }] of storage) {
    if (bytes === 0) continue;
    const r = make(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    encoder.copyBufferToBuffer(buffer, 0, r, 0, Math.ceil(bytes / 4) * 4);
    reads.push([k, r, bytes]);
  }
  device.queue.submit([encoder.finish()]);
  const err = await device.popErrorScope();
  if (err) throw new Error(`${name}: validation error: ${err.message}`);
  const out: Record<string, Float32Array> = {};
  for (const [k, r, bytes] of reads) {
    await r.mapAsync(GPUMapMode.READ);
    const src = run.buffers[k]!;
    const isInt = src instanceof Int32Array || src instanceof Uint32Array || ('output' in src && src.init && !(src.init instanceof Float32Array));
    // Integer buffers come back as numbers too (converted), so every result is a Float32Array.
    const raw = r.getMappedRange(0, Math.ceil(bytes / 4) * 4).slice(0);
    out[k] = isInt ? Float32Array.from(new Int32Array(raw)) : new Float32Array(raw);
    r.unmap();
  }
  for (const b of made) b.destroy();
  return out;
}

/** Seeded uniform floats in [lo, hi) as float32 (the GPU's inputs) — and their float64 values. */
export function randomF32(rng: { range(lo: number, hi: number): number }, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}
