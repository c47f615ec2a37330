/**
 * The memory of one owner (a plan, a trainer, a stream, a dataset): every buffer it needs, made
 * once and destroyed together. Creation runs inside out-of-memory and validation error scopes, so
 * a device that cannot hold a plan fails with a RuntimeFailure (and what was made is freed) instead
 * of an uncaptured error and a half-made plan. Per-dispatch uniforms live in aligned slots of one
 * uniform buffer, written once (slots that change — the optimizer's step, the loss scale — are
 * rewritten in place).
 */
import { RuntimeFailure } from '../../errors.js';
import type { GpuCounters } from './counters.js';

export class Arena {
  private readonly buffers: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice, private readonly counters: GpuCounters, readonly label: string) {}

  /** A storage buffer of `elements` 4-byte elements (f32, i32 or u32), zero-initialised by WebGPU. */
  storage(name: string, elements: number, extraUsage = 0): GPUBuffer {
    return this.make(name, padBytes(elements * 4), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage);
  }

  /** A buffer that host reads map (MAP_READ | COPY_DST). */
  readback(name: string, bytes: number): GPUBuffer {
    return this.make(name, padBytes(bytes), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  /** A copy-only buffer (a carried state). */
  copyTarget(name: string, bytes: number): GPUBuffer {
    return this.make(name, padBytes(bytes), GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
  }

  uniform(name: string, bytes: number): GPUBuffer {
    return this.make(name, bytes, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  }

  private make(name: string, size: number, usage: number): GPUBuffer {
    const b = this.device.createBuffer({ label: `${this.label}.${name}`, size, usage });
    this.counters.buffersCreated++;
    this.buffers.push(b);
    return b;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.buffers.reduce((a, b) => a + b.size, 0);
  }

  get count(): number {
    return this.buffers.length;
  }

  /**
   * Runs `make` (which creates buffers in this arena) inside error scopes; on a device error or an
   * exception everything the arena holds is destroyed and a RuntimeFailure says what failed.
   */
  async guarded<T>(what: string, make: () => T): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T;
    try {
      result = make();
    } catch (e) {
      await this.device.popErrorScope().catch(() => null);
      await this.device.popErrorScope().catch(() => null);
      this.destroy();
      throw e;
    }
    const validation = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    const err = oom ?? validation;
    if (err) {
      this.destroy();
      const kb = Math.round(this.bytes / 1024);
      throw new RuntimeFailure(`${what}: the device could not allocate ${this.label} (${kb} KiB in ${this.count} buffers): ${err.message}`);
    }
    return result;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}

/** At least 16 bytes, a multiple of 16 (WebGPU needs multiples of 4; 16 keeps vec4 loads aligned). */
export function padBytes(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/** Uniform slots: collect every dispatch's packed uniforms, then one buffer holds them all. */
export class UniformSlots {
  private readonly slots: ArrayBuffer[] = [];
  private buffer: GPUBuffer | null = null;
  private readonly stride: number;

  constructor(align: number) {
    this.stride = Math.ceil(256 / align) * align;
  }

  add(data: ArrayBuffer): number {
    this.slots.push(data);
    return this.slots.length - 1;
  }

  /** Creates and fills the buffer; returns a binding for a slot index. */
  finish(device: GPUDevice, arena: Arena): (slot: number) => { buffer: GPUBuffer; offset: number; size: number } {
    const total = Math.max(1, this.slots.length) * this.stride;
    this.buffer = arena.uniform('uniforms', total);
    const all = new Uint8Array(total);
    this.slots.forEach((s, i) => all.set(new Uint8Array(s), i * this.stride));
    device.queue.writeBuffer(this.buffer, 0, all);
    const buffer = this.buffer;
    return (slot) => ({ buffer, offset: slot * this.stride, size: this.slots[slot]!.byteLength });
  }

  /** Rewrites one slot (the optimizer's per-step scalars, a batch's loss scale). */
  rewrite(device: GPUDevice, slot: number, data: ArrayBuffer): void {
    device.queue.writeBuffer(this.buffer!, slot * this.stride, data);
  }
}
