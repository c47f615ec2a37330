/**
 * Binding a compiled kernel by name and recording dispatches. Bind groups are made once (at plan
 * time); recording only sets pipelines and bind groups and dispatches, and never submits.
 */
import { RuntimeFailure } from '../../errors.js';
import type { GpuCounters } from '../engine/counters.js';
import type { CompiledKernel } from './registry.js';

/** A buffer range bound to a named binding, with the number of elements the dispatch will touch. */
export interface BoundBuffer {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
  /** Elements the kernel may read or write; the binding must hold at least this many. */
  elements?: number;
}

/**
 * Creates a bind group by binding name: every declared binding must be given, nothing else, and
 * each buffer range must hold the elements the dispatch needs (element stride from reflection).
 */
export function bindKernel(device: GPUDevice, kernel: CompiledKernel, buffers: Record<string, BoundBuffer>, label: string, counters: GpuCounters): GPUBindGroup {
  const declared = new Set(kernel.info.bindings.map((b) => b.name));
  for (const k of Object.keys(buffers)) {
    if (!declared.has(k)) throw new RuntimeFailure(`${label}: kernel ${kernel.name} declares no binding ${k} (declared: ${[...declared].join(', ')})`);
  }
  const entries: GPUBindGroupEntry[] = kernel.info.bindings.map((b) => {
    const given = buffers[b.name];
    if (!given) throw new RuntimeFailure(`${label}: kernel ${kernel.name} binding ${b.name} (${b.kind}) was not given a buffer`);
    const offset = given.offset ?? 0;
    const size = given.size ?? given.buffer.size - offset;
    if (given.elements !== undefined) {
      const need = b.kind === 'uniform' ? b.stride : given.elements * b.stride;
      if (size < need) {
        throw new RuntimeFailure(`${label}: kernel ${kernel.name} binding ${b.name} needs ${need} bytes (${given.elements} × ${b.elementType}), received a range of ${size} bytes`);
      }
    }
    return { binding: b.binding, resource: { buffer: given.buffer, offset, size } };
  });
  counters.bindGroupsCreated++;
  return device.createBindGroup({ label, layout: kernel.layout, entries });
}

/** One recorded dispatch of a plan: printable, countable data. */
export interface Dispatch {
  label: string;
  kernel: CompiledKernel;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** Records dispatches into one compute pass of the encoder (with timestamp writes when given); never submits. */
export function recordDispatches(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[], label: string, counters: GpuCounters,
  timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = encoder.beginComputePass(timestampWrites ? { label, timestampWrites } : { label });
  for (const d of dispatches) {
    pass.setPipeline(d.kernel.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass.end();
  counters.dispatches += dispatches.length;
}
