/**
 * The memory of one plan: every storage buffer it needs, made once when the plan is made and
 * destroyed with it. Per-dispatch uniforms live in 256-byte-aligned slots of one uniform buffer,
 * written once (a slot that changes every step — the optimizer's — is rewritten in place).
 */
import { RuntimeFailure } from '../errors.js';
import type { GpuCounters } from './counters.js';

export class Arena {
  private readonly buffers: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice, private readonly counters: GpuCounters, private readonly label: string,
    private readonly maxBinding: number) {}

  /** A storage buffer of `elements` 4-byte elements (f32 or i32), zero-initialised by WebGPU. */
  storage(name: string, elements: number, extraUsage = 0): GPUBuffer {
    const bytes = Math.max(16, Math.ceil((elements * 4) / 16) * 16);
    if (bytes > this.maxBinding) {
      throw new RuntimeFailure(`${this.label}: buffer ${name} needs ${bytes} bytes, over this device's maxStorageBufferBindingSize of ${this.maxBinding}`);
    }
    return this.make(name, bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage);
  }

  readback(name: string, bytes: number): GPUBuffer {
    return this.make(name, Math.max(16, Math.ceil(bytes / 16) * 16), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
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

  get count(): number {
    return this.buffers.length;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}

/** Uniform slots: collect every dispatch's packed uniforms, then one buffer holds them all. */
export class UniformSlots {
  private readonly slots: ArrayBuffer[] = [];
  private buffer: GPUBuffer | null = null;

  constructor(private readonly align: number) {}

  add(data: ArrayBuffer): number {
    this.slots.push(data);
    return this.slots.length - 1;
  }

  /** Creates and fills the buffer; returns a binding for a slot index. */
  finish(device: GPUDevice, arena: Arena): (slot: number) => { buffer: GPUBuffer; offset: number; size: number } {
    const stride = Math.ceil(256 / this.align) * this.align;
    const total = Math.max(1, this.slots.length) * stride;
    this.buffer = arena.uniform('uniforms', total);
    const all = new Uint8Array(total);
    this.slots.forEach((s, i) => all.set(new Uint8Array(s), i * stride));
    device.queue.writeBuffer(this.buffer, 0, all);
    const buffer = this.buffer;
    return (slot) => ({ buffer, offset: slot * stride, size: this.slots[slot]!.byteLength });
  }

  /** Rewrites one slot (e.g. the optimizer's per-step scalars). */
  rewrite(device: GPUDevice, slot: number, data: ArrayBuffer): void {
    const stride = Math.ceil(256 / this.align) * this.align;
    device.queue.writeBuffer(this.buffer!, slot * stride, data);
  }
}
