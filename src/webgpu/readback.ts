/** Copies GPU buffer ranges to the host in one submit and one wait (forward and grad calls only). */
import type { GpuCounters } from './counters.js';

export interface Range {
  buffer: GPUBuffer;
  offset: number;
  /** Number of 4-byte elements. */
  elements: number;
}

export async function readRanges(device: GPUDevice, counters: GpuCounters, ranges: Range[], encoder?: GPUCommandEncoder): Promise<Float32Array[]> {
  const enc = encoder ?? device.createCommandEncoder({ label: 'readback' });
  const staging = ranges.map((r) => {
    const b = device.createBuffer({ label: 'readback.staging', size: Math.max(16, r.elements * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    counters.buffersCreated++;
    if (r.elements > 0) enc.copyBufferToBuffer(r.buffer, r.offset * 4, b, 0, r.elements * 4);
    return b;
  });
  device.queue.submit([enc.finish()]);
  counters.submits++;
  const out: Float32Array[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const b = staging[i]!;
    await b.mapAsync(GPUMapMode.READ);
    out.push(new Float32Array(b.getMappedRange(0, Math.max(16, ranges[i]!.elements * 4)).slice(0, ranges[i]!.elements * 4)));
    b.unmap();
    b.destroy();
  }
  return out;
}
