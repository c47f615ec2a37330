/**
 * Copies GPU buffer ranges to the host: one staging buffer for all of them, one submit, one map
 * (forward, grad, parameters; the trainer's per-step loss has its own small buffer). The staging
 * buffer is made per call and destroyed after the map (a forward result's size changes with B and
 * T); counted by the engine's counters.
 */
import type { GpuCounters } from './counters.js';

export interface Range {
  buffer: GPUBuffer;
  /** Element offset (4-byte elements). */
  offset: number;
  /** Number of 4-byte elements. */
  elements: number;
}

export async function readRanges(device: GPUDevice, counters: GpuCounters, ranges: Range[], encoder?: GPUCommandEncoder): Promise<Float32Array[]> {
  const enc = encoder ?? device.createCommandEncoder({ label: 'readback' });
  const total = ranges.reduce((a, r) => a + r.elements, 0);
  const staging = device.createBuffer({ label: 'readback.staging', size: Math.max(16, Math.ceil((total * 4) / 16) * 16), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  counters.buffersCreated++;
  try {
    let at = 0;
    for (const r of ranges) {
      if (r.elements > 0) enc.copyBufferToBuffer(r.buffer, r.offset * 4, staging, at * 4, r.elements * 4);
      at += r.elements;
    }
    device.queue.submit([enc.finish()]);
    counters.submits++;
    await staging.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(staging.getMappedRange(0, Math.max(16, total * 4)).slice(0, total * 4));
    staging.unmap();
    const out: Float32Array[] = [];
    at = 0;
    for (const r of ranges) {
      out.push(all.subarray(at, at + r.elements));
      at += r.elements;
    }
    return out;
  } finally {
    staging.destroy();
  }
}
