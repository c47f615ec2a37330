/**
 * Running one kernel by itself against its float64 twin: upload inputs, create outputs poisoned
 * with NaN, dispatch once, read every storage binding back. Used by every kernel test; the same
 * bodies can run in the browser suite later.
 *
 * Only `gpu()` knows where the device comes from: Dawn (createNodeDevice) unless a runner outside
 * vitest hands it another with `useDevice` first (scripts/kernels-deno.ts: wgpu's, through Deno).
 */
import { createNodeDevice } from '../../src/webgpu/device/dawn.js';
import { newCounters } from '../../src/webgpu/engine/counters.js';
import { bindKernel, recordDispatches, type Dispatch } from '../../src/webgpu/kernels/bind.js';
import { KernelRegistry } from '../../src/webgpu/kernels/registry.js';
import { packUniforms } from '../../src/webgpu/kernels/info.js';

export interface Gpu {
  device: GPUDevice;
  registry: KernelRegistry;
}

let gpuPromise: Promise<Gpu> | null = null;

/**
 * Runs every kernel of this harness on `device` instead of Dawn's (the kernels come from the
 * package's generated table). Call it before the first kernel runs; a second device is refused
 * rather than mixed in.
 */
export function useDevice(device: GPUDevice): Gpu {
  if (gpuPromise) throw new Error('useDevice: the kernel harness already has a device (call useDevice once, before any kernel runs)');
  const g = { device, registry: new KernelRegistry(device, newCounters()) };
  gpuPromise = Promise.resolve(g);
  return g;
}

/** One device per test file (vitest runs each file in its own process). */
export function gpu(): Promise<Gpu> {
  gpuPromise ??= (async () => {
    let d;
    try {
      d = await createNodeDevice();
    } catch (e) {
      throw new Error(`NO WEBGPU ADAPTER: kernel tests cannot run (${(e as Error).message}); run scripts/setup-system.sh as root`);
    }
    return { device: d.device, registry: new KernelRegistry(d.device, newCounters()) };
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
  return runKernelSequence(run.buffers, [{ name, ...run }]);
}

/** One dispatch of a sequence: a kernel, its uniforms and grid, and which shared buffers it binds. */
export interface KernelStep {
  name: string;
  overrides?: Record<string, number>;
  uniforms?: Record<string, number>;
  workgroups: [number, number?, number?];
  /**
   * Binding name → name in the shared buffer set, for a binding whose buffer is named otherwise;
   * by default a binding takes the shared buffer of its own name.
   */
  bind?: Record<string, string>;
  /** GPU label of the dispatch (default: the kernel name). */
  label?: string;
}

/**
 * Runs several dispatches on one set of named buffers that stay on the GPU between them: one
 * upload, the dispatches recorded in order into one compute pass (each with its own uniform
 * buffer), one submit, then every buffer read back. Each step binds exactly the bindings its
 * kernel declares; `runKernel` is the one-step case.
 */
export async function runKernelSequence(buffers: Record<string, KernelBuffer>, steps: readonly KernelStep[]): Promise<Record<string, Float32Array>> {
  const raw = await runKernelSequenceRaw(buffers, steps);
  const out: Record<string, Float32Array> = {};
  for (const [k, words] of Object.entries(raw)) {
    const src = buffers[k]!;
    const isInt = src instanceof Int32Array || src instanceof Uint32Array || ('output' in src && src.init && !(src.init instanceof Float32Array));
    // Integer buffers come back as numbers too (converted), so every result is a Float32Array.
    out[k] = isInt ? Float32Array.from(new Int32Array(words.buffer, words.byteOffset, words.length)) : new Float32Array(words.buffer, words.byteOffset, words.length);
  }
  return out;
}

/** runKernel, every buffer read back as its raw 32-bit words (for kernels that copy words: gather_rows). */
export async function runKernelRaw(name: string, run: KernelRun): Promise<Record<string, Uint32Array>> {
  return runKernelSequenceRaw(run.buffers, [{ name, ...run }]);
}

/** runKernelSequence, every buffer read back as its raw 32-bit words, bit for bit. */
export async function runKernelSequenceRaw(buffers: Record<string, KernelBuffer>, steps: readonly KernelStep[]): Promise<Record<string, Uint32Array>> {
  const { device, registry } = await gpu();
  const counters = newCounters();
  const made: GPUBuffer[] = [];
  const make = (bytes: number, usage: number): GPUBuffer => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });
    made.push(b);
    return b;
  };
  try {
    const kernels = await Promise.all(steps.map((s) => registry.get(s.name, s.overrides ?? {})));
    // Host checks first (names, uniform values), so that nothing throws inside the error scope.
    const plans = steps.map((step, n) => {
      const kernel = kernels[n]!;
      const label = step.label ?? step.name;
      const binds: Array<[string, string]> = kernel.info.bindings
        .filter((b) => b.kind !== 'uniform')
        .map((b) => [b.name, step.bind?.[b.name] ?? b.name]);
      const uniforms = step.uniforms ?? {};
      let uniformData: ArrayBuffer | null = null;
      if (kernel.info.uniform || Object.keys(uniforms).length > 0) uniformData = packUniforms(kernel.info, uniforms, label);
      return { step, kernel, label, binds, uniformData };
    });
    const used = new Set(plans.flatMap((p) => p.binds.map(([, from]) => from)));
    for (const k of Object.keys(buffers)) {
      if (!used.has(k)) {
        const declared = [...new Set(kernels.flatMap((x) => x.info.bindings.map((b) => b.name)))].join(', ');
        throw new Error(`buffer ${k} is bound by no dispatch: ${[...new Set(steps.map((s) => s.name))].join(', ')} declares no binding ${k} (declared: ${declared})`);
      }
    }
    device.pushErrorScope('validation');
    const storage = new Map<string, { buffer: GPUBuffer; bytes: number }>();
    let dispatches: Dispatch[];
    try {
      for (const [k, v] of Object.entries(buffers)) {
        const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
        const data: HostArray = 'output' in v ? (v.init ?? new Float32Array(v.output).fill(Number.NaN)) : v;
        const buffer = make(data.byteLength, usage);
        if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
        storage.set(k, { buffer, bytes: data.byteLength });
      }
      dispatches = plans.map(({ step, kernel, label, binds, uniformData }) => {
        const bound: Record<string, { buffer: GPUBuffer }> = {};
        for (const [name, from] of binds) {
          const s = storage.get(from);
          if (s) bound[name] = { buffer: s.buffer };
        }
        if (kernel.info.uniform && uniformData) {
          // Sized by the packed data: packUniforms rounds the struct up to 16 bytes.
          const u = make(uniformData.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
          device.queue.writeBuffer(u, 0, uniformData);
          bound[kernel.info.uniform.name] = { buffer: u };
        }
        const wg = step.workgroups;
        return { label, kernel, bindGroup: bindKernel(device, kernel, bound, `${label}.test`, counters), workgroups: [wg[0], wg[1] ?? 1, wg[2] ?? 1] };
      });
    } catch (e) {
      await device.popErrorScope();
      throw e;
    }
    const encoder = device.createCommandEncoder();
    recordDispatches(encoder, dispatches, steps.length === 1 ? steps[0]!.name : `${steps.length} dispatches`, counters);
    const reads: Array<[string, GPUBuffer, number]> = [];
    for (const [k, { buffer, bytes }] of storage) {
      if (bytes === 0) continue;
      const r = make(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
      encoder.copyBufferToBuffer(buffer, 0, r, 0, Math.ceil(bytes / 4) * 4);
      reads.push([k, r, bytes]);
    }
    device.queue.submit([encoder.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new Error(`${steps.map((s) => s.name).join(', ')}: validation error: ${err.message}`);
    const out: Record<string, Uint32Array> = {};
    for (const [k, r, bytes] of reads) {
      await r.mapAsync(GPUMapMode.READ);
      out[k] = new Uint32Array(r.getMappedRange(0, Math.ceil(bytes / 4) * 4).slice(0));
      r.unmap();
    }
    return out;
  } finally {
    for (const b of made) b.destroy();
  }
}

/** Seeded uniform floats in [lo, hi) as float32 (the GPU's inputs) — and their float64 values. */
export function randomF32(rng: { range(lo: number, hi: number): number }, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}
