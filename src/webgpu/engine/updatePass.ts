/**
 * A trainer's update on the GPU, after a plan's backward pass has filled the model's gradients:
 * the global gradient norm (grad_norm, then grad_norm_finish, which also forms the clip scale) and
 * the fused optimizer step over the one flat parameter buffer. The trainer owns this pass and its
 * buffers: the optimizer state (state1, state2), the partial norms and the stats [norm, scale].
 */
import { InputError } from '../../errors.js';
import type { ResolvedOptimizer } from '../../reference/optimizerUpdate.js';
import { Arena, UniformSlots } from './arena.js';
import type { GpuCounters } from './counters.js';
import { bindKernel, recordDispatches, type Dispatch } from '../kernels/bind.js';
import { flatWorkgroups } from '../kernels/grids.js';
import { packUniforms } from '../kernels/info.js';
import { optimizerStateSlots, optimizerUniforms } from '../kernels/optimizerUniforms.js';
import type { CompiledKernel, KernelRegistry } from '../kernels/registry.js';

/** Partial norms of grad_norm: enough invocations to fill a GPU, few enough for one finishing pass. */
const PARTIALS = 256;
const WG = 64;

export class UpdatePass {
  private constructor(
    private readonly device: GPUDevice, private readonly counters: GpuCounters, readonly arena: Arena,
    private readonly dispatches: Dispatch[], private readonly slots: UniformSlots, private readonly optimizerKernel: CompiledKernel,
    private readonly opt: ResolvedOptimizer, private readonly n: number,
    readonly state1: GPUBuffer, readonly state2: GPUBuffer, readonly stats: GPUBuffer,
  ) {}

  static async create(device: GPUDevice, registry: KernelRegistry, counters: GpuCounters, limits: Record<string, number>,
    model: { params: GPUBuffer; grads: GPUBuffer }, n: number, opt: ResolvedOptimizer, clipNorm: number | null): Promise<UpdatePass> {
    const [norm, finish, update] = await Promise.all([
      registry.get('grad_norm'), registry.get('grad_norm_finish'), registry.get('optimizer_update'),
    ]);
    const maxGroups = limits.maxComputeWorkgroupsPerDimension ?? 65535;
    const grid = flatWorkgroups(n, WG, maxGroups);
    const arena = new Arena(device, counters, 'trainer');
    return arena.guarded('trainer', () => {
      const state1 = arena.storage('optimizer.state1', n);
      const state2 = arena.storage('optimizer.state2', n);
      const partials = arena.storage('partials', PARTIALS);
      const stats = arena.storage('stats', 4);
      // A new trainer starts from empty optimizer state; Adagrad's accumulator from its initial value.
      const init1 = optimizerStateSlots(opt).find((s) => s.binding === 'state1')?.init ?? 0;
      if (init1 !== 0) device.queue.writeBuffer(state1, 0, new Float32Array(n).fill(init1));
      const slots = new UniformSlots(limits.minUniformBufferOffsetAlignment ?? 256);
      const s0 = slots.add(packUniforms(norm.info, { n, P: PARTIALS }, 'grad_norm'));
      const s1 = slots.add(packUniforms(finish.info, { P: PARTIALS, clip: clipNorm !== null ? 1 : 0, maxNorm: clipNorm ?? 1 }, 'grad_norm_finish'));
      const s2 = slots.add(packUniforms(update.info, optimizerUniforms(opt, 1, opt.lr, n), 'optimizer_update'));
      const slot = slots.finish(device, arena);
      const dispatches: Dispatch[] = [
        { label: 'grad_norm', kernel: norm, workgroups: [Math.ceil(PARTIALS / WG), 1, 1],
          bindGroup: bindKernel(device, norm, { params: slot(s0), grads: { buffer: model.grads }, partials: { buffer: partials } }, 'grad_norm', counters) },
        { label: 'grad_norm_finish', kernel: finish, workgroups: [1, 1, 1],
          bindGroup: bindKernel(device, finish, { params: slot(s1), partials: { buffer: partials }, stats: { buffer: stats } }, 'grad_norm_finish', counters) },
        { label: 'optimizer_update', kernel: update, workgroups: grid,
          bindGroup: bindKernel(device, update, { u: slot(s2), params: { buffer: model.params }, grads: { buffer: model.grads }, state1: { buffer: state1 }, state2: { buffer: state2 }, stats: { buffer: stats } }, 'optimizer_update', counters) },
      ];
      return new UpdatePass(device, counters, arena, dispatches, slots, update, opt, n, state1, state2, stats);
    });
  }

  /** Sets this step's uniforms: `step` is the 1-based step being taken, `lr` its scheduled rate. */
  setStep(step: number, lr: number): void {
    this.slots.rewrite(this.device, 2, packUniforms(this.optimizerKernel.info, optimizerUniforms(this.opt, step, lr, this.n), 'optimizer_update'));
  }

  record(encoder: GPUCommandEncoder, label: string): void {
    recordDispatches(encoder, this.dispatches, label, this.counters);
  }

  /** Copies [norm, clip scale] (8 bytes) to dst at byteOffset. */
  recordStatsCopy(encoder: GPUCommandEncoder, dst: GPUBuffer, byteOffset: number): void {
    encoder.copyBufferToBuffer(this.stats, 0, dst, byteOffset, 4);
  }

  /** The state buffer that holds PyTorch's state `name` for this optimizer. */
  stateBuffer(name: string): GPUBuffer {
    const slot = optimizerStateSlots(this.opt).find((s) => s.name === name);
    if (!slot) throw new InputError(`optimizer ${this.opt.name} has no state ${JSON.stringify(name)}`);
    return slot.binding === 'state1' ? this.state1 : this.state2;
  }

  get dispatchCount(): number {
    return this.dispatches.length;
  }

  destroy(): void {
    this.arena.destroy();
  }
}
